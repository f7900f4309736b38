// E-certificates in real Chromium on a 360×740 phone screen: a resident of a finished webinar
// whose attendance is final downloads their certificate from the personal page; a stranger, in
// a browser of their own (with and without JavaScript), types its number on /certificates the
// careless way and sees that it is valid, and whose it is.
import fs from 'node:fs'
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs'
import { translate, type MessageKey } from '#app/i18n'
import { finaliseAttendance, markAttendance } from '#app/models/attendance.server'
import { createPerson } from '#app/models/person.server'
import { registerParticipant } from '#app/models/registration.server'
import { assignRole } from '#app/models/webinar-role.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { resident, webinarForm } from '#tests/setup/factories'
import {
  createStaff,
  expectFieldError,
  expectNoSideways,
  expectVisible,
  get,
  launchBrowser,
  startTestServer,
  expectNoScripts,
  type BrowserSession,
  type TestServer,
} from './harness'

const t = (key: MessageKey, vars?: Record<string, string | number>) => translate('id', key, vars)

const DAY = 24 * 60 * 60 * 1000
const WIB_OFFSET_MS = 7 * 60 * 60 * 1000
const NUMBER_FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/

let server: TestServer
let organiserId: string
let people: { moderator: string; speaker: string }

beforeAll(async () => {
  server = await startTestServer()
  organiserId = (await createStaff(server.db, 'organiser')).id
  const person = (name: string) => createPerson(server.db, { name, title: 'Narasumber', organisation: 'Uji', email: null, whatsapp: null, bio: null, userId: null })
  people = { moderator: await person('Moderator Sertifikat'), speaker: await person('Pembicara Sertifikat') }
})

afterAll(async () => {
  await server?.stop()
})

/**
 * A webinar in Klaten held three days ago (09:00–12:00 WIB), the resident registered the day
 * before it and marked present, and attendance finalised now: the certificate is issued.
 */
async function finalisedWebinar(topic: string, residentName: string, email: string) {
  const date = new Date(Date.now() - 3 * DAY + WIB_OFFSET_MS).toISOString().slice(0, 10)
  const saved = await saveWebinar(server.db, webinarForm({ topic, regency: '33.10', date, startTime: '09:00', endTime: '12:00', capacity: 100 }), { userId: organiserId })
  if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
  await assignRole(server.db, saved.id, { personId: people.moderator, role: 'moderator', talkTitle: null, pillar: null })
  await assignRole(server.db, saved.id, { personId: people.speaker, role: 'speaker', talkTitle: 'Jejak Digital', pillar: 'aman' })
  const published = await publishWebinar(server.db, saved.id)
  if (!published.ok) throw new Error(`not published: ${JSON.stringify(published)}`)
  const { start_at: startAt } = await server.db.selectFrom('webinars').select('start_at').where('id', '=', saved.id).executeTakeFirstOrThrow()
  const registered = await registerParticipant(server.db, saved.id, resident({ name: residentName, email }), new Date(Date.parse(startAt!) - DAY).toISOString())
  if (!registered.ok || registered.status !== 'registered') throw new Error(`not registered: ${JSON.stringify(registered)}`)
  const registration = await server.db.selectFrom('registrations').select('id').where('token', '=', registered.token).executeTakeFirstOrThrow()
  expect(await markAttendance(server.db, saved.id, registration.id, { present: true, reason: 'seenInMeeting', note: null }, organiserId)).toEqual({ ok: true })
  expect(await finaliseAttendance(server.db, saved.id, organiserId)).toMatchObject({ ok: true, present: 1 })
  const certificate = await server.db.selectFrom('certificates').select('number').where('registration_id', '=', registration.id).executeTakeFirstOrThrow()
  expect(certificate.number).toMatch(NUMBER_FORMAT)
  return { webinar: saved, token: registered.token, number: certificate.number }
}

/** The text of a PDF's pages, through pdfjs-dist: the PDF stores glyph ids, not the characters. */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false }).promise
  try {
    const parts: string[] = []
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent()
      parts.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '))
    }
    return parts.join(' ').replace(/\s+/g, ' ')
  } finally {
    await doc.destroy()
  }
}

describe.each([
  { javaScriptEnabled: true, mode: 'with JavaScript' },
  { javaScriptEnabled: false, mode: 'without JavaScript' },
])('a certificate downloaded and verified, the stranger $mode', ({ javaScriptEnabled, mode }) => {
  const browsers: BrowserSession[] = []

  afterAll(async () => {
    for (const browser of browsers) await browser.close()
  })

  test('the resident downloads the PDF from the personal page; a stranger types its number and sees "Sah" and the name', { timeout: 90_000 }, async () => {
    const name = javaScriptEnabled ? 'Sri Wahyuni Rahayu' : 'Bambang Setiawan'
    const topic = `Sertifikat Literasi Digital ${mode}`
    const { token, number } = await finalisedWebinar(topic, name, `sertifikat.${javaScriptEnabled ? 'js' : 'html'}@example.org`)

    // The resident: their personal page, the certificate section, the download.
    const resident = await launchBrowser({ baseURL: server.url, viewport: { width: 360, height: 740 } })
    browsers.push(resident)
    const residentErrors: string[] = []
    resident.page.on('pageerror', (error) => residentErrors.push(error.message))
    await resident.page.goto(`/r/${token}`)
    await expectVisible(resident.page.getByRole('heading', { level: 2, name: t('certificate.sectionTitle'), exact: true }))
    await expectNoScripts(resident.page)
    await expectNoSideways(resident.page)
    const link = resident.page.getByRole('link', { name: 'Unduh e-sertifikat (PDF)', exact: true })
    await expectVisible(link)
    const [download] = await Promise.all([resident.page.waitForEvent('download', { timeout: 15_000 }), link.click()])
    expect(download.suggestedFilename()).toBe(`sertifikat-${number}.pdf`)
    expect(await download.failure()).toBeNull()
    const file = await download.path()
    const bytes = new Uint8Array(fs.readFileSync(file))
    expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-')
    const text = await pdfText(bytes)
    expect(text).toContain(number)
    expect(text).toContain(name)
    expect(text).toContain(topic)
    // The download left the personal page where it was.
    expect(resident.page.url()).toBe(`${server.url}/r/${token}`)
    expect(residentErrors).toEqual([])

    // A stranger, in a browser of their own, checks the number from the paper.
    const stranger = await launchBrowser({ javaScriptEnabled, baseURL: server.url, viewport: { width: 360, height: 740 } })
    browsers.push(stranger)
    const { page } = stranger
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto('/certificates')
    await expectVisible(page.getByRole('heading', { level: 1, name: t('certificate.verifyTitle'), exact: true }))
    await expectNoScripts(page)
    await expectNoSideways(page)
    const field = page.getByLabel(t('certificate.number'), { exact: true })
    const submit = page.getByRole('button', { name: t('certificate.lookup'), exact: true })

    // First a slip: too short. The message comes beside the field, and what was typed stays.
    await field.fill('7k3m 9qxd')
    await submit.click()
    await page.waitForURL(/\/certificates\?number=/)
    await expectFieldError(page.getByLabel(t('certificate.number'), { exact: true }), t('certificate.invalidNumber'))
    expect(await page.getByLabel(t('certificate.number'), { exact: true }).inputValue()).toBe('7k3m 9qxd')
    await expectNoSideways(page)

    // Then the number, in lower case and without dashes.
    const typed = number.replace(/-/g, '').toLowerCase()
    await page.getByLabel(t('certificate.number'), { exact: true }).fill(typed)
    await submit.click()
    await page.waitForURL(`${server.url}/certificates/${number}`)
    await expectVisible(page.getByText(t('certificate.state.valid'), { exact: true }))
    expect(await page.locator('.verdict-label').first().textContent()).toBe('Sah')
    await expectVisible(page.getByText(name, { exact: true }))
    await expectVisible(page.getByText(number, { exact: true }))
    await expectVisible(page.getByText(topic, { exact: true }))
    await expectNoSideways(page)
    expect(pageErrors).toEqual([])
  })
})

describe('the verification page over HTTP', () => {
  test('the document is never cached and not indexed; an unknown number is a 404 page that says so', { timeout: 30_000 }, async () => {
    const { number } = await finalisedWebinar('Sertifikat lewat HTTP', 'Yusuf Hidayat', 'sertifikat.http@example.org')
    const valid = await get(server, `/certificates/${number}`)
    expect(valid.status).toBe(200)
    expect(valid.headers.get('Content-Type')).toContain('text/html')
    expect(valid.headers.get('Cache-Control')).toBe('no-store')
    const html = await valid.text()
    expect(html).toMatch(/<meta name="robots" content="noindex"\/?>/)
    expect(html).toContain('Yusuf Hidayat')
    expect(html).toContain(t('certificate.state.valid'))

    const unknown = await get(server, '/certificates/0000-0000-0000-0000')
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('Cache-Control')).toBe('no-store')
    const unknownHtml = await unknown.text()
    expect(unknownHtml).toContain(t('certificate.notFound', { number: '0000-0000-0000-0000' }).replace(/"/g, '&quot;'))
    expect(unknownHtml).not.toContain('Yusuf Hidayat')
  })
})
