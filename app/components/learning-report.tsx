import { Link } from '@remix-run/react'
import { formatNumber, useLang, useT } from '#app/i18n'
import { TableScroll } from './table-scroll'
import type { WebinarTests } from '#app/models/learning-test.server'
import type { LearningSummary, PillarLearning } from '#app/models/test-report.server'

/** "62,5" in id, "62.5" in en; a dash when there is nothing to show. */
export function formatScore(value: number | null, lang: 'id' | 'en', signed = false): string {
  if (value === null) return '—'
  return formatNumber(value, lang, signed ? 'gain' : 'score')
}

/** The per-webinar report's learning section: who took each test, means per pillar, the paired gain. */
export function LearningReport({ slug, tests, learning }: { slug: string; tests: WebinarTests; learning: LearningSummary }) {
  const t = useT()
  const lang = useLang()
  const row = (p: PillarLearning, label: string) => (
    <tr key={label}>
      <th scope="row">{label}</th>
      <td>{formatScore(p.pre, lang)}</td>
      <td>{formatScore(p.post, lang)}</td>
      <td>{formatNumber(p.paired, lang)}</td>
      <td>{formatScore(p.pairedPre, lang)}</td>
      <td>{formatScore(p.pairedPost, lang)}</td>
      <td>{formatScore(p.gain, lang, true)}</td>
    </tr>
  )
  return (
    <section aria-labelledby="learning-title" className="stack">
      <h2 id="learning-title">{t('tests.report.title')}</h2>
      {!tests.pre && !tests.post && learning.took.pre + learning.took.post === 0 ? (
        <p>{t('tests.report.none')}</p>
      ) : (
        <>
          <dl className="stats">
            <div>
              <dt>{t('tests.report.took.pre')}</dt>
              <dd>{formatNumber(learning.took.pre, lang)}</dd>
            </div>
            <div>
              <dt>{t('tests.report.took.post')}</dt>
              <dd>{formatNumber(learning.took.post, lang)}</dd>
            </div>
            <div>
              <dt>{t('tests.report.paired')}</dt>
              <dd>{formatNumber(learning.pairedResidents, lang)}</dd>
            </div>
          </dl>
          <p className="hint">{t('tests.report.pairedHint')}</p>
          {learning.pillars.length > 0 ? (
            <TableScroll labelledBy="learning-title">
              <table>
                <caption>{t('tests.report.caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('tests.report.column.pillar')}</th>
                    <th scope="col">{t('tests.report.column.pre')}</th>
                    <th scope="col">{t('tests.report.column.post')}</th>
                    <th scope="col">{t('tests.report.column.paired')}</th>
                    <th scope="col">{t('tests.report.column.pairedPre')}</th>
                    <th scope="col">{t('tests.report.column.pairedPost')}</th>
                    <th scope="col">{t('tests.report.column.gain')}</th>
                  </tr>
                </thead>
                <tbody>
                  {learning.pillars.map((p) => row(p, t(`pillar.${p.pillar}`)))}
                  {learning.pillars.length > 1 ? row(learning.overall, t('tests.report.overall')) : null}
                </tbody>
              </table>
            </TableScroll>
          ) : null}
          <p>
            <a href={`/attendance/${slug}/tests.csv`} download>
              {t('tests.report.download')}
            </a>
          </p>
        </>
      )}
      <p>
        <Link to={`/attendance/${slug}/tests`}>{t('tests.report.settings')}</Link>
      </p>
    </section>
  )
}
