// TRUST_PROXY over real HTTP: the client's address (which the per-address limits count) is what
// the trusted proxies say it is, and nothing a client writes in X-Forwarded-For itself changes it.
// The test's own connection (127.0.0.1) plays the reverse proxy.
import { RESIDENT_LIMITS } from '#app/utils/resident-limits.server'
import { createStaff, postForm, publishWebinarOn, residentForm, startTestServer, type TestServer } from '#tests/e2e/harness'

/** The nearest hop only. */
let oneHop: TestServer
/** These proxies: 127.0.0.1 (the test) in front, 10.1.2.3 behind it. */
let listed: TestServer
/** A list that does not name the test's address: its headers count for nothing. */
let unlisted: TestServer
const slugs = new Map<TestServer, string>()

beforeAll(async () => {
  ;[oneHop, listed, unlisted] = await Promise.all([
    startTestServer({ env: { TRUST_PROXY: '1' } }),
    startTestServer({ env: { TRUST_PROXY: '10.0.0.0/8, 127.0.0.1, ::1' } }),
    startTestServer({ env: { TRUST_PROXY: '10.0.0.0/8' } }),
  ])
  for (const server of [oneHop, listed, unlisted]) {
    const organiser = await createStaff(server.db, 'organiser')
    slugs.set(server, (await publishWebinarOn(server.db, organiser.id)).slug)
  }
})

afterAll(async () => {
  await Promise.all([oneHop?.stop(), listed?.stop(), unlisted?.stop()])
})

let n = 0

/** A resident's registration, through a proxy that sent on this X-Forwarded-For. */
async function register(server: TestServer, forwardedFor: string): Promise<number> {
  n++
  const response = await postForm(
    server,
    `/webinars/${slugs.get(server)}`,
    residentForm('Proksi', n),
    { headers: { 'X-Forwarded-For': forwardedFor } },
  )
  await response.body?.cancel()
  return response.status
}

const LIMIT = RESIDENT_LIMITS.registerPerIp.limit

/** Registers LIMIT + 1 times, the i-th with forwardedFor(i); returns the statuses. */
async function spendBudget(server: TestServer, forwardedFor: (i: number) => string): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i <= LIMIT; i++) statuses.push(await register(server, forwardedFor(i)))
  return statuses
}

test('behind one trusted proxy, a client that writes its own left-most X-Forwarded-For still spends its one address', async () => {
  // The proxy appends the address it saw to whatever the client sent: "<client's own text>, <client>".
  const statuses = await spendBudget(oneHop, (i) => `203.0.113.${i}, 198.51.100.7`)
  expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(303))
  expect(statuses[LIMIT]).toBe(429)
  // Another resident behind the same proxy has an address, and a budget, of their own.
  expect(await register(oneHop, '203.0.113.200, 198.51.100.8')).toBe(303)
})

test('with a list of proxies, the client is the nearest address that is not one of them', async () => {
  // 127.0.0.1 and 10.1.2.3 are listed proxies; 203.0.113.9 is the client; what it wrote before is ignored.
  const statuses = await spendBudget(listed, (i) => `192.0.2.${i}, 203.0.113.9, 10.1.2.3`)
  expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(303))
  expect(statuses[LIMIT]).toBe(429)
  expect(await register(listed, '203.0.113.10, 10.1.2.3')).toBe(303)
})

test('a peer that is not a listed proxy is the client, whatever X-Forwarded-For it sends', async () => {
  const statuses = await spendBudget(unlisted, (i) => `203.0.113.${i}`)
  expect(statuses[LIMIT]).toBe(429)
  expect(await register(unlisted, '198.51.100.99')).toBe(429)
})

describe('X-Forwarded-Host in the cross-site check', () => {
  const behindProxy = { Origin: 'https://webinar.example.org', 'X-Forwarded-Host': 'webinar.example.org' }

  test('names the public host when the peer is a trusted proxy', async () => {
    for (const server of [oneHop, listed]) {
      const response = await postForm(server, '/login', { email: 'nobody@example.org', password: 'wrong-password-1' }, { headers: behindProxy })
      expect(response.status).not.toBe(403)
      await response.body?.cancel()
    }
  })

  test('counts for nothing from a peer that is not one', async () => {
    const response = await postForm(unlisted, '/login', { email: 'nobody@example.org', password: 'wrong-password-1' }, { headers: behindProxy })
    expect(response.status).toBe(403)
    await response.body?.cancel()
  })
})
