import { Form, Link } from '@remix-run/react'
import { useState } from 'react'
import type { TimeZoneCode } from '#db/schema'
import { CheckboxGroup, ErrorList, Field, FormErrors, SelectField, TextareaField } from '#app/components/forms'
import { useT } from '#app/i18n'
import { PILLARS, SEGMENTS } from '#app/utils/catalog'

/** [code, name, province name] — compact, since all 514 travel with the page. */
export type RegencyOption = [string, string, string]

export function WebinarForm({
  regencies,
  zones,
  values,
  errors,
  submitLabel,
  cancelTo,
}: {
  regencies: RegencyOption[]
  /** each province's time zone, by province code (the part of a regency code before the dot) */
  zones: Record<string, TimeZoneCode>
  values: Record<string, string>
  errors?: Record<string, string[]>
  submitLabel: string
  cancelTo: string
}) {
  const t = useT()
  const byProvince = new Map<string, RegencyOption[]>()
  for (const regency of regencies) {
    const list = byProvince.get(regency[2]) ?? []
    list.push(regency)
    byProvince.set(regency[2], list)
  }
  const regencyErrorId = errors?.regency?.length ? 'regency-error' : undefined
  // Which zone the times are in: from the regency chosen (as rendered, so without JavaScript too, then live).
  const [regency, setRegency] = useState(values.regency ?? '')
  const zone = zones[regency.split('.')[0] ?? '']
  return (
    <Form method="post" className="stack" noValidate>
      <FormErrors errors={errors?.[''] ?? (errors && Object.keys(errors).length ? ['form.fixErrors'] : null)} />

      <h2>{t('webinar.section.basics')}</h2>
      <Field label={t('webinar.field.topic')} name="topic" required maxLength={200} defaultValue={values.topic} errors={errors?.topic} />
      <TextareaField label={t('webinar.field.description')} name="description" optional rows={4} defaultValue={values.description} errors={errors?.description} />
      <CheckboxGroup
        legend={t('webinar.field.pillars')}
        name="pillars"
        options={PILLARS.map((code) => ({ value: code, label: t(`pillar.${code}`) }))}
        defaultValues={(values.pillars ?? '').split(',')}
        errors={errors?.pillars}
      />
      <SelectField
        label={t('webinar.field.segment')}
        name="segment"
        defaultValue={values.segment || 'umum'}
        options={SEGMENTS.map((code) => ({ value: code, label: t(`segment.${code}`) }))}
        errors={errors?.segment}
      />

      <h2>{t('webinar.section.schedule')}</h2>
      <div className="field">
        <label htmlFor="regency">{t('webinar.field.regency')}</label>
        <p id="regency-hint" className="hint">
          {t('webinar.field.regencyHint')}
        </p>
        <select
          id="regency"
          name="regency"
          defaultValue={values.regency}
          onChange={(event) => setRegency(event.currentTarget.value)}
          aria-invalid={regencyErrorId ? true : undefined}
          aria-describedby={['regency-hint', regencyErrorId].filter(Boolean).join(' ')}
        >
          <option value="">{t('webinar.field.regencyPlaceholder')}</option>
          {[...byProvince].map(([province, list]) => (
            <optgroup key={province} label={province}>
              {list.map(([code, name]) => (
                <option key={code} value={code}>
                  {name}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        <ErrorList id={regencyErrorId} errors={errors?.regency} />
      </div>
      <p id="time-zone" className="hint time-zone" aria-live="polite">
        {zone ? t('webinar.field.timeZone', { zone, name: t(`zone.${zone}`) }) : t('webinar.field.timeZoneUnknown')}
      </p>
      <div className="row">
        <Field label={t('webinar.field.date')} name="date" type="date" defaultValue={values.date} errors={errors?.date} />
        <Field label={t('webinar.field.startTime')} name="startTime" type="time" defaultValue={values.startTime} errors={errors?.startTime} />
        <Field label={t('webinar.field.endTime')} name="endTime" type="time" defaultValue={values.endTime} errors={errors?.endTime} />
      </div>

      <h2>{t('webinar.section.platform')}</h2>
      <p className="hint">{t('webinar.field.platformHint')}</p>
      <Field label={t('webinar.field.platformUrl')} name="platformUrl" type="url" inputMode="url" defaultValue={values.platformUrl} errors={errors?.platformUrl} />
      <div className="row">
        <Field label={t('webinar.field.meetingId')} name="meetingId" optional defaultValue={values.meetingId} errors={errors?.meetingId} />
        <Field label={t('webinar.field.passcode')} name="passcode" optional defaultValue={values.passcode} errors={errors?.passcode} />
      </div>
      <Field label={t('webinar.field.livestreamUrl')} name="livestreamUrl" type="url" inputMode="url" optional defaultValue={values.livestreamUrl} errors={errors?.livestreamUrl} />

      <h2>{t('webinar.section.registration')}</h2>
      <div className="row">
        <Field label={t('webinar.field.capacity')} name="capacity" type="number" inputMode="numeric" min={1} required defaultValue={values.capacity || '1000'} errors={errors?.capacity} />
        <Field
          label={t('webinar.field.attendanceThreshold')}
          name="attendanceThreshold"
          type="number"
          inputMode="numeric"
          min={1}
          max={100}
          defaultValue={values.attendanceThreshold || '70'}
          errors={errors?.attendanceThreshold}
        />
      </div>
      <p className="hint">{t('webinar.field.attendanceThresholdHint')}</p>
      <fieldset className="field">
        <legend>{t('webinar.field.registrationOpens')}</legend>
        <div className="row">
          <Field label={t('webinar.field.registrationDate')} name="registrationOpensDate" type="date" optional defaultValue={values.registrationOpensDate} errors={errors?.registrationOpensDate} />
          <Field label={t('webinar.field.registrationTime')} name="registrationOpensTime" type="time" optional defaultValue={values.registrationOpensTime} errors={errors?.registrationOpensTime} />
        </div>
      </fieldset>
      <fieldset className="field">
        <legend>{t('webinar.field.registrationCloses')}</legend>
        <div className="row">
          <Field label={t('webinar.field.registrationDate')} name="registrationClosesDate" type="date" optional defaultValue={values.registrationClosesDate} errors={errors?.registrationClosesDate} />
          <Field label={t('webinar.field.registrationTime')} name="registrationClosesTime" type="time" optional defaultValue={values.registrationClosesTime} errors={errors?.registrationClosesTime} />
        </div>
      </fieldset>
      <p className="hint">{t('webinar.field.registrationHint')}</p>
      <Field label={t('webinar.field.slug')} hint={t('webinar.field.slugHint')} name="slug" optional defaultValue={values.slug} errors={errors?.slug} />

      <div className="actions">
        <button type="submit">{submitLabel}</button>
        <Link to={cancelTo}>{t('form.cancel')}</Link>
      </div>
    </Form>
  )
}
