// The participant invitation and the update as a phone shows them: real Chromium at 360 px, the
// message's HTML exactly as the worker sends it.
import { renderMail } from '#app/mail/templates.server'
import type { MailPayload, WebinarSnapshot } from '#app/mail/payload'
import { launchBrowser, type BrowserSession } from './harness'

// A long join link, as Zoom writes them: it must wrap inside the screen, not widen the page.
const JOIN_URL = 'https://us02web.zoom.us/j/81234567890?pwd=QWxhZGRpbjpvcGVuIHNlc2FtZVRoaXNJc0FMb25nUGFzc3dvcmQ.1'

const webinar: WebinarSnapshot = {
  slug: 'cerdas-bermedia-sosial-klaten',
  topic: 'Cerdas Bermedia Sosial: Mengenali Hoaks, Disinformasi dan Ujaran Kebencian di Grup Keluarga',
  segment: 'umum',
  regencyName: 'Kabupaten Kepulauan Siau Tagulandang Biaro',
  provinceName: 'Sulawesi Utara',
  timeZone: 'WITA',
  startAt: '2030-03-04T01:00:00.000Z',
  endAt: '2030-03-04T04:00:00.000Z',
  platformUrl: JOIN_URL,
  meetingId: '812 3456 7890',
  passcode: 'literasi2030',
  livestreamUrl: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLliterasidigitalnasional2030',
  calendarUid: 'uid@example.org',
  sequence: 0,
  capacity: 500,
  registered: 12,
}
const sender = { name: 'Literasi Digital', email: 'literasi@example.org' }
const recipient = { name: 'Rina Susanti', email: 'rina.susanti@example.org', lang: 'id' as const }
const personalUrl = 'http://localhost:3000/r/abcdefghijklmnopqrstuvwxyz012345'

let browser: BrowserSession

beforeAll(async () => {
  browser = await launchBrowser({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false })
})

afterAll(async () => {
  await browser?.close()
})

async function show(payload: MailPayload) {
  const { html } = renderMail(payload, recipient, sender)
  await browser.page.setContent(html)
  return browser.page
}

test('the participant invitation fits a 360 px screen, stacks each label above its value, and its join link is a real link and a button', async () => {
  const page = await show({ kind: 'participant_invitation', webinar, personalUrl })
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360)

  const joinLinks = page.locator(`a[href="${JOIN_URL}"]`)
  expect(await joinLinks.count()).toBe(2)
  expect(await page.getByRole('link', { name: 'Bergabung ke webinar' }).getAttribute('href')).toBe(JOIN_URL)
  // The link in the details table shows the whole URL, wrapped inside the screen.
  const inTable = page.locator(`table a[href="${JOIN_URL}"]`)
  expect(await inTable.textContent()).toBe(JOIN_URL)
  const linkBox = (await inTable.boundingBox())!
  expect(linkBox.x + linkBox.width).toBeLessThanOrEqual(360)

  // Stacked: the label sits above its value, and the value has (nearly) the whole width.
  const row = page.locator('table.details tr', { hasText: 'Tautan bergabung' })
  const label = (await row.locator('th').boundingBox())!
  const value = (await row.locator('td').boundingBox())!
  expect(label.y + label.height).toBeLessThanOrEqual(value.y + 1)
  expect(value.width).toBeGreaterThan(280)
})

test('an update says what changed at the top, and fits the screen too', async () => {
  const page = await show({ kind: 'update', webinar, previous: { startAt: '2030-03-03T01:00:00.000Z', endAt: '2030-03-03T04:00:00.000Z' }, personalUrl })
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360)
  const paragraphs = await page.locator('p').allTextContents()
  expect(paragraphs[0]).toBe('Halo Rina Susanti,')
  expect(paragraphs[1]).toMatch(/^Jadwal berubah: .+ → .+$/)
  expect(await page.getByRole('link', { name: 'Bergabung ke webinar' }).getAttribute('href')).toBe(JOIN_URL)
})
