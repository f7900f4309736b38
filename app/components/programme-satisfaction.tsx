import { formatNumber, useLang, useT } from '#app/i18n'
import type { ProgrammeSatisfaction, SatisfactionCut } from '#app/models/programme-report.server'
import { CutSection } from './programme-cut'

const ITEMS = ['content', 'speaker', 'moderator', 'platform'] as const

/**
 * The programme dashboard's satisfaction: the evaluations' mean ratings (1–5) by pillar, province,
 * segment and month. The chart draws the content rating, the one question every evaluation asks
 * about the webinar itself; the table has the speakers', moderator's and platform's means too.
 */
export function ProgrammeSatisfactionSection({
  satisfaction,
  labels,
  exportQuery,
}: {
  satisfaction: ProgrammeSatisfaction
  labels: { pillar: (code: string) => string; segment: (code: string) => string; month: (key: string) => string }
  exportQuery: string
}) {
  const t = useT()
  const lang = useLang()
  const { overall } = satisfaction
  return (
    <section aria-labelledby="satisfaction-heading">
      <h2 id="satisfaction-heading">{t('programme.satisfaction.title')}</h2>
      <p className="muted">{t('programme.satisfaction.intro')}</p>
      {overall.evaluations === 0 ? (
        <p role="status">{t('programme.satisfaction.empty')}</p>
      ) : (
        <>
          <p>{t('programme.satisfaction.summary', { count: overall.evaluations, webinars: overall.webinars, mean: formatMean(overall.means.content, lang) })}</p>
          <SatisfactionCutSection id="satisfaction-pillar" heading={t('programme.satisfaction.byPillar')} cuts={satisfaction.byPillar.map((c) => ({ ...c, name: labels.pillar(c.key) }))} exportQuery={exportQuery} />
          <SatisfactionCutSection id="satisfaction-province" heading={t('programme.satisfaction.byProvince')} cuts={satisfaction.byProvince} exportQuery={exportQuery} />
          <SatisfactionCutSection id="satisfaction-segment" heading={t('programme.satisfaction.bySegment')} cuts={satisfaction.bySegment.map((c) => ({ ...c, name: labels.segment(c.key) }))} exportQuery={exportQuery} />
          <SatisfactionCutSection id="satisfaction-month" heading={t('programme.satisfaction.byMonth')} cuts={satisfaction.byMonth.map((c) => ({ ...c, name: labels.month(c.key) }))} exportQuery={exportQuery} />
        </>
      )}
    </section>
  )
}

function formatMean(value: number | null, lang: 'id' | 'en'): string {
  return value === null ? '—' : formatNumber(value, lang, 'mean')
}

function SatisfactionCutSection({ id, heading, cuts, exportQuery }: { id: string; heading: string; cuts: SatisfactionCut[]; exportQuery: string }) {
  const t = useT()
  const lang = useLang()
  return (
    <CutSection
      id={id}
      level={3}
      heading={heading}
      chartTitle={t('programme.satisfaction.chart', { heading })}
      formatValue={(value) => formatMean(value, lang)}
      groupHeader={heading}
      columns={[t('programme.satisfaction.col.webinars'), t('programme.satisfaction.col.evaluations'), ...ITEMS.map((item) => t(`programme.satisfaction.col.${item}`))]}
      rows={cuts.map((c) => ({
        key: c.key,
        label: c.name,
        chartLabel: c.name,
        // A group nobody evaluated draws no bar and says so.
        value: c.figures.means.content ?? 0,
        valueText: c.figures.means.content === null ? '—' : undefined,
        cells: [formatNumber(c.figures.webinars, lang), formatNumber(c.figures.evaluations, lang), ...ITEMS.map((item) => formatMean(c.figures.means[item], lang))],
      }))}
      exportQuery={exportQuery}
    />
  )
}
