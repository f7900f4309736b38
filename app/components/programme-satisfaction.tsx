import { formatNumber, useLang, useT } from '#app/i18n'
import type { ProgrammeSatisfaction, SatisfactionCut, SatisfactionFigures } from '#app/models/programme-report.server'
import { BarChart } from './charts'
import { ExportLink } from './programme-export-link'
import { TableScroll } from './table-scroll'

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
  const mean = (figures: SatisfactionFigures, item: (typeof ITEMS)[number]) => formatMean(figures.means[item], lang)
  return (
    <section aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{heading}</h3>
      <BarChart
        id={`${id}-chart`}
        title={t('programme.satisfaction.chart', { heading })}
        description={t('programme.chartDesc')}
        // A cut nobody evaluated draws no bar and says so.
        bars={cuts.map((c) => ({ key: c.key, label: c.name, value: c.figures.means.content ?? 0, text: c.figures.means.content === null ? '—' : undefined }))}
        formatValue={(value) => formatMean(value, lang)}
      />
      <TableScroll labelledBy={`${id}-heading`}>
        <table aria-labelledby={`${id}-heading`}>
          <thead>
            <tr>
              <th scope="col">{heading}</th>
              <th scope="col">{t('programme.satisfaction.col.webinars')}</th>
              <th scope="col">{t('programme.satisfaction.col.evaluations')}</th>
              {ITEMS.map((item) => (
                <th scope="col" key={item}>
                  {t(`programme.satisfaction.col.${item}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {cuts.map((c) => (
              <tr key={c.key}>
                <th scope="row">{c.name}</th>
                <td>{formatNumber(c.figures.webinars, lang)}</td>
                <td>{formatNumber(c.figures.evaluations, lang)}</td>
                {ITEMS.map((item) => (
                  <td key={item}>{mean(c.figures, item)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <ExportLink table={id} query={exportQuery} heading={heading} />
    </section>
  )
}
