import { randomInt } from 'node:crypto'
import type { Transaction } from 'kysely'
import type { Database, QuestionPillar, TestAttempt, TestKind, TimeZoneCode } from '#db/schema'
import { splitPillars, type Pillar } from '#app/utils/catalog'
import { createId } from '#app/utils/crypto.server'
import { lockRows, lockWebinars, type DB } from '#app/utils/db.server'
import { racePoint } from '#app/utils/race-points.server'
import { addMinutes, nowIso } from '#app/utils/time'
import { listBankQuestions, toBankQuestion, type BankQuestion } from './question.server'

// Learning tests on a webinar (issue 15): a pre-test open from registration until the start and a
// post-test open from the end for N days, both over the same bank questions. This file holds what
// other parts of the app ask about a webinar's tests; the bank is in question.server.ts and the
// attempts in test-attempt.server.ts.

type Conn = DB | Transaction<Database>

export type WebinarTests = {
  pre: boolean
  post: boolean
  postOpenDays: number
  questionsPerPillar: number
  /** when the first attempt began; the question set no longer changes */
  frozenAt: string | null
}

const NO_TESTS: WebinarTests = { pre: false, post: false, postOpenDays: 7, questionsPerPillar: 5, frozenAt: null }

/** Which tests a webinar has switched on (both off when it was never set up). */
export async function webinarTests(db: Conn, webinarId: string): Promise<WebinarTests> {
  const row = await db
    .selectFrom('webinar_tests')
    .select(['pre_enabled', 'post_enabled', 'post_open_days', 'questions_per_pillar', 'frozen_at'])
    .where('webinar_id', '=', webinarId)
    .executeTakeFirst()
  if (!row) return NO_TESTS
  return {
    pre: row.pre_enabled === 1,
    post: row.post_enabled === 1,
    postOpenDays: row.post_open_days,
    questionsPerPillar: row.questions_per_pillar,
    frozenAt: row.frozen_at,
  }
}

/** Whether this registration completed (finished) that test. */
export async function finishedTest(db: Conn, registrationId: string, kind: TestKind): Promise<boolean> {
  const row = await db
    .selectFrom('test_attempts')
    .select('id')
    .where('registration_id', '=', registrationId)
    .where('kind', '=', kind)
    .where('finished_at', 'is not', null)
    .executeTakeFirst()
  return row !== undefined
}

// ---------------------------------------------------------------------------------------------
// Setting a webinar's tests up (organisers, and the webinar's moderator)

export type TestSetupInput = { pre: boolean; post: boolean; postOpenDays: number; questionsPerPillar: number }

export type TestSetupResult = { ok: true; drawn: number } | { ok: false; reason: 'noQuestions' | 'frozen' }

/** The pillars a webinar's tests draw from: the webinar's own. */
export async function webinarPillars(db: Conn, webinarId: string): Promise<Pillar[]> {
  const row = await db.selectFrom('webinars').select('pillars').where('id', '=', webinarId).executeTakeFirst()
  return row ? splitPillars(row.pillars) : []
}

/** The questions (exact versions) a webinar's tests ask, in their stored order. */
export async function listWebinarQuestions(db: Conn, webinarId: string): Promise<BankQuestion[]> {
  const rows = await db
    .selectFrom('webinar_questions')
    .innerJoin('questions', 'questions.id', 'webinar_questions.question_id')
    .select(['questions.id', 'questions.family_id', 'questions.version', 'questions.pillar', 'questions.difficulty', 'questions.prompt', 'questions.options', 'questions.correct_option', 'questions.explanation', 'questions.used_at', 'questions.replaced_by_id', 'questions.archived_at', 'questions.updated_at'])
    .where('webinar_questions.webinar_id', '=', webinarId)
    .orderBy('webinar_questions.position')
    .execute()
  return rows.map(toBankQuestion)
}

/**
 * Switches a webinar's tests on or off. Until the first resident starts one, the question set
 * follows the bank: per pillar of the webinar it keeps the questions already drawn that are
 * still current and draws the rest at random. Once frozen, only the switches and the post-test's
 * days can change, so every result is over the same questions.
 */
export async function saveWebinarTests(db: DB, webinarId: string, input: TestSetupInput, userId: string, now = nowIso()): Promise<TestSetupResult> {
  return db.transaction().execute(async (trx): Promise<TestSetupResult> => {
    await lockWebinars(trx, [webinarId])
    const webinar = await trx.selectFrom('webinars').select(['id', 'pillars']).where('id', '=', webinarId).executeTakeFirstOrThrow()
    const existing = await webinarTests(trx, webinar.id)
    const values = { pre_enabled: input.pre ? 1 : 0, post_enabled: input.post ? 1 : 0, post_open_days: input.postOpenDays, updated_by: userId, updated_at: now }
    if (existing.frozenAt !== null) {
      if (input.questionsPerPillar !== existing.questionsPerPillar) return { ok: false, reason: 'frozen' }
      await trx.updateTable('webinar_tests').set(values).where('webinar_id', '=', webinar.id).execute()
      return { ok: true, drawn: (await listWebinarQuestions(trx, webinar.id)).length }
    }
    const drawn = input.pre || input.post ? await drawQuestions(trx, webinar.id, splitPillars(webinar.pillars), input.questionsPerPillar) : (await listWebinarQuestions(trx, webinar.id)).length
    if ((input.pre || input.post) && drawn === 0) return { ok: false, reason: 'noQuestions' }
    await trx
      .insertInto('webinar_tests')
      .values({ webinar_id: webinar.id, ...values, questions_per_pillar: input.questionsPerPillar, frozen_at: null })
      .onConflict((oc) => oc.column('webinar_id').doUpdateSet({ ...values, questions_per_pillar: input.questionsPerPillar }))
      .execute()
    return { ok: true, drawn }
  })
}

/** Per pillar: the current questions already drawn (up to `perPillar`), topped up at random. */
async function drawQuestions(trx: Conn, webinarId: string, pillars: Pillar[], perPillar: number): Promise<number> {
  const kept = (await listWebinarQuestions(trx, webinarId)).filter((q) => q.replacedById === null && q.archivedAt === null)
  const chosen: string[] = []
  for (const pillar of pillars) {
    const mine = kept.filter((q) => q.pillar === pillar).slice(0, perPillar)
    chosen.push(...mine.map((q) => q.id))
    if (mine.length >= perPillar) continue
    const others = (await listBankQuestions(trx, { pillar })).filter((q) => !mine.some((m) => m.id === q.id))
    chosen.push(...shuffled(others).slice(0, perPillar - mine.length).map((q) => q.id))
  }
  await trx.deleteFrom('webinar_questions').where('webinar_id', '=', webinarId).execute()
  if (chosen.length > 0) await trx.insertInto('webinar_questions').values(chosen.map((questionId, position) => ({ webinar_id: webinarId, question_id: questionId, position }))).execute()
  return chosen.length
}

/** Fisher–Yates on a copy. */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
  }
  return copy
}

// ---------------------------------------------------------------------------------------------
// When a test is open

export type TestWindow = { opensAt: string | null; closesAt: string }

/** The pre-test: from registration until the start. The post-test: from the end for N days. */
export function testWindow(kind: TestKind, webinar: { start_at: string; end_at: string }, tests: Pick<WebinarTests, 'postOpenDays'>): TestWindow {
  if (kind === 'pre') return { opensAt: null, closesAt: webinar.start_at }
  return { opensAt: webinar.end_at, closesAt: addMinutes(webinar.end_at, tests.postOpenDays * 24 * 60) }
}

export type TestState = 'notYet' | 'open' | 'closed'

export function testState(kind: TestKind, webinar: { start_at: string; end_at: string; status: string }, tests: WebinarTests, now: string): TestState | null {
  if (!(kind === 'pre' ? tests.pre : tests.post)) return null
  if (webinar.status === 'cancelled' || webinar.status === 'draft') return null
  const window = testWindow(kind, webinar, tests)
  if (window.opensAt !== null && now < window.opensAt) return 'notYet'
  return now < window.closesAt ? 'open' : 'closed'
}

// ---------------------------------------------------------------------------------------------
// A resident's attempts, found by their personal link

type Taker = { id: string; webinar_id: string; status: string; start_at: string; end_at: string; webinar_status: string; topic: string; time_zone: TimeZoneCode }

async function findTaker(db: Conn, token: string): Promise<Taker | null> {
  const row = await db
    .selectFrom('registrations')
    .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
    .innerJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select(['registrations.id', 'registrations.webinar_id', 'registrations.status', 'webinars.start_at', 'webinars.end_at', 'webinars.status as webinar_status', 'webinars.topic', 'provinces.time_zone'])
    .where('registrations.token', '=', token)
    .where('registrations.data_deleted_at', 'is', null)
    .executeTakeFirst()
  if (!row || !row.start_at || !row.end_at) return null
  return { ...row, start_at: row.start_at, end_at: row.end_at }
}

function stateFor(kind: TestKind, taker: Taker, tests: WebinarTests, now: string): TestState | null {
  // Only a seat holder takes the tests: not the waitlist, not after cancelling.
  if (taker.status !== 'registered') return null
  return testState(kind, { start_at: taker.start_at, end_at: taker.end_at, status: taker.webinar_status }, tests, now)
}

type AttemptRow = Pick<TestAttempt, 'id' | 'kind' | 'question_order' | 'started_at' | 'finished_at' | 'total' | 'correct'>

async function findAttempt(db: Conn, registrationId: string, kind: TestKind): Promise<AttemptRow | undefined> {
  return db
    .selectFrom('test_attempts')
    .select(['id', 'kind', 'question_order', 'started_at', 'finished_at', 'total', 'correct'])
    .where('registration_id', '=', registrationId)
    .where('kind', '=', kind)
    .executeTakeFirst()
}

export type ResidentTest = {
  kind: TestKind
  state: TestState
  window: TestWindow
  attempt: { answered: number; total: number; finishedAt: string | null; correct: number | null } | null
}

/** What the personal page shows about the tests: each switched-on test, its window and progress. */
export async function getResidentTests(db: DB, token: string, now = nowIso()): Promise<ResidentTest[]> {
  const taker = await findTaker(db, token)
  if (!taker) return []
  const tests = await webinarTests(db, taker.webinar_id)
  if (!tests.pre && !tests.post) return []
  const result: ResidentTest[] = []
  for (const kind of ['pre', 'post'] as const) {
    const state = stateFor(kind, taker, tests, now)
    if (state === null) continue
    const attempt = await findAttempt(db, taker.id, kind)
    result.push({ kind, state, window: testWindow(kind, taker, tests), attempt: attempt ? { answered: await countAnswers(db, attempt.id), total: attempt.total, finishedAt: attempt.finished_at, correct: attempt.correct } : null })
  }
  return result
}

async function countAnswers(db: Conn, attemptId: string): Promise<number> {
  const row = await db
    .selectFrom('test_answers')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('attempt_id', '=', attemptId)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

export type AttemptRefusal = 'notFound' | 'notOpen' | 'finished' | 'badAnswer' | 'unanswered'

export type AttemptQuestion = {
  id: string
  pillar: QuestionPillar
  prompt: string
  options: string[]
  chosen: number | null
  /** only once the attempt is finished */
  correctOption: number | null
  explanation: string | null
}

export type AttemptView = {
  webinar: { topic: string; zone: TimeZoneCode }
  kind: TestKind
  state: TestState
  window: TestWindow
  attempt: { startedAt: string; finishedAt: string | null; total: number; correct: number | null; questions: AttemptQuestion[] } | null
  /** questions the test will ask, before it is started */
  questionCount: number
}

/** The test page: the attempt with its questions in this resident's order, and their answers. */
export async function getAttemptView(db: DB, token: string, kind: TestKind, now = nowIso()): Promise<AttemptView | null> {
  const taker = await findTaker(db, token)
  if (!taker) return null
  const tests = await webinarTests(db, taker.webinar_id)
  const state = stateFor(kind, taker, tests, now)
  if (state === null) return null
  const window = testWindow(kind, taker, tests)
  const attempt = await findAttempt(db, taker.id, kind)
  if (!attempt) {
    const questionCount = (await listWebinarQuestions(db, taker.webinar_id)).length
    return { webinar: { topic: taker.topic, zone: taker.time_zone }, kind, state, window, attempt: null, questionCount }
  }
  const order = JSON.parse(attempt.question_order) as string[]
  const [questions, answers] = await Promise.all([
    db.selectFrom('questions').select(['id', 'pillar', 'prompt', 'options', 'correct_option', 'explanation']).where('id', 'in', order).execute(),
    db.selectFrom('test_answers').select(['question_id', 'chosen_option']).where('attempt_id', '=', attempt.id).execute(),
  ])
  const byId = new Map(questions.map((q) => [q.id, q]))
  const chosen = new Map(answers.map((a) => [a.question_id, a.chosen_option]))
  const finished = attempt.finished_at !== null
  return {
    webinar: { topic: taker.topic, zone: taker.time_zone },
    kind,
    state,
    window,
    questionCount: order.length,
    attempt: {
      startedAt: attempt.started_at,
      finishedAt: attempt.finished_at,
      total: attempt.total,
      correct: attempt.correct,
      questions: order.map((id) => {
        const q = byId.get(id)!
        return {
          id,
          pillar: q.pillar,
          prompt: q.prompt,
          options: JSON.parse(q.options) as string[],
          chosen: chosen.get(id) ?? null,
          correctOption: finished ? q.correct_option : null,
          explanation: finished ? q.explanation : null,
        }
      }),
    },
  }
}

export type StartResult = { ok: true; attemptId: string } | { ok: false; reason: Extract<AttemptRefusal, 'notFound' | 'notOpen'> }

/**
 * Starts a resident's one attempt at a test (or finds the one they started). The first start on
 * a webinar freezes its question set and marks its questions used, so later edits make versions.
 */
export async function startAttempt(db: DB, token: string, kind: TestKind, now = nowIso()): Promise<StartResult> {
  return db.transaction().execute(async (trx): Promise<StartResult> => {
    const found = await findTaker(trx, token)
    if (!found) return { ok: false, reason: 'notFound' }
    await lockWebinars(trx, [found.webinar_id])
    const taker = await findTaker(trx, token)
    if (!taker) return { ok: false, reason: 'notFound' }
    const tests = await webinarTests(trx, taker.webinar_id)
    const state = stateFor(kind, taker, tests, now)
    // As the page: no seat (cancelled, waitlisted) or no such test on this webinar is not found.
    if (state === null) return { ok: false, reason: 'notFound' }
    if (state !== 'open') return { ok: false, reason: 'notOpen' }
    const existing = await findAttempt(trx, taker.id, kind)
    if (existing) return { ok: true, attemptId: existing.id }
    const questions = await listWebinarQuestions(trx, taker.webinar_id)
    if (questions.length === 0) return { ok: false, reason: 'notOpen' }
    if (tests.frozenAt === null) {
      await trx.updateTable('webinar_tests').set({ frozen_at: now }).where('webinar_id', '=', taker.webinar_id).execute()
      await trx.updateTable('questions').set({ used_at: now }).where('id', 'in', questions.map((q) => q.id)).where('used_at', 'is', null).execute()
    }
    const other = await findAttempt(trx, taker.id, kind === 'pre' ? 'post' : 'pre')
    const order = differentOrder(questions.map((q) => q.id), other ? (JSON.parse(other.question_order) as string[]) : null)
    const totals = { cakap_total: 0, etika_total: 0, aman_total: 0, budaya_total: 0 }
    for (const q of questions) totals[`${q.pillar}_total`]++
    const id = createId()
    await trx
      .insertInto('test_attempts')
      .values({ id, webinar_id: taker.webinar_id, registration_id: taker.id, kind, question_order: JSON.stringify(order), started_at: now, finished_at: null, total: order.length, correct: null, ...totals, cakap_correct: null, etika_correct: null, aman_correct: null, budaya_correct: null })
      .execute()
    return { ok: true, attemptId: id }
  })
}

/** A shuffle of the questions that is not the order of the resident's other test (when it can differ). */
function differentOrder(ids: string[], otherOrder: string[] | null): string[] {
  let order = shuffled(ids)
  if (ids.length < 2) return order
  for (let tries = 0; tries < 5 && otherOrder && order.join() === otherOrder.join(); tries++) order = shuffled(ids)
  if (otherOrder && order.join() === otherOrder.join()) order = [...order.slice(1), order[0]!]
  return order
}

/**
 * The open, unfinished attempt of this link's registration, read inside the caller's transaction.
 *
 * The lock rule (lockRows): the registration's attempts, both of them, are locked and the taker
 * read again under their locks before the attempt is read, so saving answers and finishing take
 * turns, with each other and with the erasure and the retention purge (which lock the attempts
 * before they delete the answers: eraseTestAnswers). An answer saved before the finish is in the
 * score; one that comes after finds the attempt finished and is refused; one that comes after an
 * erasure finds the link gone. Locking the other test's attempt too makes the pairing
 * (finishAttempt) independent of the windows: see there. Not the webinar's lock: a whole audience
 * answers the pre-test in the minutes before the start, one save per answer, and would queue on
 * it with the late registrations.
 */
async function openAttempt(trx: Conn, token: string, kind: TestKind, now: string) {
  const found = await findTaker(trx, token)
  if (!found) return { ok: false as const, reason: 'notFound' as const }
  const attempts = await trx.selectFrom('test_attempts').select('id').where('registration_id', '=', found.id).execute()
  const taker = (await lockRows(trx, 'test_attempts', attempts.map((attempt) => attempt.id))) ? await findTaker(trx, token) : found
  if (!taker) return { ok: false as const, reason: 'notFound' as const }
  const tests = await webinarTests(trx, taker.webinar_id)
  const state = stateFor(kind, taker, tests, now)
  if (state === null) return { ok: false as const, reason: 'notFound' as const }
  const attempt = await findAttempt(trx, taker.id, kind)
  if (!attempt) return { ok: false as const, reason: 'notOpen' as const }
  if (attempt.finished_at !== null) return { ok: false as const, reason: 'finished' as const }
  if (state !== 'open') return { ok: false as const, reason: 'notOpen' as const }
  return { ok: true as const, taker, attempt, order: JSON.parse(attempt.question_order) as string[] }
}

export type AnswerResult = { ok: true } | { ok: false; reason: Exclude<AttemptRefusal, 'unanswered'> }

/** Saves answers as they are given (one, or every answer of the all-on-one-page form); a changed answer replaces the old one until the test is finished. */
export async function saveAnswers(db: DB, token: string, kind: TestKind, answers: Array<{ questionId: string; option: number }>, now = nowIso()): Promise<AnswerResult> {
  return db.transaction().execute(async (trx): Promise<AnswerResult> => {
    const open = await openAttempt(trx, token, kind, now)
    await racePoint('answers:after-read')
    if (!open.ok) return open
    const ids = answers.map((a) => a.questionId)
    if (ids.some((id) => !open.order.includes(id))) return { ok: false, reason: 'badAnswer' }
    if (ids.length === 0) return { ok: true }
    const questions = await trx.selectFrom('questions').select(['id', 'options']).where('id', 'in', ids).execute()
    const optionCount = new Map(questions.map((q) => [q.id, (JSON.parse(q.options) as string[]).length]))
    if (answers.some((a) => !Number.isInteger(a.option) || a.option < 0 || a.option >= (optionCount.get(a.questionId) ?? 0))) return { ok: false, reason: 'badAnswer' }
    for (const answer of answers) {
      await trx
        .insertInto('test_answers')
        .values({ attempt_id: open.attempt.id, question_id: answer.questionId, chosen_option: answer.option, answered_at: now })
        .onConflict((oc) => oc.columns(['attempt_id', 'question_id']).doUpdateSet({ chosen_option: answer.option, answered_at: now }))
        .execute()
    }
    return { ok: true }
  })
}

export type FinishResult = { ok: true; correct: number; total: number } | { ok: false; reason: Exclude<AttemptRefusal, 'badAnswer'>; unanswered?: number }

/**
 * Ends the attempt once every question has an answer: scores it against the exact versions it
 * asked, per pillar, and pairs it with the resident's other test when that one is finished too.
 *
 * Pairing reads the other attempt and then writes both. The two windows never overlap (the
 * pre-test closes at the start, the post-test opens at the end, and a webinar always ends after
 * it starts: the form refuses otherwise and the check constraint webinars_end_after_start holds),
 * so on one clock the two finishes cannot run at once. That is not relied on: openAttempt holds
 * the locks of both attempts, so two finishes at once (machines whose clocks disagree, a
 * reschedule between their reads) take turns and the later one pairs both.
 */
export async function finishAttempt(db: DB, token: string, kind: TestKind, now = nowIso()): Promise<FinishResult> {
  return db.transaction().execute(async (trx): Promise<FinishResult> => {
    const open = await openAttempt(trx, token, kind, now)
    if (!open.ok) return open
    const rows = await trx
      .selectFrom('questions')
      .leftJoin('test_answers', (join) => join.onRef('test_answers.question_id', '=', 'questions.id').on('test_answers.attempt_id', '=', open.attempt.id))
      .select(['questions.id', 'questions.pillar', 'questions.correct_option', 'test_answers.chosen_option'])
      .where('questions.id', 'in', open.order)
      .execute()
    const unanswered = rows.filter((row) => row.chosen_option === null).length
    if (unanswered > 0) return { ok: false, reason: 'unanswered', unanswered }
    const correct = { cakap_correct: 0, etika_correct: 0, aman_correct: 0, budaya_correct: 0 }
    for (const row of rows) if (row.chosen_option === row.correct_option) correct[`${row.pillar}_correct`]++
    const score = Object.values(correct).reduce((a, b) => a + b, 0)
    const other = await findAttempt(trx, open.taker.id, kind === 'pre' ? 'post' : 'pre')
    await racePoint('finish-attempt:after-read')
    const paired = other?.finished_at ? 1 : 0
    await trx.updateTable('test_attempts').set({ ...correct, correct: score, finished_at: now, paired }).where('id', '=', open.attempt.id).execute()
    if (paired && other) await trx.updateTable('test_attempts').set({ paired: 1 }).where('id', '=', other.id).execute()
    return { ok: true, correct: score, total: open.attempt.total }
  })
}

// ---------------------------------------------------------------------------------------------
// Personal data

/**
 * Erasure: the answers name nobody alone, but they are the person's; the scores stay for the
 * counts. The lock rule: the attempts are locked first (the caller holds the webinar's lock, so no
 * attempt starts meanwhile), so an answer being saved is either in and deleted here, or saved
 * after and finds the link gone (openAttempt).
 */
export async function eraseTestAnswers(db: Conn, registrationIds: string[]): Promise<number> {
  if (registrationIds.length === 0) return 0
  const attempts = await db.selectFrom('test_attempts').select('id').where('registration_id', 'in', registrationIds).execute()
  await lockRows(db, 'test_attempts', attempts.map((attempt) => attempt.id))
  await racePoint('erase-answers:after-lock')
  const deleted = await db
    .deleteFrom('test_answers')
    .where('attempt_id', 'in', (eb) => eb.selectFrom('test_attempts').select('id').where('registration_id', 'in', registrationIds))
    .executeTakeFirst()
  return Number(deleted.numDeletedRows)
}
