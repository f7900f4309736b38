import { Form } from '@remix-run/react'
import { useId } from 'react'
import { ErrorList, ErrorSummary, Field, SelectField } from '#app/components/forms'
import { ResidencePicker, type Residence } from '#app/components/regency-select'
import { useT, type MessageKey } from '#app/i18n'
import { AGE_RANGES, GENDERS, OCCUPATIONS } from '#app/utils/catalog'
import { HONEYPOT_FIELD, NAME_MAX } from '#app/utils/registration-fields'

/** The fields the error summary names, in the form's order. */
const SUMMARY_FIELDS = [
  ['name', 'register.name'],
  ['email', 'register.email'],
  ['whatsapp', 'register.whatsapp'],
  ['regency', 'register.regency'],
  ['occupation', 'register.occupation'],
  ['ageRange', 'register.ageRange'],
  ['gender', 'register.gender'],
  ['consent', 'register.consentShort'],
] as const satisfies ReadonlyArray<readonly [string, MessageKey]>

/**
 * The resident's registration form. A plain POST, so it works with JavaScript off; the server
 * checks everything and sends back what was typed beside each error.
 */
export function RegistrationForm({
  provinces,
  residence,
  defaultRegency,
  values,
  errors,
  action,
}: {
  /** the webinar page's path, which the form posts to */
  action: string
  provinces: Array<[string, string]>
  residence: Residence
  defaultRegency: string
  values: Record<string, string>
  errors?: Record<string, string[]>
}) {
  const t = useT()
  const consentErrorId = `${useId()}-consent-error`
  const summary = SUMMARY_FIELDS.map(([name, label]) => ({ id: `register-${name}`, label: t(label), errors: errors?.[name] }))
  return (
    // The fragment brings the answer (the error summary, a refusal, the 429) into view on the reloaded page.
    <Form method="post" action={`${action}?index#register`} className="stack" noValidate aria-labelledby="register-title">
      <ErrorSummary items={summary} general={errors?.['']} />
      <Field
        label={t('register.name')}
        hint={t('register.nameHint')}
        id="register-name"
        name="name"
        autoComplete="name"
        required
        maxLength={NAME_MAX}
        defaultValue={values.name ?? ''}
        errors={errors?.name}
      />
      <Field
        label={t('register.email')}
        hint={t('register.emailHint')}
        id="register-email"
        name="email"
        type="email"
        inputMode="email"
        autoComplete="email"
        required
        defaultValue={values.email ?? ''}
        errors={errors?.email}
      />
      <Field
        label={t('register.whatsapp')}
        hint={t('people.field.whatsappHint')}
        id="register-whatsapp"
        name="whatsapp"
        type="tel"
        inputMode="tel"
        autoComplete="tel"
        required
        defaultValue={values.whatsapp ?? ''}
        errors={errors?.whatsapp}
      />
      <ResidencePicker provinces={provinces} residence={residence} idPrefix="register" value={values.regency ?? defaultRegency} errors={errors?.regency} />
      <SelectField
        label={t('register.occupation')}
        id="register-occupation"
        name="occupation"
        required
        defaultValue={values.occupation ?? ''}
        placeholder={t('register.choose')}
        options={OCCUPATIONS.map((code) => ({ value: code, label: t(`occupation.${code}`) }))}
        errors={errors?.occupation}
      />
      <SelectField
        label={t('register.ageRange')}
        id="register-ageRange"
        name="ageRange"
        required
        defaultValue={values.ageRange ?? ''}
        placeholder={t('register.choose')}
        options={AGE_RANGES.map((code) => ({ value: code, label: t(`ageRange.${code}`) }))}
        errors={errors?.ageRange}
      />
      <SelectField
        label={t('register.gender')}
        id="register-gender"
        name="gender"
        optional
        defaultValue={values.gender ?? ''}
        placeholder={t('register.genderUnsaid')}
        options={GENDERS.map((code) => ({ value: code, label: t(`gender.${code}`) }))}
        errors={errors?.gender}
      />
      <div className="field">
        <label className="checkbox consent">
          <input
            id="register-consent"
            type="checkbox"
            name="consent"
            value="yes"
            required
            defaultChecked={values.consent === 'yes'}
            aria-invalid={errors?.consent?.length ? true : undefined}
            aria-describedby={errors?.consent?.length ? consentErrorId : undefined}
          />
          <span>{t('register.consent')}</span>
        </label>
        {/* A new tab, so that reading the notice does not lose what was typed (no JavaScript keeps it otherwise). */}
        <p className="hint consent-link">
          <a href="/privacy" target="_blank" rel="noopener">
            {t('register.privacyLink')}
          </a>
        </p>
        <ErrorList id={consentErrorId} errors={errors?.consent} />
      </div>
      {/* Hidden from people (off-screen, out of the tab order); bots fill it in. */}
      <div className="hp">
        <label htmlFor="register-website">{t('register.honeypot')}</label>
        <input id="register-website" type="text" name={HONEYPOT_FIELD} tabIndex={-1} autoComplete="off" defaultValue="" />
      </div>
      <div className="actions">
        <button type="submit">{t('register.submit')}</button>
      </div>
    </Form>
  )
}
