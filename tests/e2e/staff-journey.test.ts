// The moderator's and speaker's journey on a phone (360×740), with JavaScript on and off:
// "Tugas saya" leads somewhere, finalising asks first and states the counts, the check-in code is
// on screen right after opening the window, and until the list is final nobody shows as absent.
import type { Locator, Page } from 'playwright-core'
import { translate, type MessageKey } from '#app/i18n'
import { createPerson } from '#app/models/person.server'
import { registerParticipant } from '#app/models/registration.server'
import { assignRole } from '#app/models/webinar-role.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { webinarForm } from '#tests/setup/factories'
import { createStaff, expectVisible, launchBrowser, signInBrowser, startTestServer, waitForHydration, type StaffAccount, type TestServer } from './harness'

const t = (key: MessageKey, vars?: Record<string, string | number>) => translate('id', key, vars)
const PASSWORD = 'kata-sandi-yang-panjang-1'
const MINUTE = 60_000

let server: TestServer
let organiser: StaffAccount
let moderator: StaffAccount
let speaker: StaffAccount
let moderatorPerson: string
let speakerPerson: string
let webinars = 0

beforeAll(async () => {
  server = await startTestServer()
  organiser = await createStaff(server.db, 'organiser', { password: PASSWORD })
  moderator = await createStaff(server.db, 'moderator', { password: PASSWORD, name: 'Moderator Ponsel' })
  speaker = await createStaff(server.db, 'speaker', { password: PASSWORD, name: 'Pembicara Ponsel' })
  const person = (name: string, userId: string) =>
    createPerson(server.db, { name, title: 'Narasumber', organisation: 'Uji', email: `${userId}@example.org`, whatsapp: null, bio: null, userId })
  moderatorPerson = await person('Moderator Ponsel', moderator.id)
  speakerPerson = await person('Pembicara Ponsel', speaker.id)
})

afterAll(async () => {
  await server?.stop()
})

/** A published webinar with our moderator and speaker and `registrants` residents, then moved to the given time. */
async function webinar(topic: string, when: { startMs: number; endMs: number }, registrants = 3) {
  const saved = await saveWebinar(server.db, webinarForm({ topic: `${topic} ${++webinars}`, date: '2031-05-20', capacity: 50 }), { userId: organiser.id })
  if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
  await assignRole(server.db, saved.id, { personId: moderatorPerson, role: 'moderator', talkTitle: null, pillar: null })
  await assignRole(server.db, saved.id, { personId: speakerPerson, role: 'speaker', talkTitle: 'Materi Ponsel', pillar: 'cakap' })
  if (!(await publishWebinar(server.db, saved.id)).ok) throw new Error('not published')
  for (let i = 0; i < registrants; i++) {
    const registered = await registerParticipant(server.db, saved.id, {
      name: `Warga Ponsel ${webinars}-${i}`,
      email: `warga-${webinars}-${i}@example.org`,
      whatsapp: `+62812345${String(webinars).padStart(3, '0')}${i}`,
      regencyCode: '33.10',
      occupation: 'guru',
      ageRange: '25-34',
      gender: null,
      lang: 'id',
    })
    if (!registered.ok) throw new Error('not registered')
  }
  await server.db
    .updateTable('webinars')
    .set({ start_at: new Date(when.startMs).toISOString(), end_at: new Date(when.endMs).toISOString() })
    .where('id', '=', saved.id)
    .execute()
  return { ...saved, topic: `${topic} ${webinars}` }
}

/** The element's box lies inside the 360×740 screen as it is scrolled now. */
async function expectInViewport(page: Page, locator: Locator) {
  await expectVisible(locator)
  await expect
    .poll(
      async () => {
        const box = await locator.boundingBox()
        const viewport = page.viewportSize()!
        return !!box && box.y >= 0 && box.y + box.height <= viewport.height && box.x >= 0 && box.x + box.width <= viewport.width
      },
      { timeout: 5_000 },
    )
    .toBe(true)
}

for (const javaScriptEnabled of [true, false]) {
  describe(`on a phone, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test('"Tugas saya": the speaker’s webinar leads to their brief, the moderator’s to the console', async () => {
      const upcoming = await webinar('Tugas Ponsel', { startMs: Date.now() + 3 * 24 * 60 * MINUTE, endMs: Date.now() + (3 * 24 * 60 + 180) * MINUTE })
      const browser = await launchBrowser({ baseURL: server.url, javaScriptEnabled })
      try {
        const { page } = browser
        await signInBrowser(browser, server, speaker)
        await page.goto('/me')
        if (javaScriptEnabled) await waitForHydration(page)
        const card = page.locator('li.card', { has: page.getByRole('heading', { name: upcoming.topic }) })
        await expectVisible(card.getByRole('link', { name: t('me.join') }))
        await card.getByRole('link', { name: upcoming.topic }).click()
        await expectVisible(page.getByRole('heading', { level: 1, name: t('brief.title', { topic: upcoming.topic }) }))
        await page.goBack()
        await card.getByRole('link', { name: t('me.answer') }).click()
        // The answer buttons, not the top of a long brief.
        await expectInViewport(page, page.getByRole('button', { name: t('brief.confirm') }))

        await browser.context.clearCookies()
        await signInBrowser(browser, server, moderator)
        await page.goto('/me')
        if (javaScriptEnabled) await waitForHydration(page)
        await page.locator('li.card').getByRole('link', { name: upcoming.topic }).click()
        await expectVisible(page.getByRole('heading', { level: 1, name: t('attendance.heading', { topic: upcoming.topic }) }))
      } finally {
        await browser.close()
      }
    })

    test('opening the check-in window puts the code on screen; nobody is "absent" before the list is final', async () => {
      const running = await webinar('Presensi Ponsel', { startMs: Date.now() - 5 * MINUTE, endMs: Date.now() + 120 * MINUTE })
      const browser = await launchBrowser({ baseURL: server.url, javaScriptEnabled })
      try {
        const { page } = browser
        await signInBrowser(browser, server, moderator)
        await page.goto(`/attendance/${running.slug}`)
        if (javaScriptEnabled) await waitForHydration(page)
        await expectVisible(page.locator('.badge', { hasText: t('attendance.state.notYet') }).first())
        expect(await page.locator('.badge', { hasText: t('attendance.state.absent') }).count()).toBe(0)
        await page.getByRole('button', { name: t('attendance.window.open') }).click()
        await expect.poll(async () => (await server.db.selectFrom('webinars').select('checkin_code').where('id', '=', running.id).executeTakeFirstOrThrow()).checkin_code).toBeTruthy()
        const code = (await server.db.selectFrom('webinars').select('checkin_code').where('id', '=', running.id).executeTakeFirstOrThrow()).checkin_code!
        await expectInViewport(page, page.locator('.checkin-code', { hasText: code }))
      } finally {
        await browser.close()
      }
    })

    test('finalising asks first, stating the counts; the answer is on screen', async () => {
      const ended = await webinar('Final Ponsel', { startMs: Date.now() - 200 * MINUTE, endMs: Date.now() - 20 * MINUTE }, 3)
      const registrations = await server.db.selectFrom('registrations').select('id').where('webinar_id', '=', ended.id).orderBy('name').execute()
      await server.db.updateTable('registrations').set({ zoom_minutes: 170 }).where('id', '=', registrations[0]!.id).execute()
      await server.db.updateTable('webinar_roles').set({ confirmation: 'confirmed' }).where('webinar_id', '=', ended.id).execute()
      const browser = await launchBrowser({ baseURL: server.url, javaScriptEnabled })
      try {
        const { page } = browser
        await signInBrowser(browser, server, moderator)
        await page.goto(`/attendance/${ended.slug}`)
        if (javaScriptEnabled) await waitForHydration(page)
        await page.getByRole('link', { name: t('attendance.finalise.submit') }).click()
        // A step of its own: nothing is locked yet, and the page says what will happen.
        const counts = page.getByText(t('attendance.finalise.confirmCounts', { present: 1, registered: 3, absent: 2 }))
        await expectInViewport(page, counts)
        await expectVisible(page.getByText(t('attendance.finalise.confirmStaff', { count: 2 })))
        expect((await server.db.selectFrom('webinars').select('attendance_finalised_at').where('id', '=', ended.id).executeTakeFirstOrThrow()).attendance_finalised_at).toBeNull()
        await page.getByRole('button', { name: t('attendance.finalise.confirmSubmit') }).click()
        await expectInViewport(page, page.getByText(t('attendance.finalise.done', { present: 1, registered: 3 })))
        const row = await server.db.selectFrom('webinars').select('attendance_finalised_at').where('id', '=', ended.id).executeTakeFirstOrThrow()
        expect(row.attendance_finalised_at).not.toBeNull()
        // Final now: the one absent reads "absent".
        await expectVisible(page.locator('.badge', { hasText: t('attendance.state.absent') }).first())
      } finally {
        await browser.close()
      }
    })
  })
}
