import { Form } from '@remix-run/react'
import { useId } from 'react'
import { ErrorList, Field, FormErrors, SelectField } from '#app/components/forms'
import { ResidencePicker, type Residence } from '#app/components/regency-select'
import { useT } from '#app/i18n'
import { AGE_RANGES, GENDERS, OCCUPATIONS } from '#app/utils/catalog'
import { HONEYPOT_FIELD, NAME_MAX } from '#app/utils/registration-fields'

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
}: {
  provinces: Array<[string, string]>
  residence: Residence
  defaultRegency: string
  values: Record<string, string>
  errors?: Record<string, string[]>
}) {
  const t = useT()
  const consentErrorId = `${useId()}-consent-error`
  const hasFieldErrors = !!errors && Object.keys(errors).some((name) => name !== '')
  return (
    <Form method="post" className="stack" noValidate aria-labelledby="register-title">
      <FormErrors errors={errors?.[''] ?? (hasFieldErrors ? ['form.fixErrors'] : null)} />
      <Field
        label={t('register.name')}
        hint={t('register.nameHint')}
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
        name="whatsapp"
        type="tel"
        inputMode="tel"
        autoComplete="tel"
        required
        defaultValue={values.whatsapp ?? ''}
        errors={errors?.whatsapp}
      />
      <ResidencePicker provinces={provinces} residence={residence} value={values.regency ?? defaultRegency} errors={errors?.regency} />
      <SelectField
        label={t('register.occupation')}
        name="occupation"
        required
        defaultValue={values.occupation ?? ''}
        placeholder={t('register.choose')}
        options={OCCUPATIONS.map((code) => ({ value: code, label: t(`occupation.${code}`) }))}
        errors={errors?.occupation}
      />
      <SelectField
        label={t('register.ageRange')}
        name="ageRange"
        required
        defaultValue={values.ageRange ?? ''}
        placeholder={t('register.choose')}
        options={AGE_RANGES.map((code) => ({ value: code, label: t(`ageRange.${code}`) }))}
        errors={errors?.ageRange}
      />
      <SelectField
        label={t('register.gender')}
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
