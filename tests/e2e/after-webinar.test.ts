// After the webinar in real Chromium on a 360×740 phone, with JavaScript off and on: a speaker
// uploads slides from the brief link (a file that is not a PDF is refused beside the field); a
// resident whose certificate is gated fills in the evaluation from the personal page, then
// downloads the certificate and the slides. axe-core audits every new page.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { translate, type MessageKey } from '#app/i18n'
import { listAssignedRecipients } from '#app/models/mail-recipients.server'
import { finaliseAttendance, markAttendance } from '#app/models/attendance.server'
import { createPerson } from '#app/models/person.server'
import { registerParticipant } from '#app/models/registration.server'
import { assignRole } from '#app/models/webinar-role.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { resident, webinarForm } from '#tests/setup/factories'
import { TEST_DB_DIR } from '#tests/setup/paths'
import {
  blockingViolations,
  createStaff,
  expectFieldError,
  expectNoSideways,
  expectVisible,
  launchBrowser,
  signInBrowser,
  startTestServer,
  waitForHydration,
  type BrowserSession,
  type StaffAccount,
  type TestServer,
} from './harness'

const t = (key: MessageKey, vars?: Record<string, string | number>) => translate('id', key, vars)
const DAY = 24 * 60 * 60 * 1000
const WIB_OFFSET_MS = 7 * 60 * 60 * 1000
const SLIDES = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')

let server: TestServer
let organiser: StaffAccount
let webinars = 0

beforeAll(async () => {
  server = await startTestServer({ env: { UPLOAD_DIR: `${TEST_DB_DIR}/e2e-uploads-${process.pid}` } })
  organiser = await createStaff(server.db, 'organiser', { password: 'kata-sandi-yang-panjang-1' })
})

afterAll(async () => {
  await server?.stop()
})

/** A webinar held three days ago with the gate on, a speaker with a brief link, and a present resident whose certificate is issued. */
async function gatedWebinar() {
  const n = ++webinars
  const topic = `Aman Digital Sesudah Webinar ${n}`
  const date = new Date(Date.now() - 3 * DAY + WIB_OFFSET_MS).toISOString().slice(0, 10)
  const saved = await saveWebinar(server.db, webinarForm({ topic, regency: '33.10', date, capacity: 100 }), { userId: organiser.id })
  if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
  const person = (name: string) => createPerson(server.db, { name, title: 'Narasumber', organisation: 'Uji', email: `${name.toLowerCase().replace(/\W+/g, '.')}.${n}@example.org`, whatsapp: null, bio: null, userId: null })
  await assignRole(server.db, saved.id, { personId: await person('Dannys Citra'), role: 'moderator', talkTitle: null, pillar: null })
  await assignRole(server.db, saved.id, { personId: await person('Edy Budiyarso'), role: 'speaker', talkTitle: 'Jejak Digital', pillar: 'aman' })
  if (!(await publishWebinar(server.db, saved.id)).ok) throw new Error('not published')
  await server.db.updateTable('webinar_roles').set({ confirmation: 'confirmed', confirmed_at: new Date().toISOString() }).where('webinar_id', '=', saved.id).execute()
  const speaker = (await listAssignedRecipients(server.db, saved.id)).find((r) => r.role === 'speaker')!
  const start = (await server.db.selectFrom('webinars').select('start_at').where('id', '=', saved.id).executeTakeFirstOrThrow()).start_at!
  const registered = await registerParticipant(server.db, saved.id, resident({ name: `Sri Rahayu ${n}` }), new Date(Date.parse(start) - DAY).toISOString())
  if (!registered.ok) throw new Error(registered.reason)
  const row = await server.db.selectFrom('registrations').select('id').where('token', '=', registered.token).executeTakeFirstOrThrow()
  await server.db.updateTable('webinars').set({ certificate_gate: 1 }).where('id', '=', saved.id).execute()
  await markAttendance(server.db, saved.id, row.id, { present: true, reason: 'seenInMeeting', note: null }, organiser.id)
  if (!(await finaliseAttendance(server.db, saved.id, organiser.id)).ok) throw new Error('not finalised')
  return { slug: saved.slug, topic, briefToken: speaker.brief_token, personalToken: registered.token }
}

for (const javaScriptEnabled of [false, true]) {
  describe(`JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    let browser: BrowserSession
    beforeAll(async () => {
      browser = await launchBrowser({ baseURL: server.url, viewport: { width: 360, height: 740 }, javaScriptEnabled })
    })
    afterAll(async () => {
      await browser?.close()
    })
    // Resident pages ship no scripts (see app/utils/page-scripts.ts); the others hydrate first.
    const ready = async () => {
      if (javaScriptEnabled && (await browser.page.evaluate(() => '__remixContext' in window))) await waitForHydration(browser.page)
    }
    // axe-core runs in the page's own JavaScript (its timers stall without it): the same pages are audited in the run with it on.
    const audit = async () => {
      if (javaScriptEnabled) expect(await blockingViolations(browser.page)).toEqual([])
    }

    test('a speaker uploads slides; the resident fills in the evaluation, then downloads the gated certificate and the slides', async () => {
      const { page } = browser
      const w = await gatedWebinar()

      // The speaker, from the brief link: first a file that is no PDF, then the slides.
      await page.goto(`/brief/${w.briefToken}`)
      await ready()
      await audit()
      await chooseFile(browser, 'input[name="slides"]', fileOnDisk('materi.pdf', Buffer.from('PK\u0003\u0004 not a pdf')))
      await page.getByRole('button', { name: t('slides.submit'), exact: true }).click()
      await expectFieldError(page.getByLabel(t('slides.file'), { exact: true }), t('slides.error.notPdf'))
      await expectNoSideways(page)
      await audit()
      await ready()
      await chooseFile(browser, 'input[name="slides"]', fileOnDisk('Jejak Digital.pdf', SLIDES))
      await page.getByRole('button', { name: t('slides.submit'), exact: true }).click()
      await expectVisible(page.getByText(t('slides.uploaded'), { exact: true }))
      await expectVisible(page.getByRole('link', { name: 'Jejak Digital.pdf', exact: true }))

      // The resident: the certificate waits for the evaluation.
      await page.goto(`/r/${w.personalToken}`)
      await ready()
      await expectVisible(page.getByText(t('gate.intro'), { exact: true }))
      expect(await page.getByRole('link', { name: t('certificate.download'), exact: true }).count()).toBe(0)
      await audit()
      await expectNoSideways(page)
      await page.getByRole('link', { name: t('gate.step.evaluation'), exact: true }).click()
      await page.getByRole('heading', { level: 1, name: t('evaluation.title'), exact: true }).waitFor()
      await ready()
      await audit()
      await expectNoSideways(page)

      // Sent with one rating missing: refused beside it, and the chosen ones stay chosen.
      const groups = page.locator('fieldset.rating')
      const count = await groups.count()
      expect(count).toBe(4)
      for (let i = 1; i < count; i++) await groups.nth(i).getByLabel('5', { exact: true }).check()
      await page.getByLabel(t('evaluation.comment')).fill('Materinya jelas, terima kasih.')
      await page.getByRole('button', { name: t('evaluation.submit'), exact: true }).click()
      await expectVisible(groups.nth(0).getByText(t('evaluation.ratingRequired'), { exact: true }))
      expect(await groups.nth(1).getByLabel('5', { exact: true }).isChecked()).toBe(true)
      await audit()
      await ready()
      await groups.nth(0).getByLabel('4', { exact: true }).check()
      await page.getByRole('button', { name: t('evaluation.submit'), exact: true }).click()

      // Back on the personal page: thanks, and the certificate downloads.
      await expectVisible(page.getByText(t('evaluation.thanks'), { exact: true }))
      const certificateLink = page.getByRole('link', { name: t('certificate.download'), exact: true })
      await expectVisible(certificateLink)
      const [certificate] = await Promise.all([page.waitForEvent('download'), certificateLink.click()])
      const certificateBytes = await streamBytes(await certificate.createReadStream())
      expect(certificateBytes.subarray(0, 5).toString()).toBe('%PDF-')

      const slidesLink = page.getByRole('link', { name: t('materials.download', { speaker: 'Edy Budiyarso' }), exact: true })
      const [slides] = await Promise.all([page.waitForEvent('download'), slidesLink.click()])
      expect(slides.suggestedFilename()).toBe('Jejak Digital.pdf')
      expect(await streamBytes(await slides.createReadStream())).toEqual(SLIDES)
      await expectNoSideways(page)
      await audit()
    })
  })
}

describe('staff pages, audited', () => {
  let browser: BrowserSession
  beforeAll(async () => {
    browser = await launchBrowser({ baseURL: server.url, viewport: { width: 360, height: 740 } })
    await signInBrowser(browser, server, organiser)
  })
  afterAll(async () => {
    await browser?.close()
  })

  test("the organiser's after-webinar page and the report's evaluation section", async () => {
    const w = await gatedWebinar()
    const { page } = browser
    await page.goto(`/admin/webinars/${w.slug}/after`)
    await waitForHydration(page)
    await page.getByRole('heading', { level: 1, name: t('after.title'), exact: true }).waitFor()
    expect(await blockingViolations(page)).toEqual([])
    await expectNoSideways(page)
    await page.getByRole('textbox', { name: t('after.recording') }).fill('https://www.youtube.com/watch?v=rekaman')
    await page.getByRole('button', { name: t('after.save'), exact: true }).click()
    await expectVisible(page.getByText(t('after.saved'), { exact: true }))

    await page.goto(`/attendance/${w.slug}/report`)
    await waitForHydration(page)
    await page.getByRole('heading', { level: 2, name: t('evaluation.report.title'), exact: true }).waitFor()
    expect(await blockingViolations(page)).toEqual([])
    await expectNoSideways(page)
  })
})

/**
 * Chooses a file for a file input through the DevTools protocol (DOM.setFileInputFiles), as a
 * person's file picker would. Playwright's setInputFiles waits on the page's own JavaScript and
 * hangs when it is switched off.
 */
async function chooseFile(browser: BrowserSession, selector: string, file: string) {
  const cdp = await browser.context.newCDPSession(browser.page)
  try {
    const { root } = await cdp.send('DOM.getDocument')
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector })
    await cdp.send('DOM.setFileInputFiles', { nodeId, files: [file] })
  } finally {
    await cdp.detach()
  }
}

/** A file to choose, written to disk. */
function fileOnDisk(name: string, bytes: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-upload-'))
  const file = path.join(dir, name)
  fs.writeFileSync(file, bytes)
  return file
}

async function streamBytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer))
  return Buffer.concat(chunks)
}
