// Signing in, and setting a first password, in real Chromium on a phone-sized screen,
// with JavaScript (Remix submits by fetch) and without it (plain HTML form posts).
import type { Page } from 'playwright-core'
import { translate } from '#app/i18n'
import {
  createStaff,
  expectVisible,
  launchBrowser,
  recordPostTypes,
  signInBrowser,
  startTestServer,
  waitForHydration,
  type BrowserSession,
  type TestServer,
} from './harness'

const PASSWORD = 'kata-sandi-yang-panjang-1'
const t = (key: Parameters<typeof translate>[1], vars?: Parameters<typeof translate>[2]) => translate('id', key, vars)

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})

afterAll(async () => {
  await server?.stop()
})

async function signInThroughForm(page: Page, email: string, password: string) {
  await page.getByLabel(t('login.email'), { exact: true }).fill(email)
  await page.getByLabel(t('login.password'), { exact: true }).fill(password)
  await page.getByRole('button', { name: t('login.submit'), exact: true }).click()
}

describe.each([
  { javaScriptEnabled: true, postType: 'fetch', mode: 'with JavaScript' },
  { javaScriptEnabled: false, postType: 'document', mode: 'without JavaScript' },
])('$mode', ({ javaScriptEnabled, postType }) => {
  let browser: BrowserSession

  beforeAll(async () => {
    browser = await launchBrowser({ javaScriptEnabled, baseURL: server.url, viewport: { width: 360, height: 740 } })
  })

  afterAll(async () => {
    await browser?.close()
  })

  async function openPage(path: string) {
    const { page } = browser
    await page.goto(path)
    if (javaScriptEnabled) await waitForHydration(page)
    // A 360 px phone screen must not need sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360)
  }

  test('an organiser signs in through the login form and lands on the webinar list', async () => {
    const organiser = await createStaff(server.db, 'organiser', { password: PASSWORD })
    const { page, context } = browser
    await context.clearCookies()
    const postTypes = recordPostTypes(page)

    await openPage('/login')
    await signInThroughForm(page, organiser.email, PASSWORD)

    await page.waitForURL(`${server.url}/admin/webinars`)
    await expectVisible(page.getByRole('heading', { level: 1, name: t('webinar.list.title') }))
    await expectVisible(page.getByText(t('nav.signedInAs', { name: organiser.name })))
    expect(postTypes).toEqual([postType])
    const session = (await context.cookies()).find((cookie) => cookie.name === '__session')
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' })
  })

  test('a new account sets its password from its link, then signs in with it', async () => {
    const account = await createStaff(server.db, 'organiser', { name: 'Dannys Citra' })
    const { page, context } = browser
    await context.clearCookies()

    await openPage(`/set-password/${account.setPasswordToken}`)
    await expectVisible(page.getByText(t('setPassword.intro', { name: account.name, email: account.email })))
    await page.getByLabel(t('setPassword.password'), { exact: true }).fill(PASSWORD)
    await page.getByLabel(t('setPassword.confirm'), { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: t('setPassword.submit'), exact: true }).click()

    await page.waitForURL(`${server.url}/login?passwordSet`)
    await expectVisible(page.getByRole('status').getByText(t('setPassword.done')))
    if (javaScriptEnabled) await waitForHydration(page)
    await signInThroughForm(page, account.email, PASSWORD)
    await page.waitForURL(`${server.url}/admin/webinars`)
    await expectVisible(page.getByText(t('nav.signedInAs', { name: account.name })))

    // The link is spent: opening it again shows the not-found page.
    const reopened = await page.goto(`/set-password/${account.setPasswordToken}`)
    expect(reopened?.status()).toBe(404)
  })

  test('signing out from the header ends the session', async () => {
    const organiser = await createStaff(server.db, 'organiser', { password: PASSWORD })
    const { page, context } = browser
    await context.clearCookies()
    await signInBrowser(browser, server, organiser)

    await openPage('/admin/webinars')
    await page.getByRole('button', { name: t('nav.signOut'), exact: true }).click()
    await page.waitForURL(`${server.url}/login?signedOut`)
    await expectVisible(page.getByRole('status').getByText(t('login.signedOut')))

    await page.goto('/admin/webinars')
    expect(page.url()).toBe(`${server.url}/login?redirectTo=%2Fadmin%2Fwebinars`)
  })

  test.each(['/\t/evil.example', '/%09/evil.example', '//evil.example', '/\\evil.example', 'https://evil.example'])(
    'a signed-in user following /login?redirectTo=%s stays on this site',
    async (target) => {
      const organiser = await createStaff(server.db, 'organiser', { password: PASSWORD })
      const { page } = browser
      const refusedScripts: string[] = []
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) refusedScripts.push(message.text())
      })
      await signInBrowser(browser, server, organiser)
      // The crafted link as it would arrive in a message: the target percent-encoded once.
      await page.goto(`/login?redirectTo=${encodeURIComponent(target)}`)
      await page.waitForLoadState('load')
      expect(new URL(page.url()).origin).toBe(server.url)
      await expectVisible(page.getByRole('heading', { level: 1 }))
      // Where the target is a page of ours that ships scripts, they run; error pages ship none.
      if (javaScriptEnabled && (await page.locator('script[src]').count()) > 0) await waitForHydration(page)
      // The page's own inline scripts carry the nonce: nothing was refused.
      expect(refusedScripts).toEqual([])
    },
  )

})
