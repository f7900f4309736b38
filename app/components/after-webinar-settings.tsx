import { Form } from '@remix-run/react'
import { Field, FormErrors } from '#app/components/forms'
import { formatDateTime, useLang, useT } from '#app/i18n'
import type { TimeZoneCode } from '#db/schema'
import { formatBytes } from '#app/utils/format-bytes'
import type { FieldErrors } from '#app/utils/messages'

export type AfterWebinarSettingsValues = {
  certificateGate: boolean
  recordingUrl: string | null
  recordingPublic: boolean
  thankYouDelayHours: number
  questions: string[]
}

/** The organiser's form: the certificate gate, the recording, the "thank you" time, their own questions. */
export function AfterWebinarSettingsForm({ settings, values, errors }: { settings: AfterWebinarSettingsValues; values?: Record<string, string>; errors?: FieldErrors }) {
  const t = useT()
  const checked = (name: string, stored: boolean) => (values ? values[name] === 'on' : stored)
  return (
    <Form method="post" className="stack" noValidate>
      <FormErrors errors={errors?.['']} />
      <div className="field">
        <label className="checkbox">
          <input type="checkbox" name="certificateGate" defaultChecked={checked('certificateGate', settings.certificateGate)} aria-describedby="gate-hint" />
          {t('after.gate')}
        </label>
        <p id="gate-hint" className="hint">
          {t('after.gateHint')}
        </p>
      </div>
      <Field label={t('after.recording')} hint={t('after.recordingHint')} name="recordingUrl" type="url" inputMode="url" optional defaultValue={values?.recordingUrl ?? settings.recordingUrl ?? ''} errors={errors?.recordingUrl} />
      <div className="field">
        <label className="checkbox">
          <input type="checkbox" name="recordingPublic" defaultChecked={checked('recordingPublic', settings.recordingPublic)} />
          {t('after.recordingPublic')}
        </label>
      </div>
      <Field
        label={t('after.thankYouDelay')}
        hint={t('after.thankYouDelayHint')}
        name="thankYouDelayHours"
        type="number"
        inputMode="numeric"
        min={0}
        max={168}
        required
        defaultValue={values?.thankYouDelayHours ?? String(settings.thankYouDelayHours)}
        errors={errors?.thankYouDelayHours}
      />
      <fieldset className="field">
        <legend>{t('after.ownQuestions')}</legend>
        <p className="hint">{t('after.ownQuestionsHint')}</p>
        {[1, 2, 3].map((n) => (
          <Field
            key={n}
            label={t('after.ownQuestion', { n })}
            name={`question${n}`}
            maxLength={300}
            optional
            defaultValue={values?.[`question${n}`] ?? settings.questions[n - 1] ?? ''}
            errors={errors?.[`question${n}`]}
          />
        ))}
      </fieldset>
      <div className="actions">
        <button type="submit">{t('after.save')}</button>
      </div>
    </Form>
  )
}

/** The speakers' slides as the staff see them, each downloadable. */
export function StaffMaterialsList({ slug, materials, zone }: { slug: string; materials: Array<{ id: string; file_name: string; bytes: number; uploaded_at: string; speaker_name: string }>; zone: TimeZoneCode }) {
  const t = useT()
  const lang = useLang()
  if (materials.length === 0) return <p className="hint">{t('materials.noneStaff')}</p>
  return (
    <ul>
      {materials.map((m) => (
        <li key={m.id}>
          {m.speaker_name}:{' '}
          <a href={`/attendance/${slug}/materials/${m.id}.pdf`} download>
            {m.file_name}
          </a>{' '}
          <span className="muted">
            ({formatBytes(m.bytes, lang)}, {formatDateTime(m.uploaded_at, zone, lang)})
          </span>
        </li>
      ))}
    </ul>
  )
}
