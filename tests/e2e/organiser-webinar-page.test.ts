// The organiser's webinar page on a phone (360×740), JavaScript on and off: a form that succeeded
// starts empty again, a refused publish shows what is missing inside its red box with no
// leftover green notice, and the webinar form says which time zone its times are in.
import { translate, type MessageKey } from '#app/i18n'
import { createPerson } from '#app/models/person.server'
import { saveWebinar } from '#app/models/webinar.server'
import { webinarForm } from '#tests/setup/factories'
import { createStaff, expectVisible, launchBrowser, signInBrowser, startTestServer, waitForHydration, type StaffAccount, type TestServer } from './harness'

const t = (key: MessageKey, vars?: Record<string, string | number>) => translate('id', key, vars)

let server: TestServer
let organiser: StaffAccount
let drafts = 0

beforeAll(async () => {
  server = await startTestServer()
  organiser = await createStaff(server.db, 'organiser', { password: 'kata-sandi-yang-panjang-1' })
  for (const name of ['Narasumber Pertama', 'Narasumber Kedua']) {
    await createPerson(server.db, { name, title: 'Narasumber', organisation: 'Uji', email: null, whatsapp: null, bio: null, userId: null })
  }
})

afterAll(async () => {
  await server?.stop()
})

for (const javaScriptEnabled of [true, false]) {
  describe(`JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test('after assigning a speaker and adding a run-down item, both forms start empty again', async () => {
      const saved = await saveWebinar(server.db, webinarForm({ topic: `Formulir Bersih ${++drafts}` }), { userId: organiser.id })
      if (!saved.ok) throw new Error('not saved')
      const browser = await launchBrowser({ baseURL: server.url, javaScriptEnabled })
      try {
        const { page } = browser
        await signInBrowser(browser, server, organiser)
        await page.goto(`/admin/webinars/${saved.slug}`)
        if (javaScriptEnabled) await waitForHydration(page)
        const assign = page.locator('form', { has: page.getByRole('heading', { name: t('roles.assign') }) })
        await assign.getByLabel(t('roles.person'), { exact: true }).selectOption({ label: 'Narasumber Pertama — Uji' })
        await assign.getByLabel(t('roles.role'), { exact: true }).selectOption('speaker')
        await assign.getByLabel(t('roles.talkTitle')).fill('Keamanan Akun')
        await assign.getByLabel(t('roles.pillar')).selectOption('aman')
        await assign.getByRole('button', { name: t('roles.assign') }).click()
        await expectVisible(page.locator('li.card', { hasText: 'Keamanan Akun' }))
        await expect.poll(() => assign.getByLabel(t('roles.talkTitle')).inputValue()).toBe('')
        expect(await assign.getByLabel(t('roles.person'), { exact: true }).inputValue()).toBe('')

        const rundown = page.locator('form', { has: page.getByRole('heading', { name: t('rundown.add') }) })
        await rundown.getByLabel(t('rundown.time')).fill('09:30')
        await rundown.getByLabel(t('rundown.title')).fill('Pembukaan')
        await rundown.getByRole('button', { name: t('rundown.add') }).click()
        await expectVisible(page.getByRole('form', { name: 'Pembukaan' }))
        await expect.poll(() => rundown.getByLabel(t('rundown.title')).inputValue()).toBe('')
        expect(await rundown.getByLabel(t('rundown.time')).inputValue()).toBe('')
      } finally {
        await browser.close()
      }
    })

    test('a refused publish lists what is missing inside the red box, with no green notice left over', async () => {
      const saved = await saveWebinar(server.db, webinarForm({ topic: `Belum Lengkap ${++drafts}` }), { userId: organiser.id })
      if (!saved.ok) throw new Error('not saved')
      const browser = await launchBrowser({ baseURL: server.url, javaScriptEnabled })
      try {
        const { page } = browser
        await signInBrowser(browser, server, organiser)
        await page.goto(`/admin/webinars/${saved.slug}?done=created`)
        if (javaScriptEnabled) await waitForHydration(page)
        await expectVisible(page.locator('.notice', { hasText: t('webinar.created') }))
        await page.getByRole('button', { name: t('webinar.action.publish') }).click()
        const box = page.locator('.form-errors', { hasText: t('webinar.missingIntro') })
        await expectVisible(box)
        await expectVisible(box.getByText(t('webinar.missing.moderator')))
        await expectVisible(box.getByText(t('webinar.missing.speaker')))
        expect(await page.locator('.notice').count()).toBe(0)
      } finally {
        await browser.close()
      }
    })

    test('the webinar form names the time zone of the chosen regency', async () => {
      const browser = await launchBrowser({ baseURL: server.url, javaScriptEnabled })
      try {
        const { page } = browser
        await signInBrowser(browser, server, organiser)
        const saved = await saveWebinar(server.db, webinarForm({ topic: `Zona ${++drafts}`, regency: '91.71' }), { userId: organiser.id })
        if (!saved.ok) throw new Error('not saved')
        // Editing a webinar in Jayapura: WIT, as the page is served.
        await page.goto(`/admin/webinars/${saved.slug}/edit`)
        if (javaScriptEnabled) await waitForHydration(page)
        await expectVisible(page.getByText(t('webinar.field.timeZone', { zone: 'WIT', name: t('zone.WIT') })))
        if (javaScriptEnabled) {
          // Choosing another regency says so at once.
          await page.getByLabel(t('webinar.field.regency')).selectOption('51.03')
          await expectVisible(page.getByText(t('webinar.field.timeZone', { zone: 'WITA', name: t('zone.WITA') })))
        }
        await page.getByRole('button', { name: t('form.save') }).click()
        // And the confirmation after saving repeats it.
        await expectVisible(page.locator('.notice', { hasText: t('webinar.savedZone', { zone: javaScriptEnabled ? 'WITA' : 'WIT', name: t(javaScriptEnabled ? 'zone.WITA' : 'zone.WIT') }) }))
      } finally {
        await browser.close()
      }
    })
  })
}
