// Every page of the app, as every kind of visitor meets it: the production build in Chromium at
// 360×740 with JavaScript on. A page fails when the browser reports any console error or uncaught
// exception (React's hydration errors #418/#423/#425 among them, which is what a constant imported
// from a `.server` module into a component causes: the browser gets `undefined`), or, on a page
// that ships JavaScript, when React never hydrates it. Pages that ship no JavaScript pass on their
// console alone. The route files are read from app/routes, so a new page is visited without
// anyone remembering to add it; a new URL parameter fails here until it is given a value below.
import fs from 'node:fs'
import path from 'node:path'
import type { ConsoleMessage, Page, Response } from 'playwright-core'
import { finaliseAttendance, markAttendance } from '#app/models/attendance.server'
import { createPerson } from '#app/models/person.server'
import { registerParticipant } from '#app/models/registration.server'
import { assignRole } from '#app/models/webinar-role.server'
import { previewZoomImport } from '#app/models/zoom-import.server'
import { createQuestion } from '#app/models/question.server'
import { parseZoomReport } from '#app/utils/zoom-report.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { webinarForm } from '#tests/setup/factories'
import { ROOT } from '#tests/setup/paths'
import { buildZoomReport } from '../../scripts/demo/zoom-report'
import { createStaff, get, launchBrowser, signIn, signInBrowser, startTestServer, type BrowserSession, type StaffAccount, type TestServer } from './harness'

type Role = 'organiser' | 'moderator' | 'speaker' | 'resident' | 'anonymous'
const ROLES: Role[] = ['organiser', 'moderator', 'speaker', 'resident', 'anonymous']
const PASSWORD = 'kata-sandi-yang-panjang-1'

let server: TestServer
let browser: BrowserSession
const accounts = {} as Record<'organiser' | 'moderator' | 'speaker', StaffAccount>
/** The value of each URL parameter, by the route file's name and the parameter. */
let params: Record<string, string>

/** URL parameters by `<first segment of the route file>.<$param>`, or by `$param` alone. */
function paramValue(file: string, param: string): string {
  const value = params[`${file.split('.')[0]}.${param}`] ?? params[param]
  if (!value) throw new Error(`${file}: no value for ${param}; give it one in tests/e2e/every-route.test.ts`)
  return value
}

/**
 * Remix's flat route file names turned into URLs: `a.$slug._index.tsx` → `/a/<slug>`.
 * Resource routes (`.ts`: CSV, calendar, PDF, JSON) render no page and are left out.
 */
function pageUrls(): Array<{ file: string; url: string }> {
  const files = fs.readdirSync(path.join(ROOT, 'app/routes')).filter((name) => name.endsWith('.tsx') && !/\.test\.tsx$/.test(name))
  return files.map((name) => {
    const file = name.replace(/\.tsx$/, '')
    if (file === '$') return { file, url: '/no-such-page' }
    const segments = file
      .replaceAll('[.]', '\u0000')
      .split('.')
      .filter((segment) => segment !== '_index' && !segment.startsWith('_'))
      .map((segment) => segment.replaceAll('\u0000', '.'))
      .map((segment) => (segment.startsWith('$') ? paramValue(file, segment) : segment))
    return { file, url: `/${segments.join('/')}` }
  })
}

beforeAll(async () => {
  server = await startTestServer()
  for (const role of ['organiser', 'moderator', 'speaker'] as const) accounts[role] = await createStaff(server.db, role, { password: PASSWORD, name: `Uji ${role}` })
  const person = (name: string, userId: string | null) =>
    createPerson(server.db, { name, title: 'Narasumber', organisation: 'Uji', email: `${name.toLowerCase().replaceAll(' ', '.')}@example.org`, whatsapp: null, bio: null, userId })
  const moderatorPerson = await person('Moderator Rute', accounts.moderator.id)
  const speakerPerson = await person('Pembicara Rute', accounts.speaker.id)

  // An upcoming webinar and one held in 2021, finalised, so every page has something to show.
  const webinars: Array<{ id: string; slug: string }> = []
  for (const date of ['2031-05-20', '2021-09-01']) {
    const saved = await saveWebinar(server.db, webinarForm({ topic: `Rute ${date}`, date, capacity: 50 }), { userId: accounts.organiser.id })
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
    await assignRole(server.db, saved.id, { personId: moderatorPerson, role: 'moderator', talkTitle: null, pillar: null })
    await assignRole(server.db, saved.id, { personId: speakerPerson, role: 'speaker', talkTitle: 'Materi', pillar: 'cakap' })
    if (!(await publishWebinar(server.db, saved.id)).ok) throw new Error('not published')
    webinars.push(saved)
  }
  const [upcoming, past] = webinars as [{ id: string; slug: string }, { id: string; slug: string }]
  const registered = await registerParticipant(
    server.db,
    upcoming.id,
    { name: 'Sri Rahayu', email: 'sri.rute@example.org', whatsapp: '+6281234567890', regencyCode: '34.71', occupation: 'guru', ageRange: '35-44', gender: null, lang: 'id' },
  )
  if (!registered.ok) throw new Error('not registered')
  const attendee = await registerParticipant(
    server.db,
    past.id,
    { name: 'Budi Santoso', email: 'budi.rute@example.org', whatsapp: '+6281234567891', regencyCode: '33.10', occupation: 'asn', ageRange: '25-34', gender: null, lang: 'id' },
    '2021-08-30T00:00:00.000Z',
  )
  if (!attendee.ok) throw new Error('not registered')
  const attendeeRow = await server.db.selectFrom('registrations').select('id').where('token', '=', attendee.token).executeTakeFirstOrThrow()
  await markAttendance(server.db, past.id, attendeeRow.id, { present: true, reason: 'seenInMeeting', note: null }, accounts.organiser.id)
  if (!(await finaliseAttendance(server.db, past.id, accounts.organiser.id)).ok) throw new Error('not finalised')

  const report = parseZoomReport(
    new TextEncoder().encode(
      buildZoomReport({ topic: 'Rute 2031-05-20', startAt: new Date('2031-05-20T01:55:00Z'), people: [{ name: 'Sri Rahayu', email: 'sri.rute@example.org', joins: [{ minutes: 150 }] }] }),
    ),
    { expectedDate: '2031-05-20' },
  )
  if (!report.ok) throw new Error(JSON.stringify(report.error))
  const bytes = new TextEncoder().encode('rute')
  const zoomImport = await previewZoomImport(server.db, upcoming.id, { name: 'zoom.csv', bytes, report: report.report }, accounts.organiser.id)

  const brief = await server.db.selectFrom('webinar_roles').select('brief_token').where('webinar_id', '=', upcoming.id).where('person_id', '=', speakerPerson).executeTakeFirstOrThrow()
  const outbox = await server.db.selectFrom('outbox').select('id').limit(1).executeTakeFirstOrThrow()
  const certificate = await server.db.selectFrom('certificates').select('number').where('registration_id', '=', attendeeRow.id).executeTakeFirstOrThrow()
  const invited = await createStaff(server.db, 'moderator')
  const question = await createQuestion(
    server.db,
    { pillar: 'cakap', difficulty: 'easy', prompt: 'Apa itu kata sandi yang kuat?', options: ['Panjang dan acak', 'Tanggal lahir'], correctOption: 0, explanation: null },
    accounts.organiser.id,
  )
  params = {
    $slug: upcoming.slug,
    'r.$token': registered.token,
    'brief.$token': brief.brief_token!,
    'set-password.$token': invited.setPasswordToken,
    '$id': outbox.id,
    $number: certificate.number,
    $personId: speakerPerson,
    $importId: zoomImport.importId,
    $questionId: question,
    $kind: 'pre',
  }
  browser = await launchBrowser({ baseURL: server.url, viewport: { width: 360, height: 740 } })
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

/** What went wrong on the page: console errors and uncaught exceptions, as they happened. */
function watch(page: Page) {
  const problems: string[] = []
  /** The status of the page itself (the last document the tab navigated to). */
  let status = 0
  const onResponse = (response: Response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) status = response.status()
  }
  const onConsole = (message: ConsoleMessage) => {
    if (message.type() !== 'error') return
    // Chromium reports a page answered with 4xx (a refusal, a 404 page) as a failed resource.
    // Chromium asks for /favicon.ico by itself on some error pages, whatever <link rel="icon"> says.
    if (message.location().url.endsWith('/favicon.ico')) return
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text()) && message.location().url === page.url() && status >= 400) return
    problems.push(`console: ${message.text()} at ${message.location().url}`)
  }
  const onError = (error: Error) => problems.push(`exception: ${error.message}`)
  page.on('response', onResponse)
  page.on('console', onConsole)
  page.on('pageerror', onError)
  return {
    problems,
    status: () => status,
    stop() {
      page.off('response', onResponse)
      page.off('console', onConsole)
      page.off('pageerror', onError)
    },
  }
}

/** Whether the page ships the app's JavaScript; then React must hydrate it. */
async function settle(page: Page): Promise<void> {
  const shipsScripts = await page.evaluate(() => 'window' in globalThis && '__remixContext' in window)
  if (!shipsScripts) return
  // React marks the nodes it has hydrated; a failed hydration reports itself on the console.
  await page
    .waitForFunction(() => Object.keys(document.body).some((key) => key.startsWith('__reactFiber$')), null, { timeout: 10_000 })
    .catch(() => {
      throw new Error(`${page.url()} never hydrated`)
    })
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))))
}

async function signInAs(role: Role) {
  await browser.context.clearCookies()
  if (role === 'organiser' || role === 'moderator' || role === 'speaker') await signInBrowser(browser, server, accounts[role])
}

describe('every page loads without a console error or a failed hydration', () => {
  test('the route files all map to a URL', () => {
    const urls = pageUrls()
    expect(urls.length).toBeGreaterThan(20)
    expect(urls.find((u) => u.file === 'admin.privacy')?.url).toBe('/admin/privacy')
    expect(urls.find((u) => u.file === 'admin.issuer')?.url).toBe('/admin/issuer')
  })

  for (const role of ROLES) {
    test(`as ${role === 'resident' ? 'a resident (by their personal link)' : role === 'anonymous' ? 'someone not signed in' : `a signed-in ${role}`}`, async () => {
      await signInAs(role)
      const { page } = browser
      const failures: string[] = []
      const titles = new Map<string, string>()
      for (const { file, url } of pageUrls()) {
        const watcher = watch(page)
        try {
          await page.goto(url)
          await settle(page)
          // A page that redirects elsewhere (/admin → the webinar list) has no title of its own.
          if (watcher.status() === 200 && role === 'organiser' && new URL(page.url()).pathname === url) titles.set(file, await page.title())
        } catch (error) {
          failures.push(`${url}: ${(error as Error).message}`)
        } finally {
          watcher.stop()
        }
        if (watcher.status() >= 500) failures.push(`${url}: status ${watcher.status()}`)
        for (const problem of watcher.problems) failures.push(`${url} (${file}): ${problem}`)
      }
      expect(failures).toEqual([])
      // Every staff page says what it is in the tab and the history, not only the app's name.
      const bare = [...titles].filter(([, title]) => title === 'Literasi Webinar' || !title.includes('·')).map(([file, title]) => `${file}: ${title}`)
      expect(bare).toEqual([])
      // and no two staff pages share one.
      const staffTitles = [...titles].filter(([file]) => /^(admin|attendance)\./.test(file)).map(([, title]) => title)
      expect(staffTitles.filter((title, i) => staffTitles.indexOf(title) !== i)).toEqual([])
    })
  }
})

// Resource routes render no page, so the walk above leaves them out; the dashboard's CSV files
// are reached from its links.
describe('the programme dashboard’s CSV files', () => {
  test('every table’s link downloads a CSV for an organiser, keeps the filters, and is refused to everyone else', async () => {
    await signInAs('organiser')
    const { page } = browser
    await page.goto('/admin/reports?from=2021-01-01')
    await settle(page)
    const links = await page.locator('a[href*=".csv"]').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')!))
    // Reach by province, regency, pillar and month at least (learning and satisfaction need tests and evaluations).
    expect(links.length).toBeGreaterThanOrEqual(4)
    for (const href of links) expect(href).toMatch(/^\/admin\/reports\/[a-z-]+\.csv\?from=2021-01-01$/)

    const cookies = {
      organiser: await signIn(server, accounts.organiser),
      moderator: await signIn(server, accounts.moderator),
      speaker: await signIn(server, accounts.speaker),
    }
    for (const href of links) {
      const response = await get(server, href, { cookie: cookies.organiser })
      expect(response.status, href).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="laporan-program-[a-z-]+-2021-01-01\.csv"$/)
      for (const role of ['moderator', 'speaker'] as const) expect((await get(server, href, { cookie: cookies[role] })).status, `${role} ${href}`).toBe(403)
      const anonymous = await get(server, href)
      expect(anonymous.status).toBe(302)
      expect(anonymous.headers.get('location')).toMatch(/^\/login\?redirectTo=/)
    }
  })
})
