// The organiser's whole flow in real Chromium at phone size, with and without JavaScript:
// sign in, create a webinar, assign a moderator and two speakers, build the run-down,
// publish, and find it in the filtered list.
import type { Page } from 'playwright-core'
import { translate, type MessageKey } from '#app/i18n'
import { createPerson } from '#app/models/person.server'
import { createStaff, launchBrowser, signInBrowser, startTestServer, type BrowserSession, type TestServer } from './harness'

const t = (key: MessageKey, vars?: Record<string, string | number>) => translate('id', key, vars)

let server: TestServer
let people: { moderator: string; speakerA: string; speakerB: string }

beforeAll(async () => {
  server = await startTestServer()
  const person = (name: string) =>
    createPerson(server.db, { name, title: 'Narasumber', organisation: 'Uji', email: null, whatsapp: null, bio: null, userId: null })
  people = { moderator: await person('Dannys Uji'), speakerA: await person('Siti Pembicara'), speakerB: await person('Budi Pembicara') }
})

afterAll(async () => {
  await server?.stop()
})

async function hydrated(page: Page, javaScriptEnabled: boolean) {
  if (!javaScriptEnabled) return
  await page.waitForFunction(() => (window as { __remixRouter?: { state: { initialized: boolean } } }).__remixRouter?.state.initialized === true)
}

describe.each([
  { javaScriptEnabled: true, mode: 'with JavaScript' },
  { javaScriptEnabled: false, mode: 'without JavaScript' },
])('$mode', ({ javaScriptEnabled, mode }) => {
  let browser: BrowserSession
  const topic = `Cakap Bermedia Sosial ${mode === 'with JavaScript' ? 'JS' : 'HTML'}`

  beforeAll(async () => {
    browser = await launchBrowser({ javaScriptEnabled, baseURL: server.url })
    const organiser = await createStaff(server.db, 'organiser', { password: 'kata-sandi-panjang-123' })
    await signInBrowser(browser, server, organiser)
  })

  afterAll(async () => {
    await browser?.close()
  })

  test('creates, staffs, schedules and publishes a webinar, then finds it in the list', { timeout: 90_000 }, async () => {
    const { page } = browser
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))

    await page.goto('/admin/webinars')
    await hydrated(page, javaScriptEnabled)
    await page.getByRole('link', { name: t('webinar.list.new') }).click()
    await page.waitForURL('**/admin/webinars/new')
    await hydrated(page, javaScriptEnabled)

    // A mistake first: the end before the start is shown beside the field and nothing is lost.
    await page.getByLabel(t('webinar.field.topic'), { exact: true }).fill(topic)
    await page.getByLabel(t('pillar.cakap'), { exact: true }).check()
    await page.getByLabel(t('pillar.etika'), { exact: true }).check()
    await page.getByLabel(t('webinar.field.regency'), { exact: true }).selectOption('33.10')
    await page.getByLabel(t('webinar.field.date'), { exact: true }).fill('2030-09-01')
    await page.getByLabel(t('webinar.field.startTime'), { exact: true }).fill('09:00')
    await page.getByLabel(t('webinar.field.endTime'), { exact: true }).fill('08:00')
    await page.getByLabel(t('webinar.field.platformUrl'), { exact: true }).fill('https://zoom.us/j/1234567890')
    await page.getByLabel(t('webinar.field.capacity'), { exact: true }).fill('500')
    await page.getByRole('button', { name: t('form.save') }).click()
    await page.getByText(t('webinar.endBeforeStart')).waitFor()
    expect(await page.getByLabel(t('webinar.field.endTime'), { exact: true }).getAttribute('aria-invalid')).toBe('true')
    expect(await page.getByLabel(t('webinar.field.topic'), { exact: true }).inputValue()).toBe(topic)
    expect(await page.getByLabel(t('pillar.etika'), { exact: true }).isChecked()).toBe(true)

    await page.getByLabel(t('webinar.field.endTime'), { exact: true }).fill('12:00')
    await page.getByRole('button', { name: t('form.save') }).click()
    await page.getByText(t('webinar.created')).waitFor()
    await hydrated(page, javaScriptEnabled)
    await page.getByText('Minggu, 1 September 2030, 09.00 WIB').waitFor()

    // Roles: one moderator and two speakers, each with a talk title and pillar.
    const assign = page.getByRole('form', { name: t('roles.assign') })
    const assignPerson = async (personId: string, role: string, talk?: { title: string; pillar: string }) => {
      await assign.getByLabel(t('roles.person'), { exact: true }).selectOption(personId)
      await assign.getByLabel(t('roles.role'), { exact: true }).selectOption(role)
      if (talk) {
        await assign.getByLabel(t('roles.talkTitle'), { exact: true }).fill(talk.title)
        await assign.getByLabel(t('roles.pillar'), { exact: true }).selectOption(talk.pillar)
      }
      const assigned = () => server.db.selectFrom('webinar_roles').select('id').where('person_id', '=', personId).execute()
      const before = (await assigned()).length
      await assign.getByRole('button', { name: t('roles.assign') }).click()
      // The notice of the previous assignment is still on the page, so wait for this one's row,
      // and for the form to have reset after it (with JavaScript, once the submission settles).
      await expect.poll(async () => (await assigned()).length).toBe(before + 1)
      await expect.poll(() => assign.getByLabel(t('roles.person'), { exact: true }).inputValue()).toBe('')
      await page.getByText(t('form.saved')).waitFor()
      await hydrated(page, javaScriptEnabled)
    }
    await assignPerson(people.moderator, 'moderator')
    await assignPerson(people.speakerA, 'speaker', { title: 'Mengenali Hoaks', pillar: 'etika' })
    await assignPerson(people.speakerB, 'speaker', { title: 'Aplikasi Layanan Publik', pillar: 'cakap' })

    // The run-down, in local time.
    const addItem = async (time: string, title: string) => {
      const form = page.getByRole('form', { name: t('rundown.add') })
      await form.getByLabel(t('rundown.time'), { exact: true }).fill(time)
      await form.getByLabel(t('rundown.title'), { exact: true }).fill(title)
      await form.getByRole('button', { name: t('rundown.add') }).click()
      await page.getByRole('form', { name: title }).waitFor()
      await hydrated(page, javaScriptEnabled)
    }
    await addItem('09:00', 'Pembukaan')
    await addItem('09:15', 'Materi pertama')

    await page.getByRole('button', { name: t('webinar.action.publish') }).click()
    await page.getByText(t('webinar.published')).waitFor()
    await hydrated(page, javaScriptEnabled)

    // Found in the list, filtered by status and province.
    await page.goto('/admin/webinars?status=published&province=33')
    await hydrated(page, javaScriptEnabled)
    await page.getByRole('link', { name: topic }).waitFor()

    const webinar = await server.db
      .selectFrom('webinars')
      .select(['id', 'status', 'start_at'])
      .where('topic', '=', topic)
      .executeTakeFirstOrThrow()
    expect(webinar).toMatchObject({ status: 'published', start_at: '2030-09-01T02:00:00.000Z' })
    const roles = await server.db.selectFrom('webinar_roles').select(['role']).where('webinar_id', '=', webinar.id).execute()
    expect(roles.map((r) => r.role).sort()).toEqual(['moderator', 'speaker', 'speaker'])
    const items = await server.db.selectFrom('rundown_items').select(['offset_minutes']).where('webinar_id', '=', webinar.id).orderBy('offset_minutes').execute()
    expect(items.map((i) => i.offset_minutes)).toEqual([0, 15])
    expect(pageErrors).toEqual([])
  })
})
