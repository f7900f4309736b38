import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { Field } from '#app/components/forms'
import { ImportList } from '#app/components/zoom-import'
import { translate, useT } from '#app/i18n'
import { listZoomImports, previewZoomImport } from '#app/models/zoom-import.server'
import { requireAttendanceWebinar } from '#app/utils/webinar-guards.server'
import { getDb } from '#app/utils/db.server'
import { message, type FieldErrors } from '#app/utils/messages'
import { metaLang, pageTitle } from '#app/utils/meta'
import { readSmallFile } from '#app/utils/read-form.server'
import { utcToLocal } from '#app/utils/time'
import { parseZoomReport, ZOOM_REPORT_MAX_BYTES, type ZoomReportError } from '#app/utils/zoom-report.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'import.title'))

// Registrants' names and e-mail addresses: no cache may keep them.
export const headers: HeadersFunction = () => ({ 'Cache-Control': 'private, no-store' })

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { webinar } = await requireAttendanceWebinar(request, params.slug)
  return json({
    webinar: { slug: webinar.slug, topic: webinar.topic, zone: webinar.time_zone, currentImportId: webinar.zoom_import_id },
    imports: await listZoomImports(getDb(), webinar.id),
  })
}

/** Why a report was refused, beside the file field: one message, or a refused row per line. */
function reportErrors(error: ZoomReportError): string[] {
  switch (error.code) {
    case 'truncated':
      return [message('import.error.truncated', { line: error.line })]
    case 'missingColumn':
      return [message(error.column === 'name' ? 'import.error.noNameColumn' : 'import.error.noTimeColumn', { line: error.line })]
    case 'notZoom':
      return [message('import.error.notZoom', { separator: error.separator === '\t' ? 'Tab' : error.separator })]
    case 'implausibleRows':
      return [
        message('import.error.implausibleRows'),
        ...error.rows.map((row) =>
          'minutes' in row
            ? message('import.problem.minutesTooMany', { line: row.line, minutes: row.minutes })
            : message('import.problem.leaveTooLate', { line: row.line, join: row.join, leave: row.leave }),
        ),
        ...(error.more > 0 ? [message('import.problem.more', { count: error.more })] : []),
      ]
    default:
      return [message(`import.error.${error.code}`)]
  }
}

// The file goes to a preview first; attendance changes only when the preview is committed.
export async function action({ request, params }: ActionFunctionArgs) {
  const { user, webinar } = await requireAttendanceWebinar(request, params.slug)
  const fail = (errors: string[], status = 400) => json<{ errors: FieldErrors }>({ errors: { report: errors } }, { status })
  const upload = await readSmallFile(request, 'report', ZOOM_REPORT_MAX_BYTES)
  if (!upload.ok) return fail([message(`import.error.${upload.reason}`)], upload.reason === 'tooLarge' ? 413 : 400)
  const { bytes } = upload
  // The webinar's local date settles "01/09/2021" when nothing in the file does.
  const parsed = parseZoomReport(bytes, { expectedDate: utcToLocal(webinar.start_at, webinar.time_zone).date })
  if (!parsed.ok) return fail(reportErrors(parsed.error), 422)
  const { importId, reused } = await previewZoomImport(getDb(), webinar.id, { name: upload.name || 'zoom.csv', bytes, report: parsed.report }, user.id)
  return redirect(`/attendance/${webinar.slug}/import/${importId}${reused ? '?done=reused' : ''}`, 303)
}

export default function ImportZoomReport() {
  const { webinar, imports } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  return (
    <section aria-labelledby="import-title" className="stack">
      <h1 id="import-title">{t('import.title')}</h1>
      <p className="muted">{webinar.topic}</p>
      <p>{t('import.help')}</p>
      <Form method="post" encType="multipart/form-data" className="stack" noValidate>
        <Field label={t('import.file')} hint={t('import.fileHint')} name="report" type="file" accept=".csv,.txt,.tsv,text/csv,text/plain,text/tab-separated-values" required errors={actionData?.errors.report} />
        <div className="actions">
          <button type="submit">{t('import.submit')}</button>
        </div>
      </Form>
      <ImportList slug={webinar.slug} zone={webinar.zone} imports={imports} currentImportId={webinar.currentImportId} />
      <p>
        <Link to={`/attendance/${webinar.slug}`}>{t('import.back')}</Link>
      </p>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
