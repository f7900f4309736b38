// Attendance in real Chromium on a 360×740 phone screen: the moderator opens the check-in window
// and watches the live count while a resident checks in from another browser; marks a registrant
// by hand without JavaScript; and a resident who types a wrong code is told so beside the field.
import { translate, type MessageKey } from '#app/i18n'
import { openCheckinWindow } from '#app/models/attendance.server'
import { createPerson } from '#app/models/person.server'
import { registerParticipant } from '#app/models/registration.server'
import { assignRole } from '#app/models/webinar-role.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { CHECKIN_CODE_ALPHABET } from '#app/utils/attendance-rules'
import { resident, webinarForm } from '#tests/setup/factories'
import {
  createStaff,
  expectFieldError,
  expectNoSideways,
  expectVisible,
  launchBrowser,
  recordPostTypes,
  signInBrowser,
  startTestServer,
  waitForHydration,
  expectNoScripts,
  type BrowserSession,
  type StaffAccount,
  type TestServer,
} from './harness'

const t = (key: MessageKey, vars?: Record<string, string | number>) => translate('id', key, vars)

const PASSWORD = 'kata-sandi-moderator-123'
const MINUTE = 60_000
const WIB_OFFSET_MS = 7 * 60 * MINUTE

let server: TestServer
let organiserId: string
let speakerId: string

beforeAll(async () => {
  server = await startTestServer()
  organiserId = (await createStaff(server.db, 'organiser')).id
  speakerId = await createPerson(server.db, {
    name: 'Pembicara Presensi',
    title: 'Narasumber',
    organisation: 'Uji',
    email: null,
    whatsapp: null,
    bio: null,
    userId: null,
  })
})

afterAll(async () => {
  await server?.stop()
})

/** A moderator account that can sign in, and its directory entry. */
async function createModerator(name: string): Promise<{ account: StaffAccount; personId: string }> {
  const account = await createStaff(server.db, 'moderator', {
    password: PASSWORD,
    name,
  })
  const personId = await createPerson(server.db, {
    name,
    title: 'Moderator',
    organisation: 'Uji',
    email: null,
    whatsapp: null,
    bio: null,
    userId: account.id,
  })
  return { account, personId }
}

/** `{ date: 'YYYY-MM-DD', time: 'HH:MM' }` in WIB (UTC+7, no daylight saving), as the webinar form takes it. */
function wib(ms: number) {
  const iso = new Date(ms + WIB_OFFSET_MS).toISOString()
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) }
}

/** A published webinar in Klaten (WIB) that is running now: started a few minutes ago, ends in two hours. */
async function runningWebinar(topic: string, moderatorPersonId: string) {
  const now = Date.now()
  const start = wib(now - 5 * MINUTE)
  const end = wib(now + 120 * MINUTE)
  // The form has one date; near midnight in WIB, keep both times on today's date.
  const today = wib(now).date
  const form = webinarForm({
    topic,
    regency: '33.10',
    date: today,
    startTime: start.date === today ? start.time : '00:00',
    endTime: end.date === today ? end.time : '23:59',
    capacity: 100,
  })
  const saved = await saveWebinar(server.db, form, { userId: organiserId })
  if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
  const moderator = await assignRole(server.db, saved.id, {
    personId: moderatorPersonId,
    role: 'moderator',
    talkTitle: null,
    pillar: null,
  })
  const speaker = await assignRole(server.db, saved.id, {
    personId: speakerId,
    role: 'speaker',
    talkTitle: 'Presensi Daring',
    pillar: 'cakap',
  })
  if (!moderator.ok || !speaker.ok) throw new Error(`roles not assigned: ${JSON.stringify({ moderator, speaker })}`)
  const published = await publishWebinar(server.db, saved.id)
  if (!published.ok) throw new Error(`not published: ${JSON.stringify(published)}`)
  // Only a run a few minutes before midnight WIB needs this: the clamped end would come too soon.
  const row = await server.db.selectFrom('webinars').select(['start_at', 'end_at']).where('id', '=', saved.id).executeTakeFirstOrThrow()
  if (Date.parse(row.end_at!) - now < 30 * MINUTE) {
    await server.db
      .updateTable('webinars')
      .set({ end_at: new Date(now + 120 * MINUTE).toISOString() })
      .where('id', '=', saved.id)
      .execute()
  }
  expect(Date.parse(row.start_at!)).toBeLessThanOrEqual(now)
  return saved
}

/** Registers a resident through the model and returns the personal link's token. */
async function register(webinarId: string, name: string, email: string): Promise<string> {
  const result = await registerParticipant(server.db, webinarId, resident({ name, email }))
  if (!result.ok || result.status !== 'registered') throw new Error(`not registered: ${JSON.stringify(result)}`)
  const row = await server.db
    .selectFrom('registrations')
    .select('token')
    .where('webinar_id', '=', webinarId)
    .where('email', '=', email)
    .executeTakeFirstOrThrow()
  expect(row.token).toBe(result.token)
  return row.token
}

function registrationOf(token: string) {
  return server.db
    .selectFrom('registrations')
    .select(['checked_in_at', 'manual_present', 'manual_reason', 'manual_note'])
    .where('token', '=', token)
    .executeTakeFirstOrThrow()
}

/** Another webinar's valid-looking code: same length and alphabet, different first character. */
function wrongCodeFor(code: string): string {
  const other = [...CHECKIN_CODE_ALPHABET].find((c) => c !== code[0])!
  return other + code.slice(1)
}

describe('the check-in window, with JavaScript', () => {
  const browsers: BrowserSession[] = []

  afterAll(async () => {
    for (const browser of browsers) await browser.close()
  })

  test('the moderator opens the window and sees a resident’s check-in arrive without reloading', { timeout: 90_000 }, async () => {
    const { account, personId } = await createModerator('Moderator Jendela')
    const topic = 'Presensi Langsung di Ponsel'
    const webinar = await runningWebinar(topic, personId)
    const token = await register(webinar.id, 'Warga Check-in', 'warga.checkin@example.org')
    await register(webinar.id, 'Warga Lain', 'warga.lain@example.org')

    // The moderator: sign in, then from the home page to the console.
    const moderator = await launchBrowser({
      baseURL: server.url,
      viewport: { width: 360, height: 740 },
    })
    browsers.push(moderator)
    const page = moderator.page
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    const postTypes = recordPostTypes(page)

    await page.goto('/login')
    await waitForHydration(page)
    await page.getByLabel(t('login.email'), { exact: true }).fill(account.email)
    await page.getByLabel(t('login.password'), { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: t('login.submit'), exact: true }).click()
    await page.waitForURL(`${server.url}/me`)
    await expectVisible(page.getByRole('heading', { level: 1, name: t('me.title') }))
    await waitForHydration(page)
    const card = page.getByRole('listitem').filter({
      has: page.getByRole('heading', { name: topic, exact: true }),
    })
    await card.getByRole('link', { name: t('me.attendance'), exact: true }).click()
    await page.waitForURL(`${server.url}/attendance/${webinar.slug}`)
    await expectVisible(
      page.getByRole('heading', {
        level: 1,
        name: t('attendance.heading', { topic }),
      }),
    )
    await waitForHydration(page)
    await expectVisible(page.getByText(t('attendance.window.closed'), { exact: true }))

    // Open the window: the code, in large type, and the live count at zero.
    await page.getByRole('button', { name: t('attendance.window.open'), exact: true }).click()
    await page.waitForURL(`${server.url}/attendance/${webinar.slug}?done=opened#checkin-window`)
    await expectVisible(page.getByRole('status').getByText(t('attendance.window.opened'), { exact: true }))
    const codeBox = page.locator('.checkin-code')
    await expectVisible(codeBox)
    const code = ((await codeBox.textContent()) ?? '').trim()
    expect(code).toMatch(new RegExp(`^[${CHECKIN_CODE_ALPHABET}]{6}$`))
    const stored = await server.db.selectFrom('webinars').select('checkin_code').where('id', '=', webinar.id).executeTakeFirstOrThrow()
    expect(stored.checkin_code).toBe(code)
    const liveCount = page.getByTestId('checkin-count')
    expect(await liveCount.textContent()).toBe(t('attendance.window.liveCount', { count: 0 }))
    await waitForHydration(page)
    await expectNoSideways(page)

    // Mark this document: a reload would lose it. And watch the polls go out.
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true))
    const polls: string[] = []
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === `/attendance/${webinar.slug}/count`) polls.push(request.resourceType())
    })

    // The resident, in a browser of their own, types the code in lower case.
    const resident = await launchBrowser({
      baseURL: server.url,
      viewport: { width: 360, height: 740 },
    })
    browsers.push(resident)
    const residentErrors: string[] = []
    resident.page.on('pageerror', (error) => residentErrors.push(error.message))
    await resident.page.goto(`/r/${token}`)
    await expectVisible(
      resident.page.getByRole('heading', {
        level: 2,
        name: t('checkin.title'),
      }),
    )
    await expectNoScripts(resident.page)
    await expectNoSideways(resident.page)
    const codeField = resident.page.getByLabel(t('checkin.code'), {
      exact: true,
    })
    await codeField.fill(code.toLowerCase())
    expect(await codeField.inputValue()).toBe(code.toLowerCase())
    await resident.page.getByRole('button', { name: t('checkin.submit'), exact: true }).click()
    // The check-in form posts to #checkin, and the browser keeps that fragment across the redirect.
    await resident.page.waitForURL(new RegExp(`/r/${token}\\?done=checkedin(#checkin)?$`))
    await expectVisible(resident.page.getByRole('status').getByText('Anda sudah check-in'))
    expect(await resident.page.getByLabel(t('checkin.code'), { exact: true }).count()).toBe(0)
    expect((await registrationOf(token)).checked_in_at).not.toBeNull()
    expect(residentErrors).toEqual([])

    // Back on the console: the count rises to 1 on the next poll, in the same document.
    await page.waitForFunction(
      ({ expected }) => document.querySelector('[data-testid="checkin-count"]')?.textContent === expected,
      { expected: t('attendance.window.liveCount', { count: 1 }) },
      { timeout: 12_000 },
    )
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true)
    expect(page.url()).toBe(`${server.url}/attendance/${webinar.slug}?done=opened#checkin-window`)
    expect(polls.length).toBeGreaterThan(0)
    expect(polls.every((type) => type === 'fetch')).toBe(true)
    await expectNoSideways(page)

    expect(postTypes).toEqual(['fetch', 'fetch'])
    expect(pageErrors).toEqual([])
  })
})

describe('manual marks, without JavaScript', () => {
  let browser: BrowserSession

  afterAll(async () => {
    await browser?.close()
  })

  test('the moderator marks a registrant present with a reason; a mark without one is refused beside the field', { timeout: 60_000 }, async () => {
    const { account, personId } = await createModerator('Moderator Tanda')
    const topic = 'Presensi Tanpa JavaScript'
    const webinar = await runningWebinar(topic, personId)
    const ani = await register(webinar.id, 'Ani Hadir', 'ani.hadir@example.org')
    const budi = await register(webinar.id, 'Budi Tanpa Alasan', 'budi.alasan@example.org')

    browser = await launchBrowser({
      javaScriptEnabled: false,
      baseURL: server.url,
      viewport: { width: 360, height: 740 },
    })
    await signInBrowser(browser, server, account)
    const { page } = browser
    const postTypes = recordPostTypes(page)

    await page.goto(`/attendance/${webinar.slug}`)
    await expectVisible(
      page.getByRole('heading', {
        level: 1,
        name: t('attendance.heading', { topic }),
      }),
    )
    await expectNoSideways(page)
    const cardOf = (name: string) => page.locator('li.card').filter({ has: page.getByText(name, { exact: true }) })
    const aniCard = cardOf('Ani Hadir')
    expect(await aniCard.locator('.badge').textContent()).toBe(t('attendance.state.notYet'))

    // The disclosure opens without JavaScript; the form inside is a plain HTML form.
    const aniForm = aniCard.locator('form')
    expect(await aniForm.isVisible()).toBe(false)
    await aniCard.getByText(t('attendance.mark.change'), { exact: true }).click()
    await expectVisible(aniForm)
    await expectNoSideways(page)
    await aniForm.getByLabel(t('attendance.mark.present'), { exact: true }).check()
    await aniForm.getByLabel(t('attendance.mark.reason'), { exact: true }).selectOption({ label: t('attendance.reason.seenInMeeting') })
    await aniForm.getByLabel(t('attendance.mark.note'), { exact: false }).fill('Kamera mati, menjawab di chat')
    await aniForm.getByRole('button', { name: t('attendance.mark.submit'), exact: true }).click()

    await page.waitForURL(`${server.url}/attendance/${webinar.slug}?done=marked`)
    await expectVisible(page.getByRole('status').getByText(t('attendance.mark.saved'), { exact: true }))
    expect(await aniCard.locator('.badge').textContent()).toBe(t('attendance.state.present'))
    expect(await aniCard.locator('p.card-line').first().textContent()).toContain(`· ${t('attendance.source.manual')}`)
    await expectVisible(aniCard.getByText(`${t('attendance.reason.seenInMeeting')}: Kamera mati, menjawab di chat`))
    expect(await registrationOf(ani)).toMatchObject({
      manual_present: 1,
      manual_reason: 'seenInMeeting',
      manual_note: 'Kamera mati, menjawab di chat',
    })

    // Budi: present, but no reason given. The form comes back open with the message beside the reason.
    const budiCard = cardOf('Budi Tanpa Alasan')
    await budiCard.getByText(t('attendance.mark.change'), { exact: true }).click()
    const budiForm = budiCard.locator('form')
    await expectVisible(budiForm)
    await budiForm.getByLabel(t('attendance.mark.present'), { exact: true }).check()
    expect(await budiForm.getByLabel(t('attendance.mark.reason'), { exact: true }).inputValue()).toBe('')
    await budiForm.getByRole('button', { name: t('attendance.mark.submit'), exact: true }).click()

    await page.waitForLoadState('load')
    await expectVisible(budiForm)
    await expectFieldError(budiForm.getByLabel(t('attendance.mark.reason'), { exact: true }), t('attendance.reason.required'))
    expect(await budiCard.locator('.badge').textContent()).toBe(t('attendance.state.notYet'))
    expect(await aniCard.locator('.badge').textContent()).toBe(t('attendance.state.present'))
    // The other cards' forms stay closed and carry no error.
    expect(await aniForm.isVisible()).toBe(false)
    expect(await page.locator('.field-errors').count()).toBe(1)
    await expectNoSideways(page)
    expect((await registrationOf(budi)).manual_present).toBeNull()

    expect(postTypes).toEqual(['document', 'document'])
  })
})

describe('the Zoom report preview, without JavaScript', () => {
  let browser: BrowserSession

  afterAll(async () => {
    await browser?.close()
  })

  test('a report from another meeting is previewed under a red warning at the top, in Indonesian and English; a workbook is refused beside the field', { timeout: 60_000 }, async () => {
    const { account, personId } = await createModerator('Moderator Laporan')
    const topic = 'Laporan Zoom di Ponsel'
    const webinar = await runningWebinar(topic, personId)
    await register(webinar.id, 'Sri Rahayu', 'sri.laporan@example.org')
    const otherMeeting = [
      'Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants',
      '812 0000 1111,Rapat Evaluasi Bulanan Dinas Kominfo Kabupaten Klaten,01/13/2021 08:50:00 AM,01/13/2021 12:05:00 PM,zoom@example.org,195,2',
      '',
      'Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest',
      'Sri Rahayu,sri.laporan@example.org,01/13/2021 09:00:00 AM,01/13/2021 12:00:00 PM,180,Yes',
      '',
    ].join('\r\n')

    browser = await launchBrowser({ javaScriptEnabled: false, baseURL: server.url, viewport: { width: 360, height: 740 } })
    await signInBrowser(browser, server, account)
    const { page } = browser
    const postTypes = recordPostTypes(page)

    // An Excel workbook first: refused beside the file field, in words that say how to save it.
    await page.goto(`/attendance/${webinar.slug}/import`)
    await expectVisible(page.getByRole('heading', { level: 1, name: t('import.title') }))
    const field = page.getByLabel(t('import.file'), { exact: true })
    await field.setInputFiles({ name: 'laporan.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from('PK\x03\x04\x14\x00\x06\x00[Content_Types].xml', 'latin1') })
    await page.getByRole('button', { name: t('import.submit'), exact: true }).click()
    await page.waitForLoadState('load')
    await expectFieldError(page.getByLabel(t('import.file'), { exact: true }), t('import.error.workbook'))
    await expectNoSideways(page)

    await page.getByLabel(t('import.file'), { exact: true }).setInputFiles({ name: 'participants_81200001111.csv', mimeType: 'text/csv', buffer: Buffer.from(otherMeeting) })
    await page.getByRole('button', { name: t('import.submit'), exact: true }).click()
    await page.waitForURL(new RegExp(`/attendance/${webinar.slug}/import/[^/?]+$`))
    const heading = page.getByRole('heading', { level: 1 })
    await expectVisible(heading)

    // The warning comes first after the heading, as an alert, in both languages.
    const alert = page.getByRole('alert')
    await expectVisible(alert)
    const first = page.locator('h1 + *')
    expect(await first.getAttribute('role')).toBe('alert')
    const text = (await alert.textContent()) ?? ''
    expect(text).toContain(t('import.mismatch.title'))
    expect(text).toContain(translate('en', 'import.mismatch.title'))
    expect(text).toContain('Rapat Evaluasi Bulanan Dinas Kominfo Kabupaten Klaten')
    expect(text).toContain(topic)
    expect(await alert.locator('[lang="en"]').count()).toBe(1)
    // The red box of the page's own error messages.
    expect(await alert.evaluate((element) => getComputedStyle(element).borderTopColor)).toBe('rgb(180, 35, 24)')
    // The report's own topic and date are shown below, whatever the warning says.
    await expectVisible(page.getByText('812 0000 1111', { exact: false }).first())
    await expectNoSideways(page)
    expect(postTypes).toEqual(['document', 'document'])
  })
})

describe.each([
  { javaScriptEnabled: true, mode: 'with JavaScript' },
  {
    javaScriptEnabled: false,
    mode: 'without JavaScript',
  },
])('a wrong code, $mode', ({ javaScriptEnabled, mode }) => {
  let browser: BrowserSession

  afterAll(async () => {
    await browser?.close()
  })

  test('a resident who types a wrong code sees "Kode salah" beside the field and is not checked in', { timeout: 45_000 }, async () => {
    const { account, personId } = await createModerator(`Moderator Kode ${javaScriptEnabled ? 'JS' : 'HTML'}`)
    const webinar = await runningWebinar(`Check-in Keliru ${mode}`, personId)
    const token = await register(webinar.id, 'Warga Salah Ketik', `salah.${javaScriptEnabled ? 'js' : 'html'}@example.org`)
    const opened = await openCheckinWindow(server.db, webinar.id, account.id, 15)
    expect(opened).toEqual({ ok: true })
    const { checkin_code: code } = await server.db.selectFrom('webinars').select('checkin_code').where('id', '=', webinar.id).executeTakeFirstOrThrow()
    const wrong = wrongCodeFor(code!)

    browser = await launchBrowser({
      javaScriptEnabled,
      baseURL: server.url,
      viewport: { width: 360, height: 740 },
    })
    const { page } = browser
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    const postTypes = recordPostTypes(page)

    await page.goto(`/r/${token}`)
    await expectVisible(page.getByRole('heading', { level: 2, name: t('checkin.title') }))
    await expectNoScripts(page)
    await page.getByLabel(t('checkin.code'), { exact: true }).fill(wrong.toLowerCase())
    await page.getByRole('button', { name: t('checkin.submit'), exact: true }).click()

    const field = page.getByLabel(t('checkin.code'), { exact: true })
    await expectVisible(page.locator('.field-errors').getByText('Kode salah', { exact: false }))
    await expectFieldError(field, t('checkin.wrongCode'))
    // Still the personal page (an index route's form posts to `?index`), not the "checked in" redirect.
    expect(new URL(page.url()).pathname).toBe(`/r/${token}`)
    expect(new URL(page.url()).searchParams.get('done')).toBeNull()
    await expectVisible(page.getByRole('button', { name: t('checkin.submit'), exact: true }))
    expect(await page.getByRole('status').filter({ hasText: 'Anda sudah check-in' }).count()).toBe(0)
    await expectNoSideways(page)
    expect((await registrationOf(token)).checked_in_at).toBeNull()

    // The personal page is plain HTML: a form post, with JavaScript on too.
    expect(postTypes).toEqual(['document'])
    expect(pageErrors).toEqual([])
  })
})
