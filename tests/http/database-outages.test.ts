// Outages that are not a read-only file (read-only-database.test.ts covers that one): the server
// refuses new connections, or a write waits past the lock timeout. Each answers "temporarily
// unavailable" (503 with Retry-After), on /healthz as on pages, never a 500.
import { randomBytes } from 'node:crypto'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { translate } from '#app/i18n'
import { createStaff, get, postForm, publishWebinarOn, residentForm, startTestServer, type TestServer } from '#tests/e2e/harness'
import { POSTGRES_TEMPLATE, TEST_ENGINE, TEST_POSTGRES_URL } from '#tests/setup/paths'
import { adminQuery, createDatabaseFrom } from '../../scripts/test-postgres'

async function expectUnavailable(response: Response) {
  expect(response.status).toBe(503)
  expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0)
}

describe('a write lock held past the lock timeout (another process, a stuck transaction)', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server?.stop()
  })

  test('/healthz answers 503 with Retry-After while it waits in vain, and 200 once the lock is gone', async () => {
    // The probe's row exists, so on PostgreSQL the probe waits for its row lock.
    expect((await get(server, '/healthz')).status).toBe(200)
    const release = await holdProbeLock(server.dbFile)
    try {
      const health = await get(server, '/healthz')
      await expectUnavailable(health)
      expect(await health.json()).toEqual({ status: 'unavailable' })
    } finally {
      await release()
    }
    expect((await get(server, '/healthz')).status).toBe(200)
  })
})

/** Locks what the health probe writes from another connection: SQLite's write lock, or the probe's row on PostgreSQL. */
async function holdProbeLock(database: string): Promise<() => Promise<void>> {
  if (TEST_ENGINE === 'sqlite') {
    const sqlite = new SQLite(database)
    sqlite.exec('begin immediate')
    return async () => {
      sqlite.exec('rollback')
      sqlite.close()
    }
  }
  const client = new pg.Client({ connectionString: database })
  await client.connect()
  await client.query('begin')
  const locked = await client.query("select key from settings where key = 'health_probe' for update")
  expect(locked.rowCount).toBe(1)
  return async () => {
    await client.query('rollback')
    await client.end()
  }
}

describe.skipIf(!TEST_POSTGRES_URL)('PostgreSQL refusing new connections (too many connections, 53300)', () => {
  const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`
  /** An ordinary role, as a deployment's app uses: connection limits do not bind a superuser. */
  const role = `outage_app_${suffix}`
  const database = `outage_${suffix}`
  let server: TestServer
  let slug: string

  beforeAll(async () => {
    const admin = TEST_POSTGRES_URL!
    await adminQuery(admin, `create role "${role}" login`)
    await createDatabaseFrom(admin, POSTGRES_TEMPLATE, database)
    const client = new pg.Client({ connectionString: `${admin}${database}` })
    await client.connect()
    try {
      for (const grant of ['all on schema public', 'all on all tables in schema public', 'all on all sequences in schema public']) {
        await client.query(`grant ${grant} to "${role}"`)
      }
    } finally {
      await client.end()
    }
    const url = new URL(`${admin}${database}`)
    url.username = role
    server = await startTestServer({ databaseUrl: url.toString() })
    const organiser = await createStaff(server.db, 'organiser')
    slug = (await publishWebinarOn(server.db, organiser.id)).slug
  })

  afterAll(async () => {
    await server?.stop()
    await adminQuery(TEST_POSTGRES_URL!, `drop database if exists "${database}" with (force)`)
    await adminQuery(TEST_POSTGRES_URL!, `drop role if exists "${role}"`)
  })

  test('/healthz, pages and a registration answer 503 with Retry-After; once connections are allowed again, 200', async () => {
    expect((await get(server, '/healthz')).status).toBe(200)
    expect((await get(server, `/webinars/${slug}`)).status).toBe(200)

    // The role may open no connection, and the ones its pools hold are closed.
    await adminQuery(TEST_POSTGRES_URL!, `alter role "${role}" connection limit 0`)
    await adminQuery(TEST_POSTGRES_URL!, `select pg_terminate_backend(pid) from pg_stat_activity where usename = '${role}'`)
    try {
      await expect.poll(async () => (await get(server, '/healthz')).status).toBe(503)
      const health = await get(server, '/healthz')
      await expectUnavailable(health)
      expect(await health.json()).toEqual({ status: 'unavailable' })

      const page = await get(server, `/webinars/${slug}`)
      await expectUnavailable(page)
      expect(await page.text()).toContain(translate('id', 'error.unavailable.title'))

      await expectUnavailable(await postForm(server, `/webinars/${slug}`, residentForm('Batas', 1)))
    } finally {
      await adminQuery(TEST_POSTGRES_URL!, `alter role "${role}" connection limit -1`)
    }
    expect((await get(server, '/healthz')).status).toBe(200)
    expect((await get(server, `/webinars/${slug}`)).status).toBe(200)
  })
})
