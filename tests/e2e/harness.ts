// Real HTTP and real Chromium for tests: the production build served from a child process
// on its own SQLite file, and a headless Debian Chromium with a throwaway profile.
//
//   const server = await startTestServer()            // beforeAll
//   const user = await createStaff(server.db, 'organiser', { password: 'a-good-password' })
//   const cookie = await signIn(server, user)          // `__session=…`, for get()/postForm()
//   const browser = await launchBrowser({ baseURL: server.url })   // 360×740, JavaScript on
//   await signInBrowser(browser, server, user)          // or go through /login by hand
//   await browser.page.goto('/admin/webinars'); await waitForHydration(browser.page)
//   await browser.close(); await server.stop()         // afterAll
// and, for what a page shows: expectVisible, expectFieldError, expectNoSideways, recordPostTypes.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import type { AxeResults } from 'axe-core'
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core'
import type { StaffRole } from '#db/schema'
import { createPerson } from '#app/models/person.server'
import { createStaffUser } from '#app/models/user.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { assignRole } from '#app/models/webinar-role.server'
import type { WebinarForm } from '#app/utils/webinar-schema.server'
import { createDb, type DB } from '#app/utils/db.server'
import { webinarForm } from '#tests/setup/factories'
import { POSTGRES_TEMPLATE, ROOT, TEMPLATE_DB, TEST_DB_DIR, TEST_POSTGRES_URL } from '#tests/setup/paths'
import { createDatabaseFrom } from '../../scripts/test-postgres'
import { buildIsCurrent } from '../../scripts/serve-build'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** The child server signs cookies with this, so a test can also forge one with the same secret. */
export const TEST_SESSION_SECRET = 'e2e-session-secret-that-is-long-enough-0123456789'

const BUILD_FILE = path.join(ROOT, 'build/index.js')
const BUILD_COMMAND = 'NODE_ENV=production node node_modules/@remix-run/dev/dist/cli.js build'
const START_TIMEOUT_MS = 30_000
/** The uid and gid of Debian's `nobody`. */
const NOBODY = 65534
const STOP_TIMEOUT_MS = 5_000

export type TestServer = {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string
  /** The server's own database, copied from the migrated template: a SQLite file, or a PostgreSQL URL on the PostgreSQL run. */
  dbFile: string
  /** A connection to that file from the test process, for arranging rows and asserting on them. */
  db: DB
  /** Everything the server has printed on stdout so far (request logs, with `env: { LOG_REQUESTS: 'on' }`). */
  output(): string
  /** Everything the server has printed on stderr so far (its error log). */
  errors(): string
  stop(): Promise<void>
}

/**
 * Serves build/index.js (the production build) in a child process on a free port.
 * `unprivileged`: the database lives in a folder of its own and, when the tests run as root, the
 * server runs as `nobody`, so file permissions bind it as they bind a real deployment's user.
 */
export async function startTestServer(options: { unprivileged?: boolean; env?: Record<string, string>; databaseUrl?: string } = {}): Promise<TestServer> {
  if (!fs.existsSync(BUILD_FILE)) {
    throw new Error(`No production build at ${BUILD_FILE}: run \`npm test\`, or build first with \`${BUILD_COMMAND}\``)
  }
  if (process.cwd() === ROOT && !buildIsCurrent()) {
    console.warn(`The production build is older than app/; these tests serve the old code. Rebuild: ${BUILD_COMMAND}`)
  }
  const dbDir = options.unprivileged ? fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-server-')) : TEST_DB_DIR
  const name = `server-${process.pid}-${randomBytes(4).toString('hex')}`
  let dbFile = path.join(dbDir, `${name}.sqlite`)
  if (options.databaseUrl) {
    // Another server's database: several app processes on one database.
    dbFile = options.databaseUrl
  } else if (TEST_POSTGRES_URL) {
    // The PostgreSQL run: a database of the server's own, copied from the migrated template.
    await createDatabaseFrom(TEST_POSTGRES_URL, POSTGRES_TEMPLATE, name.replaceAll('-', '_'))
    dbFile = `${TEST_POSTGRES_URL}${name.replaceAll('-', '_')}`
  } else {
    fs.copyFileSync(TEMPLATE_DB, dbFile)
  }
  const asNobody = options.unprivileged && process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {}
  if (asNobody.uid !== undefined && !TEST_POSTGRES_URL) {
    fs.chownSync(dbDir, NOBODY, NOBODY)
    fs.chownSync(dbFile, NOBODY, NOBODY)
  }

  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'scripts/serve.ts')], {
    cwd: ROOT,
    ...asNobody,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      SESSION_SECRET: TEST_SESSION_SECRET,
      DATABASE_URL: dbFile,
      TRUST_PROXY: 'false',
      LOG_REQUESTS: 'off',
      SMTP_URL: '',
      DEMO_PASSWORD: '',
      ...(asNobody.uid !== undefined ? { HOME: dbDir, TMPDIR: dbDir } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // Should the test process end without stop() (a crash, a killed run), take the server with it.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  let output = ''
  let errors = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()))
  const port = await waitForPort(child)
  const db = createDb(dbFile)
  return {
    url: `http://127.0.0.1:${port}`,
    dbFile,
    db,
    output: () => output,
    errors: () => errors,
    async stop() {
      await db.destroy()
      await stopChild(child)
      process.off('exit', killOnExit)
      if (options.unprivileged) fs.rmSync(dbDir, { recursive: true, force: true })
    },
  }
}

function waitForPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    const fail = (reason: string) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`The test server did not start: ${reason}\n${stderr.trim()}`))
    }
    const timer = setTimeout(() => fail(`no port after ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS)
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /^PORT=(\d+)$/m.exec(stdout)
      if (match) {
        // Once: later output (request logs) must not remove the exit listener stop() waits on.
        child.stdout!.off('data', onData)
        clearTimeout(timer)
        child.removeAllListeners('exit')
        resolve(Number(match[1]))
      }
    }
    child.stdout!.on('data', onData)
    // The server's own error log (a failing loader, say) belongs in the test output.
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      process.stderr.write(chunk)
    })
    child.on('exit', (code, signal) => fail(`it exited (${signal ?? `code ${code}`})`))
  })
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

let counter = 0

export type StaffAccount = { id: string; email: string; name: string; role: StaffRole; password: string | null; setPasswordToken: string }

/** A staff account in the server's database; without a password it can only use its set-password link. */
export async function createStaff(
  db: DB,
  role: StaffRole,
  options: { password?: string; email?: string; name?: string } = {},
): Promise<StaffAccount> {
  const email = options.email ?? `${role}-${Date.now().toString(36)}${(counter++).toString(36)}@example.org`
  const name = options.name ?? `Uji ${role}`
  const { userId, setPasswordToken } = await createStaffUser(db, { email, name, role, password: options.password })
  return { id: userId, email, name, role, password: options.password ?? null, setPasswordToken }
}

/** The `name=value` pair of a Set-Cookie header, with its attributes (lower-case names). */
export type SetCookie = { name: string; value: string; pair: string; attributes: Record<string, string | true> }

export function readSetCookie(response: Response, name: string): SetCookie | null {
  for (const header of response.headers.getSetCookie()) {
    const [pair = '', ...rest] = header.split(';').map((part) => part.trim())
    const separator = pair.indexOf('=')
    if (pair.slice(0, separator) !== name) continue
    const attributes: Record<string, string | true> = {}
    for (const attribute of rest) {
      const [key = '', ...value] = attribute.split('=')
      attributes[key.toLowerCase()] = value.length ? value.join('=') : true
    }
    return { name, value: pair.slice(separator + 1), pair, attributes }
  }
  return null
}

type FormFields = Record<string, string | string[]>
type RequestOptions = { cookie?: string; headers?: Record<string, string> }

/** A GET that reports redirects instead of following them. */
export function get(server: TestServer, pathname: string, options: RequestOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers)
  if (options.cookie) headers.set('Cookie', options.cookie)
  return fetch(new URL(pathname, server.url), { headers, redirect: 'manual' })
}

/** A form POST the way a browser sends one from the app's own page: Origin is the server's. */
export function postForm(server: TestServer, pathname: string, fields: FormFields, options: RequestOptions = {}): Promise<Response> {
  const body = new URLSearchParams()
  for (const [key, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(key, item)
  }
  const headers = new Headers({ Origin: server.url, ...options.headers })
  headers.set('Content-Type', 'application/x-www-form-urlencoded')
  if (options.cookie) headers.set('Cookie', options.cookie)
  return fetch(new URL(pathname, server.url), { method: 'POST', body, headers, redirect: 'manual' })
}

/** Signs in through POST /login and returns the `__session=…` pair for a Cookie header. */
export async function signIn(server: TestServer, account: { email: string; password: string | null }): Promise<string> {
  const response = await postForm(server, '/login', { email: account.email, password: account.password ?? '' })
  const cookie = readSetCookie(response, '__session')
  if (response.status !== 302 || !cookie) throw new Error(`Signing in as ${account.email} failed with ${response.status}`)
  return cookie.pair
}

export type BrowserSession = { context: BrowserContext; page: Page; close(): Promise<void> }

/** A phone-sized headless Chromium with a fresh profile, removed again on close(). */
export async function launchBrowser(
  options: { javaScriptEnabled?: boolean; baseURL?: string; viewport?: { width: number; height: number }; locale?: string } = {},
): Promise<BrowserSession> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: run \`apt-get install -y chromium\` or set CHROMIUM_PATH`)
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-chromium-'))
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      javaScriptEnabled: options.javaScriptEnabled ?? true,
      baseURL: options.baseURL,
      viewport: options.viewport ?? { width: 360, height: 740 },
      locale: options.locale ?? 'id-ID',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    const page = context.pages()[0] ?? (await context.newPage())
    return {
      context,
      page,
      async close() {
        await context.close()
        fs.rmSync(userDataDir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    fs.rmSync(userDataDir, { recursive: true, force: true })
    throw error
  }
}

/** Resolves once React has hydrated the page, so a click goes through Remix rather than a plain form post. */
export async function waitForHydration(page: Page): Promise<void> {
  await page
    .waitForFunction(() => (window as { __remixRouter?: { state: { initialized: boolean } } }).__remixRouter?.state.initialized === true, null, {
      timeout: 10_000,
    })
    .catch(() => {
      // The usual cause: a rebuild during the run replaced public/build under the running server.
      throw new Error(`${page.url()} never hydrated: did its /build scripts fail to load?`)
    })
}

/**
 * A resident page as it must reach a cheap phone: no script file loaded, and nothing for React to
 * hydrate (app/utils/page-scripts.ts). Its forms are plain form posts, with JavaScript on too.
 */
export async function expectNoScripts(page: Page): Promise<void> {
  const found = await page.evaluate(() => ({
    scriptFiles: [...document.scripts].filter((script) => script.src).map((script) => script.src),
    remix: '__remixContext' in window,
  }))
  expect(found, `${page.url()} ships scripts`).toEqual({ scriptFiles: [], remix: false })
}

/** Signs the browser in without the login form (for tests about other pages): POST /login, then hand over the cookie. */
export async function signInBrowser(browser: BrowserSession, server: TestServer, account: { email: string; password: string | null }) {
  const pair = await signIn(server, account)
  const value = pair.slice(pair.indexOf('=') + 1)
  await browser.context.addCookies([{ name: '__session', value, url: server.url, httpOnly: true, sameSite: 'Lax' }])
}

/** Waits for the element to show; with JavaScript, a page can render a moment after its URL changed. */
export async function expectVisible(locator: Locator) {
  await locator.waitFor({ state: 'visible', timeout: 5_000 })
}

/** How the browser sends its form posts from now on: 'fetch' (Remix) or 'document' (plain HTML). */
export function recordPostTypes(page: Page): string[] {
  const types: string[] = []
  page.on('request', (request) => {
    if (request.method() === 'POST') types.push(request.resourceType())
  })
  return types
}

/** The page fits the 360 px phone screen: nothing scrolls sideways. */
export async function expectNoSideways(page: Page) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
  expect(scrollWidth, `${page.url()} is wider than the screen`).toBeLessThanOrEqual(360)
}

/** The error list a field points at with aria-describedby, and the field marked invalid. */
export async function expectFieldError(field: Locator, text: string) {
  // With JavaScript, Remix moves the URL a moment before React renders the answer, so wait for the mark.
  await expect.poll(() => field.getAttribute('aria-invalid'), { timeout: 5_000 }).toBe('true')
  const describedBy = (await field.getAttribute('aria-describedby')) ?? ''
  const errorId = describedBy.split(' ').find((id) => id.endsWith('-error'))
  expect(errorId, 'the field points at its error').toBeTruthy()
  const fieldBox = field.locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " field ")][1]')
  const error = fieldBox.locator(`[id="${errorId}"]`)
  await expectVisible(error)
  expect(await error.textContent()).toBe(text)
}

/** A complete, published webinar (the factory's form) in a test server's own database. */
export async function publishWebinarOn(db: DB, organiserId: string, form: Partial<WebinarForm> = {}): Promise<{ id: string; slug: string }> {
  const saved = await saveWebinar(db, webinarForm(form), { userId: organiserId })
  if (!saved.ok) throw new Error(`not saved: ${JSON.stringify(saved.errors)}`)
  for (const role of ['moderator', 'speaker'] as const) {
    const personId = await createPerson(db, {
      name: role === 'moderator' ? 'Moderator Satu' : 'Narasumber Satu',
      title: 'T',
      organisation: 'O',
      email: `${role}-${saved.id}@example.org`,
      whatsapp: null,
      bio: null,
      userId: null,
    })
    await assignRole(db, saved.id, { personId, role, talkTitle: role === 'speaker' ? 'Materi' : null, pillar: role === 'speaker' ? 'cakap' : null })
  }
  const published = await publishWebinar(db, saved.id)
  if (!published.ok) throw new Error(`not published: ${JSON.stringify(published)}`)
  return { id: saved.id, slug: saved.slug }
}

/** A resident's registration form as the webinar page posts it; `tag` and `n` make the person their own. */
export function residentForm(tag: string, n: number): Record<string, string> {
  return {
    name: `Warga ${tag} ${n}`,
    email: `warga-${tag.toLowerCase().replaceAll(' ', '-')}-${n}@example.org`,
    whatsapp: `0812${String(30_000_000 + n)}`,
    regency: '33.10',
    occupation: 'guru',
    ageRange: '25-34',
    gender: '',
    consent: 'yes',
    website: '',
  }
}

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const BLOCKING_IMPACTS = ['serious', 'critical']

/**
 * The serious and critical axe-core violations (WCAG 2.1 A and AA, best practice) on the page as
 * it stands, one readable line each; with `every`, the moderate and minor ones too.
 */
export async function blockingViolations(page: Page, options: { every?: boolean } = {}): Promise<string[]> {
  // Through the DevTools protocol, not a <script> tag: the page's Content-Security-Policy
  // rightly refuses inline scripts without its nonce.
  await page.evaluate(fs.readFileSync(AXE_SCRIPT, 'utf8'))
  const results = await page.evaluate(() =>
    (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe.run(document, {
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
    }),
  )
  return results.violations
    .filter((violation) => options.every || BLOCKING_IMPACTS.includes(violation.impact ?? ''))
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`)
}
