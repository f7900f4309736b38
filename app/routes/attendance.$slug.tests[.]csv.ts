import type { LoaderFunctionArgs } from '@remix-run/node'
import { makeT } from '#app/i18n'
import { getLang } from '#app/i18n/lang.server'
import { listTestResults } from '#app/models/test-report.server'
import { PILLARS } from '#app/utils/catalog'
import { csvDateTime, csvResponse, toCsv } from '#app/utils/csv.server'
import { getDb } from '#app/utils/db.server'
import { requireAttendanceWebinar } from '#app/utils/webinar-guards.server'

// One row per attempt, in arrival order of the registrants; scores per pillar as 0–100.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { webinar } = await requireAttendanceWebinar(request, params.slug)
  const t = makeT(await getLang(request))
  const zone = webinar.time_zone
  const results = await listTestResults(getDb(), webinar.id)
  const round = (n: number | null) => (n === null ? '' : Math.round(n * 10) / 10)
  const rows = results.map((r) => [
    r.name ?? t('tests.csv.erased'),
    r.email ?? '',
    t(`tests.kind.${r.kind}`),
    csvDateTime(r.startedAt, zone),
    csvDateTime(r.finishedAt, zone),
    r.correct ?? '',
    r.total,
    ...PILLARS.map((p) => round(r.pillars[p])),
    r.paired ? 1 : 0,
  ])
  const header = [
    t('tests.csv.name'),
    t('tests.csv.email'),
    t('tests.csv.kind'),
    `${t('tests.csv.started')} (${zone})`,
    `${t('tests.csv.finished')} (${zone})`,
    t('tests.csv.correct'),
    t('tests.csv.total'),
    ...PILLARS.map((p) => t('tests.csv.pillarScore', { pillar: t(`pillar.${p}`) })),
    t('tests.csv.paired'),
  ]
  return csvResponse(`${webinar.slug}-${t('tests.csv.file')}.csv`, toCsv(header, rows))
}
