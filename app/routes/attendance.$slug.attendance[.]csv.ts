import type { LoaderFunctionArgs } from '@remix-run/node'
import { isMessageKey, makeT } from '#app/i18n'
import { getLang } from '#app/i18n/lang.server'
import { listAttendanceForExport } from '#app/models/webinar-report.server'
import { requireAttendanceWebinar } from '#app/utils/webinar-guards.server'
import { csvDateTime, csvResponse, toCsv } from '#app/utils/csv.server'
import { getDb } from '#app/utils/db.server'

// The seated registrants: the evidence (check-in, Zoom minutes, manual mark) and the outcome,
// marked final once attendance is finalised and provisional before.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { webinar } = await requireAttendanceWebinar(request, params.slug)
  const t = makeT(await getLang(request))
  const zone = webinar.time_zone
  const rows: unknown[][] = []
  for await (const r of listAttendanceForExport(getDb(), webinar)) {
    const reasonKey = `attendance.reason.${r.manual_reason}`
    rows.push([
      r.name,
      r.email,
      r.regency_name ?? r.regency_code,
      csvDateTime(r.checked_in_at, zone),
      r.zoom_minutes,
      r.manual_present === null ? '' : t(r.manual_present === 1 ? 'attendance.mark.present' : 'attendance.mark.absent'),
      r.manual_reason === null ? '' : isMessageKey(reasonKey) ? t(reasonKey) : r.manual_reason,
      r.manual_note,
      t(r.present === 1 ? 'report.csv.yes' : 'report.csv.no'),
      t(r.final ? 'report.csv.final' : 'report.csv.provisional'),
    ])
  }
  const header = [
    t('report.csv.name'),
    t('report.csv.email'),
    t('report.csv.regency'),
    t('report.csv.checkedInAt', { zone }),
    t('report.csv.zoomMinutes'),
    t('report.csv.manualMark'),
    t('report.csv.manualReason'),
    t('report.csv.manualNote'),
    t('report.csv.present'),
    t('report.csv.outcome'),
  ]
  return csvResponse(`${webinar.slug}-${t('report.file.attendance')}.csv`, toCsv(header, rows))
}
