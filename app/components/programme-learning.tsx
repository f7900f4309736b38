import { formatNumber, useLang, useT } from '#app/i18n'
import type { LearningCut, LearningSummary, ProgrammeLearning } from '#app/models/test-report.server'
import { formatScore } from './learning-report'
import { CutSection } from './programme-cut'

/** The programme dashboard's learning gain: by pillar, province, segment and month, a chart of the paired gain and a table of the figures. */
export function ProgrammeLearningSection({
  learning,
  labels,
  exportQuery,
}: {
  learning: ProgrammeLearning
  labels: { segment: (code: string) => string; month: (key: string) => string }
  exportQuery: string
}) {
  const t = useT()
  if (learning.overall.pairedResidents === 0 && learning.overall.took.pre + learning.overall.took.post === 0) return null
  const pillarCuts: LearningCut[] = learning.overall.pillars.map((p) => ({ key: p.pillar, name: t(`pillar.${p.pillar}`), summary: { ...learning.overall, pairedResidents: p.paired, overall: p } }))
  return (
    <section aria-labelledby="learning-gain-heading">
      <h2 id="learning-gain-heading">{t('tests.programme.title')}</h2>
      <p className="muted">{t('tests.report.pairedHint')}</p>
      <GainCut id="gain-pillar" heading={t('tests.programme.byPillar')} cuts={pillarCuts} exportQuery={exportQuery} />
      <GainCut id="gain-province" heading={t('tests.programme.byProvince')} cuts={learning.byProvince} exportQuery={exportQuery} />
      <GainCut id="gain-segment" heading={t('tests.programme.bySegment')} cuts={learning.bySegment.map((c) => ({ ...c, name: labels.segment(c.key) }))} exportQuery={exportQuery} />
      <GainCut id="gain-month" heading={t('tests.programme.byMonth')} cuts={learning.byMonth.map((c) => ({ ...c, name: labels.month(c.key) }))} exportQuery={exportQuery} />
    </section>
  )
}

function GainCut({ id, heading, cuts, exportQuery }: { id: string; heading: string; cuts: Array<{ key: string; name: string; summary: LearningSummary }>; exportQuery: string }) {
  const t = useT()
  const lang = useLang()
  return (
    <CutSection
      id={id}
      level={3}
      heading={heading}
      chartTitle={t('tests.programme.chart', { heading })}
      formatValue={(value) => formatScore(value, lang, true)}
      groupHeader={heading}
      columns={[t('tests.report.column.paired'), t('tests.report.column.pairedPre'), t('tests.report.column.pairedPost'), t('tests.report.column.gain')]}
      rows={cuts.map((c) => ({
        key: c.key,
        label: c.name,
        chartLabel: c.name,
        // A fall draws no bar; its value is written beside, and in the table.
        value: Math.max(0, c.summary.overall.gain ?? 0),
        cells: [
          formatNumber(c.summary.pairedResidents, lang),
          formatScore(c.summary.overall.pairedPre, lang),
          formatScore(c.summary.overall.pairedPost, lang),
          formatScore(c.summary.overall.gain, lang, true),
        ],
      }))}
      exportQuery={exportQuery}
    />
  )
}
