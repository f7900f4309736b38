// The races of the learning tests and the speakers' slides (issue 12, "one lock rule"): a bank
// question edited twice at once, answers saved while the attempt is finished or while the
// resident erases their data, the pre- and the post-test finished at once, two uploads of one
// speaker's slides, an upload while the speaker is removed. As in postgres-races.test.ts, two
// connection pools stand in for two app processes and each race is forced at the point that
// matters; the control run (PostgreSQL only) turns the lock rule off and must show the race. On
// SQLite the runs with the rule go through one connection, whose write lock makes them take
// turns, and must hold as well.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { QuestionPillar } from '#db/schema'
import { finishAttempt, getAttemptView, saveAnswers, saveWebinarTests, startAttempt, testWindow } from '#app/models/learning-test.server'
import { saveMaterial } from '#app/models/material.server'
import { eraseRegistrationByToken } from '#app/models/personal-data.server'
import { archiveQuestion, createQuestion, getQuestion, listBankQuestions, listQuestionVersions, updateQuestion, type QuestionInput } from '#app/models/question.server'
import { saveWebinar } from '#app/models/webinar.server'
import { assignRole, removeRole } from '#app/models/webinar-role.server'
import { getDb, type DB } from '#app/utils/db.server'
import { uploadPath, uploadRoot, type StoredUpload } from '#app/utils/uploads.server'
import { createPersonFor, createUser, publishedWebinar, register, webinarForm } from '#tests/setup/factories'
import { TEST_ENGINE } from '#tests/setup/paths'
import { eitherEngineProcesses, outcome, race, readDuring } from './__helpers/race'

const db = getDb()
const { first, second } = eitherEngineProcesses()

// The factory's webinar: 4 March 2030, 09.00–12.00 WIB.
const BEFORE = '2030-03-01T00:00:00.000Z'
const AFTER_END = '2030-03-04T06:00:00.000Z'

let organiserId: string
beforeAll(async () => {
  organiserId = (await createUser('organiser')).id
  for (const q of await listBankQuestions(db)) await archiveQuestion(db, q.id)
})

let n = 0
function question(pillar: QuestionPillar, prompt?: string): QuestionInput {
  n++
  return { pillar, difficulty: 'easy', prompt: prompt ?? `Pertanyaan ${pillar} ${n}?`, options: ['Salah satu', 'Benar', 'Salah dua'], correctOption: 1, explanation: null }
}

/** A published webinar with both tests on, one question of each of its two pillars. */
async function webinarWithTests() {
  await createQuestion(db, question('aman'), organiserId)
  await createQuestion(db, question('etika'), organiserId)
  const webinar = await publishedWebinar({ pillars: ['aman', 'etika'] })
  expect(await saveWebinarTests(db, webinar.id, { pre: true, post: true, postOpenDays: 7, questionsPerPillar: 1 }, organiserId)).toMatchObject({ ok: true })
  return webinar
}

/** Starts the test and answers every question wrong. */
async function answeredWrong(token: string, kind: 'pre' | 'post', now: string) {
  expect(await startAttempt(db, token, kind, now)).toMatchObject({ ok: true })
  const questions = (await getAttemptView(db, token, kind, now))!.attempt!.questions
  for (const q of questions) {
    const full = (await getQuestion(db, q.id))!
    expect(await saveAnswers(db, token, kind, [{ questionId: q.id, option: (full.correctOption + 1) % full.options.length }], now)).toEqual({ ok: true })
  }
  return questions
}

function attempt(registrationId: string, kind: 'pre' | 'post') {
  return db.selectFrom('test_attempts').select(['id', 'correct', 'finished_at', 'paired']).where('registration_id', '=', registrationId).where('kind', '=', kind).executeTakeFirstOrThrow()
}

/** How many of the attempt's stored answers are right: what its score must say. */
async function rightAnswers(attemptId: string): Promise<number> {
  const rows = await db
    .selectFrom('test_answers')
    .innerJoin('questions', 'questions.id', 'test_answers.question_id')
    .select(['test_answers.chosen_option', 'questions.correct_option'])
    .where('test_answers.attempt_id', '=', attemptId)
    .execute()
  return rows.filter((row) => row.chosen_option === row.correct_option).length
}

const PDF = Buffer.from('%PDF-1.4\n% slides\n')

/** A checked upload waiting under its temporary name, as the route's upload handler leaves it. */
function storedUpload(name: string): StoredUpload {
  const tempPath = uploadPath('tmp', `${crypto.randomBytes(8).toString('hex')}.part`)
  fs.mkdirSync(path.dirname(tempPath), { recursive: true })
  fs.writeFileSync(tempPath, PDF)
  return { ok: true, tempPath, fileName: name, bytes: PDF.length, sha256: crypto.createHash('sha256').update(PDF).digest('hex') }
}

/** The slide files on disk for a webinar. */
function slideFiles(webinarId: string): string[] {
  const dir = path.join(uploadRoot(), 'materials', webinarId)
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []
}

async function slideRows(webinarId: string) {
  return db.selectFrom('materials').select(['id', 'webinar_role_id']).where('webinar_id', '=', webinarId).execute()
}

async function roleToken(webinarId: string, role: 'speaker' | 'kol') {
  return db.selectFrom('webinar_roles').select(['id', 'brief_token']).where('webinar_id', '=', webinarId).where('role', '=', role).executeTakeFirstOrThrow()
}

describe.each([
  { lockRule: true, run: 'with the lock rule' },
  ...(TEST_ENGINE === 'postgres' ? [{ lockRule: false, run: 'control (PostgreSQL): without it, the race shows' }] : []),
])('$run', ({ lockRule }) => {
  test('two edits at once of a question used in a live test: one new version, and the later edit is refused as stale', async () => {
    const id = await createQuestion(db, question('cakap'), organiserId)
    await db.updateTable('questions').set({ used_at: BEFORE }).where('id', '=', id).execute()
    const edit = (conn: DB, prompt: string) => outcome(updateQuestion(conn, id, question('cakap', prompt), organiserId))
    const answers = await race('question-edit:after-read', lockRule, [() => edit(first(), 'Suntingan A?'), () => edit(second(), 'Suntingan B?')])
    const versions = await listQuestionVersions(db, id)
    const holds =
      versions.length === 2 &&
      versions[0]!.version === 2 &&
      versions[1]!.replacedById === versions[0]!.id &&
      answers.some((answer) => 'ok' in answer && answer.ok && answer.id === versions[0]!.id && answer.newVersion) &&
      answers.some((answer) => 'ok' in answer && !answer.ok && answer.reason === 'notCurrent')
    expect(holds).toBe(lockRule)
    // Without the lock both read version 1 as current and add a version 2: the later one fails on
    // the unique (family, version) with a raw unique violation, a 500 for its editor.
    if (!lockRule) expect(answers).toContainEqual({ error: '23505' })
  })

  test('an answer saved while the attempt is finished: the score counts exactly the answers stored, and the late one is refused', async () => {
    const webinar = await webinarWithTests()
    const registrant = await register(webinar.id)
    const [asked] = await answeredWrong(registrant.token, 'pre', BEFORE)
    const right = (await getQuestion(db, asked!.id))!.correctOption
    const [finished, saved] = await readDuring(
      lockRule,
      { point: 'finish-attempt:after-read', run: () => finishAttempt(first(), registrant.token, 'pre', BEFORE) },
      { point: 'answers:after-read', run: () => saveAnswers(second(), registrant.token, 'pre', [{ questionId: asked!.id, option: right }], BEFORE) },
    )
    expect(finished).toEqual({ ok: true, correct: 0, total: 2 })
    const after = await attempt(registrant.id, 'pre')
    // In the control the answer lands after the score was computed: stored right, scored wrong.
    expect(saved).toEqual(lockRule ? { ok: false, reason: 'finished' } : { ok: true })
    expect(after.correct === (await rightAnswers(after.id))).toBe(lockRule)
  })

  test('an answer saved while the resident erases their data: refused as not found, and none of their answers is left', async () => {
    const webinar = await webinarWithTests()
    const registrant = await register(webinar.id)
    const [asked] = await answeredWrong(registrant.token, 'pre', BEFORE)
    // The answer reads the taker while the erasure holds the attempts but has not committed; in the
    // control it writes only once the erasure has committed.
    const [erased, saved] = await readDuring(
      lockRule,
      { point: 'erase-answers:after-lock', run: () => eraseRegistrationByToken(first(), registrant.token, BEFORE) },
      { point: 'answers:after-read', run: () => saveAnswers(second(), registrant.token, 'pre', [{ questionId: asked!.id, option: 0 }], BEFORE) },
    )
    expect(erased).toEqual({ slug: webinar.slug })
    const left = await db
      .selectFrom('test_answers')
      .innerJoin('test_attempts', 'test_attempts.id', 'test_answers.attempt_id')
      .select('test_answers.question_id')
      .where('test_attempts.registration_id', '=', registrant.id)
      .execute()
    // In the control the answer lands after the erasure deleted the others: the person's answer stays.
    expect(saved).toEqual(lockRule ? { ok: false, reason: 'notFound' } : { ok: true })
    expect(left.length === 0).toBe(lockRule)
  })

  test('the pre- and the post-test finished at once (clocks that disagree): both attempts are paired', async () => {
    const webinar = await webinarWithTests()
    const registrant = await register(webinar.id)
    await answeredWrong(registrant.token, 'pre', BEFORE)
    await answeredWrong(registrant.token, 'post', AFTER_END)
    const answers = await race('finish-attempt:after-read', lockRule, [
      () => finishAttempt(first(), registrant.token, 'pre', BEFORE),
      () => finishAttempt(second(), registrant.token, 'post', AFTER_END),
    ])
    expect(answers.every((answer) => answer.ok)).toBe(true)
    const [pre, post] = [await attempt(registrant.id, 'pre'), await attempt(registrant.id, 'post')]
    // In the control each finish reads the other attempt as unfinished: neither is paired.
    expect(pre.paired === 1 && post.paired === 1).toBe(lockRule)
  })

  test("two uploads of one speaker's slides at once: the later replaces the earlier, no error, one file on disk", async () => {
    const webinar = await publishedWebinar()
    const speaker = await roleToken(webinar.id, 'speaker')
    const upload = (conn: DB, name: string) => outcome(saveMaterial(conn, speaker.brief_token!, storedUpload(name)))
    const answers = await race('material:after-read', lockRule, [() => upload(first(), 'a.pdf'), () => upload(second(), 'b.pdf')])
    const rows = await slideRows(webinar.id)
    expect(rows).toHaveLength(1)
    const holds = answers.every((answer) => 'ok' in answer && answer.ok) && JSON.stringify(slideFiles(webinar.id)) === JSON.stringify([`${rows[0]!.id}.pdf`])
    expect(holds).toBe(lockRule)
    // Without the lock both find no slides yet and insert: the later fails on the unique index.
    if (!lockRule) expect(answers).toContainEqual({ error: '23505' })
  })

  test('an upload while the speaker is removed: refused as not found, and no file is left behind', async () => {
    const webinar = await publishedWebinar()
    const speaker = await roleToken(webinar.id, 'speaker')
    const [removed, saved] = await readDuring(
      lockRule,
      { point: 'remove-role:after-read', run: () => removeRole(first(), webinar.id, speaker.id) },
      { point: 'material:after-read', run: () => outcome(saveMaterial(second(), speaker.brief_token!, storedUpload('late.pdf'))) },
    )
    expect(removed).toBe(true)
    expect(await slideRows(webinar.id)).toEqual([])
    expect(slideFiles(webinar.id)).toEqual([])
    // In the control the upload read the role before its removal committed, and its insert then
    // fails on the foreign key: a raw error, a 500 for the speaker.
    expect(saved).toEqual(lockRule ? { ok: false, reason: 'notFound' } : { error: '23503' })
  })
})

describe('slides and removed roles', () => {
  test("removing a speaker removes their slides' file from disk, after the row", async () => {
    const webinar = await publishedWebinar()
    const speaker = await roleToken(webinar.id, 'speaker')
    expect(await saveMaterial(db, speaker.brief_token!, storedUpload('materi.pdf'))).toEqual({ ok: true })
    expect(slideFiles(webinar.id)).toHaveLength(1)
    expect(await removeRole(db, webinar.id, speaker.id)).toBe(true)
    expect(await slideRows(webinar.id)).toEqual([])
    expect(slideFiles(webinar.id)).toEqual([])
  })

  test("a KOL replaced by another: the former KOL's slides go from disk", async () => {
    const webinar = await publishedWebinar()
    const assign = async (name: string) => expect(await assignRole(db, webinar.id, { personId: await createPersonFor(name), role: 'kol', talkTitle: null, pillar: null })).toEqual({ ok: true })
    await assign('KOL Pertama')
    const kol = await roleToken(webinar.id, 'kol')
    expect(await saveMaterial(db, kol.brief_token!, storedUpload('kol.pdf'))).toEqual({ ok: true })
    expect(slideFiles(webinar.id)).toHaveLength(1)
    await assign('KOL Kedua')
    expect(await slideRows(webinar.id)).toEqual([])
    expect(slideFiles(webinar.id)).toEqual([])
  })
})

describe('the pre- and post-test windows', () => {
  test('never overlap, however the webinar is rescheduled: the pre-test closes before the post-test opens', async () => {
    const webinar = await webinarWithTests()
    const windowsOf = async () => {
      const row = await db.selectFrom('webinars').select(['start_at', 'end_at']).where('id', '=', webinar.id).executeTakeFirstOrThrow()
      const times = { start_at: row.start_at!, end_at: row.end_at! }
      return { pre: testWindow('pre', times, { postOpenDays: 7 }), post: testWindow('post', times, { postOpenDays: 7 }) }
    }
    for (const schedule of [
      { date: '2030-03-10', startTime: '13:00', endTime: '14:00' },
      { date: '2030-02-20', startTime: '08:00', endTime: '08:01' },
    ]) {
      expect(await saveWebinar(db, webinarForm({ pillars: ['aman', 'etika'], ...schedule }), { webinarId: webinar.id, userId: organiserId })).toMatchObject({ ok: true })
      const { pre, post } = await windowsOf()
      expect(pre.closesAt < post.opensAt!).toBe(true)
    }
    // A schedule that would make them overlap (the end before the start) is refused by the database itself.
    const row = await db.selectFrom('webinars').select(['start_at']).where('id', '=', webinar.id).executeTakeFirstOrThrow()
    await expect(db.updateTable('webinars').set({ end_at: row.start_at }).where('id', '=', webinar.id).execute()).rejects.toThrow(/webinars_end_after_start|CHECK constraint/i)
  })
})
