// A resident takes the pre-test and, after the webinar, the post-test, in real Chromium on a
// 360×740 phone screen, with and without JavaScript: from the personal page, one question per
// screen (leaving half-way and coming back) and all on one page, to the result with explanations.
// Then the whole journey: pre-test, check-in with the announced code, post-test and evaluation,
// and the certificate the gate holds back until both are done. (The speaker's slides, uploaded
// and downloaded, are in after-webinar.test.ts.)
import type { Locator, Page } from 'playwright-core'
import { translate, type MessageKey } from '#app/i18n'
import { finaliseAttendance, openCheckinWindow } from '#app/models/attendance.server'
import { saveWebinarTests } from '#app/models/learning-test.server'
import { createQuestion } from '#app/models/question.server'
import { registerParticipant } from '#app/models/registration.server'
import { addMinutes, nowIso, utcToLocal } from '#app/utils/time'
import {
  blockingViolations,
  createStaff,
  expectNoScripts,
  expectNoSideways,
  expectVisible,
  launchBrowser,
  postForm,
  publishWebinarOn,
  startTestServer,
  type BrowserSession,
  type TestServer,
} from './harness'

const t = (key: MessageKey, vars?: Record<string, string | number>) => translate('id', key, vars)

let server: TestServer
let organiserId: string
let residents = 0

beforeAll(async () => {
  server = await startTestServer()
  organiserId = (await createStaff(server.db, 'organiser')).id
  // Three questions whose right answer is "Benar", with an explanation each.
  for (const n of [1, 2, 3]) {
    await createQuestion(server.db, { pillar: 'aman', difficulty: 'easy', prompt: `Soal keamanan nomor ${n}?`, options: ['Salah satu', 'Benar', 'Salah dua'], correctOption: 1, explanation: `Penjelasan soal ${n}.` }, organiserId)
  }
})

afterAll(async () => {
  await server?.stop()
})

/** A webinar on Aman Digital with both tests on, and one resident registered a day before `date`. */
async function webinarWithResident(date: string) {
  const webinar = await publishWebinarOn(server.db, organiserId, { pillars: ['aman'], date, topic: `Aman Digital ${date}` })
  const saved = await saveWebinarTests(server.db, webinar.id, { pre: true, post: true, postOpenDays: 7, questionsPerPillar: 3 }, organiserId)
  if (!saved.ok) throw new Error(saved.reason)
  const n = ++residents
  const registered = await registerParticipant(
    server.db,
    webinar.id,
    { name: `Warga Tes ${n}`, email: `warga.tes${n}@example.org`, whatsapp: `+6281300000${String(n).padStart(3, '0')}`, regencyCode: '33.10', occupation: 'guru', ageRange: '25-34', gender: null, lang: 'id' },
    new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString(),
  )
  if (!registered.ok) throw new Error(registered.reason)
  return registered.token
}

/** Picks the option with this text in the question on screen (by its label, as a thumb would). */
async function choose(page: Page, text: string, scope = page.locator('body')) {
  await scope.getByLabel(text, { exact: true }).check()
}

/** Moves a webinar so that it started `minutesAgo` minutes ago and lasts three hours: the clock of the journey. */
async function startedAgo(token: string, minutesAgo: number) {
  const start = addMinutes(nowIso(), -minutesAgo)
  const { webinar_id } = await server.db.selectFrom('registrations').select('webinar_id').where('token', '=', token).executeTakeFirstOrThrow()
  await server.db.updateTable('webinars').set({ start_at: start, end_at: addMinutes(start, 180) }).where('id', '=', webinar_id).execute()
  return webinar_id
}

/** The start of a message whose end holds a variable (the minutes to wait, a time). */
function lead(key: MessageKey): string {
  return t(key, { minutes: '\u0000', time: '\u0000' }).split('\u0000')[0]!
}

/** On screen without scrolling, at the phone's 740 px height. */
async function expectInView(locator: Locator) {
  await expectVisible(locator)
  const box = (await locator.boundingBox())!
  expect(box.y).toBeGreaterThanOrEqual(0)
  expect(box.y + box.height).toBeLessThanOrEqual(740)
}

async function attempt(token: string, kind: 'pre' | 'post') {
  return server.db
    .selectFrom('test_attempts')
    .innerJoin('registrations', 'registrations.id', 'test_attempts.registration_id')
    .select(['test_attempts.finished_at', 'test_attempts.correct', 'test_attempts.total'])
    .where('registrations.token', '=', token)
    .where('test_attempts.kind', '=', kind)
    .executeTakeFirst()
}

describe.each([
  { javaScriptEnabled: true, mode: 'with JavaScript' },
  { javaScriptEnabled: false, mode: 'without JavaScript' },
])('$mode', ({ javaScriptEnabled }) => {
  let browser: BrowserSession

  beforeAll(async () => {
    browser = await launchBrowser({ javaScriptEnabled, baseURL: server.url, viewport: { width: 360, height: 740 } })
  })

  // axe-core runs in the page's own JavaScript (its timers stall without it): the pages are
  // audited in the run with it on, for violations of any impact.
  const audit = async () => {
    if (javaScriptEnabled) expect(await blockingViolations(browser.page, { every: true })).toEqual([])
  }

  afterAll(async () => {
    await browser?.close()
  })

  test('the pre-test, one question per screen, left half-way and finished later, then the result', async () => {
    const token = await webinarWithResident('2031-06-10')
    const { page } = browser
    await page.goto(`/r/${token}`)
    await expectVisible(page.getByRole('heading', { name: t('tests.section.title') }))
    await page.getByRole('link', { name: t('tests.start', { kind: t('tests.kind.pre') }) }).click()
    await expectVisible(page.getByRole('button', { name: t('tests.page.begin') }))
    await expectNoScripts(page)
    await expectNoSideways(page)
    await page.getByRole('button', { name: t('tests.page.begin') }).click()

    await expectVisible(page.getByText(t('tests.page.progress', { n: 1, total: 3 })))
    await expectNoSideways(page)
    await choose(page, 'Benar')
    await page.getByRole('button', { name: t('tests.page.saveNext') }).click()
    await expectVisible(page.getByText(t('tests.page.progress', { n: 2, total: 3 })))

    // The connection drops: back on the personal page later, the answer given is kept.
    await page.goto(`/r/${token}`)
    await page.getByRole('link', { name: t('tests.continue', { kind: t('tests.kind.pre'), answered: 1, total: 3 }) }).click()
    await expectVisible(page.getByText(t('tests.page.progress', { n: 2, total: 3 })))
    // Posting without a choice says so beside the question.
    await page.getByRole('button', { name: t('tests.page.saveNext') }).click()
    await expectVisible(page.getByText(t('tests.error.chooseOne')))
    await choose(page, 'Salah satu')
    await page.getByRole('button', { name: t('tests.page.saveNext') }).click()
    await expectVisible(page.getByText(t('tests.page.progress', { n: 3, total: 3 })))
    await choose(page, 'Benar')
    await page.getByRole('button', { name: t('tests.page.saveNext') }).click()

    await expectVisible(page.getByText(t('tests.page.review', { total: 3 })))
    await expectNoSideways(page)
    await page.getByRole('button', { name: t('tests.page.finish') }).click()
    await expectVisible(page.getByRole('heading', { name: t('tests.result.title') }))
    await expectVisible(page.getByText(t('tests.result.score', { correct: 2, total: 3, percent: '66,7%' })))
    // The one wrong answer comes with the right one and its explanation.
    await expectVisible(page.getByText(t('tests.result.correctAnswer', { answer: 'Benar' })))
    expect(await page.getByText(/^Penjelasan: Penjelasan soal \d\.$/).count()).toBe(1)
    await expectNoSideways(page)
    expect(await attempt(token, 'pre')).toMatchObject({ correct: 2, total: 3 })

    // One attempt: the personal page now links to the result only.
    await page.goto(`/r/${token}`)
    await expectVisible(page.getByRole('link', { name: t('tests.seeResult', { kind: t('tests.kind.pre'), correct: 2, total: 3 }) }))
  })

  test('after the webinar, the post-test with every question on one page', async () => {
    // Ended yesterday (local date in WIB), so the post-test is open for a week.
    const yesterday = utcToLocal(new Date(Date.now() - 86_400_000).toISOString(), 'WIB').date
    const token = await webinarWithResident(yesterday)
    const { page } = browser
    await page.goto(`/r/${token}`)
    await page.getByRole('link', { name: t('tests.start', { kind: t('tests.kind.post') }) }).click()
    await page.getByRole('button', { name: t('tests.page.begin') }).click()
    await page.getByRole('link', { name: t('tests.page.allOnOnePage') }).click()
    await expectVisible(page.getByText(t('tests.page.answered', { answered: 0, total: 3 })))
    await expectNoSideways(page)
    const questions = page.locator('fieldset')
    expect(await questions.count()).toBe(3)
    await choose(page, 'Benar', questions.nth(0))
    await page.getByRole('button', { name: t('tests.page.saveAll') }).click()
    await expectVisible(page.getByText(t('tests.page.saved')))
    await expectVisible(page.getByText(t('tests.page.answered', { answered: 1, total: 3 })))
    await choose(page, 'Benar', questions.nth(1))
    await choose(page, 'Benar', questions.nth(2))
    await page.getByRole('button', { name: t('tests.page.finish') }).click()
    await expectVisible(page.getByText(t('tests.result.score', { correct: 3, total: 3, percent: '100%' })))
    expect(await attempt(token, 'post')).toMatchObject({ correct: 3, total: 3 })
    // The pre-test closed at the start without an attempt: the personal page says so.
    await page.goto(`/r/${token}`)
    await expectVisible(page.getByText(t('tests.state.closed')))
  })

  test('the journey: pre-test, check-in with the code, post-test and evaluation, then the gated certificate', { timeout: 60_000 }, async () => {
    const token = await webinarWithResident('2031-07-10')
    const { page } = browser
    const { webinar_id: webinarId } = await server.db.selectFrom('registrations').select('webinar_id').where('token', '=', token).executeTakeFirstOrThrow()
    // The organiser gates the certificate: the evaluation and, as the webinar has one, the post-test first.
    await server.db.updateTable('webinars').set({ certificate_gate: 1 }).where('id', '=', webinarId).execute()

    // Before: the pre-test, one question per screen.
    await page.goto(`/r/${token}`)
    await page.getByRole('link', { name: t('tests.start', { kind: t('tests.kind.pre') }) }).click()
    await page.getByRole('button', { name: t('tests.page.begin') }).click()
    await expectVisible(page.getByText(t('tests.page.progress', { n: 1, total: 3 })))
    await audit()
    for (const n of [1, 2, 3]) {
      await expectVisible(page.getByText(t('tests.page.progress', { n, total: 3 })))
      await choose(page, n === 1 ? 'Salah satu' : 'Benar')
      await page.getByRole('button', { name: t('tests.page.saveNext') }).click()
    }
    await page.getByRole('button', { name: t('tests.page.finish') }).click()
    await expectVisible(page.getByText(t('tests.result.score', { correct: 2, total: 3, percent: '66,7%' })))
    await audit()
    await expectNoSideways(page)

    // During: the moderator opens check-in and announces the code; the resident types it.
    await startedAgo(token, 20)
    await openCheckinWindow(server.db, webinarId, organiserId, 15)
    const { checkin_code } = await server.db.selectFrom('webinars').select('checkin_code').where('id', '=', webinarId).executeTakeFirstOrThrow()
    await page.goto(`/r/${token}`)
    await page.getByLabel(t('checkin.code'), { exact: true }).fill(checkin_code!)
    await page.getByRole('button', { name: t('checkin.submit'), exact: true }).click()
    await expectVisible(page.getByText(lead('checkin.done')))
    await expectNoSideways(page)

    // After: attendance is final and the certificate issued, but the gate holds it back.
    await startedAgo(token, 300)
    expect(await finaliseAttendance(server.db, webinarId, organiserId)).toMatchObject({ ok: true, present: 1 })
    await page.goto(`/r/${token}/certificate.pdf`)
    await expectVisible(page.getByText(t('gate.intro'), { exact: true }))
    expect(new URL(page.url()).pathname).toBe(`/r/${token}`)
    expect(await page.getByRole('link', { name: t('certificate.download'), exact: true }).count()).toBe(0)
    await expectVisible(page.getByRole('link', { name: t('gate.step.evaluation'), exact: true }))
    await audit()
    await expectNoSideways(page)

    // The post-test, all on one page, from the step the gate lists.
    await page.getByRole('link', { name: t('gate.step.postTest'), exact: true }).click()
    await page.getByRole('button', { name: t('tests.page.begin') }).click()
    await page.getByRole('link', { name: t('tests.page.allOnOnePage') }).click()
    const questions = page.locator('fieldset')
    await expectVisible(questions.first())
    await audit()
    await expectNoSideways(page)
    for (let i = 0; i < 3; i++) await choose(page, 'Benar', questions.nth(i))
    await page.getByRole('button', { name: t('tests.page.finish') }).click()
    await expectVisible(page.getByText(t('tests.result.score', { correct: 3, total: 3, percent: '100%' })))
    expect(await attempt(token, 'post')).toMatchObject({ correct: 3, total: 3 })

    // Only the evaluation is left now.
    await page.goto(`/r/${token}`)
    await expectVisible(page.getByText(t('gate.intro'), { exact: true }))
    expect(await page.getByRole('link', { name: t('gate.step.postTest'), exact: true }).count()).toBe(0)
    expect(await page.getByRole('link', { name: t('certificate.download'), exact: true }).count()).toBe(0)
    await page.getByRole('link', { name: t('gate.step.evaluation'), exact: true }).click()
    await page.getByRole('heading', { level: 1, name: t('evaluation.title'), exact: true }).waitFor()
    await audit()
    await expectNoSideways(page)
    const ratings = page.locator('fieldset.rating')
    const count = await ratings.count()
    expect(count).toBeGreaterThanOrEqual(3)
    for (let i = 0; i < count; i++) await ratings.nth(i).getByLabel('4', { exact: true }).check()
    await page.getByLabel(t('evaluation.comment')).fill('Soalnya membantu, terima kasih.')
    await page.getByRole('button', { name: t('evaluation.submit'), exact: true }).click()

    // Released: the certificate downloads.
    await expectVisible(page.getByText(t('evaluation.thanks'), { exact: true }))
    const link = page.getByRole('link', { name: t('certificate.download'), exact: true })
    await expectVisible(link)
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    const chunks: Buffer[] = []
    for await (const chunk of await download.createReadStream()) chunks.push(Buffer.from(chunk as Buffer))
    expect(Buffer.concat(chunks).subarray(0, 5).toString()).toBe('%PDF-')
    await audit()
    await expectNoSideways(page)
  })

  test('too many posts from one link: the refusal answers in view, with the choice still marked and nothing saved; the evaluation too', { timeout: 60_000 }, async () => {
    const yesterday = utcToLocal(new Date(Date.now() - 86_400_000).toISOString(), 'WIB').date
    const token = await webinarWithResident(yesterday)
    const { page } = browser
    await page.goto(`/r/${token}/test/post`)
    await page.getByRole('button', { name: t('tests.page.begin') }).click()
    await expectVisible(page.getByText(t('tests.page.progress', { n: 1, total: 3 })))
    // Someone posts from this link over and over (refused posts count too) until the limit is used up.
    for (let i = 0; i < 199; i++) expect((await postForm(server, `/r/${token}/test/post`, { intent: 'again' })).status).toBe(400)
    await choose(page, 'Benar')
    const [answered] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: t('tests.page.saveNext') }).click()])
    expect(answered.status()).toBe(429)
    await expectInView(page.locator('#answer-error').getByText(lead('tests.error.tooMany')))
    expect(await page.getByLabel('Benar', { exact: true }).isChecked()).toBe(true)
    await expectNoSideways(page)
    await audit()
    expect(await attempt(token, 'post')).toMatchObject({ finished_at: null })
    const answers = await server.db
      .selectFrom('test_answers')
      .innerJoin('test_attempts', 'test_attempts.id', 'test_answers.attempt_id')
      .innerJoin('registrations', 'registrations.id', 'test_attempts.registration_id')
      .select('test_answers.question_id')
      .where('registrations.token', '=', token)
      .execute()
    expect(answers).toEqual([])

    // The evaluation: 20 posts per link.
    for (let i = 0; i < 20; i++) expect((await postForm(server, `/r/${token}/evaluation`, {})).status).toBe(400)
    await page.goto(`/r/${token}/evaluation`)
    const ratings = page.locator('fieldset.rating')
    const count = await ratings.count()
    for (let i = 0; i < count; i++) await ratings.nth(i).getByLabel('4', { exact: true }).check()
    const [evaluated] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: t('evaluation.submit'), exact: true }).click()])
    expect(evaluated.status()).toBe(429)
    await expectInView(page.getByText(lead('evaluation.tooMany')))
    for (let i = 0; i < count; i++) expect(await ratings.nth(i).getByLabel('4', { exact: true }).isChecked()).toBe(true)
    await expectNoSideways(page)
    await audit()
  })
})
