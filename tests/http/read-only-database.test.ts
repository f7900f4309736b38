// A database file that becomes read-only (a full or remounted disk, a wrong chmod during a
// backup): /healthz says so, users get "temporarily unavailable" (503) instead of a 500, nothing
// is half-saved, and the app recovers by itself once the file is writable again.
import fs from 'node:fs'
import { translate } from '#app/i18n'
import { TEST_ENGINE } from '#tests/setup/paths'
import { createStaff, get, postForm, publishWebinarOn, startTestServer, type StaffAccount, type TestServer } from '#tests/e2e/harness'

const PASSWORD = 'kata-sandi-yang-panjang-1'

let server: TestServer
let organiser: StaffAccount
let slug: string

beforeAll(async () => {
  if (TEST_ENGINE === 'postgres') return
  // Run as an unprivileged user, as a deployment does: file modes bind it.
  server = await startTestServer({ unprivileged: true })
  organiser = await createStaff(server.db, 'organiser', { password: PASSWORD })
  slug = (await publishWebinarOn(server.db, organiser.id)).slug
})

afterAll(async () => {
  if (server && TEST_ENGINE === 'sqlite') fs.chmodSync(server.dbFile, 0o644)
  await server?.stop()
})

function registration(email: string) {
  return postForm(server, `/webinars/${slug}`, {
    name: 'Siti Rahmawati',
    email,
    whatsapp: '081234567890',
    regency: '33.10',
    occupation: 'guru',
    ageRange: '25-34',
    consent: 'yes',
  })
}

async function rows() {
  const [sessions, registrations] = await Promise.all([
    server.db.selectFrom('sessions').select('id').execute(),
    server.db.selectFrom('registrations').select('id').execute(),
  ])
  return { sessions: sessions.length, registrations: registrations.length }
}

// A SQLite file's permissions; PostgreSQL's own outage handling is tested in postgres.test.ts.
test.skipIf(TEST_ENGINE === 'postgres')('while the file is read-only: 503 with Retry-After everywhere, nothing saved; writable again: it works, without a restart', async () => {
  fs.chmodSync(server.dbFile, 0o444)
  const before = await rows()

  const health = await get(server, '/healthz')
  expect(health.status).toBe(503)
  expect(Number(health.headers.get('Retry-After'))).toBeGreaterThan(0)
  expect(await health.json()).toEqual({ status: 'unavailable' })

  const login = await postForm(server, '/login', { email: organiser.email, password: PASSWORD })
  expect(login.status).toBe(503)
  expect(Number(login.headers.get('Retry-After'))).toBeGreaterThan(0)
  expect(await login.text()).toContain(translate('id', 'error.unavailable.title'))
  expect(login.headers.getSetCookie().filter((cookie) => cookie.startsWith('__session='))).toEqual([])

  const registered = await registration('saat-hanya-baca@example.org')
  expect(registered.status).toBe(503)
  expect(await registered.text()).toContain(translate('id', 'error.unavailable.body'))

  const page = await get(server, `/webinars/${slug}`)
  expect(page.status).toBe(503)
  expect(await rows()).toEqual(before)

  fs.chmodSync(server.dbFile, 0o644)

  expect((await get(server, '/healthz')).status).toBe(200)
  const again = await postForm(server, '/login', { email: organiser.email, password: PASSWORD })
  expect(again.status).toBe(302)
  expect((await registration('setelah-pulih@example.org')).status).toBe(303)
  expect(await rows()).toEqual({ sessions: before.sessions + 1, registrations: before.registrations + 1 })
})
