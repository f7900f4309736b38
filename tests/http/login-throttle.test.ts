// Sign-in throttling against someone who knows an organiser's e-mail address, over real HTTP:
// a burst of guesses gets no more password checks than the limit, and failing on purpose does
// not lock the owner out of the browser they always use.
import { createCookie } from '@remix-run/node'
import { translate } from '#app/i18n'
import { LOGIN_LIMITS } from '#app/models/session.server'
import {
  TEST_SESSION_SECRET,
  createStaff,
  postForm,
  readSetCookie,
  startTestServer,
  type StaffAccount,
  type TestServer,
} from '#tests/e2e/harness'

const PASSWORD = 'kata-sandi-yang-panjang-1'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})

afterAll(async () => {
  await server?.stop()
})

// Every attempt comes from 127.0.0.1: each test starts with that address's budget unspent.
beforeEach(async () => {
  await server.db.deleteFrom('rate_limits').execute()
})

function attempt(account: StaffAccount, password: string, cookie?: string) {
  return postForm(server, '/login', { email: account.email, password }, { cookie })
}

/** The `__device=…` pair a successful sign-in leaves in the browser. */
async function deviceCookieOf(account: StaffAccount): Promise<string> {
  const response = await attempt(account, PASSWORD)
  expect(response.status).toBe(302)
  const device = readSetCookie(response, '__device')
  expect(device).not.toBeNull()
  return device!.pair
}

test('a burst of 40 wrong passwords and the right one gets exactly five password checks', async () => {
  const target = await createStaff(server.db, 'organiser', { password: PASSWORD })
  const guesses = Array.from({ length: 40 }, (_, i) => attempt(target, `tebakan-${i}`))
  // The right password hides in the middle of the burst.
  guesses.splice(20, 0, attempt(target, PASSWORD))
  const responses = await Promise.all(guesses)
  const checked = responses.filter((response) => response.status !== 429)
  expect(checked).toHaveLength(LOGIN_LIMITS.perAccount.limit)
  for (const response of responses.filter((r) => r.status === 429)) {
    expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect(readSetCookie(response, '__session')).toBeNull()
  }
  // Whatever the order, a sign-in happened only if the right one was among the five checked.
  const signedIn = responses.filter((response) => readSetCookie(response, '__session'))
  expect(signedIn.length).toBeLessThanOrEqual(1)
})

test('the owner signs in from their usual browser while an attacker keeps failing for the account', async () => {
  const owner = await createStaff(server.db, 'organiser', { password: PASSWORD })
  const device = await deviceCookieOf(owner)

  for (let i = 0; i < 3 * LOGIN_LIMITS.perAccount.limit; i++) await attempt(owner, `serangan-${i}`)
  // The attacker (any browser the owner never used) is throttled, even with the right password.
  expect((await attempt(owner, PASSWORD)).status).toBe(429)

  const fromUsualBrowser = await attempt(owner, PASSWORD, device)
  expect(fromUsualBrowser.status).toBe(302)
  expect(readSetCookie(fromUsualBrowser, '__session')).not.toBeNull()
})

test('a device cookie of one account gives no trust for another', async () => {
  const attacker = await createStaff(server.db, 'speaker', { password: PASSWORD })
  const victim = await createStaff(server.db, 'organiser', { password: 'kata-sandi-korban-yang-lain' })
  const attackersDevice = await deviceCookieOf(attacker)
  for (let i = 0; i < LOGIN_LIMITS.perAccount.limit; i++) {
    expect((await attempt(victim, `tebakan-${i}`, attackersDevice)).status).toBe(400)
  }
  expect((await attempt(victim, 'tebakan-lagi', attackersDevice)).status).toBe(429)
})

test('a forged device cookie gives no trust', async () => {
  const owner = await createStaff(server.db, 'organiser', { password: PASSWORD })
  const forged = (
    await createCookie('__device', { secrets: ['a-different-secret-that-is-long-enough-0123'] }).serialize([{ userId: owner.id, token: 'x'.repeat(43) }])
  ).split(';')[0]!
  const unsigned = `__device=${Buffer.from(JSON.stringify([{ userId: owner.id, token: 'x'.repeat(43) }])).toString('base64')}`
  for (let i = 0; i < LOGIN_LIMITS.perAccount.limit; i++) await attempt(owner, `tebakan-${i}`)
  expect((await attempt(owner, PASSWORD, forged)).status).toBe(429)
  expect((await attempt(owner, PASSWORD, unsigned)).status).toBe(429)
})

test('from the usual browser, guesses are limited too, for that browser only', async () => {
  const owner = await createStaff(server.db, 'moderator', { password: PASSWORD })
  const device = await deviceCookieOf(owner)
  for (let i = 0; i < LOGIN_LIMITS.perDevice.limit; i++) expect((await attempt(owner, `salah-${i}`, device)).status).toBe(400)
  const throttled = await attempt(owner, PASSWORD, device)
  expect(throttled.status).toBe(429)
  expect(await throttled.text()).toContain(translate('id', 'login.throttled', { minutes: 15 }))
  // Another browser is judged on its own.
  expect((await attempt(owner, PASSWORD)).status).toBe(302)
})

// Seven accounts and 35 attempts are 42 scrypt runs: more than the default 30 s on a busy machine.
test('one address gets thirty attempts over all accounts', { timeout: 120_000 }, async () => {
  const accounts = await Promise.all(Array.from({ length: 7 }, () => createStaff(server.db, 'speaker', { password: PASSWORD })))
  let refused = 0
  for (let i = 0; i < LOGIN_LIMITS.perAddress.limit + 5; i++) {
    const response = await attempt(accounts[i % accounts.length]!, `tebakan-${i}`)
    if (response.status === 429) refused++
  }
  // 35 attempts over 7 accounts: 5 each, so only the address limit can have refused them.
  expect(refused).toBe(5)
})

test('a right password gives its attempt back: signing in does not use up the budget', async () => {
  const owner = await createStaff(server.db, 'organiser', { password: PASSWORD })
  for (let i = 0; i < LOGIN_LIMITS.perAccount.limit + 3; i++) expect((await attempt(owner, PASSWORD)).status).toBe(302)
})

test('the device cookie is HttpOnly, SameSite=Lax, only sent to /login, and names nobody', async () => {
  const owner = await createStaff(server.db, 'organiser', { password: PASSWORD })
  const response = await attempt(owner, PASSWORD)
  const device = readSetCookie(response, '__device')!
  expect(device.attributes.httponly).toBe(true)
  expect(device.attributes.samesite).toBe('Lax')
  expect(device.attributes.path).toBe('/login')
  expect(decodeURIComponent(device.value)).not.toContain(owner.email)
  // Signed with the app's secret: the same secret verifies it.
  const parsed = await createCookie('__device', { secrets: [TEST_SESSION_SECRET] }).parse(device.pair)
  expect(parsed).toEqual([{ userId: owner.id, token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) }])
})

test('rate-limit rows hold no e-mail address or IP address in the clear', async () => {
  const owner = await createStaff(server.db, 'organiser', { password: PASSWORD })
  await attempt(owner, 'salah-sekali')
  const keys = (await server.db.selectFrom('rate_limits').select('key').execute()).map((row) => row.key)
  expect(keys.length).toBeGreaterThanOrEqual(2)
  for (const key of keys) {
    expect(key).not.toContain(owner.email)
    expect(key).not.toContain(owner.email.split('@')[0]!)
    expect(key).not.toContain('127.0.0.1')
  }
})
