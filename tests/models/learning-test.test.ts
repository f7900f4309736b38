// Learning tests (issue 15): the question bank and its versions, a webinar's pre- and post-test,
// their windows, one attempt each, answers saved as given, scores, the paired gain, erasure.
import type { QuestionPillar } from '#db/schema'
import { finishAttempt, finishedTest, getAttemptView, getResidentTests, listWebinarQuestions, saveAnswers, saveWebinarTests, startAttempt, webinarTests } from '#app/models/learning-test.server'
import { eraseRegistrationByToken, purgeExpiredPersonalData, setRetentionMonths } from '#app/models/personal-data.server'
import { archiveQuestion, createQuestion, getQuestion, listBankQuestions, updateQuestion, type QuestionInput } from '#app/models/question.server'
import { getWebinarLearning } from '#app/models/test-report.server'
import { getDb } from '#app/utils/db.server'
import { createUser, publishedWebinar, register } from '#tests/setup/factories'

const db = getDb()

// The factory's webinar: 4 March 2030, 09.00–12.00 WIB.
const BEFORE = '2030-03-01T00:00:00.000Z'
const START = '2030-03-04T02:00:00.000Z'
const AFTER_END = '2030-03-04T06:00:00.000Z'
const DAYS_LATER = (days: number) => new Date(Date.parse('2030-03-04T05:00:00.000Z') + days * 86_400_000).toISOString()

let organiserId: string
beforeAll(async () => {
  organiserId = (await createUser('organiser')).id
  // Other files share the bank; archive what is there so each draw comes from this file's questions.
  for (const q of await listBankQuestions(db)) await archiveQuestion(db, q.id)
})

let n = 0
function question(pillar: QuestionPillar, overrides: Partial<QuestionInput> = {}): QuestionInput {
  n++
  return { pillar, difficulty: 'easy', prompt: `Pertanyaan ${pillar} ${n}?`, options: ['Salah satu', 'Benar', 'Salah dua'], correctOption: 1, explanation: `Karena ${n}`, ...overrides }
}

async function bank(pillar: QuestionPillar, count: number) {
  const ids: string[] = []
  for (let i = 0; i < count; i++) ids.push(await createQuestion(db, question(pillar), organiserId))
  return ids
}

/** A published webinar on these pillars with both tests on, `perPillar` questions each. */
async function webinarWithTests(pillars: QuestionPillar[], perPillar = 2, tests = { pre: true, post: true }) {
  const webinar = await publishedWebinar({ pillars })
  const saved = await saveWebinarTests(db, webinar.id, { ...tests, postOpenDays: 7, questionsPerPillar: perPillar }, organiserId)
  expect(saved).toMatchObject({ ok: true })
  return webinar
}

/** Answers every question of the attempt: right for the first `right` of each pillar, wrong after. */
async function takeTest(token: string, kind: 'pre' | 'post', now: string, rightPerPillar: Partial<Record<QuestionPillar, number>>) {
  expect(await startAttempt(db, token, kind, now)).toMatchObject({ ok: true })
  const view = (await getAttemptView(db, token, kind, now))!
  const seen: Record<string, number> = {}
  for (const q of view.attempt!.questions) {
    seen[q.pillar] = (seen[q.pillar] ?? 0) + 1
    const full = (await getQuestion(db, q.id))!
    const right = seen[q.pillar]! <= (rightPerPillar[q.pillar] ?? 0)
    expect(await saveAnswers(db, token, kind, [{ questionId: q.id, option: right ? full.correctOption : (full.correctOption + 1) % full.options.length }], now)).toEqual({ ok: true })
  }
  return finishAttempt(db, token, kind, now)
}

describe('a webinar without tests', () => {
  it('has both tests off, and nobody finished one', async () => {
    const webinar = await publishedWebinar()
    const registrant = await register(webinar.id)
    expect(await webinarTests(db, webinar.id)).toMatchObject({ pre: false, post: false })
    expect(await finishedTest(db, registrant.id, 'pre')).toBe(false)
    expect(await startAttempt(db, registrant.token, 'pre', BEFORE)).toEqual({ ok: false, reason: 'notFound' })
  })
})

describe('the question bank', () => {
  it('edits a question in place until it is used, then makes a new version; past attempts keep the old one', async () => {
    await bank('etika', 1)
    const webinar = await webinarWithTests(['etika'], 1)
    const [asked] = await listWebinarQuestions(db, webinar.id)
    const unused = await updateQuestion(db, asked!.id, question('etika', { prompt: 'Diubah sebelum dipakai?' }), organiserId)
    expect(unused).toEqual({ ok: true, id: asked!.id, newVersion: false })

    const registrant = await register(webinar.id)
    await startAttempt(db, registrant.token, 'pre', BEFORE)
    expect((await getQuestion(db, asked!.id))!.usedAt).not.toBeNull()
    expect((await webinarTests(db, webinar.id)).frozenAt).not.toBeNull()

    // Used now: the correct answer moves in a new version.
    const edited = await updateQuestion(db, asked!.id, question('etika', { prompt: 'Versi dua?', correctOption: 0 }), organiserId)
    expect(edited).toMatchObject({ ok: true, newVersion: true })
    if (!edited.ok) return
    const v2 = (await getQuestion(db, edited.id))!
    expect(v2).toMatchObject({ version: 2, familyId: asked!.id, prompt: 'Versi dua?', correctOption: 0 })
    expect((await getQuestion(db, asked!.id))!.replacedById).toBe(edited.id)
    expect((await listBankQuestions(db, { pillar: 'etika' })).map((q) => q.id)).toContain(edited.id)
    expect((await listBankQuestions(db, { pillar: 'etika' })).map((q) => q.id)).not.toContain(asked!.id)
    // The frozen webinar still asks version 1, and scores against it: option 1 is right.
    expect((await listWebinarQuestions(db, webinar.id)).map((q) => q.id)).toEqual([asked!.id])
    await saveAnswers(db, registrant.token, 'pre', [{ questionId: asked!.id, option: 1 }], BEFORE)
    expect(await finishAttempt(db, registrant.token, 'pre', BEFORE)).toEqual({ ok: true, correct: 1, total: 1 })
    // The post-test asks the same version, not the bank's newer one.
    expect(await startAttempt(db, registrant.token, 'post', AFTER_END)).toMatchObject({ ok: true })
    const post = await getAttemptView(db, registrant.token, 'post', AFTER_END)
    expect(post!.attempt!.questions.map((q) => q.prompt)).toEqual(['Diubah sebelum dipakai?'])
    // An old version is no longer editable.
    expect(await updateQuestion(db, asked!.id, question('etika'), organiserId)).toEqual({ ok: false, reason: 'notCurrent' })
  })

  it('a webinar whose tests have not started follows the new version', async () => {
    await bank('budaya', 1)
    const frozen = await webinarWithTests(['budaya'], 1)
    const open = await webinarWithTests(['budaya'], 1)
    const [asked] = await listWebinarQuestions(db, frozen.id)
    expect((await listWebinarQuestions(db, open.id)).map((q) => q.id)).toEqual([asked!.id])
    await startAttempt(db, (await register(frozen.id)).token, 'pre', BEFORE)
    const edited = await updateQuestion(db, asked!.id, question('budaya', { prompt: 'Baru?' }), organiserId)
    if (!edited.ok) throw new Error('not edited')
    expect((await listWebinarQuestions(db, open.id)).map((q) => q.id)).toEqual([edited.id])
    expect((await listWebinarQuestions(db, frozen.id)).map((q) => q.id)).toEqual([asked!.id])
  })

  it('refuses to switch tests on when the bank has nothing for the webinar’s pillars', async () => {
    const webinar = await publishedWebinar({ pillars: ['aman'] })
    for (const q of await listBankQuestions(db, { pillar: 'aman' })) await archiveQuestion(db, q.id)
    expect(await saveWebinarTests(db, webinar.id, { pre: true, post: false, postOpenDays: 7, questionsPerPillar: 3 }, organiserId)).toEqual({ ok: false, reason: 'noQuestions' })
    expect(await webinarTests(db, webinar.id)).toMatchObject({ pre: false, post: false })
  })
})

describe('taking a test', () => {
  beforeAll(async () => {
    await bank('cakap', 4)
    await bank('aman', 4)
  })

  it('draws the same questions for both tests, per pillar of the webinar, in a different order', async () => {
    const webinar = await webinarWithTests(['cakap', 'aman'], 3)
    const asked = await listWebinarQuestions(db, webinar.id)
    expect(asked.map((q) => q.pillar).sort()).toEqual(['aman', 'aman', 'aman', 'cakap', 'cakap', 'cakap'])
    const registrant = await register(webinar.id)
    await startAttempt(db, registrant.token, 'pre', BEFORE)
    await startAttempt(db, registrant.token, 'post', AFTER_END)
    const pre = (await getAttemptView(db, registrant.token, 'pre', BEFORE))!.attempt!.questions.map((q) => q.id)
    const post = (await getAttemptView(db, registrant.token, 'post', AFTER_END))!.attempt!.questions.map((q) => q.id)
    expect([...pre].sort()).toEqual(asked.map((q) => q.id).sort())
    expect([...post].sort()).toEqual([...pre].sort())
    expect(post).not.toEqual(pre)
  })

  it('opens the pre-test from registration until the start, and the post-test from the end for N days', async () => {
    const webinar = await webinarWithTests(['cakap'], 1)
    const registrant = await register(webinar.id)
    const registration = registrant.token
    expect((await getResidentTests(db, registration, BEFORE)).map((t) => [t.kind, t.state])).toEqual([['pre', 'open'], ['post', 'notYet']])
    expect((await getResidentTests(db, registration, START)).map((t) => [t.kind, t.state])).toEqual([['pre', 'closed'], ['post', 'notYet']])
    expect((await getResidentTests(db, registration, AFTER_END)).map((t) => [t.kind, t.state])).toEqual([['pre', 'closed'], ['post', 'open']])
    expect((await getResidentTests(db, registration, DAYS_LATER(7))).map((t) => [t.kind, t.state])).toEqual([['pre', 'closed'], ['post', 'closed']])

    expect(await startAttempt(db, registrant.token, 'pre', START)).toEqual({ ok: false, reason: 'notOpen' })
    expect(await startAttempt(db, registrant.token, 'post', BEFORE)).toEqual({ ok: false, reason: 'notOpen' })
    expect(await startAttempt(db, registrant.token, 'post', DAYS_LATER(7))).toEqual({ ok: false, reason: 'notOpen' })
    expect(await startAttempt(db, registrant.token, 'post', DAYS_LATER(6.9))).toMatchObject({ ok: true })
  })

  it('an attempt started before the start cannot be answered or finished after it', async () => {
    const webinar = await webinarWithTests(['cakap'], 1)
    const registrant = await register(webinar.id)
    await startAttempt(db, registrant.token, 'pre', BEFORE)
    const [q] = (await getAttemptView(db, registrant.token, 'pre', BEFORE))!.attempt!.questions
    expect(await saveAnswers(db, registrant.token, 'pre', [{ questionId: q!.id, option: 0 }], START)).toEqual({ ok: false, reason: 'notOpen' })
    expect(await finishAttempt(db, registrant.token, 'pre', START)).toMatchObject({ ok: false, reason: 'notOpen' })
  })

  it('one attempt each: starting again returns the same one, and a finished test takes no more answers', async () => {
    const webinar = await webinarWithTests(['cakap'], 2)
    const registrant = await register(webinar.id)
    const first = await startAttempt(db, registrant.token, 'pre', BEFORE)
    const again = await startAttempt(db, registrant.token, 'pre', BEFORE)
    expect(again).toEqual(first)
    expect(await takeTest(registrant.token, 'pre', BEFORE, { cakap: 1 })).toEqual({ ok: true, correct: 1, total: 2 })
    const [q] = (await getAttemptView(db, registrant.token, 'pre', BEFORE))!.attempt!.questions
    expect(await saveAnswers(db, registrant.token, 'pre', [{ questionId: q!.id, option: 0 }], BEFORE)).toEqual({ ok: false, reason: 'finished' })
    expect(await finishAttempt(db, registrant.token, 'pre', BEFORE)).toMatchObject({ ok: false, reason: 'finished' })
    const rows = await db.selectFrom('test_attempts').select('id').where('registration_id', '=', registrant.id).execute()
    expect(rows).toHaveLength(1)
    expect(await finishedTest(db, registrant.id, 'pre')).toBe(true)
    expect(await finishedTest(db, registrant.id, 'post')).toBe(false)
  })

  it('saves each answer as it is given, so coming back later finds them; a changed answer replaces the old one', async () => {
    const webinar = await webinarWithTests(['cakap'], 3)
    const registrant = await register(webinar.id)
    await startAttempt(db, registrant.token, 'pre', BEFORE)
    const [a, b] = (await getAttemptView(db, registrant.token, 'pre', BEFORE))!.attempt!.questions
    await saveAnswers(db, registrant.token, 'pre', [{ questionId: a!.id, option: 2 }], BEFORE)
    await saveAnswers(db, registrant.token, 'pre', [{ questionId: b!.id, option: 0 }], BEFORE)
    await saveAnswers(db, registrant.token, 'pre', [{ questionId: a!.id, option: 1 }], BEFORE)
    const back = (await getAttemptView(db, registrant.token, 'pre', BEFORE))!.attempt!
    expect(back.questions.map((q) => q.chosen)).toEqual([1, 0, null])
    // Nothing of the answer key shows before the end.
    expect(back.questions.every((q) => q.correctOption === null && q.explanation === null)).toBe(true)
    expect(await finishAttempt(db, registrant.token, 'pre', BEFORE)).toEqual({ ok: false, reason: 'unanswered', unanswered: 1 })
  })

  it('refuses an answer to a question the attempt does not hold, or an option that does not exist', async () => {
    const webinar = await webinarWithTests(['cakap'], 1)
    const registrant = await register(webinar.id)
    await startAttempt(db, registrant.token, 'pre', BEFORE)
    const [q] = (await getAttemptView(db, registrant.token, 'pre', BEFORE))!.attempt!.questions
    const [foreign] = await bank('cakap', 1)
    expect(await saveAnswers(db, registrant.token, 'pre', [{ questionId: foreign!, option: 0 }], BEFORE)).toEqual({ ok: false, reason: 'badAnswer' })
    expect(await saveAnswers(db, registrant.token, 'pre', [{ questionId: q!.id, option: 3 }], BEFORE)).toEqual({ ok: false, reason: 'badAnswer' })
    expect(await saveAnswers(db, registrant.token, 'pre', [{ questionId: q!.id, option: -1 }], BEFORE)).toEqual({ ok: false, reason: 'badAnswer' })
    expect(await saveAnswers(db, 'no-such-token', 'pre', [{ questionId: q!.id, option: 0 }], BEFORE)).toEqual({ ok: false, reason: 'notFound' })
  })

  it('shows the right answers and explanations once finished', async () => {
    const webinar = await webinarWithTests(['cakap'], 2)
    const registrant = await register(webinar.id)
    await takeTest(registrant.token, 'pre', BEFORE, { cakap: 1 })
    const done = (await getAttemptView(db, registrant.token, 'pre', BEFORE))!.attempt!
    expect(done.correct).toBe(1)
    expect(done.questions.every((q) => q.correctOption !== null && q.explanation !== null)).toBe(true)
    expect(done.questions.filter((q) => q.chosen !== q.correctOption)).toHaveLength(1)
  })

  it('is only for seat holders: the waitlist and a cancelled registration see no test', async () => {
    const webinar = await webinarWithTests(['cakap'], 1)
    const registrant = await register(webinar.id)
    await db.updateTable('registrations').set({ status: 'waitlisted' }).where('id', '=', registrant.id).execute()
    expect(await startAttempt(db, registrant.token, 'pre', BEFORE)).toEqual({ ok: false, reason: 'notFound' })
    expect(await getAttemptView(db, registrant.token, 'pre', BEFORE)).toBeNull()
  })
})

describe('the learning report', () => {
  it('counts who took each test, means per pillar, and the gain over paired residents only', async () => {
    await bank('cakap', 2)
    await bank('aman', 2)
    const webinar = await webinarWithTests(['cakap', 'aman'], 2)
    const both1 = await register(webinar.id)
    const both2 = await register(webinar.id)
    const preOnly = await register(webinar.id)
    const postOnly = await register(webinar.id)
    const unfinished = await register(webinar.id)
    // both1: cakap 50 → 100, aman 0 → 50; both2: cakap 0 → 50, aman 50 → 50
    await takeTest(both1.token, 'pre', BEFORE, { cakap: 1, aman: 0 })
    await takeTest(both2.token, 'pre', BEFORE, { cakap: 0, aman: 1 })
    await takeTest(preOnly.token, 'pre', BEFORE, { cakap: 2, aman: 2 })
    await startAttempt(db, unfinished.token, 'pre', BEFORE)
    await takeTest(both1.token, 'post', AFTER_END, { cakap: 2, aman: 1 })
    await takeTest(both2.token, 'post', AFTER_END, { cakap: 1, aman: 1 })
    await takeTest(postOnly.token, 'post', AFTER_END, { cakap: 0, aman: 0 })

    const report = await getWebinarLearning(db, webinar.id)
    expect(report.took).toEqual({ pre: 3, post: 3 })
    expect(report.pairedResidents).toBe(2)
    const cakap = report.pillars.find((p) => p.pillar === 'cakap')!
    const aman = report.pillars.find((p) => p.pillar === 'aman')!
    // All finished attempts: pre cakap (50 + 0 + 100) / 3, post cakap (100 + 50 + 0) / 3.
    expect(cakap.pre).toBeCloseTo(50)
    expect(cakap.post).toBeCloseTo(50)
    // Paired only: pre (50 + 0) / 2 = 25, post (100 + 50) / 2 = 75: a gain of 50 that the unpaired hide.
    expect(cakap).toMatchObject({ paired: 2, pairedPre: 25, pairedPost: 75, gain: 50 })
    expect(aman).toMatchObject({ paired: 2, pairedPre: 25, pairedPost: 50, gain: 25 })
    expect(report.pillars.map((p) => p.pillar)).toEqual(['cakap', 'aman'])
  })
})

describe('personal data', () => {
  it('erasure removes the answers and keeps the scores, so the report stays', async () => {
    await bank('cakap', 2)
    const webinar = await webinarWithTests(['cakap'], 2)
    const registrant = await register(webinar.id)
    await takeTest(registrant.token, 'pre', BEFORE, { cakap: 1 })
    await takeTest(registrant.token, 'post', AFTER_END, { cakap: 2 })
    const before = await getWebinarLearning(db, webinar.id)
    expect(before.pairedResidents).toBe(1)

    expect(await eraseRegistrationByToken(db, registrant.token, AFTER_END)).not.toBeNull()
    const answers = await db.selectFrom('test_answers').innerJoin('test_attempts', 'test_attempts.id', 'test_answers.attempt_id').select('test_answers.question_id').where('test_attempts.registration_id', '=', registrant.id).execute()
    expect(answers).toEqual([])
    expect(await getWebinarLearning(db, webinar.id)).toEqual(before)
    const purge = await db.selectFrom('data_purges').select('detail').where('webinar_id', '=', webinar.id).executeTakeFirstOrThrow()
    expect(JSON.parse(purge.detail)).toMatchObject({ testAnswers: 4 })
  })

  it('the retention purge removes every answer of the webinar and keeps the report', async () => {
    await bank('cakap', 1)
    const webinar = await webinarWithTests(['cakap'], 1)
    const a = await register(webinar.id)
    const b = await register(webinar.id)
    await takeTest(a.token, 'pre', BEFORE, { cakap: 1 })
    await takeTest(b.token, 'pre', BEFORE, { cakap: 0 })
    await takeTest(a.token, 'post', AFTER_END, { cakap: 1 })
    const before = await getWebinarLearning(db, webinar.id)
    await setRetentionMonths(db, 1, organiserId)
    try {
      await purgeExpiredPersonalData(db, null, '2030-06-01T00:00:00.000Z')
    } finally {
      await setRetentionMonths(db, null, organiserId)
    }
    const left = await db.selectFrom('test_answers').innerJoin('test_attempts', 'test_attempts.id', 'test_answers.attempt_id').select('test_answers.question_id').where('test_attempts.webinar_id', '=', webinar.id).execute()
    expect(left).toEqual([])
    expect(await getWebinarLearning(db, webinar.id)).toEqual(before)
  })
})
