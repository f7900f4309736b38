import { Form } from '@remix-run/react'
import { Field } from '#app/components/forms'
import { formatDateTime, useLang, useT } from '#app/i18n'
import type { TimeZoneCode } from '#db/schema'
import { formatBytes } from '#app/utils/format-bytes'

export type BriefSlides = { canUpload: boolean; material: { file_name: string; bytes: number; uploaded_at: string } | null }

/** A speaker's slides on their brief page: the file they uploaded, and the form to upload (or replace) it. */
export function SlidesUpload({ token, slides, zone, errors, uploaded }: { token: string; slides: BriefSlides; zone: TimeZoneCode; errors?: string[]; uploaded?: boolean }) {
  const t = useT()
  const lang = useLang()
  return (
    <section aria-labelledby="slides-title" className="stack">
      <h2 id="slides-title">{t('slides.title')}</h2>
      {uploaded && !errors ? (
        <p className="notice" role="status">
          {t('slides.uploaded')}
        </p>
      ) : null}
      {slides.material ? (
        <p>
          <a href={`/brief/${token}/slides.pdf`} download>
            {slides.material.file_name}
          </a>{' '}
          <span className="muted">
            ({formatBytes(slides.material.bytes, lang)}, {formatDateTime(slides.material.uploaded_at, zone, lang)})
          </span>
        </p>
      ) : (
        <p className="hint">{t('slides.none')}</p>
      )}
      {slides.canUpload ? (
        <Form method="post" action={`/brief/${token}/slides`} encType="multipart/form-data" className="stack" noValidate reloadDocument>
          <Field label={t(slides.material ? 'slides.replace' : 'slides.file')} hint={t('slides.hint')} name="slides" type="file" accept="application/pdf,.pdf" required errors={errors} />
          <div className="actions">
            <button type="submit">{t('slides.submit')}</button>
          </div>
        </Form>
      ) : null}
    </section>
  )
}
