// An axe-core audit (WCAG 2.1 A and AA, plus best practice) of the pages residents and
// organisers use, rendered by the production build in Chromium at 360×740 and hydrated.
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'
import type { AxeResults } from 'axe-core'
import { translate, type MessageKey } from '#app/i18n'
import { createPerson } from '#app/models/person.server'
import { registerParticipant } from '#app/models/registration.server'
import { assignRole } from '#app/models/webinar-role.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { webinarForm } from '#tests/setup/factories'
import { createStaff, launchBrowser, signInBrowser, startTestServer, waitForHydration, type BrowserSession, type TestServer } from './harness'

const t = (key: MessageKey, vars?: Record<string, string | number>) => translate('id', key, vars)
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const BLOCKING_IMPACTS = ['serious', 'critical']
const TOPIC = 'Literasi Digital untuk Semua'

let server: TestServer
let browser: BrowserSession
let organiser: Awaited<ReturnType<typeof createStaff>>
let webinar: { id: string; slug: string }
let personalToken: string

beforeAll(async () => {
  server = await startTestServer()
  organiser = await createStaff(server.db, 'organiser', { password: 'kata-sandi-yang-panjang-1' })
  const person = (name: string) =>
    createPerson(server.db, { name, title: 'Narasumber', organisation: 'Uji', email: null, whatsapp: null, bio: null, userId: null })
  const saved = await saveWebinar(server.db, webinarForm({ topic: TOPIC, date: '2031-05-20', capacity: 50 }), {
    userId: organiser.id,
  })
  if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
  await assignRole(server.db, saved.id, { personId: await person('Moderator Aksesibel'), role: 'moderator', talkTitle: null, pillar: null })
  await assignRole(server.db, saved.id, { personId: await person('Pembicara Aksesibel'), role: 'speaker', talkTitle: 'Materi', pillar: 'cakap' })
  const published = await publishWebinar(server.db, saved.id)
  if (!published.ok) throw new Error(`not published: ${JSON.stringify(published)}`)
  webinar = saved
  const registered = await registerParticipant(server.db, saved.id, {
    name: 'Sri Rahayu',
    email: 'sri.a11y@example.org',
    whatsapp: '+6281234567890',
    regencyCode: '34.71',
    occupation: 'guru',
    ageRange: '35-44',
    gender: null,
    lang: 'id',
  })
  if (!registered.ok) throw new Error(`not registered: ${registered.reason}`)
  personalToken = registered.token
  browser = await launchBrowser({ baseURL: server.url, viewport: { width: 360, height: 740 } })
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

/** The serious and critical violations on the page as it stands, one readable line each. */
async function blockingViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SCRIPT })
  const results = await page.evaluate(() =>
    (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe.run(document, {
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
    }),
  )
  return results.violations
    .filter((violation) => BLOCKING_IMPACTS.includes(violation.impact ?? ''))
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`)
}

/** Opens the page, makes sure it is the one meant (not a login redirect or an error page), then audits it. */
async function audit(path: string, heading: string) {
  const { page } = browser
  await page.goto(path)
  await waitForHydration(page)
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
    await waitForHydration(page)
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
})
