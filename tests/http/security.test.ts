// Security behaviour that only shows over real HTTP: the express guards in scripts/server.ts,
// cookies as a browser receives them, and sessions as the running server keeps them.
import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { createCookie } from '@remix-run/node'
import { translate } from '#app/i18n'
import {
  TEST_SESSION_SECRET,
  createStaff,
  get,
  postForm,
  readSetCookie,
  signIn,
  startTestServer,
  type StaffAccount,
  type TestServer,
} from '#tests/e2e/harness'

const PASSWORD = 'kata-sandi-yang-panjang-1'

let server: TestServer
let organiser: StaffAccount

beforeAll(async () => {
  server = await startTestServer()
  organiser = await createStaff(server.db, 'organiser', { password: PASSWORD })
})

afterAll(async () => {
  await server?.stop()
})

/** Whether a Cookie header opens the organiser's home, as the browser would try it. */
async function opensAdmin(cookie: string): Promise<boolean> {
  const response = await get(server, '/admin/webinars', { cookie })
  if (response.status === 200) return true
  expect(response.status).toBe(302)
  expect(response.headers.get('Location')).toBe('/login?redirectTo=%2Fadmin%2Fwebinars')
  return false
}

describe('cross-site form posts', () => {
  test('a POST from another origin is refused with 403 and signs nobody in', async () => {
    const response = await postForm(
      server,
      '/login',
      { email: organiser.email, password: PASSWORD },
      { headers: { Origin: 'https://evil.example' } },
    )
    expect(response.status).toBe(403)
    expect(response.headers.getSetCookie()).toEqual([])
    expect(await response.text()).toContain(translate('id', 'error.crossSite.body'))
  })

  test('a POST marked cross-site by Sec-Fetch-Site, without Origin, is refused with 403', async () => {
    const response = await fetch(new URL('/login', server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'cross-site' },
      body: new URLSearchParams({ email: organiser.email, password: PASSWORD }),
      redirect: 'manual',
    })
    expect(response.status).toBe(403)
    expect(response.headers.getSetCookie()).toEqual([])
  })

  test('an opaque origin ("null", e.g. a sandboxed frame) is refused', async () => {
    const response = await postForm(server, '/login', { email: organiser.email, password: PASSWORD }, { headers: { Origin: 'null' } })
    expect(response.status).toBe(403)
  })

  test('a same-origin POST is processed', async () => {
    const response = await postForm(server, '/login', { email: organiser.email, password: PASSWORD })
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/admin/webinars')
    expect(readSetCookie(response, '__session')).not.toBeNull()
  })
})

test('a body over 1 MB is refused with 413 before it is read', async () => {
  // Only the headers are sent: the answer must come without the server waiting for 2 MB.
  const { status, connection } = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    const request = http.request(new URL('/login', server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(2 * 1024 * 1024), Origin: server.url },
    })
    request.on('response', (response) => {
      resolve({ status: response.statusCode ?? 0, connection: response.headers.connection })
      response.resume()
      request.destroy()
    })
    request.on('error', reject)
    request.flushHeaders()
  })
  expect(status).toBe(413)
  expect(connection).toBe('close')
})

describe('the session cookie', () => {
  test('signing in sets __session as HttpOnly and SameSite=Lax, holding a signed id only', async () => {
    const response = await postForm(server, '/login', { email: organiser.email, password: PASSWORD })
    const cookie = readSetCookie(response, '__session')!
    expect(cookie.attributes.httponly).toBe(true)
    expect(cookie.attributes.samesite).toBe('Lax')
    expect(cookie.attributes.path).toBe('/')
    expect(cookie.value).not.toContain(organiser.email)
    expect(cookie.value).not.toContain(organiser.id)
  })

  test('a session id planted before sign-in is replaced, and never authenticates', async () => {
    // An attacker who can set a cookie (a sibling subdomain, a leaked secret) chooses the id.
    const planted = (await createCookie('__session', { secrets: [TEST_SESSION_SECRET] }).serialize(randomBytes(32).toString('base64url'))).split(';')[0]!
    const response = await postForm(server, '/login', { email: organiser.email, password: PASSWORD }, { cookie: planted })
    const issued = readSetCookie(response, '__session')!
    expect(issued.pair).not.toBe(planted)
    expect(await opensAdmin(issued.pair)).toBe(true)
    expect(await opensAdmin(planted)).toBe(false)
  })

  test('signing in again while signed in issues a new id', async () => {
    const first = await signIn(server, organiser)
    const response = await postForm(server, '/login', { email: organiser.email, password: PASSWORD }, { cookie: first })
    expect(readSetCookie(response, '__session')!.pair).not.toBe(first)
  })

  test('signing out ends the session on the server, not only in the browser', async () => {
    const cookie = await signIn(server, organiser)
    expect(await opensAdmin(cookie)).toBe(true)

    const response = await postForm(server, '/logout', {}, { cookie })
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/login?signedOut')
    expect(readSetCookie(response, '__session')!.attributes['max-age']).toBe('0')

    // The old cookie, replayed by someone who kept a copy, opens nothing.
    expect(await opensAdmin(cookie)).toBe(false)
  })
})

describe('wrong passwords', () => {
  test('an existing and an unknown account get the same status and the same page', async () => {
    const existing = await createStaff(server.db, 'moderator', { password: PASSWORD })
    const unknownEmail = `nobody-${Date.now()}@example.org`
    const known = await postForm(server, '/login', { email: existing.email, password: 'salah-sama-sekali' })
    const unknown = await postForm(server, '/login', { email: unknownEmail, password: 'salah-sama-sekali' })

    expect(known.status).toBe(400)
    expect(unknown.status).toBe(known.status)
    // Each response has its own script nonce; the rest must be the same.
    const knownPage = (await known.text()).replaceAll(existing.email, 'EMAIL').replace(/nonce="[^"]+"/g, 'nonce')
    const unknownPage = (await unknown.text()).replaceAll(unknownEmail, 'EMAIL').replace(/nonce="[^"]+"/g, 'nonce')
    expect(knownPage).toContain(translate('id', 'login.failed'))
    expect(unknownPage).toBe(knownPage)
  })

  test('after five failures for an account, the sixth attempt is throttled even with the right password', async () => {
    const target = await createStaff(server.db, 'speaker', { password: PASSWORD })
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await postForm(server, '/login', { email: target.email, password: `tebakan-${attempt}` })
      expect(response.status).toBe(400)
    }
    const sixth = await postForm(server, '/login', { email: target.email, password: PASSWORD })
    expect(sixth.status).toBe(429)
    expect(Number(sixth.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect(readSetCookie(sixth, '__session')).toBeNull()
    expect(await sixth.text()).toContain(translate('id', 'login.throttled', { minutes: 15 }))
  })
})

test('a password set through its link is stored as a salted scrypt hash, never as itself', async () => {
  const [first, second] = [await createStaff(server.db, 'speaker'), await createStaff(server.db, 'speaker')]
  for (const account of [first, second]) {
    const response = await postForm(server, `/set-password/${account.setPasswordToken}`, { password: PASSWORD, confirm: PASSWORD })
    expect(response.status).toBe(302)
  }
  const rows = await server.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', 'in', [first.id, second.id])
    .execute()
  const hashes = rows.map((row) => row.password_hash!)
  expect(hashes).toHaveLength(2)
  for (const hash of hashes) {
    expect(hash).toMatch(/^scrypt\$/)
    const [, cost] = hash.split('$')
    expect(Number(cost)).toBeGreaterThanOrEqual(2 ** 14)
    expect(hash).not.toContain(PASSWORD)
    expect(hash).not.toContain(Buffer.from(PASSWORD).toString('base64'))
  }
  // A salt per account: the same password does not give the same hash.
  expect(hashes[0]).not.toBe(hashes[1])
})

test('GET /healthz answers 200 {"status":"ok"}', async () => {
  const response = await get(server, '/healthz')
  expect(response.status).toBe(200)
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
  expect(await response.json()).toEqual({ status: 'ok' })
})

test('an unknown URL is a 404 page in Indonesian, and in English once the reader switched', async () => {
  const indonesian = await get(server, '/tidak-ada-halaman-ini')
  expect(indonesian.status).toBe(404)
  expect(indonesian.headers.get('Content-Type')).toMatch(/^text\/html/)
  const indonesianPage = await indonesian.text()
  expect(indonesianPage).toContain('<html lang="id"')
  expect(indonesianPage).toContain(translate('id', 'error.notFound.title'))

  const switched = await postForm(server, '/lang', { lang: 'en', redirectTo: '/tidak-ada-halaman-ini' })
  expect(switched.status).toBe(302)
  expect(switched.headers.get('Location')).toBe('/tidak-ada-halaman-ini')
  const lang = readSetCookie(switched, 'lang')!
  expect(Number(lang.attributes['max-age'])).toBeGreaterThan(30 * 24 * 60 * 60)

  const english = await get(server, '/tidak-ada-halaman-ini', { cookie: lang.pair })
  expect(english.status).toBe(404)
  const englishPage = await english.text()
  expect(englishPage).toContain('<html lang="en"')
  expect(englishPage).toContain(translate('en', 'error.notFound.title'))
})
