import { formatDateTime, formatNumber, useLang, useT, type Lang } from '#app/i18n'
import type { TimeZoneCode } from '#db/schema'
import { TableScroll } from './table-scroll'

type Mean = { item: 'content' | 'moderator' | 'platform' | 'speaker' | 'own'; subject: string; label: string | null; responses: number; mean: number }
export type EvaluationReportView = { evaluations: number; means: Mean[]; comments: Array<{ text: string; at: string }> }

export function formatMean(mean: number, lang: Lang): string {
  return formatNumber(mean, lang, 'mean')
}

/** 1000 → "1.000" in Indonesian. */
export function formatCount(count: number, lang: Lang): string {
  return formatNumber(count, lang)
}

/** The evaluation in a webinar's report: the mean per question and per speaker, the comments, and the CSV. */
export function EvaluationReportSection({ slug, report, zone }: { slug: string; report: EvaluationReportView; zone: TimeZoneCode }) {
  const t = useT()
  const lang = useLang()
  const label = (m: Mean) => {
    switch (m.item) {
      case 'speaker':
        return t('evaluation.item.speaker', { name: m.label ?? '' })
      case 'moderator':
        return t('evaluation.item.moderator', { name: m.label ?? '' })
      case 'own':
        return m.label ?? ''
      default:
        return t(`evaluation.item.${m.item}`)
    }
  }
  return (
    <section aria-labelledby="evaluation-title" className="stack">
      <h2 id="evaluation-title">{t('evaluation.report.title')}</h2>
      <p>{t('evaluation.report.count', { count: formatCount(report.evaluations, lang) })}</p>
      {report.means.length ? (
        <TableScroll labelledBy="evaluation-means-title">
          <h3 id="evaluation-means-title">{t('evaluation.report.means')}</h3>
          <table aria-labelledby="evaluation-means-title">
            <thead>
              <tr>
                <th scope="col">{t('evaluation.report.question')}</th>
                <th scope="col" className="num">
                  {t('evaluation.report.mean')}
                </th>
                <th scope="col" className="num">
                  {t('evaluation.report.responses')}
                </th>
              </tr>
            </thead>
            <tbody>
              {report.means.map((m) => (
                <tr key={`${m.item}:${m.subject}`}>
                  <th scope="row">{label(m)}</th>
                  <td className="num">{formatMean(m.mean, lang)}</td>
                  <td className="num">{formatCount(m.responses, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : null}
      <h3>{t('evaluation.report.comments')}</h3>
      {report.comments.length ? (
        <ul className="comments">
          {report.comments.map((c, i) => (
            <li key={i}>
              <p>{c.text}</p>
              <p className="muted">{formatDateTime(c.at, zone, lang)}</p>
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">{t('evaluation.report.noComments')}</p>
      )}
      <p>
        <a href={`/attendance/${slug}/evaluations.csv`} download>
          {t('evaluation.report.download')}
        </a>
      </p>
    </section>
  )
}
