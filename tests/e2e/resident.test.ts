// A resident's whole path in real Chromium on a 360×740 phone screen, with and without JavaScript:
// find a webinar in the catalogue, register on its page, open the personal link, and cancel.
import type { Page } from 'playwright-core'
import { translate, type MessageKey } from '#app/i18n'
import { createPerson } from '#app/models/person.server'
import { assignRole } from '#app/models/webinar-role.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { webinarForm } from '#tests/setup/factories'
import { createStaff, expectNoScripts, expectVisible, launchBrowser, recordPostTypes, startTestServer, type BrowserSession, type TestServer } from './harness'

const t = (key: MessageKey, vars?: Record<string, string | number>) => translate('id', key, vars)

const PLATFORM_URL = 'https://zoom.us/j/9876543210'
const PASSCODE = 'warga-2031'

let server: TestServer
let organiserId: string
let people: { moderator: string; speaker: string }

beforeAll(async () => {
  server = await startTestServer()
  organiserId = (await createStaff(server.db, 'organiser')).id
  const person = (name: string) =>
    createPerson(server.db, { name, title: 'Narasumber', organisation: 'Uji', email: null, whatsapp: null, bio: null, userId: null })
  people = { moderator: await person('Moderator Warga'), speaker: await person('Pembicara Warga') }
})

afterAll(async () => {
  await server?.stop()
})

/** A published webinar in Klaten (Jawa Tengah), a year ahead, with seats free. */
async function publishedWebinar(topic: string) {
  const saved = await saveWebinar(
    server.db,
    webinarForm({ topic, regency: '33.10', date: '2031-05-20', platformUrl: PLATFORM_URL, passcode: PASSCODE, capacity: 100 }),
    { userId: organiserId },
  )
  if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
  await assignRole(server.db, saved.id, { personId: people.moderator, role: 'moderator', talkTitle: null, pillar: null })
  await assignRole(server.db, saved.id, { personId: people.speaker, role: 'speaker', talkTitle: 'Mengenali Hoaks', pillar: 'cakap' })
  const published = await publishWebinar(server.db, saved.id)
  if (!published.ok) throw new Error(`not published: ${JSON.stringify(published)}`)
  return saved
}

function outboxKinds(email: string) {
  return server.db.selectFrom('outbox').select(['kind', 'payload']).where('recipient_email', '=', email).orderBy('created_at').execute()
}

describe.each([
  { javaScriptEnabled: true, mode: 'with JavaScript' },
  { javaScriptEnabled: false, mode: 'without JavaScript' },
])('$mode', ({ javaScriptEnabled, mode }) => {
  let browser: BrowserSession
  const pageErrors: string[] = []

  beforeAll(async () => {
    browser = await launchBrowser({ javaScriptEnabled, baseURL: server.url, viewport: { width: 360, height: 740 } })
    browser.page.on('pageerror', (error) => pageErrors.push(error.message))
  })

  afterAll(async () => {
    await browser?.close()
  })

  /** A resident page ships no scripts, JavaScript on or off; a 360 px screen must not scroll sideways. */
  async function settled(page: Page) {
    await expectNoScripts(page)
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
    expect(scrollWidth, `${page.url()} is wider than the screen`).toBeLessThanOrEqual(360)
  }

  test('a resident finds a webinar, registers, opens the personal link and cancels', { timeout: 45_000 }, async () => {
    const topic = `Aman Berbelanja Daring ${mode === 'with JavaScript' ? 'JS' : 'HTML'}`
    const webinar = await publishedWebinar(topic)
    const email = `warga.${javaScriptEnabled ? 'js' : 'html'}@example.org`
    const { page } = browser
    const postTypes = recordPostTypes(page)

    // The catalogue lists it; its card leads to the webinar's page.
    await page.goto('/webinars')
    await settled(page)
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: topic, exact: true }) })
    await expectVisible(card)
    await expectVisible(card.getByText(t('catalogue.seatsLeft', { count: 100, capacity: 100 })))
    await card.getByRole('link', { name: topic, exact: true }).click()
    await page.waitForURL(`${server.url}/webinars/${webinar.slug}`)
    await expectVisible(page.getByRole('heading', { level: 1, name: topic }))
    await settled(page)
    await expectVisible(page.getByText('Selasa, 20 Mei 2031, 09.00 WIB – 12.00 WIB'))
    await expectVisible(page.getByText('Pembicara Warga', { exact: true }))
    // The join details are for the personal page only.
    expect(await page.content()).not.toContain(PLATFORM_URL)

    // The form, filled by its labels. The resident lives in Yogyakarta, not in Klaten where the webinar is.
    const regency = page.getByLabel(t('register.regency'), { exact: true })
    expect(await regency.inputValue()).toBe('33.10')
    await page.getByLabel(t('register.name'), { exact: true }).fill('  Sri Rahayu  ')
    await page.getByLabel(t('register.email'), { exact: true }).fill(email.toUpperCase())
    await page.getByLabel(t('register.whatsapp'), { exact: true }).fill('0812-3456-7890')
    // Only Jawa Tengah's regencies came with the page; another province's are asked for.
    expect(await regency.locator('option', { hasText: 'Kota Yogyakarta' }).count()).toBe(0)
    await page.getByLabel(t('register.province'), { exact: true }).selectOption({ label: 'Daerah Istimewa Yogyakarta' })
    const showRegencies = page.getByRole('button', { name: t('register.showRegencies'), exact: true })
    if (javaScriptEnabled) {
      // A few bytes of inline script fetch the list; the round-trip button is not needed.
      expect(await showRegencies.isHidden()).toBe(true)
    } else {
      // Without JavaScript the form goes back to the server and returns as typed, with the list.
      await showRegencies.click()
      await page.waitForLoadState()
      expect(await page.getByLabel(t('register.name'), { exact: true }).inputValue()).toBe('  Sri Rahayu  ')
      expect(await page.getByLabel(t('register.province'), { exact: true }).inputValue()).toBe('34')
    }
    await regency.selectOption({ label: 'Kota Yogyakarta' })
    await page.getByLabel(t('register.occupation'), { exact: true }).selectOption({ label: t('occupation.guru') })
    await page.getByLabel(t('register.ageRange'), { exact: true }).selectOption({ label: t('ageRange.35-44') })
    await page.getByLabel(t('register.consent'), { exact: true }).check()
    await page.getByRole('button', { name: t('register.submit'), exact: true }).click()

    // Without JavaScript the redirect keeps the form's #register fragment (browsers carry it over); nothing on the page has that id.
    await page.waitForURL((url) => url.pathname === `/webinars/${webinar.slug}/registered`)
    await expectVisible(page.getByRole('heading', { level: 1, name: t('registered.title') }))
    await settled(page)
    await expectVisible(page.getByRole('status').getByText(t('registered.body', { topic })))

    const row = await server.db
      .selectFrom('registrations')
      .select(['name', 'email', 'whatsapp', 'regency_code', 'occupation', 'age_range', 'gender', 'status', 'token'])
      .where('webinar_id', '=', webinar.id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      name: 'Sri Rahayu',
      email,
      whatsapp: '+6281234567890',
      regency_code: '34.71',
      occupation: 'guru',
      age_range: '35-44',
      gender: null,
      status: 'registered',
    })
    const [invitation] = await outboxKinds(email)
    expect(invitation?.kind).toBe('participant_invitation')
    expect(JSON.parse(invitation!.payload).personalUrl).toMatch(new RegExp(`/r/${row.token}$`))

    // The personal page: the seat, and how to join.
    await page.goto(`/r/${row.token}`)
    await expectVisible(page.getByRole('heading', { level: 1, name: topic }))
    await settled(page)
    await expectVisible(page.getByText(t('personal.status.registered'), { exact: true }))
    await expectVisible(page.getByRole('link', { name: PLATFORM_URL, exact: true }))
    await expectVisible(page.getByText(PASSCODE, { exact: true }))
    await expectVisible(page.getByRole('link', { name: t('public.addToCalendar'), exact: true }))

    // Cancelling asks first; keeping the seat is the other way out.
    await page.getByRole('link', { name: t('personal.cancel'), exact: true }).click()
    await page.waitForURL(`${server.url}/r/${row.token}?confirm=cancel#confirm`)
    await expectVisible(page.getByText(t('personal.cancelWarning'), { exact: true }))
    await settled(page)
    await expectVisible(page.getByRole('link', { name: t('personal.cancelKeep'), exact: true }))
    expect(await server.db.selectFrom('registrations').select('status').where('token', '=', row.token).executeTakeFirst()).toEqual({ status: 'registered' })
    await page.getByRole('button', { name: t('personal.cancelConfirm'), exact: true }).click()

    await page.waitForURL(`${server.url}/r/${row.token}?done=cancelled`)
    await expectVisible(page.getByRole('status').getByText(t('personal.cancelDone')))
    await settled(page)
    await expectVisible(page.getByText(t('personal.status.cancelled'), { exact: true }))
    await expectVisible(page.getByRole('link', { name: t('personal.removeFromCalendar'), exact: true }))
    expect(await page.getByRole('link', { name: PLATFORM_URL }).count()).toBe(0)
    expect(await page.getByRole('button', { name: t('personal.cancelConfirm') }).count()).toBe(0)

    const cancelled = await server.db
      .selectFrom('registrations')
      .select(['status', 'cancelled_at'])
      .where('token', '=', row.token)
      .executeTakeFirstOrThrow()
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled.cancelled_at).not.toBeNull()
    expect((await outboxKinds(email)).map((mail) => mail.kind)).toEqual(['participant_invitation', 'registration_cancelled'])
    const seats = await server.db.selectFrom('webinars').select('registered_count').where('id', '=', webinar.id).executeTakeFirstOrThrow()
    expect(seats.registered_count).toBe(0)

    // Every post (the province without JavaScript, registering, cancelling) was a plain HTML form post.
    expect(postTypes).toEqual(javaScriptEnabled ? ['document', 'document'] : ['document', 'document', 'document'])
    expect(pageErrors).toEqual([])
  })
})
