// The programme dashboard's learning gain and satisfaction (getProgrammeOutcomes) over a small
// programme whose means are worked out by hand: the cuts, the filters, empty cuts, and the
// per-webinar snapshots, which every write of an attempt, evaluation or rating must retire.
import { anonymiseEvaluations, submitEvaluation, type EvaluationAnswers } from '#app/models/evaluation.server'
import {
  getProgrammeOutcomes,
  insertBenchAttempts,
  insertBenchRegistrations,
  insertBenchWebinars,
  type BenchAttempt,
  type BenchRegistration,
  type ProgrammeFilters,
} from '#app/models/programme-report.server'
import { getDb } from '#app/utils/db.server'
import { onRacePoint, setLockRuleForTests } from '#app/utils/race-points.server'
import { TEST_ENGINE } from '#tests/setup/paths'
import { twoProcesses } from './__helpers/race'

const db = getDb()
const ALL: ProgrammeFilters = { from: null, to: null, province: null }

/**
 * Three finished webinars and one still published:
 * - klaten (Jawa Tengah, WIB), cakap + etika, umum, 1 September 2021: three evaluations;
 * - denpasar (Bali, WITA), aman, guru: 30 September 17:00 UTC is 1 October 01:00 in Denpasar, so
 *   October; two evaluations;
 * - semarang (Jawa Tengah), cakap, umum, 20 October: held, nobody evaluated;
 * - draft-ish: published, not finished: its evaluation never counts.
 */
const WEBINARS = [
  { id: 'out-klaten', regencyCode: '33.10', pillars: ['cakap', 'etika'] as const, segment: 'umum' as const, startAt: '2021-09-01T02:00:00.000Z' },
  { id: 'out-denpasar', regencyCode: '51.71', pillars: ['aman'] as const, segment: 'guru' as const, startAt: '2021-09-30T17:00:00.000Z' },
  { id: 'out-semarang', regencyCode: '33.74', pillars: ['cakap'] as const, segment: 'umum' as const, startAt: '2021-10-20T02:00:00.000Z' },
  { id: 'out-open', regencyCode: '33.10', pillars: ['budaya'] as const, segment: 'umum' as const, startAt: '2021-09-15T02:00:00.000Z' },
]
const PEOPLE = ['a', 'b', 'c', 'd', 'e']

const token = (webinarId: string, person: string) => `${webinarId}-${person}-token`
const registrationId = (webinarId: string, person: string) => `${webinarId}-${person}`

function ratings(content: number, speakers: number[], moderator: number | null, platform: number, own?: number): EvaluationAnswers {
  return {
    ratings: [
      { item: 'content', subject: '', rating: content },
      ...speakers.map((rating, i) => ({ item: 'speaker' as const, subject: `speaker-${i + 1}`, rating })),
      ...(moderator === null ? [] : [{ item: 'moderator' as const, subject: '', rating: moderator }]),
      { item: 'platform', subject: '', rating: platform },
      ...(own === undefined ? [] : [{ item: 'own' as const, subject: 'own-question', rating: own }]),
    ],
    comment: null,
  }
}

async function evaluate(webinarId: string, person: string, answers: EvaluationAnswers) {
  expect(await submitEvaluation(db, token(webinarId, person), answers)).toEqual({ ok: true })
}

/** The webinars whose sums are built (on PostgreSQL a retired snapshot stays as a row without sums). */
const snapshots = async () => (await db.selectFrom('webinar_outcomes').select('webinar_id').where('learning', 'is not', null).orderBy('webinar_id').execute()).map((row) => row.webinar_id)

beforeAll(async () => {
  await insertBenchWebinars(
    db,
    WEBINARS.map((w) => ({
      id: w.id,
      slug: w.id,
      regencyCode: w.regencyCode,
      pillars: [...w.pillars],
      segment: w.segment,
      startAt: w.startAt,
      endAt: new Date(Date.parse(w.startAt) + 3 * 3_600_000).toISOString(),
      registered: PEOPLE.length,
      total: PEOPLE.length,
    })),
  )
  const registrations: BenchRegistration[] = WEBINARS.flatMap((w) =>
    PEOPLE.map((person, i) => ({
      id: registrationId(w.id, person),
      webinarId: w.id,
      token: token(w.id, person),
      email: `${person}@example.org`,
      regencyCode: w.regencyCode,
      status: 'registered' as const,
      position: i + 1,
      attended: 1,
      at: '2021-08-01T00:00:00.000Z',
    })),
  )
  await insertBenchRegistrations(db, registrations)

  // klaten: content 5, 3, 4 → 4; speakers 4, 5, 4, 4, 2, 3 → 22/6; moderator 4, 5 → 4.5; platform 3, 4, 5 → 4.
  await evaluate('out-klaten', 'a', ratings(5, [4, 5], 4, 3, 1))
  await evaluate('out-klaten', 'b', ratings(3, [4, 4], 5, 4))
  await evaluate('out-klaten', 'c', ratings(4, [2, 3], null, 5))
  // denpasar: content 2, 5 → 3.5; speaker 3, 5 → 4; moderator 3, 4 → 3.5; platform 2, 4 → 3.
  await evaluate('out-denpasar', 'a', ratings(2, [3], 3, 2))
  await evaluate('out-denpasar', 'b', ratings(5, [5], 4, 4))
  // Evaluated while published, then left unfinished: not held, never counted.
  await evaluate('out-open', 'a', ratings(1, [1], 1, 1))
  await db.updateTable('webinars').set({ status: 'published' }).where('id', '=', 'out-open').execute()
})

describe('satisfaction', () => {
  test('the mean of each fixed rating and the number of evaluations, over the whole programme; the organisers’ own questions left out', async () => {
    const { satisfaction } = await getProgrammeOutcomes(db, ALL)
    // content (12 + 7) / 5; speakers (22 + 8) / 8; moderator (9 + 7) / 4; platform (12 + 6) / 5
    expect(satisfaction.overall).toEqual({ webinars: 3, evaluations: 5, means: { content: 3.8, speaker: 3.75, moderator: 4, platform: 3.6 } })
  })

  test('by pillar (a webinar counts in each of its pillars, a pillar nobody held is empty), province, segment and local month', async () => {
    const { satisfaction } = await getProgrammeOutcomes(db, ALL)
    const klaten = { content: 4, speaker: 22 / 6, moderator: 4.5, platform: 4 }
    const denpasar = { content: 3.5, speaker: 4, moderator: 3.5, platform: 3 }
    const none = { content: null, speaker: null, moderator: null, platform: null }
    expect(satisfaction.byPillar).toEqual([
      { key: 'cakap', name: 'cakap', figures: { webinars: 2, evaluations: 3, means: klaten } },
      { key: 'etika', name: 'etika', figures: { webinars: 1, evaluations: 3, means: klaten } },
      { key: 'aman', name: 'aman', figures: { webinars: 1, evaluations: 2, means: denpasar } },
      { key: 'budaya', name: 'budaya', figures: { webinars: 0, evaluations: 0, means: none } },
    ])
    expect(satisfaction.byProvince).toEqual([
      { key: '33', name: 'Jawa Tengah', figures: { webinars: 2, evaluations: 3, means: klaten } },
      { key: '51', name: 'Bali', figures: { webinars: 1, evaluations: 2, means: denpasar } },
    ])
    expect(satisfaction.bySegment.map((c) => [c.key, c.figures.evaluations, c.figures.means.content])).toEqual([
      ['umum', 3, 4],
      ['guru', 2, 3.5],
    ])
    // Denpasar's 30 September in UTC is 1 October where it was held; semarang adds a webinar, no evaluation.
    expect(satisfaction.byMonth).toEqual([
      { key: '2021-09', name: '2021-09', figures: { webinars: 1, evaluations: 3, means: klaten } },
      { key: '2021-10', name: '2021-10', figures: { webinars: 2, evaluations: 2, means: denpasar } },
    ])
  })

  test('the filters: a province, a local date range; nothing in the filter gives empty cuts, not NaN', async () => {
    const bali = (await getProgrammeOutcomes(db, { ...ALL, province: '51' })).satisfaction
    expect(bali.overall).toEqual({ webinars: 1, evaluations: 2, means: { content: 3.5, speaker: 4, moderator: 3.5, platform: 3 } })
    expect(bali.byProvince.map((c) => c.key)).toEqual(['51'])

    const october = (await getProgrammeOutcomes(db, { from: '2021-10-01', to: '2021-10-31', province: null })).satisfaction
    expect(october.overall.evaluations).toBe(2)
    expect(october.byMonth.map((c) => c.key)).toEqual(['2021-10'])
    const september = (await getProgrammeOutcomes(db, { from: '2021-09-01', to: '2021-09-30', province: null })).satisfaction
    expect(september.overall).toMatchObject({ webinars: 1, evaluations: 3 })

    const empty = (await getProgrammeOutcomes(db, { ...ALL, province: '35' })).satisfaction
    expect(empty.overall).toEqual({ webinars: 0, evaluations: 0, means: { content: null, speaker: null, moderator: null, platform: null } })
    expect(empty.byPillar.map((c) => c.figures.evaluations)).toEqual([0, 0, 0, 0])
    expect([empty.byProvince, empty.bySegment, empty.byMonth]).toEqual([[], [], []])
  })

  test('each held webinar keeps a snapshot; a new evaluation retires its webinar’s, and the next view counts it', async () => {
    await getProgrammeOutcomes(db, ALL)
    expect(await snapshots()).toEqual(['out-denpasar', 'out-klaten', 'out-semarang'])
    await evaluate('out-semarang', 'a', ratings(5, [5], 5, 5))
    expect(await snapshots()).toEqual(['out-denpasar', 'out-klaten'])
    const { satisfaction } = await getProgrammeOutcomes(db, ALL)
    expect(satisfaction.overall.evaluations).toBe(6)
    expect(satisfaction.overall.means.content).toBeCloseTo(24 / 6, 12)
    expect(satisfaction.byProvince.find((c) => c.key === '33')!.figures.evaluations).toBe(4)
  })

  test('an erased resident’s evaluation is made anonymous and its ratings stay in the means', async () => {
    const before = (await getProgrammeOutcomes(db, ALL)).satisfaction.overall
    expect(await anonymiseEvaluations(db, [registrationId('out-klaten', 'a')])).toBe(1)
    expect((await getProgrammeOutcomes(db, ALL)).satisfaction.overall).toEqual(before)
  })

  test('a deleted webinar takes its snapshot with it, whatever its attempts’ and ratings’ triggers did on the way', async () => {
    await insertBenchWebinars(db, [{ id: 'out-gone', slug: 'out-gone', regencyCode: '33.10', pillars: ['cakap'], startAt: '2021-09-02T02:00:00.000Z', endAt: '2021-09-02T05:00:00.000Z', registered: 1, total: 1 }])
    await insertBenchRegistrations(db, [{ id: 'out-gone-a', webinarId: 'out-gone', token: 'out-gone-a-token', email: 'a@example.org', regencyCode: '33.10', status: 'registered', position: 1, attended: 1, at: '2021-08-01T00:00:00.000Z' }])
    expect(await submitEvaluation(db, 'out-gone-a-token', ratings(3, [3], 3, 3))).toEqual({ ok: true })
    await getProgrammeOutcomes(db, ALL)
    expect(await snapshots()).toContain('out-gone')
    await db.deleteFrom('webinars').where('id', '=', 'out-gone').execute()
    expect(await db.selectFrom('webinar_outcomes').select('webinar_id').where('webinar_id', '=', 'out-gone').execute()).toEqual([])
  })

  test('a deleted evaluation (a webinar’s data removed) retires the snapshot too', async () => {
    await getProgrammeOutcomes(db, ALL)
    await db.deleteFrom('evaluations').where('webinar_id', '=', 'out-semarang').execute()
    expect(await snapshots()).not.toContain('out-semarang')
    expect((await getProgrammeOutcomes(db, ALL)).satisfaction.overall.evaluations).toBe(5)
  })
})

describe('learning gain from the snapshots', () => {
  const attempt = (webinarId: string, person: string, kind: 'pre' | 'post', pillars: BenchAttempt['pillars'], finished = true, paired = 1): BenchAttempt => ({
    id: `${webinarId}-${person}-${kind}`,
    webinarId,
    registrationId: registrationId(webinarId, person),
    kind,
    startedAt: '2021-09-01T01:00:00.000Z',
    finishedAt: finished ? '2021-09-01T01:10:00.000Z' : null,
    paired,
    pillars,
  })

  beforeAll(async () => {
    await insertBenchAttempts(db, [
      // klaten, two pillars of 4 questions: d gains 25 points on cakap and 50 on etika, e gains 0 and 25.
      attempt('out-klaten', 'd', 'pre', { cakap: { total: 4, correct: 2 }, etika: { total: 4, correct: 1 } }),
      attempt('out-klaten', 'd', 'post', { cakap: { total: 4, correct: 3 }, etika: { total: 4, correct: 3 } }),
      attempt('out-klaten', 'e', 'pre', { cakap: { total: 4, correct: 4 }, etika: { total: 4, correct: 2 } }),
      attempt('out-klaten', 'e', 'post', { cakap: { total: 4, correct: 4 }, etika: { total: 4, correct: 3 } }),
      // denpasar: c took only the pre-test (unpaired, left out of the gain); d's post-test is not finished.
      attempt('out-denpasar', 'c', 'pre', { aman: { total: 5, correct: 1 } }, true, 0),
      attempt('out-denpasar', 'd', 'pre', { aman: { total: 5, correct: 2 } }, true, 0),
      attempt('out-denpasar', 'd', 'post', { aman: { total: 5, correct: 0 } }, false, 0),
    ])
  })

  test('the paired gain by question pillar, province, segment and month', async () => {
    const { learning } = await getProgrammeOutcomes(db, ALL)
    expect(learning.overall.took).toEqual({ pre: 4, post: 2 })
    expect(learning.overall.pairedResidents).toBe(2)
    const byPillar = Object.fromEntries(learning.overall.pillars.map((p) => [p.pillar, [p.paired, p.pairedPre, p.pairedPost, p.gain]]))
    expect(byPillar).toEqual({ cakap: [2, 75, 87.5, 12.5], etika: [2, 37.5, 75, 37.5], aman: [0, null, null, null] })
    expect(learning.overall.pillars.find((p) => p.pillar === 'aman')!.pre).toBe(30)
    expect(learning.byProvince.map((c) => [c.key, c.summary.pairedResidents, c.summary.overall.gain])).toEqual([
      ['33', 2, 25],
      ['51', 0, null],
    ])
    expect(learning.bySegment.map((c) => c.key)).toEqual(['umum', 'guru'])
    expect(learning.byMonth.map((c) => c.key)).toEqual(['2021-09', '2021-10'])
  })

  test('finishing an attempt retires its webinar’s snapshot, whichever code writes it', async () => {
    await getProgrammeOutcomes(db, ALL)
    expect(await snapshots()).toContain('out-denpasar')
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('test_attempts').set({ finished_at: '2021-10-02T00:00:00.000Z', aman_correct: 4, correct: 4, paired: 1 }).where('id', '=', 'out-denpasar-d-post').execute()
      await trx.updateTable('test_attempts').set({ paired: 1 }).where('id', '=', 'out-denpasar-d-pre').execute()
    })
    expect(await snapshots()).not.toContain('out-denpasar')
    const { learning } = await getProgrammeOutcomes(db, { ...ALL, province: '51' })
    expect(learning.overall.took).toEqual({ pre: 2, post: 1 })
    expect(learning.overall.pairedResidents).toBe(1)
    // d: 40 → 80
    expect(learning.overall.overall.gain).toBeCloseTo(40, 12)
  })

  test('a webinar whose attempts are all unfinished, or that has none, adds no learning cut', async () => {
    const { learning } = await getProgrammeOutcomes(db, { ...ALL, from: '2021-10-15' })
    expect(learning.overall.took).toEqual({ pre: 0, post: 0 })
    expect([learning.byProvince, learning.bySegment, learning.byMonth]).toEqual([[], [], []])
  })
})

describe.skipIf(TEST_ENGINE !== 'postgres')('on PostgreSQL: an evaluation submitted while the snapshot is being built', () => {
  const pools = twoProcesses()

  // The builder has read the sums and not yet written them when a resident submits. With the
  // lock rule the submission's new generation keeps the builder from writing its sums; the
  // control run writes them anyway, a snapshot without that evaluation, which every later view trusts.
  test.each([
    { lockRule: true, counted: true },
    { lockRule: false, counted: false },
  ])('lock rule $lockRule: the next view counts it: $counted', async ({ lockRule, counted }) => {
    const person = lockRule ? 'd' : 'e'
    await db.deleteFrom('webinar_outcomes').execute()
    const before = (await getProgrammeOutcomes(pools.first, { ...ALL, province: '51' })).satisfaction.overall.evaluations
    await db.deleteFrom('webinar_outcomes').execute()
    setLockRuleForTests(lockRule)
    let submission: Promise<unknown> = Promise.resolve()
    const stop = onRacePoint('outcomes:after-read', async () => {
      submission = submitEvaluation(pools.second, token('out-denpasar', person), ratings(4, [4], 4, 4))
      // Gives the submission the time to commit.
      await Promise.race([submission, new Promise((resolve) => setTimeout(resolve, 400))])
    })
    try {
      await getProgrammeOutcomes(pools.first, { ...ALL, province: '51' })
      expect(await submission).toEqual({ ok: true })
    } finally {
      stop()
      setLockRuleForTests(true)
    }
    const after = (await getProgrammeOutcomes(db, { ...ALL, province: '51' })).satisfaction.overall.evaluations
    expect(after === before + 1).toBe(counted)
  })

  // Finishing an attempt is an update (no foreign-key check): its trigger alone bumps the generation.
  test.each([
    { lockRule: true, counted: true },
    { lockRule: false, counted: false },
  ])('an attempt finished meanwhile, lock rule $lockRule: the next view counts it: $counted', async ({ lockRule, counted }) => {
    const id = `race-attempt-${lockRule}`
    await insertBenchAttempts(db, [
      { id, webinarId: 'out-denpasar', registrationId: registrationId('out-denpasar', lockRule ? 'a' : 'b'), kind: 'post', startedAt: '2021-10-02T00:00:00.000Z', finishedAt: null, paired: 0, pillars: { aman: { total: 5, correct: 0 } } },
    ])
    await db.deleteFrom('webinar_outcomes').execute()
    const before = (await getProgrammeOutcomes(db, { ...ALL, province: '51' })).learning.overall.took.post
    await db.deleteFrom('webinar_outcomes').execute()
    setLockRuleForTests(lockRule)
    let finish: Promise<unknown> = Promise.resolve()
    const stop = onRacePoint('outcomes:after-read', async () => {
      finish = pools.second.updateTable('test_attempts').set({ finished_at: '2021-10-02T00:10:00.000Z', aman_correct: 3, correct: 3 }).where('id', '=', id).execute()
      await Promise.race([finish, new Promise((resolve) => setTimeout(resolve, 400))])
    })
    try {
      await getProgrammeOutcomes(pools.first, { ...ALL, province: '51' })
      await finish
    } finally {
      stop()
      setLockRuleForTests(true)
    }
    const after = (await getProgrammeOutcomes(db, { ...ALL, province: '51' })).learning.overall.took.post
    expect(after === before + 1).toBe(counted)
  })
})
