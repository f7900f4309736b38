// The organiser's certificate-issuer page in Chromium at 360×740, through the production server:
// a file far over the limit (past the server's form limit too) is answered beside its field
// with the summary in view, nothing saved; a logo that passes shows in every page's header.
import fs from 'node:fs'
import path from 'node:path'
import { translate, type MessageKey } from '#app/i18n'
import { getIssuerSettings } from '#app/models/site-settings.server'
import { uploadRoot } from '#app/utils/uploads.server'
import { pngBytes } from '#tests/setup/images'
import { createStaff, expectFieldError, launchBrowser, signInBrowser, startTestServer, type BrowserSession, type StaffAccount, type TestServer } from './harness'

const t = (key: MessageKey, vars?: Record<string, string | number>) => translate('id', key, vars)

let server: TestServer
let browser: BrowserSession
let organiser: StaffAccount

beforeAll(async () => {
  server = await startTestServer()
  organiser = await createStaff(server.db, 'organiser', { password: 'kata-sandi-yang-panjang-1' })
  browser = await launchBrowser({ baseURL: server.url, viewport: { width: 360, height: 740 } })
  await signInBrowser(browser, server, organiser)
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

const siteFiles = () => (fs.existsSync(path.join(uploadRoot(), 'site')) ? fs.readdirSync(path.join(uploadRoot(), 'site')) : [])

test('a 2 MB signature is refused beside its field, the summary in view, nothing saved', async () => {
  const { page } = browser
  await page.goto('/admin/issuer')
  await page.getByLabel(t('issuer.signatoryName')).fill('Dr. Bambang Sutejo')
  const large = Buffer.concat([pngBytes(10, 10), Buffer.alloc(2 * 1024 * 1024)])
  await page.getByLabel(t('issuer.signature')).setInputFiles({ name: 'ttd.png', mimeType: 'image/png', buffer: large })
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: t('form.save') }).click()])
  expect(response.status()).toBe(413)
  await expectFieldError(page.getByLabel(t('issuer.signature')), t('issuer.error.tooLarge', { kb: 500 }))
  // The summary at the top of the form is what the reloaded page shows first.
  const summary = page.locator('.error-summary')
  await summary.waitFor()
  const box = (await summary.boundingBox())!
  expect(box.y).toBeGreaterThanOrEqual(0)
  expect(box.y + box.height).toBeLessThanOrEqual(740)
  // What was typed is still there; nothing was saved.
  expect(await page.getByLabel(t('issuer.signatoryName')).inputValue()).toBe('Dr. Bambang Sutejo')
  expect((await getIssuerSettings(server.db)).signatoryName).toBeNull()
  expect(siteFiles()).toEqual([])
})

test('a logo that passes is shown in the header of the public pages', async () => {
  const { page } = browser
  await page.goto('/admin/issuer')
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 60 70"><path d="M30 2 58 12v22c0 17-12 29-28 34C14 63 2 51 2 34V12z" fill="#0b5cad"/></svg>'
  await page.getByLabel(t('issuer.programmeNameId')).fill('Program Cakap Digital')
  await page.getByLabel(t('issuer.logo')).setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(svg) })
  await page.getByRole('button', { name: t('form.save') }).click()
  await page.getByRole('status').filter({ hasText: t('form.saved') }).waitFor()
  await page.getByRole('img', { name: t('issuer.logoPreview') }).waitFor()
  await browser.context.clearCookies()
  await page.goto('/webinars')
  const logo = page.locator('header .brand img.logo')
  await logo.waitFor()
  expect(await logo.getAttribute('src')).toMatch(/^\/site\/logo\/mark-[0-9a-f]{32}\.png$/)
  expect(await logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalHeight)).toBe(64)
  expect(await page.locator('header .brand-tagline').textContent()).toBe('Program Cakap Digital')
})
