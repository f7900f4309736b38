// A resident's journey on a 360×740 phone, with JavaScript on and off: every answer to a submit
// lands in view without scrolling, the personal page leads with what matters before, during and
// after the webinar, and a lost link still leads to the certificate after it. Screenshots of the
// pages at 360 and 1280 px go to SCREENSHOT_DIR (default: a folder in the system's temp dir).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { translate, type MessageKey } from '#app/i18n'
import { finaliseAttendance, markAttendance, openCheckinWindow } from '#app/models/attendance.server'
import { revokeCertificate } from '#app/models/certificate.server'
import { registerParticipant } from '#app/models/registration.server'
import { finishWebinar } from '#app/models/webinar.server'
import { addMinutes, nowIso } from '#app/utils/time'
import { createStaff, launchBrowser, postForm, publishWebinarOn, residentForm, startTestServer, type BrowserSession, type TestServer } from './harness'

const t = (key: MessageKey, vars?: Record<string, string | number>) => translate('id', key, vars)
const VIEWPORT = { width: 360, height: 740 }
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? path.join(os.tmpdir(), 'literasi-screenshots')

let server: TestServer
let organiserId: string

beforeAll(async () => {
  server = await startTestServer()
  organiserId = (await createStaff(server.db, 'organiser')).id
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
})

afterAll(async () => {
  await server?.stop()
})

async function registerOn(webinarId: string, email: string, name = 'Sri Rahayu', now?: string) {
  const result = await registerParticipant(
    server.db,
    webinarId,
    { name, email, whatsapp: '+6281234567890', regencyCode: '33.10', occupation: 'guru', ageRange: '35-44', gender: null, lang: 'id' },
    now,
  )
  if (!result.ok) throw new Error(result.reason)
  return result.token
}

/** Moves a webinar so that it started `minutesAgo` minutes ago and lasts three hours. */
async function startedAgo(webinarId: string, minutesAgo: number) {
  const start = addMinutes(nowIso(), -minutesAgo)
  await server.db.updateTable('webinars').set({ start_at: start, end_at: addMinutes(start, 180) }).where('id', '=', webinarId).execute()
}

describe.each([
  { javaScriptEnabled: true, mode: 'JavaScript on' },
  { javaScriptEnabled: false, mode: 'JavaScript off' },
])('$mode, at 360×740', ({ javaScriptEnabled, mode }) => {
  const tag = javaScriptEnabled ? 'js' : 'html'
  let browser: BrowserSession
  let page: Page
  const pageErrors: string[] = []

  beforeAll(async () => {
    browser = await launchBrowser({ javaScriptEnabled, baseURL: server.url, viewport: VIEWPORT })
    page = browser.page
    page.on('pageerror', (error) => pageErrors.push(error.message))
  })

  afterAll(async () => {
    await browser?.close()
  })

  /** Loaded, and with JavaScript hydrated when the page hydrates at all (resident pages may not). */
  async function settled() {
    await page.waitForLoadState('load')
    if (javaScriptEnabled) {
      await page.waitForFunction(() => {
        const router = (window as { __remixRouter?: { state: { initialized: boolean } } }).__remixRouter
        return !router || router.state.initialized
      })
    }
  }

  /** The element is on screen, top and bottom, without the reader scrolling. */
  async function expectInView(locator: Locator) {
    await locator.waitFor({ state: 'visible', timeout: 5_000 })
    const handle = await locator.elementHandle()
    const inView = await page
      .waitForFunction(
        (element) => {
          const box = (element as Element).getBoundingClientRect()
          return box.top >= 0 && box.bottom <= window.innerHeight
        },
        handle,
        { timeout: 5_000 },
      )
      .then(() => true)
      .catch(() => false)
    if (!inView) {
      const box = await locator.evaluate((element) => {
        const rect = element.getBoundingClientRect()
        return { top: Math.round(rect.top), bottom: Math.round(rect.bottom), scrollY: Math.round(window.scrollY) }
      })
      throw new Error(`${await locator.textContent()} is off-screen on ${page.url()}: ${JSON.stringify(box)}`)
    }
  }

  async function screenshot(name: string) {
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: width === 360 ? 740 : 800 })
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${tag}-${width}.png`), fullPage: true })
    }
    await page.setViewportSize(VIEWPORT)
  }

  test('registration errors and the 429 land in view, as a summary linking to the fields', { timeout: 60_000 }, async () => {
    const webinar = await publishWebinarOn(server.db, organiserId, { topic: `Aman Berbelanja Daring ${tag}`, date: '2031-05-20' })
    await page.goto(`/webinars/${webinar.slug}`)
    await settled()
    await page.getByLabel(t('register.name'), { exact: true }).fill('Sri Rahayu')
    await page.getByRole('button', { name: t('register.submit'), exact: true }).click()
    const summary = page.locator('.error-summary')
    await expectInView(summary)
    await expectInView(summary.getByRole('heading', { name: t('form.fixErrors') }))
    // Each error is a link to its field.
    const emailLink = summary.getByRole('link', { name: `${t('register.email')}: ${t('form.required')}` })
    await emailLink.click()
    await expectInView(page.getByLabel(t('register.email'), { exact: true }))
    expect(await page.getByLabel(t('register.name'), { exact: true }).inputValue()).toBe('Sri Rahayu')
    await screenshot('registration-errors')

    // Five registrations with one address use up its hour; the sixth, from the page, is a 429.
    const email = `sering.${tag}@example.org`
    const form = { ...residentForm(tag, 1), email }
    for (let i = 0; i < 5; i++) expect((await postForm(server, `/webinars/${webinar.slug}?index`, form)).status).toBe(303)
    await page.goto(`/webinars/${webinar.slug}`)
    await settled()
    await page.getByLabel(t('register.name'), { exact: true }).fill('Sri Rahayu')
    await page.getByLabel(t('register.email'), { exact: true }).fill(email)
    await page.getByLabel(t('register.whatsapp'), { exact: true }).fill('0812-3456-7890')
    await page.getByLabel(t('register.occupation'), { exact: true }).selectOption({ label: t('occupation.guru') })
    await page.getByLabel(t('register.ageRange'), { exact: true }).selectOption({ label: t('ageRange.35-44') })
    await page.getByLabel(t('register.consent'), { exact: true }).check()
    await page.getByRole('button', { name: t('register.submit'), exact: true }).click()
    await expectInView(page.getByText(t('resident.tooMany', { minutes: 60 }).slice(0, 20)))
  })

  test('the confirmation page says when, with a calendar file', async () => {
    const webinar = await publishWebinarOn(server.db, organiserId, { topic: `Konfirmasi ${tag}`, date: '2031-05-20' })
    await page.goto(`/webinars/${webinar.slug}/registered`)
    await settled()
    await expectInView(page.getByText('Selasa, 20 Mei 2031, 09.00 WIB – 12.00 WIB'))
    const calendar = page.getByRole('link', { name: t('public.addToCalendar') })
    await expectInView(calendar)
    expect(await calendar.getAttribute('href')).toBe(`/webinars/${webinar.slug}/calendar.ics`)
  })

  test('before: the time and the join link lead; "I cannot attend" and "delete my data" confirm in view', { timeout: 60_000 }, async () => {
    const webinar = await publishWebinarOn(server.db, organiserId, { topic: `Sebelum ${tag}`, date: '2031-05-20' })
    const token = await registerOn(webinar.id, `sebelum.${tag}@example.org`)
    await page.goto(`/r/${token}`)
    await settled()
    await expectInView(page.locator('.lead-when'))
    await expectInView(page.getByRole('heading', { name: t('personal.joinTitle') }))
    await expectInView(page.getByRole('link', { name: t('personal.joinButton') }))
    await expect(page.getByText(t('checkin.notYet'))).toBeTruthy()
    await screenshot('personal-before')

    // The links sit at the bottom; the confirm step they open is in view wherever they were tapped.
    await page.getByRole('link', { name: t('personal.cancel'), exact: true }).scrollIntoViewIfNeeded()
    await page.getByRole('link', { name: t('personal.cancel'), exact: true }).click()
    await expectInView(page.getByRole('button', { name: t('personal.cancelConfirm') }))
    await expectInView(page.getByText(t('personal.cancelWarning')))
    await page.getByRole('link', { name: t('personal.cancelKeep') }).click()
    await settled()
    await page.getByRole('link', { name: t('personal.erase'), exact: true }).scrollIntoViewIfNeeded()
    await page.getByRole('link', { name: t('personal.erase'), exact: true }).click()
    await expectInView(page.getByRole('button', { name: t('personal.eraseConfirm') }))
    // Nothing changed by looking.
    expect(await server.db.selectFrom('registrations').select('status').where('token', '=', token).executeTakeFirst()).toEqual({ status: 'registered' })
  })

  test('the waitlist shows the place in the queue', async () => {
    const webinar = await publishWebinarOn(server.db, organiserId, { topic: `Antre ${tag}`, date: '2031-05-20', capacity: 1 })
    await registerOn(webinar.id, `duduk.${tag}@example.org`)
    await registerOn(webinar.id, `antre1.${tag}@example.org`)
    const second = await registerOn(webinar.id, `antre2.${tag}@example.org`)
    await page.goto(`/r/${second}`)
    await settled()
    await expectInView(page.getByText(t('personal.statusBody.waitlisted', { position: '2' })))
  })

  test('during: check-in near the top; a wrong code answers in view', { timeout: 45_000 }, async () => {
    const webinar = await publishWebinarOn(server.db, organiserId, { topic: `Cek Kehadiran ${tag}`, date: '2031-05-20' })
    const token = await registerOn(webinar.id, `selama.${tag}@example.org`)
    await startedAgo(webinar.id, 20)
    // Live, before the moderator opens check-in: the section says so instead of disappearing.
    await page.goto(`/r/${token}`)
    await settled()
    await expectInView(page.locator('.lead-when .badge.live'))
    await expectInView(page.getByText(t('checkin.notYet')))

    // The catalogue marks it live rather than passing it off as upcoming.
    await page.goto('/webinars')
    await settled()
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: `Cek Kehadiran ${tag}` }) })
    await expectInView(card.getByText(t('public.liveNow')))

    await openCheckinWindow(server.db, webinar.id, organiserId, 15)
    await page.goto(`/r/${token}`)
    await settled()
    const code = page.getByLabel(t('checkin.code'), { exact: true })
    await expectInView(code)
    await code.fill('ZZZZZZ')
    await page.getByRole('button', { name: t('checkin.submit'), exact: true }).click()
    await expectInView(page.getByText(t('checkin.wrongCode')))
    await screenshot('personal-during')
  })

  test('after: the certificate leads; an absent resident sees minutes against those needed and whom to contact', { timeout: 60_000 }, async () => {
    const webinar = await publishWebinarOn(server.db, organiserId, { topic: `Sesudah ${tag}`, date: '2031-05-20' })
    const present = await registerOn(webinar.id, `hadir.${tag}@example.org`, 'Budi Santoso')
    const absent = await registerOn(webinar.id, `absen.${tag}@example.org`, 'Ani Lestari')
    await startedAgo(webinar.id, 300)
    const presentRow = await server.db.selectFrom('registrations').select('id').where('token', '=', present).executeTakeFirstOrThrow()
    await markAttendance(server.db, webinar.id, presentRow.id, { present: true, reason: 'seenInMeeting', note: null }, organiserId)
    await server.db.updateTable('registrations').set({ zoom_minutes: 120 }).where('token', '=', absent).execute()
    expect((await finishWebinar(server.db, webinar.id)).ok).toBe(true)
    expect((await finaliseAttendance(server.db, webinar.id, organiserId)).ok).toBe(true)

    await page.goto(`/r/${present}`)
    await settled()
    await expectInView(page.getByRole('link', { name: t('certificate.download') }))
    expect(await page.getByRole('link', { name: t('personal.joinButton') }).count()).toBe(0)
    expect(await page.getByRole('link', { name: t('public.addToCalendar') }).count()).toBe(0)
    await screenshot('personal-after')

    await page.goto(`/r/${absent}`)
    await settled()
    // 70% of 180 minutes is 126.
    await expectInView(page.getByText(t('certificate.personal.minutes', { minutes: '120', required: '126', threshold: '70' })))
    await expectInView(page.getByText(t('personal.contactReply')))
  })

  test('a lost link after the webinar still leads to the certificate', { timeout: 60_000 }, async () => {
    const webinar = await publishWebinarOn(server.db, organiserId, { topic: `Tautan Hilang ${tag}`, date: '2031-05-20' })
    const email = `lupa.${tag}@example.org`
    const token = await registerOn(webinar.id, email)
    await startedAgo(webinar.id, 300)
    const row = await server.db.selectFrom('registrations').select('id').where('token', '=', token).executeTakeFirstOrThrow()
    await markAttendance(server.db, webinar.id, row.id, { present: true, reason: 'seenInMeeting', note: null }, organiserId)
    expect((await finishWebinar(server.db, webinar.id)).ok).toBe(true)
    expect((await finaliseAttendance(server.db, webinar.id, organiserId)).ok).toBe(true)

    await page.goto(`/webinars/${webinar.slug}`)
    await settled()
    const ask = page.getByRole('link', { name: t('lostLink.askAfter') })
    await expectInView(ask)
    await ask.click()
    await page.getByLabel(t('register.email'), { exact: true }).fill(email)
    await page.getByRole('button', { name: t('lostLink.submit') }).click()
    await expectInView(page.getByText(t('lostLink.sent')))

    const mail = await server.db.selectFrom('outbox').select('payload').where('recipient_email', '=', email).where('kind', '=', 'personal_link').executeTakeFirstOrThrow()
    const { personalUrl } = JSON.parse(mail.payload) as { personalUrl: string }
    await page.goto(new URL(personalUrl).pathname)
    await settled()
    await expectInView(page.getByRole('link', { name: t('certificate.download') }))
  })

  test('the verification page tells valid from revoked by colour, icon and text', { timeout: 45_000 }, async () => {
    const webinar = await publishWebinarOn(server.db, organiserId, { topic: `Verifikasi ${tag}`, date: '2031-05-20' })
    const tokens = [await registerOn(webinar.id, `sah.${tag}@example.org`), await registerOn(webinar.id, `cabut.${tag}@example.org`)]
    await startedAgo(webinar.id, 300)
    for (const token of tokens) {
      const row = await server.db.selectFrom('registrations').select('id').where('token', '=', token).executeTakeFirstOrThrow()
      await markAttendance(server.db, webinar.id, row.id, { present: true, reason: 'seenInMeeting', note: null }, organiserId)
    }
    expect((await finishWebinar(server.db, webinar.id)).ok).toBe(true)
    expect((await finaliseAttendance(server.db, webinar.id, organiserId)).ok).toBe(true)
    const certificates = await server.db
      .selectFrom('certificates')
      .innerJoin('registrations', 'registrations.id', 'certificates.registration_id')
      .select(['certificates.id', 'certificates.number', 'registrations.token'])
      .where('certificates.webinar_id', '=', webinar.id)
      .execute()
    const valid = certificates.find((c) => c.token === tokens[0])!
    const revoked = certificates.find((c) => c.token === tokens[1])!
    await revokeCertificate(server.db, webinar.id, revoked.id, organiserId, 'Salah nama')

    const colours: Record<string, string> = {}
    for (const [state, number] of [
      ['valid', valid.number],
      ['revoked', revoked.number],
    ] as const) {
      await page.goto(`/certificates/${number}`)
      await settled()
      const verdict = page.locator(`.verdict-${state}`)
      await expectInView(verdict)
      await expectInView(verdict.getByText(t(`certificate.state.${state}`), { exact: true }))
      expect(await verdict.locator('svg').count()).toBe(1)
      colours[state] = await verdict.evaluate((element) => getComputedStyle(element).backgroundColor)
      await screenshot(`verify-${state}`)
    }
    expect(colours.valid).not.toBe(colours.revoked)
    expect(pageErrors).toEqual([])
  })
})
