// A resident takes the pre-test and, after the webinar, the post-test, in real Chromium on a
// 360×740 phone screen, with and without JavaScript: from the personal page, one question per
// screen (leaving half-way and coming back) and all on one page, to the result with explanations.
import type { Page } from 'playwright-core'
import { translate, type MessageKey } from '#app/i18n'
import { saveWebinarTests } from '#app/models/learning-test.server'
import { createQuestion } from '#app/models/question.server'
import { registerParticipant } from '#app/models/registration.server'
import { utcToLocal } from '#app/utils/time'
import { createStaff, expectNoScripts, expectNoSideways, expectVisible, launchBrowser, publishWebinarOn, startTestServer, type BrowserSession, type TestServer } from './harness'

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
})
