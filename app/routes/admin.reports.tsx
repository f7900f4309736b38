import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useLoaderData } from '@remix-run/react'
import type { ReactNode } from 'react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { DateRangeFilters, FilterActions, ProvinceFilter } from '#app/components/filters'
import { dictionaries, formatNumber, isMessageKey, translate, useLang, useT, type Lang, type MessageKey } from '#app/i18n'
import { getProgrammeOutcomes, getProgrammeReport, type ReachFigures } from '#app/models/programme-report.server'
import { ProgrammeLearningSection } from '#app/components/programme-learning'
import { ProgrammeSatisfactionSection } from '#app/components/programme-satisfaction'
import { CutSection } from '#app/components/programme-cut'
import { listProvinces } from '#app/models/region.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { filterQuery, programmeReportFilterSchema } from '#app/utils/programme-report-schema.server'
import { toFieldErrors } from '#app/utils/validation.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'programme.title'))

const REGENCY_TOP = 20

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const db = getDb()
  const provinces = await listProvinces(db)
  const parsed = programmeReportFilterSchema(provinces.map((p) => p.code)).safeParse(Object.fromEntries(new URL(request.url).searchParams))
  if (!parsed.success) return json({ provinces, report: null, outcomes: null, exportQuery: '', errors: toFieldErrors(parsed.error) }, { status: 400 })
  const [report, outcomes] = await Promise.all([getProgrammeReport(db, parsed.data, { regencyLimit: REGENCY_TOP }), getProgrammeOutcomes(db, parsed.data)])
  return json({ provinces, report, outcomes, exportQuery: filterQuery(parsed.data), errors: null })
}

export default function ProgrammeReportPage() {
  const { provinces, report, outcomes, exportQuery, errors } = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  const fieldErrors = errors as Record<string, string[]> | null
  const number = numberFormat(lang)
  const labels = {
    pillar: (code: string) => (isMessageKey(`pillar.${code}`) ? t(`pillar.${code}` as MessageKey) : code),
    segment: (code: string) => (isMessageKey(`segment.${code}`) ? t(`segment.${code}` as MessageKey) : code),
    month: (key: string) => monthLabel(key, lang, 'short'),
  }
  return (
    <section aria-labelledby="programme-title">
      <h1 id="programme-title">{t('programme.title')}</h1>
      <p>{t('programme.intro')}</p>
      <Form method="get" className="filters" role="search">
        <DateRangeFilters errors={fieldErrors} />
        <ProvinceFilter provinces={provinces} errors={fieldErrors} />
        <FilterActions resetTo="/admin/reports" />
      </Form>
      <p className="muted">{t('programme.definitions')}</p>

      {!report ? null : report.totals.held === 0 ? (
        <p role="status">{t('programme.empty')}</p>
      ) : (
        <>
          <h2 id="programme-summary">{t('programme.summary')}</h2>
          <dl className="details" aria-labelledby="programme-summary">
            <dt>{t('programme.held')}</dt>
            <dd>{number(report.totals.held)}</dd>
            <dt>{t('programme.registrations')}</dt>
            <dd>{number(report.totals.registrations)}</dd>
            <dt>{t('programme.present')}</dt>
            <dd>{number(report.totals.present)}</dd>
            <dt>{t('programme.residents')}</dt>
            <dd>{number(report.totals.residents)}</dd>
            <dt>{t('programme.regenciesReached')}</dt>
            <dd>{number(report.byRegency.reached)}</dd>
          </dl>

          <ReachSection
            exportQuery={exportQuery}
            id="by-province"
            heading={t('programme.byProvince')}
            chartTitle={t('programme.chart.province')}
            groupHeader={t('programme.col.province')}
            rows={report.byProvince.map((p) => ({ key: p.code, label: p.name, chartLabel: p.name, figures: p }))}
          />
          <ReachSection
            exportQuery={exportQuery}
            id="by-regency"
            heading={t('programme.byRegency')}
            exportHeading={t('programme.csv.allRegencies')}
            note={t('programme.regencyTop', { top: report.byRegency.top.length, count: report.byRegency.reached })}
            chartTitle={t('programme.chart.regency', { top: report.byRegency.top.length })}
            groupHeader={t('programme.col.regency')}
            rows={report.byRegency.top.map((r) => ({
              key: r.code,
              label: (
                <>
                  {r.name}
                  <br />
                  <span className="muted">{r.provinceName}</span>
                </>
              ),
              chartLabel: r.name.replace(/^Kabupaten /, 'Kab. '),
              figures: r,
            }))}
          />
          <ReachSection
            exportQuery={exportQuery}
            id="by-pillar"
            heading={t('programme.byPillar')}
            chartTitle={t('programme.chart.pillar')}
            groupHeader={t('programme.col.pillar')}
            // The chart keeps the pillars' own names, which the English labels carry too, in full.
            rows={report.byPillar.map((p) => ({ key: p.code, label: t(`pillar.${p.code}`), chartLabel: translate('id', `pillar.${p.code}`), figures: p }))}
          />
          <ReachSection
            exportQuery={exportQuery}
            id="by-month"
            heading={t('programme.byMonth')}
            chartTitle={t('programme.chart.month')}
            groupHeader={t('programme.col.month')}
            rows={report.byMonth.map((m) => ({ key: m.month, label: monthLabel(m.month, lang, 'long'), chartLabel: monthLabel(m.month, lang, 'short'), figures: m }))}
          />
          {outcomes ? (
            <>
              <ProgrammeLearningSection learning={outcomes.learning} labels={labels} exportQuery={exportQuery} />
              <ProgrammeSatisfactionSection satisfaction={outcomes.satisfaction} labels={labels} exportQuery={exportQuery} />
            </>
          ) : null}
        </>
      )}
    </section>
  )
}

type ReachRow = { key: string; label: ReactNode; chartLabel: string; figures: ReachFigures }

/** One dimension: a chart of unique residents reached, then every figure in a table (the chart's text alternative). */
function ReachSection({
  rows,
  ...section
}: { id: string; heading: string; note?: string; chartTitle: string; groupHeader: string; rows: ReachRow[]; exportQuery: string; exportHeading?: string }) {
  const t = useT()
  const number = numberFormat(useLang())
  return (
    <CutSection
      {...section}
      level={2}
      formatValue={number}
      columns={[t('programme.held'), t('programme.registrations'), t('programme.present'), t('programme.residents')]}
      rows={rows.map((row) => ({
        key: row.key,
        label: row.label,
        chartLabel: row.chartLabel,
        value: row.figures.residents,
        cells: [row.figures.held, row.figures.registrations, row.figures.present, row.figures.residents].map(number),
      }))}
    />
  )
}

function numberFormat(lang: Lang): (value: number) => string {
  return (value) => formatNumber(value, lang)
}

/** "2021-09" → "September 2021" (long) or "Sep 2021" (short), in the reader's language. */
function monthLabel(month: string, lang: Lang, style: 'long' | 'short'): string {
  return new Intl.DateTimeFormat(dictionaries[lang]['date.locale'], { month: style, year: 'numeric', timeZone: 'UTC' }).format(new Date(`${month}-01T00:00:00Z`))
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
