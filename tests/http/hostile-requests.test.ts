// What a hostile tester sent a running copy, over real HTTP: requests that are not forms, forms
// with thousands of fields, redirect targets that lead off-site, NUL characters, and the security
// headers every response must carry.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { translate } from '#app/i18n'
import { FORM_FIELD_LIMIT } from '#app/utils/read-form.server'
import { createApp } from '../../scripts/server'
import { loadBuild } from '../../scripts/serve-build'
import { parseEnv } from '#app/utils/env.server'
import {
  createStaff,
  get,
  postForm,
  publishWebinarOn,
  readSetCookie,
  residentForm,
  signIn,
  startTestServer,
  type StaffAccount,
  type TestServer,
} from '#tests/e2e/harness'
import { pngBytes } from '#tests/setup/images'

const PASSWORD = 'kata-sandi-yang-panjang-1'

let server: TestServer
let organiser: StaffAccount
let slug: string
const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-hostile-uploads-'))

beforeAll(async () => {
  server = await startTestServer({ env: { UPLOAD_DIR: uploadDir } })
  organiser = await createStaff(server.db, 'organiser', { password: PASSWORD })
  slug = (await publishWebinarOn(server.db, organiser.id)).slug
})

afterAll(async () => {
  await server?.stop()
  fs.rmSync(uploadDir, { recursive: true, force: true })
})

let residents = 0

/** A registration form as the page sends it, for a resident of its own. */
function residentFields(): Record<string, string> {
  return residentForm('nul', ++residents)
}

async function registrationCount(): Promise<number> {
  const rows = await server.db.selectFrom('registrations').select('id').execute()
  return rows.length
}

function post(pathname: string, body: BodyInit, contentType: string | null, headers: Record<string, string> = {}) {
  const all = new Headers({ Origin: server.url, ...headers })
  if (contentType) all.set('Content-Type', contentType)
  return fetch(new URL(pathname, server.url), { method: 'POST', body, headers: all, redirect: 'manual' })
}

describe('a form with far more fields than any of ours', () => {
  test('30,000 repeats of one key on the registration form are refused with 413, and nothing is saved', async () => {
    const before = await registrationCount()
    const body = `${'name=a&'.repeat(30_000)}email=x%40example.org`
    const response = await post(`/webinars/${slug}`, body, 'application/x-www-form-urlencoded')
    expect(response.status).toBe(413)
    expect(await response.text()).toContain(translate('id', 'error.tooLarge.body'))
    expect(await registrationCount()).toBe(before)
  })

  test('20,000 repeats on /login are refused with 413 and sign nobody in', async () => {
    const body = `${'email=a&'.repeat(20_000)}password=${PASSWORD}`
    const response = await post('/login', body, 'application/x-www-form-urlencoded')
    expect(response.status).toBe(413)
    expect(response.headers.getSetCookie().filter((cookie) => cookie.startsWith('__session='))).toEqual([])
  })

  test('a form at the field limit is still read', async () => {
    // A real form's fields plus padding up to the limit: read, so the usual answer (wrong password).
    const padding = Array.from({ length: FORM_FIELD_LIMIT - 2 }, (_, i) => `pad${i}=x`).join('&')
    const response = await post('/login', `email=${encodeURIComponent(organiser.email)}&password=salah-sekali&${padding}`, 'application/x-www-form-urlencoded')
    expect(response.status).toBe(400)
    expect(await response.text()).toContain(translate('id', 'login.failed'))
  })

  test('a multipart form with too many fields is refused with 413', async () => {
    const form = new FormData()
    for (let i = 0; i <= FORM_FIELD_LIMIT; i++) form.append('name', 'a')
    const response = await fetch(new URL(`/webinars/${slug}`, server.url), { method: 'POST', body: form, headers: { Origin: server.url }, redirect: 'manual' })
    expect(response.status).toBe(413)
  })

  test('the process keeps answering while such posts arrive', async () => {
    const body = 'name=a&'.repeat(30_000)
    const posts = Array.from({ length: 5 }, () => post(`/webinars/${slug}`, body, 'application/x-www-form-urlencoded'))
    const health = await get(server, '/healthz')
    expect(health.status).toBe(200)
    for (const response of await Promise.all(posts)) expect(response.status).toBe(413)
  })
})

describe('requests that are not forms', () => {
  const routes = () => [
    `/webinars/${slug}`,
    '/login',
    `/webinars/${slug}/link`,
    `/r/${'A'.repeat(43)}`,
    '/lang',
  ]

  test.each([
    ['application/json', '{"email":"a@example.org"}', 415],
    ['text/plain', 'email=a@example.org', 415],
    [null, 'email=a@example.org', 415],
    ['multipart/form-data', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n', 400],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb', 400],
    ['multipart/form-data; boundary=x', 'this is not multipart at all', 400],
  ])('Content-Type %s answers %i on every resident and sign-in route', async (contentType, body, status) => {
    for (const pathname of routes()) {
      const response = await post(pathname, body, contentType)
      expect({ pathname, status: response.status }).toEqual({ pathname, status })
      const text = await response.text()
      expect(text).not.toContain(translate('id', 'error.generic.title'))
    }
  })
})

describe('redirect targets', () => {
  const offSite = [
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r/evil.example',
    '/%09/evil.example',
    '//evil.example',
    '/\\evil.example',
    '/\\/evil.example',
    '\\\\evil.example',
    'https://evil.example',
    '/..//evil.example',
    ' /evil.example',
    '/\u007f/evil.example',
    'javascript:alert(1)',
  ]

  test.each(offSite)('signing in with redirectTo %j stays on this site', async (target) => {
    const response = await postForm(server, '/login', { email: organiser.email, password: PASSWORD, redirectTo: target })
    expect(response.status).toBe(302)
    const location = response.headers.get('Location')!
    expect(new URL(location, server.url).origin).toBe(server.url)
    expect(location).toMatch(/^\/[^/\\]/)
    expect(location).not.toMatch(/[\u0000-\u001f\u007f-\uffff]/)
  })

  test.each([
    ['%2F%09%2Fevil.example'],
    ['%2F%0D%0ALocation:%20https://evil.example'],
    ['%2F%0A%2Fevil.example'],
    ['%2Fcaf%C3%A9%E2%98%83'],
    ['%2F%F0%9F%98%80'],
  ])('a signed-in visit to /login?redirectTo=%s answers a same-site redirect, never a 500', async (encoded) => {
    const cookie = await signIn(server, organiser)
    const response = await fetch(new URL(`/login?redirectTo=${encoded}`, server.url), { headers: { Cookie: cookie }, redirect: 'manual' })
    expect(response.status).toBe(302)
    const location = response.headers.get('Location')!
    expect(new URL(location, server.url).origin).toBe(server.url)
    expect(location.startsWith('//')).toBe(false)
  })

  test('a path with characters above U+00FF comes back percent-encoded, to the same page', async () => {
    const response = await postForm(server, '/login', { email: organiser.email, password: PASSWORD, redirectTo: '/webinars?q=café☃' })
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/webinars?q=caf%C3%A9%E2%98%83')
  })

  test('the language switch refuses the same targets', async () => {
    for (const target of offSite) {
      const response = await postForm(server, '/lang', { lang: 'en', redirectTo: target })
      expect(response.status).toBe(302)
      expect(new URL(response.headers.get('Location')!, server.url).origin).toBe(server.url)
    }
  })
})

// PostgreSQL refuses U+0000 in any text (SQLSTATE 22021): each of these was a 500 there once it
// reached a query, and a 404 or a 200 on SQLite. Both engines now refuse it in the URL before any
// route runs, and in a form beside its field (or, in a name, as a 400).
describe('a NUL character (%00)', () => {
  /** Files under the upload folder, wherever they sit (a refused upload leaves none). */
  function uploadedFiles(dir = uploadDir): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? uploadedFiles(path.join(dir, entry.name)) : [entry.name]))
  }

  async function expectRefused(response: Response, what: string) {
    expect(response.status, what).toBe(400)
    expect(await response.text(), what).toContain(translate('id', 'error.badRequest.body'))
    // Refused before any route ran: no database error, nothing in the error log for it.
    const id = response.headers.get('X-Request-Id')
    if (id) expect(server.errors(), what).not.toContain(id)
  }

  test('in a path or a query of a public page or a personal link is a 400 before any route reads it', async () => {
    const paths = [
      '/webinars/x%00y',
      `/webinars/${slug}%00`,
      '/webinars/a%00/calendar.ics',
      '/webinars/a%00/link',
      '/webinars/a%00/registered',
      '/brief/%00',
      '/brief/a%00/calendar.ics',
      `/r/${'A'.repeat(42)}%00`,
      `/r/${'A'.repeat(42)}%00/calendar.ics`,
      '/webinars?q=%00',
      '/webinars?q=a%00b&page=2',
      `/webinars/${slug}?%00=1`,
      `/webinars/${slug}?_data=routes%2Fwebinars.%24slug._index%00`,
      '/login?redirectTo=%2F%00%2Fevil.example',
    ]
    for (const pathname of paths) await expectRefused(await get(server, pathname), pathname)
    // The same pages without it still answer.
    expect((await get(server, `/webinars/${slug}`)).status).toBe(200)
    expect((await get(server, '/webinars?q=a%2500b')).status).toBe(200)
    expect(server.errors()).not.toContain('22021')
  })

  test('in the query or path of an organiser’s page is a 400', async () => {
    const cookie = await signIn(server, organiser)
    const paths = [
      '/admin/outbox?recipient=%00',
      '/admin/outbox?webinar=%00',
      '/admin/outbox/%00',
      '/admin/people?q=%00',
      `/attendance/${slug}?q=%00`,
      `/admin/webinars/${slug}/certificates?q=%00`,
      `/admin/webinars/${slug}%00/edit`,
    ]
    for (const pathname of paths) await expectRefused(await get(server, pathname, { cookie }), pathname)
    expect((await get(server, '/admin/people?q=a', { cookie })).status).toBe(200)
    expect(server.errors()).not.toContain('22021')
  })

  /** The form's own page again, 400, with the field's message for broken characters beside it. */
  async function expectBesideTheField(response: Response, what: string) {
    expect(response.status, what).toBe(400)
    expect(await response.text(), what).toContain(translate('id', 'form.badCharacters'))
    const id = response.headers.get('X-Request-Id')
    if (id) expect(server.errors(), what).not.toContain(id)
  }

  test('in a form value, urlencoded or multipart, is a 400 beside the field; in a field name a 400; nothing is saved', async () => {
    const before = await registrationCount()
    const registration = { ...residentFields(), name: 'Budi\u0000Santoso' }
    await expectBesideTheField(await postForm(server, `/webinars/${slug}`, registration), 'a name')
    await expectRefused(await postForm(server, `/webinars/${slug}`, { ...residentFields(), 'x\u0000': '1' }), 'a field name')
    const multipart = new FormData()
    for (const [key, value] of Object.entries(registration)) multipart.append(key, value)
    await expectBesideTheField(await post(`/webinars/${slug}`, multipart, null), 'a multipart field')
    expect(await registrationCount()).toBe(before)
    // Signing in with one in the address signs nobody in; one in the redirect target leads nowhere odd.
    const login = await postForm(server, '/login', { email: `${organiser.email}\u0000`, password: PASSWORD, redirectTo: '/' })
    expect(login.status).toBe(400)
    expect(readSetCookie(login, '__session')).toBeNull()
    const redirected = await postForm(server, '/login', { email: organiser.email, password: PASSWORD, redirectTo: '/\u0000/evil.example' })
    expect(redirected.status).toBe(302)
    expect(redirected.headers.get('Location') ?? '').not.toMatch(/\u0000|%00|evil/)
    expect(server.errors()).not.toContain('22021')
  })

  test('in a value no field check reads (a hidden id) is a 4xx on both engines, never a database error', async () => {
    const cookie = await signIn(server, organiser)
    const form = new URLSearchParams({ intent: 'revoke', certificateId: 'abc\u0000def', reason: 'Salah nama' })
    const response = await post(`/admin/webinars/${slug}/certificates`, form.toString(), 'application/x-www-form-urlencoded', { Cookie: cookie })
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
    const id = response.headers.get('X-Request-Id')
    if (id) expect(server.errors()).not.toContain(id)
    expect(server.errors()).not.toContain('22021')
  })

  test('in an uploaded file’s name or a text field beside it is a 400, and no file is kept', async () => {
    const cookie = await signIn(server, organiser)
    const issuerBefore = await server.db.selectFrom('settings').selectAll().orderBy('key').execute()
    const png = new Uint8Array(pngBytes(120, 60, [0, 80, 160, 255]))
    const issuer = (fileName: string, signatoryName: string) => {
      const form = new FormData()
      form.append('signatoryName', signatoryName)
      form.append('logo', new File([png], fileName, { type: 'image/png' }))
      return fetch(new URL('/admin/issuer', server.url), { method: 'POST', body: form, headers: { Origin: server.url, Cookie: cookie }, redirect: 'manual' })
    }
    await expectRefused(await issuer('logo\u0000.png', 'Budi'), 'a file name (streamed upload)')
    await expectBesideTheField(await issuer('logo.png', 'Bu\u0000di'), 'a text field beside a streamed upload')
    expect(uploadedFiles()).toEqual([])
    expect(await server.db.selectFrom('settings').selectAll().orderBy('key').execute()).toEqual(issuerBefore)

    const bank = new FormData()
    bank.append('file', new File(['pillar,difficulty,question,option_1,option_2,correct\n'], 'soal\u0000.csv', { type: 'text/csv' }))
    const imported = await fetch(new URL('/admin/questions/import', server.url), { method: 'POST', body: bank, headers: { Origin: server.url, Cookie: cookie }, redirect: 'manual' })
    await expectRefused(imported, 'a file name (held in memory)')
    expect(server.errors()).not.toContain('22021')
  })
})

describe('security headers', () => {
  test.each(['/webinars', '/login', '/healthz', '/no-such-page', '/favicon.ico'])('%s carries them', async (pathname) => {
    const response = await get(server, pathname)
    const csp = response.headers.get('Content-Security-Policy') ?? ''
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}'/)
    expect(csp).not.toContain("'unsafe-inline' 'self'")
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/)
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(response.headers.get('Referrer-Policy')).toBe('strict-origin-when-cross-origin')
    expect(response.headers.get('X-Frame-Options')).toBe('DENY')
    // The test server's APP_URL is plain http: HSTS would break such a deployment.
    expect(response.headers.get('Strict-Transport-Security')).toBeNull()
  })

  test('every inline script of a page carries the nonce of its response, and it differs per response', async () => {
    // A staff page: resident pages ship no Remix scripts (see the next test).
    const first = await get(server, '/login')
    const second = await get(server, '/login')
    const nonceOf = (response: Response) => /'nonce-([^']+)'/.exec(response.headers.get('Content-Security-Policy')!)![1]!
    const nonce = nonceOf(first)
    expect(nonceOf(second)).not.toBe(nonce)
    const html = await first.text()
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((match) => match[1]!)
    expect(scripts.length).toBeGreaterThan(0)
    for (const attributes of scripts) {
      if (/\bsrc=/.test(attributes)) continue
      expect(attributes).toContain(`nonce="${nonce}"`)
    }
  })
})

test('a resident page’s only inline script is allowed by its hash, not a nonce, so a cached copy still runs it', async () => {
  const response = await get(server, `/webinars/${slug}`)
  const csp = response.headers.get('Content-Security-Policy')!
  const html = await response.text()
  const scripts = [...html.matchAll(/<script\b([^>]*)>([^<]*)<\/script>/g)]
  expect(scripts.map((match) => match[1])).toEqual([''])
  const hash = createHash('sha256').update(scripts[0]![2]!).digest('base64')
  expect(csp).toMatch(new RegExp(`script-src [^;]*'sha256-${hash.replace(/[+/]/g, '\\$&')}'`))
})

test('HSTS is sent when APP_URL is https, on pages and on the refusals of the HTTP layer', async () => {
  const env = parseEnv({ ...process.env, NODE_ENV: 'production', APP_URL: 'https://webinar.example.org' })
  const app = createApp(await loadBuild(), env)
  const listening = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => listening.once('listening', resolve))
  const { port } = listening.address() as import('node:net').AddressInfo
  try {
    const page = await fetch(`http://127.0.0.1:${port}/login`)
    expect(page.headers.get('Strict-Transport-Security')).toMatch(/^max-age=\d{7,}/)
    expect(page.headers.get('Content-Security-Policy')).toContain('upgrade-insecure-requests')
    const refused = await fetch(`http://127.0.0.1:${port}/login`, { method: 'POST', headers: { Origin: 'https://evil.example' }, body: 'a=b' })
    expect(refused.status).toBe(403)
    expect(refused.headers.get('Strict-Transport-Security')).toMatch(/^max-age=\d{7,}/)
  } finally {
    await new Promise((resolve) => listening.close(resolve))
  }
})

test('the session cookie still comes with the sign-in', async () => {
  const response = await postForm(server, '/login', { email: organiser.email, password: PASSWORD })
  expect(readSetCookie(response, '__session')).not.toBeNull()
})
