import { isMessageKey, type Translate } from '#app/i18n'
import type { ProgrammeOutcomes, ProgrammeReport, ReachFigures, SatisfactionCut } from '#app/models/programme-report.server'
import type { LearningCut } from '#app/models/test-report.server'
import { toCsv } from './csv.server'

// Each table of the programme dashboard as a CSV file, named by its section's id on the page
// ("by-province.csv", "gain-month.csv", "satisfaction-pillar.csv"). The same rows as the page's
// table, except by regency, which has every regency reached rather than the top 20. Figures are
// plain numbers (scores to one decimal, mean ratings to two) so a spreadsheet can sum them; months
// are "2021-09", which sorts as text.

export const PROGRAMME_CSV_TABLES = [
  'by-province',
  'by-regency',
  'by-pillar',
  'by-month',
  'gain-pillar',
  'gain-province',
  'gain-segment',
  'gain-month',
  'satisfaction-pillar',
  'satisfaction-province',
  'satisfaction-segment',
  'satisfaction-month',
] as const
export type ProgrammeCsvTable = (typeof PROGRAMME_CSV_TABLES)[number]
export type ReachCsvTable = Extract<ProgrammeCsvTable, `by-${string}`>

export function isProgrammeCsvTable(value: unknown): value is ProgrammeCsvTable {
  return (PROGRAMME_CSV_TABLES as readonly unknown[]).includes(value)
}

export function isReachCsvTable(table: ProgrammeCsvTable): table is ReachCsvTable {
  return table.startsWith('by-')
}

const round = (value: number | null, digits: number) => (value === null ? '' : Math.round(value * 10 ** digits) / 10 ** digits)
const label = (t: Translate, key: string) => (isMessageKey(key) ? t(key) : key.slice(key.indexOf('.') + 1))

export function reachCsv(table: ReachCsvTable, report: ProgrammeReport, t: Translate): string {
  const figures = (f: ReachFigures) => [f.held, f.registrations, f.present, f.residents]
  const columns = [t('programme.held'), t('programme.registrations'), t('programme.present'), t('programme.residents')]
  switch (table) {
    case 'by-province':
      return toCsv([t('programme.col.province'), ...columns], report.byProvince.map((p) => [p.name, ...figures(p)]))
    case 'by-regency':
      return toCsv([t('programme.col.regency'), t('programme.col.province'), ...columns], report.byRegency.top.map((r) => [r.name, r.provinceName, ...figures(r)]))
    case 'by-pillar':
      return toCsv([t('programme.col.pillar'), ...columns], report.byPillar.map((p) => [t(`pillar.${p.code}`), ...figures(p)]))
    case 'by-month':
      return toCsv([t('programme.col.month'), ...columns], report.byMonth.map((m) => [m.month, ...figures(m)]))
  }
}

export function outcomesCsv(table: Exclude<ProgrammeCsvTable, ReachCsvTable>, outcomes: ProgrammeOutcomes, t: Translate): string {
  const { learning, satisfaction } = outcomes
  switch (table) {
    case 'gain-pillar':
      return gainCsv(
        t('programme.col.pillar'),
        learning.overall.pillars.map((p) => ({ key: p.pillar, name: t(`pillar.${p.pillar}`), summary: { ...learning.overall, pairedResidents: p.paired, overall: p } })),
        t,
      )
    case 'gain-province':
      return gainCsv(t('programme.col.province'), learning.byProvince, t)
    case 'gain-segment':
      return gainCsv(t('programme.col.segment'), learning.bySegment.map((c) => ({ ...c, name: label(t, `segment.${c.key}`) })), t)
    case 'gain-month':
      return gainCsv(t('programme.col.month'), learning.byMonth, t)
    case 'satisfaction-pillar':
      return satisfactionCsv(t('programme.col.pillar'), satisfaction.byPillar.map((c) => ({ ...c, name: label(t, `pillar.${c.key}`) })), t)
    case 'satisfaction-province':
      return satisfactionCsv(t('programme.col.province'), satisfaction.byProvince, t)
    case 'satisfaction-segment':
      return satisfactionCsv(t('programme.col.segment'), satisfaction.bySegment.map((c) => ({ ...c, name: label(t, `segment.${c.key}`) })), t)
    case 'satisfaction-month':
      return satisfactionCsv(t('programme.col.month'), satisfaction.byMonth, t)
  }
}

function gainCsv(groupHeader: string, cuts: LearningCut[], t: Translate): string {
  const header = [groupHeader, t('tests.report.column.paired'), t('tests.report.column.pairedPre'), t('tests.report.column.pairedPost'), t('tests.report.column.gain')]
  return toCsv(
    header,
    cuts.map((c) => [c.name, c.summary.pairedResidents, round(c.summary.overall.pairedPre, 1), round(c.summary.overall.pairedPost, 1), round(c.summary.overall.gain, 1)]),
  )
}

function satisfactionCsv(groupHeader: string, cuts: SatisfactionCut[], t: Translate): string {
  const items = ['content', 'speaker', 'moderator', 'platform'] as const
  const header = [groupHeader, t('programme.satisfaction.col.webinars'), t('programme.satisfaction.col.evaluations'), ...items.map((item) => t(`programme.satisfaction.col.${item}`))]
  return toCsv(
    header,
    cuts.map((c) => [c.name, c.figures.webinars, c.figures.evaluations, ...items.map((item) => round(c.figures.means[item], 2))]),
  )
}
