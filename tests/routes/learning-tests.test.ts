// Learning tests through their routes (issue 15): the bank's pages and CSV, the webinar's test
// settings (organisers and its own moderator only), a resident taking a test by their link, the
// results CSV.
import { parse } from 'csv-parse/sync'
import { listWebinarQuestions, saveWebinarTests } from '#app/models/learning-test.server'
import { archiveQuestion, createQuestion, listBankQuestions } from '#app/models/question.server'
import { loader as exportLoader } from '#app/routes/admin.questions[.]csv'
import { action as editAction } from '#app/routes/admin.questions.$questionId'
import { action as importAction } from '#app/routes/admin.questions.import'
import { action as newAction } from '#app/routes/admin.questions.new'
import { loader as bankLoader } from '#app/routes/admin.questions._index'
import { loader as resultsCsvLoader } from '#app/routes/attendance.$slug.tests[.]csv'
import { action as settingsAction, loader as settingsLoader } from '#app/routes/attendance.$slug.tests'
import { loader as personalLoader } from '#app/routes/r.$token._index'
import { action as testAction, loader as testLoader } from '#app/routes/r.$token.test.$kind'
import { getDb } from '#app/utils/db.server'
import { message } from '#app/utils/messages'
import { RESIDENT_LIMITS } from '#app/utils/resident-limits.server'
import { call, getRequest, moderatorOf, postRequest, publishedWebinar, register, signedInAs, type SignedInUser } from '#tests/setup/factories'

const db = getDb()
let organiser: SignedInUser

beforeAll(async () => {
  organiser = await signedInAs('organiser')
  for (const q of await listBankQuestions(db)) await archiveQuestion(db, q.id)
})

const questionFields = (overrides: Record<string, string> = {}) => ({
  intent: 'save',
  pillar: 'cakap',
  difficulty: 'easy',
  prompt: 'Apa ciri kata sandi yang kuat?',
  option1: 'Tanggal lahir',
  option2: 'Panjang dan acak',
  option3: '',
  option4: '',
  option5: '',
  correct: '2',
  explanation: 'Kata sandi yang panjang dan acak sulit ditebak.',
  ...overrides,
})

function csvUpload(content: string | Uint8Array, cookie: string, name = 'soal.csv') {
  const form = new FormData()
  form.append('file', new File([content as BlobPart], name, { type: 'text/csv' }))
  return new Request('http://localhost:3000/admin/questions/import', { method: 'POST', body: form, headers: { Cookie: cookie } })
}

async function bankSize() {
  return (await listBankQuestions(db)).length
}

describe('the question bank', () => {
  test('an organiser adds a question; a bad one is refused beside its field with nothing saved', async () => {
    const before = await bankSize()
    const tooFew = await call(newAction, postRequest('/admin/questions/new', questionFields({ option2: '' }), { cookie: organiser.cookie }))
    expect(tooFew.status).toBe(400)
    expect((await tooFew.json()).errors.options).toEqual(['questions.error.tooFewOptions'])
    const emptyCorrect = await call(newAction, postRequest('/admin/questions/new', questionFields({ correct: '4' }), { cookie: organiser.cookie }))
    expect(emptyCorrect.status).toBe(400)
    expect((await emptyCorrect.json()).errors.correct).toEqual(['questions.error.correctEmpty'])
    const noPillar = await call(newAction, postRequest('/admin/questions/new', questionFields({ pillar: 'lainnya' }), { cookie: organiser.cookie }))
    expect(noPillar.status).toBe(400)
    expect(await bankSize()).toBe(before)

    const created = await call(newAction, postRequest('/admin/questions/new', questionFields({ option3: 'Nama hewan', option2: '', correct: '3' }), { cookie: organiser.cookie }))
    expect(created.status).toBe(303)
    const id = created.headers.get('Location')!.match(/\/admin\/questions\/([^?]+)/)![1]!
    const saved = (await listBankQuestions(db)).find((q) => q.id === id)!
    // Empty options close up, and the correct mark follows its text.
    expect(saved).toMatchObject({ options: ['Tanggal lahir', 'Nama hewan'], correctOption: 1 })
  })

  test('only organisers see the bank', async () => {
    const moderator = await signedInAs('moderator')
    expect((await call(bankLoader, getRequest('/admin/questions', { cookie: moderator.cookie }))).status).toBe(403)
    expect((await call(newAction, postRequest('/admin/questions/new', questionFields(), { cookie: moderator.cookie }))).status).toBe(403)
    expect((await call(exportLoader, getRequest('/admin/questions.csv'))).status).toBe(302)
  })

  test('editing a used question through the page makes a new version', async () => {
    const id = await createQuestion(db, { pillar: 'etika', difficulty: 'medium', prompt: 'Etika?', options: ['a', 'b'], correctOption: 0, explanation: null }, organiser.id)
    await db.updateTable('questions').set({ used_at: '2026-01-01T00:00:00.000Z' }).where('id', '=', id).execute()
    const edited = await call(editAction, postRequest(`/admin/questions/${id}`, questionFields({ pillar: 'etika', prompt: 'Etika, versi dua?' }), { cookie: organiser.cookie }), { questionId: id })
    expect(edited.status).toBe(303)
    expect(edited.headers.get('Location')).toMatch(/\?version$/)
    const versions = await db.selectFrom('questions').select(['id', 'version', 'prompt', 'replaced_by_id']).where('family_id', '=', id).orderBy('version').execute()
    expect(versions.map((v) => [v.version, v.prompt])).toEqual([
      [1, 'Etika?'],
      [2, 'Etika, versi dua?'],
    ])
    expect(versions[0]!.replaced_by_id).toBe(versions[1]!.id)
  })

  test('the CSV export neutralises cells a spreadsheet would run as formulas', async () => {
    await createQuestion(db, { pillar: 'aman', difficulty: 'hard', prompt: '=HYPERLINK("http://evil.example","klik")', options: ['+1', '@SUM(A1)'], correctOption: 0, explanation: '-2+3' }, organiser.id)
    const response = await call(exportLoader, getRequest('/admin/questions.csv', { cookie: organiser.cookie }))
    expect(response.status).toBe(200)
    const rows = parse(await response.text(), { bom: true }) as string[][]
    const row = rows.find((r) => r[2]!.includes('HYPERLINK'))!
    expect(row.slice(0, 5)).toEqual(['aman', 'hard', `'=HYPERLINK("http://evil.example","klik")`, "'+1", "'@SUM(A1)"])
    expect(row[9]).toBe("'-2+3")
  })
})

describe('the CSV import', () => {
  const header = 'pillar,difficulty,question,option_1,option_2,option_3,correct,explanation'

  test('refuses bad files with a message, and saves nothing', async () => {
    const before = await bankSize()
    const cases: Array<[string | Uint8Array, string]> = [
      ['', 'questions.import.error.empty'],
      [new Uint8Array([0xff, 0xfe, 0x00, 0x41]), 'questions.import.error.notText'],
      ['pillar,question,option_1,option_2,correct\ncakap,Q,a,b,1\n', 'questions.import.error.missingColumn?column=difficulty'],
      [`${header}\n`, 'questions.import.error.noRows'],
      ['a,"b\n', 'questions.import.error.notCsv?line=1'],
    ]
    for (const [content, error] of cases) {
      const response = await call(importAction, csvUpload(content, organiser.cookie))
      expect(response.status, error).toBeGreaterThanOrEqual(400)
      expect((await response.json()).errors[0], String(content)).toBe(error)
    }
    const tooLarge = await call(importAction, csvUpload(`${header}\n${'cakap,easy,Q,a,b,,1,x\n'.repeat(30_000)}`, organiser.cookie))
    expect(tooLarge.status).toBe(413)
    expect(await bankSize()).toBe(before)
  })

  test('one bad row saves none of them, and says which lines', async () => {
    const before = await bankSize()
    const file = [header, 'cakap,mudah,Baik?,ya,tidak,,1,', 'etika,sedang,Tanpa pilihan kedua?,ya,,,1,', 'lainnya,sulit,Pilar asing?,a,b,,1,', 'aman,sulit,Jawaban kosong?,a,b,,3,'].join('\n')
    const response = await call(importAction, csvUpload(file, organiser.cookie))
    expect(response.status).toBe(422)
    expect((await response.json()).errors).toEqual([
      'questions.import.error.rows?count=3',
      'questions.import.problem.options?line=3&value=1',
      'questions.import.problem.pillar?line=4&value=lainnya',
      'questions.import.problem.correct?line=5&value=3',
    ])
    expect(await bankSize()).toBe(before)
  })

  test('a good file is previewed, then committed all at once (semicolons, Indonesian headers, letters for the answer)', async () => {
    const before = await bankSize()
    const file = '\ufeffpilar;tingkat;pertanyaan;opsi_1;opsi_2;opsi_3;jawaban;penjelasan\r\nCakap Digital;mudah;Apa itu peramban?;Aplikasi untuk membuka situs;Jenis virus;;A;\r\nbudaya;sulit;"Pertanyaan; dengan titik koma?";x;y;z;c;Karena z\r\n'
    const preview = await call(importAction, csvUpload(file, organiser.cookie))
    expect(preview.status).toBe(200)
    const data = await preview.json()
    expect(data.preview).toEqual([
      { pillar: 'cakap', difficulty: 'easy', prompt: 'Apa itu peramban?', options: ['Aplikasi untuk membuka situs', 'Jenis virus'], correctOption: 0, explanation: null },
      { pillar: 'budaya', difficulty: 'hard', prompt: 'Pertanyaan; dengan titik koma?', options: ['x', 'y', 'z'], correctOption: 2, explanation: 'Karena z' },
    ])
    expect(await bankSize()).toBe(before)
    const committed = await call(importAction, postRequest('/admin/questions/import', { file: data.file }, { cookie: organiser.cookie }))
    expect(committed.status).toBe(303)
    expect(committed.headers.get('Location')).toBe('/admin/questions/import?done=2')
    expect(await bankSize()).toBe(before + 2)
  })
})

describe('a webinar’s tests', () => {
  beforeAll(async () => {
    // Only these questions, whose second option is right, so the scores below are known.
    for (const q of await listBankQuestions(db)) await archiveQuestion(db, q.id)
    for (let i = 0; i < 3; i++) await createQuestion(db, { pillar: 'cakap', difficulty: 'easy', prompt: `Cakap ${i}?`, options: ['salah', 'benar'], correctOption: 1, explanation: `Penjelasan ${i}` }, organiser.id)
  })

  const settings = { pre: 'on', post: 'on', postOpenDays: '7', questionsPerPillar: '2' }

  test('the webinar’s moderator sets them up; another webinar’s moderator gets 404', async () => {
    const webinar = await publishedWebinar({ pillars: ['cakap'] })
    const own = await moderatorOf(webinar.id)
    const other = await moderatorOf((await publishedWebinar()).id)
    expect((await call(settingsLoader, getRequest(`/attendance/${webinar.slug}/tests`, { cookie: other.cookie }), { slug: webinar.slug })).status).toBe(404)
    expect((await call(settingsAction, postRequest(`/attendance/${webinar.slug}/tests`, settings, { cookie: other.cookie }), { slug: webinar.slug })).status).toBe(404)
    expect((await call(resultsCsvLoader, getRequest(`/attendance/${webinar.slug}/tests.csv`, { cookie: other.cookie }), { slug: webinar.slug })).status).toBe(404)
    const bad = await call(settingsAction, postRequest(`/attendance/${webinar.slug}/tests`, { ...settings, postOpenDays: '0' }, { cookie: own.cookie }), { slug: webinar.slug })
    expect(bad.status).toBe(400)
    expect((await bad.json()).errors.postOpenDays).toEqual(['tests.error.days'])
    const saved = await call(settingsAction, postRequest(`/attendance/${webinar.slug}/tests`, settings, { cookie: own.cookie }), { slug: webinar.slug })
    expect(saved.status).toBe(303)
    expect(await listWebinarQuestions(db, webinar.id)).toHaveLength(2)
  })

  test('a resident takes the pre-test by their link and sees only their own answers', async () => {
    const webinar = await publishedWebinar({ pillars: ['cakap'] })
    expect(await saveWebinarTests(db, webinar.id, { pre: true, post: true, postOpenDays: 7, questionsPerPillar: 2 }, organiser.id)).toMatchObject({ ok: true })
    const sri = await register(webinar.id)
    const budi = await register(webinar.id)
    const path = (token: string) => `/r/${token}/test/pre`
    const params = (token: string) => ({ token, kind: 'pre' })

    const personal = await (await call(personalLoader, getRequest(`/r/${sri.token}`), { token: sri.token })).json()
    expect(personal.learningTests.map((t: { kind: string; state: string }) => [t.kind, t.state])).toEqual([
      ['pre', 'open'],
      ['post', 'notYet'],
    ])
    expect((await call(testLoader, getRequest(`/r/${sri.token}/test/later`), { token: sri.token, kind: 'later' })).status).toBe(404)
    expect((await call(testLoader, getRequest(path('x'.repeat(43))), params('x'.repeat(43)))).status).toBe(404)

    expect((await call(testAction, postRequest(path(sri.token), { intent: 'start' }), params(sri.token))).status).toBe(303)
    let view = await (await call(testLoader, getRequest(path(sri.token)), params(sri.token))).json()
    expect(view.position).toBe(0)
    const [first, second] = view.attempt.questions
    const noChoice = await call(testAction, postRequest(`${path(sri.token)}?q=1`, { intent: 'answer', question: first.id }), params(sri.token))
    expect(noChoice.status).toBe(400)
    expect((await noChoice.json()).errors.answer).toEqual(['tests.error.chooseOne'])
    // Saved at once: the page comes back at the next question with the first one answered.
    expect((await call(testAction, postRequest(path(sri.token), { intent: 'answer', question: first.id, answer: '1' }), params(sri.token))).status).toBe(303)
    view = await (await call(testLoader, getRequest(path(sri.token)), params(sri.token))).json()
    expect(view.position).toBe(1)
    expect(view.attempt.questions[0].chosen).toBe(1)

    // Budi's link shows Budi's attempt, never Sri's answers.
    await call(testAction, postRequest(path(budi.token), { intent: 'start' }), params(budi.token))
    const budiView = await (await call(testLoader, getRequest(path(budi.token)), params(budi.token))).json()
    expect(budiView.attempt.questions.every((q: { chosen: number | null }) => q.chosen === null)).toBe(true)

    const early = await call(testAction, postRequest(path(sri.token), { intent: 'finish' }), params(sri.token))
    expect(early.status).toBe(400)
    expect((await early.json()).errors['']).toEqual(['tests.page.unanswered?count=1'])
    await call(testAction, postRequest(path(sri.token), { intent: 'answer', question: second.id, answer: '0' }), params(sri.token))
    expect((await call(testAction, postRequest(path(sri.token), { intent: 'finish' }), params(sri.token))).status).toBe(303)
    view = await (await call(testLoader, getRequest(path(sri.token)), params(sri.token))).json()
    expect(view.attempt).toMatchObject({ correct: 1, total: 2 })
    expect(view.attempt.questions[1]).toMatchObject({ chosen: 0, correctOption: 1 })
    const again = await call(testAction, postRequest(path(sri.token), { intent: 'answer', question: second.id, answer: '1' }), params(sri.token))
    expect(again.status).toBe(409)

    // The post-test is not open before the webinar ends.
    expect((await call(testAction, postRequest(`/r/${sri.token}/test/post`, { intent: 'start' }), { token: sri.token, kind: 'post' })).status).toBe(409)
  })

  test(`after ${RESIDENT_LIMITS.testAnswersPerRegistration.limit} posts from one link, answering is refused (429, Retry-After) beside the question with the choice kept, and nothing is saved; another resident answers on`, async () => {
    const webinar = await publishedWebinar({ pillars: ['cakap'] })
    await saveWebinarTests(db, webinar.id, { pre: true, post: false, postOpenDays: 7, questionsPerPillar: 2 }, organiser.id)
    const sri = await register(webinar.id)
    const budi = await register(webinar.id)
    const path = (token: string) => `/r/${token}/test/pre`
    const params = (token: string) => ({ token, kind: 'pre' })
    const { limit, windowMs } = RESIDENT_LIMITS.testAnswersPerRegistration
    expect((await call(testAction, postRequest(path(sri.token), { intent: 'start' }), params(sri.token))).status).toBe(303)
    const [first, second] = (await (await call(testLoader, getRequest(path(sri.token)), params(sri.token))).json()).attempt.questions
    // The start was the first post; changing the first answer back and forth uses up the rest.
    for (let i = 1; i < limit; i++) {
      expect((await call(testAction, postRequest(`${path(sri.token)}?q=1`, { intent: 'answer', question: first.id, answer: String(i % 2) }), params(sri.token))).status).toBe(303)
    }
    const refused = await call(testAction, postRequest(`${path(sri.token)}?q=2`, { intent: 'answer', question: second.id, answer: '1' }), params(sri.token))
    expect(refused.status).toBe(429)
    expect(refused.headers.get('Cache-Control')).toBe('private, no-store')
    const retryAfter = Number(refused.headers.get('Retry-After'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(windowMs / 1000)
    const body = await refused.json()
    expect(body.errors).toEqual({ answer: [message('tests.error.tooMany', { minutes: Math.ceil(retryAfter / 60) })] })
    expect(body.values).toEqual({ question: second.id, answer: '1' })
    // The all-on-one-page form and finishing are refused too, at the top of the form.
    const finish = await call(testAction, postRequest(`${path(sri.token)}?view=all`, { intent: 'finish', [`a.${second.id}`]: '0' }), params(sri.token))
    expect(finish.status).toBe(429)
    const finishBody = await finish.json()
    expect(finishBody.errors['']).toEqual([message('tests.error.tooMany', { minutes: Math.ceil(Number(finish.headers.get('Retry-After')) / 60) })])
    expect(finishBody.values).toEqual({ [`a.${second.id}`]: '0' })
    const view = await (await call(testLoader, getRequest(path(sri.token)), params(sri.token))).json()
    expect(view.attempt.finishedAt).toBeNull()
    expect(view.attempt.questions.find((q: { id: string }) => q.id === second.id).chosen).toBeNull()
    // The count is kept per link, under a hash: Budi, behind the same address, answers on.
    expect((await call(testAction, postRequest(path(budi.token), { intent: 'start' }), params(budi.token))).status).toBe(303)
    expect((await call(testAction, postRequest(path(budi.token), { intent: 'answer', question: first.id, answer: '1' }), params(budi.token))).status).toBe(303)
    const keys = (await db.selectFrom('rate_limits').select('key').execute()).map((r) => r.key)
    expect(keys.some((key) => key.includes(sri.token))).toBe(false)
  })

  test('a result is reached only through its own link: another resident\'s link shows theirs, a cancelled or erased link is 404 for its page and its posts alike, the results CSV is staff-only', async () => {
    const { cancelRegistration } = await import('#app/models/registration.server')
    const { eraseRegistrationByToken } = await import('#app/models/personal-data.server')
    const webinar = await publishedWebinar({ pillars: ['cakap'] })
    await saveWebinarTests(db, webinar.id, { pre: true, post: false, postOpenDays: 7, questionsPerPillar: 2 }, organiser.id)
    const [sri, budi, ani, dewi] = [await register(webinar.id), await register(webinar.id), await register(webinar.id), await register(webinar.id)]
    const path = (token: string) => `/r/${token}/test/pre`
    const params = (token: string) => ({ token, kind: 'pre' })
    const view = async (token: string) => call(testLoader, getRequest(path(token)), params(token))
    const finishAll = async (token: string, option: string) => {
      await call(testAction, postRequest(path(token), { intent: 'start' }), params(token))
      const questions = (await (await view(token)).json()).attempt.questions as Array<{ id: string }>
      for (const q of questions) await call(testAction, postRequest(path(token), { intent: 'answer', question: q.id, answer: option }), params(token))
      expect((await call(testAction, postRequest(path(token), { intent: 'finish' }), params(token))).status).toBe(303)
    }
    // Sri gets everything right, Budi everything wrong: each link shows its own score and choices.
    await finishAll(sri.token, '1')
    await finishAll(budi.token, '0')
    const sriResult = await (await view(sri.token)).json()
    const budiResult = await (await view(budi.token)).json()
    expect(sriResult.attempt).toMatchObject({ correct: 2, total: 2 })
    expect(budiResult.attempt).toMatchObject({ correct: 0, total: 2 })
    expect(budiResult.attempt.questions.map((q: { chosen: number }) => q.chosen)).toEqual([0, 0])
    // A link whose registration was cancelled or erased shows nothing any more; an unknown one neither.
    await finishAll(ani.token, '1')
    expect(await cancelRegistration(db, ani.token)).toBe(true)
    expect((await view(ani.token)).status).toBe(404)
    // Its posts are 404 too, as the page is: the link no longer names a seat holder.
    for (const intent of ['start', 'answers', 'finish']) expect((await call(testAction, postRequest(path(ani.token), { intent }), params(ani.token))).status, intent).toBe(404)
    // A test the webinar does not have (no post-test here): its page and its posts alike are 404.
    const post = { token: sri.token, kind: 'post' }
    expect((await call(testLoader, getRequest(`/r/${sri.token}/test/post`), post)).status).toBe(404)
    for (const intent of ['start', 'finish']) expect((await call(testAction, postRequest(`/r/${sri.token}/test/post`, { intent }), post)).status, intent).toBe(404)
    await finishAll(dewi.token, '1')
    expect(await eraseRegistrationByToken(db, dewi.token)).not.toBeNull()
    expect((await view(dewi.token)).status).toBe(404)
    expect((await view(sri.token.slice(0, -4) + 'AAAA')).status).toBe(404)
    // Everyone's results are in the CSV, for staff only: a personal link alone gets the sign-in page.
    const csv = await call(resultsCsvLoader, getRequest(`/attendance/${webinar.slug}/tests.csv?token=${sri.token}`), { slug: webinar.slug })
    expect(csv.status).toBe(302)
    expect(csv.headers.get('Location')).toMatch(/^\/login/)
  })

  test('the all-on-one-page form saves every answer given, and finishes', async () => {
    const webinar = await publishedWebinar({ pillars: ['cakap'] })
    await saveWebinarTests(db, webinar.id, { pre: true, post: false, postOpenDays: 7, questionsPerPillar: 2 }, organiser.id)
    const resident = await register(webinar.id, { name: '=HYPERLINK("http://evil.example")' })
    const params = { token: resident.token, kind: 'pre' }
    const path = `/r/${resident.token}/test/pre?view=all`
    await call(testAction, postRequest(path, { intent: 'start' }), params)
    const view = await (await call(testLoader, getRequest(path), params)).json()
    const [a, b] = view.attempt.questions
    expect((await call(testAction, postRequest(path, { intent: 'answers', [`a.${a.id}`]: '1' }), params)).status).toBe(303)
    expect((await call(testAction, postRequest(path, { intent: 'finish', [`a.${b.id}`]: '1' }), params)).status).toBe(303)
    const done = await (await call(testLoader, getRequest(path), params)).json()
    expect(done.attempt).toMatchObject({ correct: 2, total: 2 })

    const csv = await call(resultsCsvLoader, getRequest(`/attendance/${webinar.slug}/tests.csv`, { cookie: organiser.cookie }), { slug: webinar.slug })
    expect(csv.status).toBe(200)
    const rows = parse(await csv.text(), { bom: true }) as string[][]
    expect(rows[1]!.slice(0, 3)).toEqual([`'=HYPERLINK("http://evil.example")`, resident.email, 'Pre-test'])
    expect(rows[1]![5]).toBe('2')
    expect(rows[1]![7]).toBe('100')
  })
})
