// What a resident's phone downloads: every page a resident sees, loaded in Chromium (JavaScript
// on) with an empty cache, counting every byte that crosses the wire (headers and gzipped bodies
// of the page, its stylesheet, fonts, images, anything) through the DevTools protocol. A byte
// count, not a timing: each page stays within 30 kB and loads no script file.
import type { CDPSession } from 'playwright-core'
import { updateIssuer } from '#app/models/site-settings.server'
import { checkSiteImage } from '#app/utils/site-image.server'
import { createStaff, get, launchBrowser, startTestServer, type BrowserSession, type TestServer } from './harness'
import { arrangeResidentPages, type ResidentPages } from './resident-pages'

const BUDGET_BYTES = 30_000
/** A ministry-style emblem: a shield, a ring of stars, a gradient. */
const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 140"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#0b5cad"/><stop offset="1" stop-color="#06305c"/></linearGradient></defs><path d="M60 4 114 24v44c0 34-24 58-54 68C30 126 6 102 6 68V24z" fill="url(#g)" stroke="#c9a227" stroke-width="4"/>${Array.from({ length: 12 }, (_, i) => `<circle cx="${(60 + 34 * Math.cos((i * Math.PI) / 6)).toFixed(1)}" cy="${(66 + 34 * Math.sin((i * Math.PI) / 6)).toFixed(1)}" r="4" fill="#f5d76e"/>`).join('')}<path d="M40 66h40M60 46v40" stroke="#fff" stroke-width="8" stroke-linecap="round"/></svg>`

let server: TestServer
let browser: BrowserSession
let pages: ResidentPages

beforeAll(async () => {
  server = await startTestServer()
  const organiser = await createStaff(server.db, 'organiser')
  pages = await arrangeResidentPages(server.db, organiser.id)
  // An organiser has uploaded a logo: the header shows its small copy, one image within the budget.
  const logo = await checkSiteImage(Buffer.from(LOGO_SVG))
  if (!logo.ok) throw new Error(logo.reason)
  await updateIssuer(server.db, { programmeNameId: 'Gerakan Nasional Literasi Digital', programmeNameEn: null, issuerName: null, signatoryName: null, signatoryTitle: null }, { logo, signature: 'keep' }, organiser.id)
  browser = await launchBrowser({ baseURL: server.url, viewport: { width: 360, height: 740 } })
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

type Loaded = { status: number; bytes: number; requests: Array<{ url: string; type: string; bytes: number }> }

/** Loads the page with the browser's cache emptied and disabled; every request it made, with its bytes on the wire. */
async function firstLoad(pathname: string): Promise<Loaded> {
  const { page } = browser
  const cdp: CDPSession = await browser.context.newCDPSession(page)
  const requests = new Map<string, { url: string; type: string; bytes: number; done: boolean }>()
  cdp.on('Network.requestWillBeSent', (event) => requests.set(event.requestId, { url: event.request.url, type: event.type ?? 'Other', bytes: 0, done: false }))
  cdp.on('Network.loadingFinished', (event) => Object.assign(requests.get(event.requestId) ?? {}, { bytes: event.encodedDataLength, done: true }))
  cdp.on('Network.loadingFailed', (event) => Object.assign(requests.get(event.requestId) ?? {}, { done: true }))
  await cdp.send('Network.enable')
  await cdp.send('Network.clearBrowserCache')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  try {
    const response = await page.goto(pathname, { waitUntil: 'load' })
    await expect.poll(() => [...requests.values()].every((request) => request.done), { timeout: 5_000 }).toBe(true)
    const list = [...requests.values()].map(({ url, type, bytes }) => ({ url, type, bytes }))
    return { status: response?.status() ?? 0, bytes: list.reduce((sum, request) => sum + request.bytes, 0), requests: list }
  } finally {
    await cdp.detach()
  }
}

const residentPages = () => [
  { name: 'the catalogue', path: '/webinars', status: 200 },
  { name: 'a webinar page with its registration form', path: `/webinars/${pages.webinar.slug}`, status: 200 },
  { name: 'the confirmation after registering', path: `/webinars/${pages.webinar.slug}/registered`, status: 200 },
  { name: 'a personal page, check-in open', path: `/r/${pages.personalToken}`, status: 200 },
  { name: 'a personal page asking to confirm a cancellation', path: `/r/${pages.personalToken}?confirm=cancel`, status: 200 },
  { name: 'a past webinar’s page', path: `/webinars/${pages.pastWebinar.slug}`, status: 200 },
  { name: 'a personal page after the webinar, with the certificate', path: `/r/${pages.pastToken}`, status: 200 },
  { name: 'the certificate lookup', path: '/certificates', status: 200 },
  { name: 'a verified certificate', path: `/certificates/${pages.certificateNumber}`, status: 200 },
  { name: 'the privacy notice', path: '/privacy', status: 200 },
  { name: 'an unknown page', path: '/no-such-page', status: 404 },
  { name: 'an unknown webinar', path: '/webinars/no-such-webinar', status: 404 },
]

describe('every resident page, first load with an empty cache', () => {
  test(`stays within ${BUDGET_BYTES.toLocaleString('en')} bytes on the wire and loads no script file`, async () => {
    const over: string[] = []
    const sizes: string[] = []
    for (const { name, path, status } of residentPages()) {
      const loaded = await firstLoad(path)
      expect(loaded.status, name).toBe(status)
      const scripts = loaded.requests.filter((request) => request.type === 'Script')
      expect(scripts, `${name} loads scripts`).toEqual([])
      // The uploaded logo's header copy is among the bytes counted.
      expect(loaded.requests.some((request) => request.type === 'Image' && new URL(request.url).pathname.startsWith('/site/logo/')), `${name} shows the logo`).toBe(true)
      // The document itself is always among them: nothing was served from a cache.
      expect(loaded.requests.find((request) => request.type === 'Document')?.bytes ?? 0, name).toBeGreaterThan(500)
      sizes.push(`${String(loaded.bytes).padStart(6)}  ${name}`)
      if (loaded.bytes > BUDGET_BYTES) {
        over.push(`${name} (${path}): ${loaded.bytes} bytes: ${loaded.requests.map((r) => `${r.type} ${new URL(r.url).pathname} ${r.bytes}`).join(', ')}`)
      }
    }
    // How near each page is to the budget, for whoever changes a resident page next.
    console.log(`Bytes on first load (budget ${BUDGET_BYTES}):\n${sizes.join('\n')}`)
    expect(over).toEqual([])
  })

  test('the one stylesheet has a fingerprinted URL that browsers keep for a year', async () => {
    const loaded = await firstLoad('/webinars')
    const styles = loaded.requests.filter((request) => request.type === 'Stylesheet')
    expect(styles).toHaveLength(1)
    expect(new URL(styles[0]!.url).pathname).toMatch(/^\/build\/_assets\/app-[A-Z0-9]+\.css$/i)
    const response = await get(server, new URL(styles[0]!.url).pathname)
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable')
    // System fonts: no font file is ever fetched.
    expect(loaded.requests.filter((request) => request.type === 'Font')).toEqual([])
  })

  test('a resident page paints from its HTML alone: its first styles are inline, allowed by the policy, and its stylesheet comes after the content', async () => {
    const violations: string[] = []
    browser.page.on('console', (message) => message.type() === 'error' && violations.push(message.text()))
    for (const path of ['/webinars', `/webinars/${pages.webinar.slug}`, `/r/${pages.personalToken}`, '/no-such-page']) {
      await browser.page.goto(path)
      const layout = await browser.page.evaluate(() => {
        const style = document.querySelector<HTMLStyleElement>('head style')
        const link = document.querySelector('link[rel=stylesheet]')
        return {
          inlineApplied: !!style?.sheet && style.sheet.cssRules.length > 20,
          linkInBody: link?.parentElement === document.body,
          linkAfterMain: !!link && !!(document.querySelector('main')!.compareDocumentPosition(link) & Node.DOCUMENT_POSITION_FOLLOWING),
          // The header's accent line comes from the inline styles, whether or not the stylesheet has arrived.
          accent: getComputedStyle(document.querySelector('.site-header')!).borderBottomColor,
        }
      })
      expect(layout, path).toEqual({ inlineApplied: true, linkInBody: true, linkAfterMain: true, accent: 'rgb(11, 92, 173)' })
    }
    expect(violations.filter((text) => /Content Security Policy|Refused to apply/i.test(text))).toEqual([])
  })
})

describe('a staff page', () => {
  test('carries the same inline first styles and links its stylesheet in the head, before its scripts run', async () => {
    await browser.page.goto('/login')
    const placement = await browser.page.evaluate(() => ({
      inline: !!document.querySelector<HTMLStyleElement>('head style')?.sheet,
      linkInHead: document.querySelector('link[rel=stylesheet]')?.parentElement === document.head,
    }))
    expect(placement).toEqual({ inline: true, linkInHead: true })
  })
})
