import { Form, Link } from '@remix-run/react'
import { LANGS, useT } from '#app/i18n'
import type { StaffRole } from '#db/schema'
import { Field, FormErrors, SelectField, TextareaField } from './forms'

export type AccountChoice = { id: string; name: string; email: string; role: StaffRole }

type PersonFormProps = {
  values: Record<string, string>
  errors?: Record<string, string[]>
  accounts: AccountChoice[]
  submitLabel: string
  /** Where the form posts; by default the page's own path. */
  action?: string
}

/** The directory entry's fields, shared by the new and edit pages. */
export function PersonForm({ values, errors, accounts, submitLabel, action }: PersonFormProps) {
  const t = useT()
  const accountOptions = accounts.map((account) => ({
    value: account.id,
    label: t('people.accountOption', { name: account.name, email: account.email, role: t(`role.${account.role}`) }),
  }))
  return (
    <Form method="post" action={action} className="stack" noValidate>
      <FormErrors errors={errors?.['']} />
      <Field
        label={t('people.field.name')}
        hint={t('people.field.nameHint')}
        name="name"
        autoComplete="off"
        maxLength={200}
        required
        defaultValue={values.name ?? ''}
        errors={errors?.name}
      />
      <Field label={t('people.field.title')} optional name="title" autoComplete="off" maxLength={200} defaultValue={values.title ?? ''} errors={errors?.title} />
      <Field
        label={t('people.field.organisation')}
        optional
        name="organisation"
        autoComplete="off"
        maxLength={200}
        defaultValue={values.organisation ?? ''}
        errors={errors?.organisation}
      />
      <Field
        label={t('people.field.email')}
        optional
        name="email"
        type="email"
        autoComplete="off"
        maxLength={254}
        defaultValue={values.email ?? ''}
        errors={errors?.email}
      />
      <Field
        label={t('people.field.whatsapp')}
        hint={t('people.field.whatsappHint')}
        optional
        name="whatsapp"
        type="tel"
        inputMode="tel"
        autoComplete="off"
        maxLength={30}
        defaultValue={values.whatsapp ?? ''}
        errors={errors?.whatsapp}
      />
      <TextareaField label={t('people.field.bio')} optional name="bio" rows={4} maxLength={2000} defaultValue={values.bio ?? ''} errors={errors?.bio} />
      <SelectField
        label={t('people.field.lang')}
        hint={t('people.field.langHint')}
        name="lang"
        options={LANGS.map((lang) => ({ value: lang, label: t(`lang.name.${lang}`) }))}
        defaultValue={values.lang || 'id'}
        errors={errors?.lang}
      />
      <SelectField
        label={t('people.field.account')}
        hint={t('people.field.accountHint')}
        optional
        name="account"
        options={accountOptions}
        placeholder={t('people.field.accountNone')}
        defaultValue={values.account ?? ''}
        errors={errors?.account}
      />
      <div className="actions">
        <button type="submit">{submitLabel}</button>
        <Link to="/admin/people">{t('form.cancel')}</Link>
      </div>
    </Form>
  )
}
