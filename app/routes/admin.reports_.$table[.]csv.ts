import type { LoaderFunctionArgs } from '@remix-run/node'
import { makeT } from '#app/i18n'
import { getLang } from '#app/i18n/lang.server'
import { getProgrammeOutcomes, getProgrammeReport } from '#app/models/programme-report.server'
import { listProvinces } from '#app/models/region.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { csvResponse } from '#app/utils/csv.server'
import { getDb } from '#app/utils/db.server'
import { isProgrammeCsvTable, isReachCsvTable, outcomesCsv, reachCsv } from '#app/utils/programme-csv.server'
import { programmeReportFilterSchema } from '#app/utils/programme-report-schema.server'

// One table of the programme dashboard as CSV (/admin/reports/by-province.csv?province=33), with
// the page's own filters. Organisers only, like the page.
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const table = params.table
  if (!isProgrammeCsvTable(table)) throw new Response('Not found', { status: 404 })
  const t = makeT(await getLang(request))
  const db = getDb()
  const provinces = await listProvinces(db)
  const parsed = programmeReportFilterSchema(provinces.map((p) => p.code)).safeParse(Object.fromEntries(new URL(request.url).searchParams))
  if (!parsed.success) return new Response(t('programme.csv.badFilters'), { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
  const filters = parsed.data
  const body = isReachCsvTable(table) ? reachCsv(table, await getProgrammeReport(db, filters, { regencyLimit: Infinity }), t) : outcomesCsv(table, await getProgrammeOutcomes(db, filters), t)
  const name = [t('programme.csv.file'), table, filters.from, filters.to, filters.province].filter(Boolean).join('-')
  return csvResponse(`${name}.csv`, body)
}
