import type { LoaderFunctionArgs } from '@remix-run/node'
import { groupLabel } from '#app/components/breakdown'
import { makeT } from '#app/i18n'
import { getLang } from '#app/i18n/lang.server'
import { listRegistrantsForExport } from '#app/models/webinar-report.server'
import { requireAttendanceWebinar } from '#app/utils/webinar-guards.server'
import { csvDateTime, csvResponse, toCsv } from '#app/utils/csv.server'
import { getDb } from '#app/utils/db.server'

// Every registration, whatever its status, in arrival order; headers and labels in the reader's language.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { webinar } = await requireAttendanceWebinar(request, params.slug)
  const t = makeT(await getLang(request))
  const zone = webinar.time_zone
  const rows: unknown[][] = []
  for await (const r of listRegistrantsForExport(getDb(), webinar.id)) {
    rows.push([
      r.name,
      r.email,
      r.whatsapp,
      r.regency_code,
      r.regency_name ?? '',
      groupLabel(t, 'occupation', r.occupation),
      groupLabel(t, 'ageRange', r.age_range),
      groupLabel(t, 'gender', r.gender),
      t(`report.status.${r.status}`),
      csvDateTime(r.created_at, zone),
      r.position,
    ])
  }
  const header = [
    t('report.csv.name'),
    t('report.csv.email'),
    t('report.csv.whatsapp'),
    t('report.csv.regencyCode'),
    t('report.csv.regency'),
    t('report.csv.occupation'),
    t('report.csv.ageRange'),
    t('report.csv.gender'),
    t('report.csv.status'),
    t('report.csv.registeredAt', { zone }),
    t('report.csv.position'),
  ]
  return csvResponse(`${webinar.slug}-${t('report.file.registrants')}.csv`, toCsv(header, rows))
}
