import { sql } from 'kysely'
import type { QuestionPillar, TestKind } from '#db/schema'
import type { DB } from '#app/utils/db.server'
import { PILLARS } from '#app/utils/catalog'

// What the learning tests measured. A score is the share of a pillar's questions answered right
// (0–100), per attempt; a mean is over finished attempts. The gain is over paired residents only:
// those who finished both the pre- and the post-test of a webinar, so it compares the same people
// on the same questions. Scores live on the attempts, so erased answers change nothing here.

/** Sums per webinar, kind and pairing: enough to combine into any cut without reading attempts again. */
export type PillarSums = Record<QuestionPillar, { sum: number; n: number }>
export type WebinarLearningSums = {
  took: Record<TestKind, number>
  all: Record<TestKind, PillarSums>
  paired: Record<TestKind, PillarSums> & { residents: number }
}

const emptyPillars = (): PillarSums => ({ cakap: { sum: 0, n: 0 }, etika: { sum: 0, n: 0 }, aman: { sum: 0, n: 0 }, budaya: { sum: 0, n: 0 } })
export const emptyLearningSums = (): WebinarLearningSums => ({ took: { pre: 0, post: 0 }, all: { pre: emptyPillars(), post: emptyPillars() }, paired: { pre: emptyPillars(), post: emptyPillars(), residents: 0 } })

const pillarSum = (pillar: QuestionPillar) => sql<number>`coalesce(sum(case when ${sql.ref(`${pillar}_total`)} > 0 then ${sql.ref(`${pillar}_correct`)} * 100.0 / ${sql.ref(`${pillar}_total`)} end), 0)`
const pillarCount = (pillar: QuestionPillar) => sql<number>`coalesce(sum(case when ${sql.ref(`${pillar}_total`)} > 0 then 1 else 0 end), 0)`

/** Finished attempts summed per webinar, kind and pairing; for the given webinars, or all. */
export async function sumLearning(db: DB, webinarIds: string[] | null): Promise<Map<string, WebinarLearningSums>> {
  let query = db
    .selectFrom('test_attempts')
    .select((eb) => [
      'webinar_id',
      'kind',
      'paired',
      eb.fn.countAll<number>().as('took'),
      ...PILLARS.flatMap((p) => [pillarSum(p).as(`${p}_sum`), pillarCount(p).as(`${p}_n`)]),
    ])
    .where('finished_at', 'is not', null)
    .groupBy(['webinar_id', 'kind', 'paired'])
  if (webinarIds) query = query.where('webinar_id', 'in', webinarIds)
  const rows = (await query.execute()) as Array<Record<string, string | number> & { webinar_id: string; kind: TestKind; paired: number; took: number }>
  const result = new Map<string, WebinarLearningSums>()
  for (const row of rows) {
    let sums = result.get(row.webinar_id)
    if (!sums) result.set(row.webinar_id, (sums = emptyLearningSums()))
    sums.took[row.kind] += Number(row.took)
    if (row.paired === 1 && row.kind === 'pre') sums.paired.residents += Number(row.took)
    for (const p of PILLARS) {
      const sum = Number(row[`${p}_sum`])
      const n = Number(row[`${p}_n`])
      sums.all[row.kind][p].sum += sum
      sums.all[row.kind][p].n += n
      if (row.paired === 1) {
        sums.paired[row.kind][p].sum += sum
        sums.paired[row.kind][p].n += n
      }
    }
  }
  return result
}

export type PillarLearning = {
  pillar: QuestionPillar
  /** mean score over every finished attempt; null when none asked this pillar */
  pre: number | null
  post: number | null
  /** paired residents only */
  paired: number
  pairedPre: number | null
  pairedPost: number | null
  /** pairedPost − pairedPre, in points */
  gain: number | null
}

export type LearningSummary = { took: Record<TestKind, number>; pairedResidents: number; pillars: PillarLearning[]; overall: PillarLearning }

const mean = (s: { sum: number; n: number }) => (s.n === 0 ? null : s.sum / s.n)

function pillarFigures(pillar: QuestionPillar, all: Record<TestKind, { sum: number; n: number }>, paired: Record<TestKind, { sum: number; n: number }>): PillarLearning {
  const pairedPre = mean(paired.pre)
  const pairedPost = mean(paired.post)
  return { pillar, pre: mean(all.pre), post: mean(all.post), paired: paired.pre.n, pairedPre, pairedPost, gain: pairedPre === null || pairedPost === null ? null : pairedPost - pairedPre }
}

/** Means and gains from sums; pillars no attempt asked are left out. `overall` weighs each pillar's scores equally per attempt. */
export function summariseLearning(sums: WebinarLearningSums): LearningSummary {
  const pillars = PILLARS.filter((p) => sums.all.pre[p].n + sums.all.post[p].n > 0).map((p) =>
    pillarFigures(p, { pre: sums.all.pre[p], post: sums.all.post[p] }, { pre: sums.paired.pre[p], post: sums.paired.post[p] }),
  )
  const pool = (source: Record<TestKind, PillarSums>, kind: TestKind) => {
    const total = { sum: 0, n: 0 }
    for (const p of PILLARS) {
      total.sum += source[kind][p].sum
      total.n += source[kind][p].n
    }
    return total
  }
  const overall = pillarFigures('cakap', { pre: pool(sums.all, 'pre'), post: pool(sums.all, 'post') }, { pre: pool(sums.paired, 'pre'), post: pool(sums.paired, 'post') })
  return { took: sums.took, pairedResidents: sums.paired.residents, pillars, overall: { ...overall, paired: sums.paired.residents } }
}

/** The per-webinar report's learning section. */
export async function getWebinarLearning(db: DB, webinarId: string): Promise<LearningSummary> {
  const sums = (await sumLearning(db, [webinarId])).get(webinarId) ?? emptyLearningSums()
  return summariseLearning(sums)
}

/** Every attempt of a webinar, for the CSV export: who (blank once erased), which test, scores per pillar. */
export async function listTestResults(db: DB, webinarId: string) {
  const rows = await db
    .selectFrom('test_attempts')
    .innerJoin('registrations', 'registrations.id', 'test_attempts.registration_id')
    .select([
      'registrations.name',
      'registrations.email',
      'registrations.data_deleted_at',
      'test_attempts.kind',
      'test_attempts.started_at',
      'test_attempts.finished_at',
      'test_attempts.correct',
      'test_attempts.total',
      'test_attempts.paired',
      ...PILLARS.flatMap((p) => [`test_attempts.${p}_correct` as const, `test_attempts.${p}_total` as const]),
    ])
    .where('test_attempts.webinar_id', '=', webinarId)
    .orderBy('registrations.position')
    .orderBy('test_attempts.kind', 'desc')
    .execute()
  return rows.map((row) => ({
    name: row.data_deleted_at ? null : row.name,
    email: row.data_deleted_at ? null : row.email,
    kind: row.kind,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    correct: row.correct,
    total: row.total,
    paired: row.paired === 1,
    pillars: Object.fromEntries(PILLARS.map((p) => [p, row[`${p}_total`] > 0 && row[`${p}_correct`] !== null ? (row[`${p}_correct`]! * 100) / row[`${p}_total`] : null])) as Record<QuestionPillar, number | null>,
  }))
}

export type LearningCut = { key: string; name: string; summary: LearningSummary }
/** The programme dashboard's learning gain (see getProgrammeOutcomes): by pillar is `overall.pillars`. */
export type ProgrammeLearning = { overall: LearningSummary; byProvince: LearningCut[]; bySegment: LearningCut[]; byMonth: LearningCut[] }
