// An axe-core audit (WCAG 2.1 A and AA, plus best practice) of the pages residents and
// organisers use, rendered by the production build in Chromium at 360×740 and hydrated.
import type { Page } from 'playwright-core'
import { translate, type MessageKey } from '#app/i18n'
import { markAttendance } from '#app/models/attendance.server'
import { reissueCertificate, revokeCertificate } from '#app/models/certificate.server'
import { createPerson } from '#app/models/person.server'
import { insertBenchAttempts, insertBenchEvaluations } from '#app/models/programme-report.server'
import { registerParticipant } from '#app/models/registration.server'
import { assignRole } from '#app/models/webinar-role.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { webinarForm } from '#tests/setup/factories'
import { blockingViolations, createStaff, launchBrowser, signInBrowser, startTestServer, waitForHydration, type BrowserSession, type TestServer } from './harness'
import { arrangeResidentPages, PAST_TOPIC, TOPIC } from './resident-pages'

const t = (key: MessageKey, vars?: Record<string, string | number>) => translate('id', key, vars)

let server: TestServer
let browser: BrowserSession
let organiser: Awaited<ReturnType<typeof createStaff>>
let webinar: { id: string; slug: string }
let personalToken: string
let pastWebinar: { id: string; slug: string }
let certificateNumber: string
let pastToken: string

beforeAll(async () => {
  server = await startTestServer()
  organiser = await createStaff(server.db, 'organiser', { password: 'kata-sandi-yang-panjang-1' })
  ;({ webinar, pastWebinar, personalToken, pastToken, certificateNumber } = await arrangeResidentPages(server.db, organiser.id))
  browser = await launchBrowser({ baseURL: server.url, viewport: { width: 360, height: 740 } })
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

/** Staff pages hydrate before they are audited; resident pages ship no scripts to wait for. */
async function settle(page: Page) {
  if (await page.evaluate(() => '__remixContext' in window)) await waitForHydration(page)
}

/** Opens the page, makes sure it is the one meant (not a login redirect or an error page), then audits it. */
async function audit(path: string, heading: string) {
  const { page } = browser
  await page.goto(path)
  await settle(page)
  await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor({ timeout: 5_000 })
  return blockingViolations(page)
}

describe('no serious or critical axe violations', () => {
  test('the catalogue', async () => {
    expect(await audit('/webinars', t('catalogue.title'))).toEqual([])
  })

  test('the catalogue with its filters open', async () => {
    expect(await audit('/webinars?province=33', t('catalogue.title'))).toEqual([])
  })

  test('a webinar page with its registration form', async () => {
    expect(await audit(`/webinars/${webinar.slug}`, TOPIC)).toEqual([])
  })

  test('a webinar page showing the errors of an empty registration', async () => {
    const { page } = browser
    await page.goto(`/webinars/${webinar.slug}`)
    await settle(page)
    await page.getByRole('button', { name: t('register.submit'), exact: true }).click()
    await page.getByRole('alert').first().waitFor()
    expect(await page.getByLabel(t('register.name'), { exact: true }).getAttribute('aria-invalid')).toBe('true')
    expect(await blockingViolations(page)).toEqual([])
  })

  test('the confirmation page after registering', async () => {
    expect(await audit(`/webinars/${webinar.slug}/registered`, t('registered.title'))).toEqual([])
  })

  test('a personal page', async () => {
    expect(await audit(`/r/${personalToken}`, TOPIC)).toEqual([])
  })

  test('a personal page asking to confirm the cancellation', async () => {
    expect(await audit(`/r/${personalToken}?confirm=cancel`, TOPIC)).toEqual([])
  })

  test('the login page', async () => {
    await browser.context.clearCookies()
    expect(await audit('/login', t('login.title'))).toEqual([])
  })

  test("the organiser's webinar page", async () => {
    await signInBrowser(browser, server, organiser)
    expect(await audit(`/admin/webinars/${webinar.slug}`, TOPIC)).toEqual([])
    await browser.context.clearCookies()
  })

  test('a personal page while the check-in window is open', async () => {
    expect(await audit(`/r/${personalToken}`, TOPIC)).toEqual([])
    await browser.page.getByLabel(t('checkin.code'), { exact: true }).waitFor()
  })

  test('the certificate lookup and a valid certificate', async () => {
    expect(await audit('/certificates', t('certificate.verifyTitle'))).toEqual([])
    expect(await audit(`/certificates/${certificateNumber}`, t('certificate.verifyTitle'))).toEqual([])
  })

  test('an unknown certificate number', async () => {
    expect(await audit('/certificates/0000-0000-0000-0000', t('certificate.verifyTitle'))).toEqual([])
  })

  test('the privacy notice the consent box links to', async () => {
    expect(await audit('/privacy', t('privacyNotice.title'))).toEqual([])
  })

  test('a past webinar’s page with its lost-link entry, and the personal page after it', async () => {
    expect(await audit(`/webinars/${pastWebinar.slug}`, PAST_TOPIC)).toEqual([])
    expect(await audit(`/webinars/${pastWebinar.slug}/link`, t('lostLink.title'))).toEqual([])
    expect(await audit(`/r/${pastToken}`, PAST_TOPIC)).toEqual([])
  })

  // Last of the certificate pages: it replaces the valid certificate the tests above verify.
  test('the replaced and the revoked verdicts pass the contrast check', async () => {
    const old = await server.db.selectFrom('certificates').select(['id', 'webinar_id']).where('number', '=', certificateNumber).executeTakeFirstOrThrow()
    const reissued = await reissueCertificate(server.db, old.webinar_id, old.id, 'Budi Santoso, S.Kom.')
    if (!reissued.ok) throw new Error('not reissued')
    const current = await server.db.selectFrom('certificates').select(['id', 'number']).where('replaces_id', '=', old.id).executeTakeFirstOrThrow()
    expect((await revokeCertificate(server.db, old.webinar_id, current.id, organiser.id, 'Uji')).ok).toBe(true)
    expect(await audit(`/certificates/${certificateNumber}`, t('certificate.verifyTitle'))).toEqual([])
    await browser.page.locator('.verdict-replaced').waitFor()
    expect(await audit(`/certificates/${current.number}`, t('certificate.verifyTitle'))).toEqual([])
    await browser.page.locator('.verdict-revoked').waitFor()
  })

  describe('signed in as an organiser', () => {
    beforeAll(async () => {
      await signInBrowser(browser, server, organiser)
    })
    afterAll(async () => {
      await browser.context.clearCookies()
    })

    test('the attendance console with its check-in window open', async () => {
      expect(await audit(`/attendance/${webinar.slug}`, t('attendance.heading', { topic: TOPIC }))).toEqual([])
    })

    test('the finalised attendance console of a past webinar', async () => {
      expect(await audit(`/attendance/${pastWebinar.slug}`, t('attendance.heading', { topic: PAST_TOPIC }))).toEqual([])
    })

    test('the Zoom report upload', async () => {
      expect(await audit(`/attendance/${webinar.slug}/import`, t('import.title'))).toEqual([])
    })

    test("a webinar's report", async () => {
      expect(await audit(`/attendance/${pastWebinar.slug}/report`, t('report.title', { topic: PAST_TOPIC }))).toEqual([])
    })

    test('the programme dashboard, with its learning gain and satisfaction charts and tables', async () => {
      // Two anonymous evaluations and one resident's pre- and post-test on the past webinar, so
      // every section of the dashboard is drawn.
      await insertBenchEvaluations(
        server.db,
        [4, 5].map((rating) => ({ id: `a11y-evaluation-${rating}`, webinarId: pastWebinar.id, registrationId: null, submittedAt: '2021-09-02T00:00:00.000Z', ratings: { content: rating, speakers: [rating], moderator: rating, platform: rating } })),
      )
      const untested = await server.db
        .selectFrom('registrations')
        .select('id')
        .where('webinar_id', '=', pastWebinar.id)
        .where('status', '=', 'registered')
        .where((eb) => eb.not(eb.exists(eb.selectFrom('test_attempts').select('test_attempts.id').whereRef('test_attempts.registration_id', '=', 'registrations.id'))))
        .executeTakeFirstOrThrow()
      await insertBenchAttempts(
        server.db,
        (['pre', 'post'] as const).map((kind) => ({
          id: `a11y-attempt-${kind}`,
          webinarId: pastWebinar.id,
          registrationId: untested.id,
          kind,
          startedAt: '2021-09-01T00:00:00.000Z',
          finishedAt: '2021-09-01T00:10:00.000Z',
          paired: 1,
          pillars: { cakap: { total: 4, correct: kind === 'pre' ? 2 : 3 } },
        })),
      )
      expect(await audit('/admin/reports', t('programme.title'))).toEqual([])
      for (const heading of ['tests.programme.byMonth', 'programme.satisfaction.byMonth'] as const) {
        await browser.page.getByRole('heading', { level: 3, name: t(heading), exact: true }).waitFor({ timeout: 5_000 })
      }
    })

    test("a webinar's certificates", async () => {
      expect(await audit(`/admin/webinars/${pastWebinar.slug}/certificates`, t('certificates.title'))).toEqual([])
    })

    test('the personal data page', async () => {
      expect(await audit('/admin/privacy', t('privacy.title'))).toEqual([])
    })
  })
})

describe('no serious or critical axe violations on the learning tests’ pages', () => {
  let questionId: string
  const tokens: Record<'fresh' | 'answering' | 'review' | 'done', string> = { fresh: '', answering: '', review: '', done: '' }

  beforeAll(async () => {
    const { registerParticipant } = await import('#app/models/registration.server')
    const { createQuestion } = await import('#app/models/question.server')
    const { finishAttempt, getAttemptView, saveAnswers, saveWebinarTests, startAttempt } = await import('#app/models/learning-test.server')
    for (const n of [1, 2]) {
      questionId = await createQuestion(server.db, { pillar: 'cakap', difficulty: 'medium', prompt: `Apa arti unduh ${n}?`, options: ['Mengirim berkas', 'Menyalin berkas ke perangkat'], correctOption: 1, explanation: 'Mengunduh berarti menyalin.' }, organiser.id)
    }
    const saved = await saveWebinarTests(server.db, webinar.id, { pre: true, post: true, postOpenDays: 7, questionsPerPillar: 2 }, organiser.id)
    if (!saved.ok) throw new Error(saved.reason)
    for (const [i, key] of (['fresh', 'answering', 'review', 'done'] as const).entries()) {
      const registered = await registerParticipant(server.db, webinar.id, { name: `Peserta Tes ${i}`, email: `tes.a11y${i}@example.org`, whatsapp: `+62812345000${i}0`, regencyCode: '33.10', occupation: 'guru', ageRange: '25-34', gender: null, lang: 'id' })
      if (!registered.ok) throw new Error(registered.reason)
      tokens[key] = registered.token
      if (key === 'fresh') continue
      await startAttempt(server.db, registered.token, 'pre')
      const questions = (await getAttemptView(server.db, registered.token, 'pre'))!.attempt!.questions
      const answers = key === 'answering' ? [] : questions.map((q, n) => ({ questionId: q.id, option: n }))
      await saveAnswers(server.db, registered.token, 'pre', answers)
      if (key === 'done') await finishAttempt(server.db, registered.token, 'pre')
    }
  })

  const testTitle = t('tests.page.title', { kind: t('tests.kind.pre'), topic: TOPIC })

  test('the test before it is begun, a question, all questions on one page, the review and the result', async () => {
    expect(await audit(`/r/${tokens.fresh}/test/pre`, testTitle)).toEqual([])
    expect(await audit(`/r/${tokens.answering}/test/pre`, testTitle)).toEqual([])
    expect(await audit(`/r/${tokens.answering}/test/pre?view=all`, testTitle)).toEqual([])
    expect(await audit(`/r/${tokens.review}/test/pre`, testTitle)).toEqual([])
    expect(await audit(`/r/${tokens.done}/test/pre`, testTitle)).toEqual([])
  })

  test('a question posted without an answer', async () => {
    const { page } = browser
    await page.goto(`/r/${tokens.answering}/test/pre`)
    await page.getByRole('button', { name: t('tests.page.saveNext') }).click()
    await page.getByText(t('tests.error.chooseOne')).waitFor()
    expect(await blockingViolations(page)).toEqual([])
  })

  test('the personal page with the tests’ section', async () => {
    expect(await audit(`/r/${tokens.done}`, TOPIC)).toEqual([])
  })

  describe('signed in as an organiser', () => {
    beforeAll(async () => {
      await signInBrowser(browser, server, organiser)
    })
    afterAll(async () => {
      await browser.context.clearCookies()
    })

    test('the question bank, a new question, an edit with its errors, the import', async () => {
      expect(await audit('/admin/questions', t('questions.title'))).toEqual([])
      expect(await audit('/admin/questions/new', t('questions.new.title'))).toEqual([])
      expect(await audit(`/admin/questions/${questionId}`, `${t('questions.edit.title')} (${t('questions.column.version')} 1)`)).toEqual([])
      const { page } = browser
      await page.getByLabel(t('questions.field.option', { n: 2 }), { exact: true }).fill('')
      await page.getByRole('button', { name: t('form.save') }).click()
      await page.getByText(t('questions.error.tooFewOptions')).waitFor()
      expect(await blockingViolations(page)).toEqual([])
      expect(await audit('/admin/questions/import', t('questions.import.title'))).toEqual([])
    })

    test("a webinar's test settings, and its report with the learning results", async () => {
      expect(await audit(`/attendance/${webinar.slug}/tests`, t('tests.settings.title'))).toEqual([])
      expect(await audit(`/attendance/${webinar.slug}/report`, t('report.title', { topic: TOPIC }))).toEqual([])
    })
  })
})

describe('no serious or critical axe violations on /me, the finalise confirmation and the issuer settings', () => {
  const ENDED_TOPIC = 'Keamanan Digital bagi Pelaku UMKM'
  let ended: { id: string; slug: string }
  let speaker: Awaited<ReturnType<typeof createStaff>>

  beforeAll(async () => {
    const db = server.db
    // A webinar that has ended with one resident marked present, not finalised yet; its speaker
    // has an account, so their /me lists it.
    speaker = await createStaff(db, 'speaker', { password: 'kata-sandi-yang-panjang-2', name: 'Narasumber Aksesibel' })
    const person = (name: string, userId: string | null) => createPerson(db, { name, title: 'Narasumber', organisation: 'Uji', email: null, whatsapp: null, bio: null, userId })
    const saved = await saveWebinar(db, webinarForm({ topic: ENDED_TOPIC, date: '2022-03-01', capacity: 50 }), { userId: organiser.id })
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
    ended = saved
    await assignRole(db, saved.id, { personId: await person('Moderator Selesai', null), role: 'moderator', talkTitle: null, pillar: null })
    await assignRole(db, saved.id, { personId: await person('Narasumber Aksesibel', speaker.id), role: 'speaker', talkTitle: 'Materi', pillar: 'aman' })
    if (!(await publishWebinar(db, saved.id)).ok) throw new Error('ended webinar not published')
    const attendee = await registerParticipant(
      db,
      saved.id,
      { name: 'Ani Lestari', email: 'ani.a11y@example.org', whatsapp: '+6281234567892', regencyCode: '33.10', occupation: 'guru', ageRange: '25-34', gender: null, lang: 'id' },
      '2022-02-27T00:00:00.000Z',
    )
    if (!attendee.ok) throw new Error(attendee.reason)
    const row = await db.selectFrom('registrations').select('id').where('token', '=', attendee.token).executeTakeFirstOrThrow()
    await markAttendance(db, saved.id, row.id, { present: true, reason: 'seenInMeeting', note: null }, organiser.id)
  })

  afterEach(async () => {
    await browser.context.clearCookies()
  })

  test("a speaker's /me with their assignment", async () => {
    await signInBrowser(browser, server, speaker)
    expect(await audit('/me', t('me.title'))).toEqual([])
    await browser.page.getByRole('heading', { level: 2, name: ENDED_TOPIC }).waitFor({ timeout: 5_000 })
  })

  test('the finalise confirmation step, with its counts', async () => {
    await signInBrowser(browser, server, organiser)
    expect(await audit(`/attendance/${ended.slug}?confirm=finalise`, t('attendance.heading', { topic: ENDED_TOPIC }))).toEqual([])
    await browser.page.getByRole('button', { name: t('attendance.finalise.confirmSubmit') }).waitFor()
  })

  test('the certificate issuer settings, and the same page refusing a hostile SVG beside its field', async () => {
    await signInBrowser(browser, server, organiser)
    expect(await audit('/admin/issuer', t('issuer.title'))).toEqual([])
    const { page } = browser
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script></svg>'
    await page.getByLabel(t('issuer.logo')).setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(svg) })
    await page.getByRole('button', { name: t('form.save') }).click()
    await page.getByRole('alert').waitFor()
    expect(await page.getByLabel(t('issuer.logo')).getAttribute('aria-invalid')).toBe('true')
    expect(await page.locator('.field-errors', { hasText: t('issuer.error.unsafeSvg') }).count()).toBeGreaterThan(0)
    expect(await blockingViolations(page)).toEqual([])
  })
})
