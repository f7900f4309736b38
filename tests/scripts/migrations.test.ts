import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import { createDb, LOCK_TIMEOUT_MS, STATEMENT_TIMEOUT_MS } from '#app/utils/db.server'
import { TEST_POSTGRES_URL } from '#tests/setup/paths'
import { runScript, scriptEnv, spawnScript, stderrLines, waitForExit, type ScriptResult } from '#tests/setup/run-script'
import { adminQuery } from '../../scripts/test-postgres'

// Migrations on start, as an operator meets them: a real child process (npm run db:migrate,
// npm start) against a real database, on both engines.

const CHILD_TIMEOUT_MS = 45_000
const SECRET = 'test-session-secret-that-is-long-enough-0123456789'
/** Kysely's migration lock on PostgreSQL (kysely/dist/esm/dialect/postgres/postgres-adapter.js). */
const KYSELY_MIGRATION_LOCK = '3853314791062309107'

let dir: string
let databases = 0

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-migrations-'))
})

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

/** An empty database of this test run's engine. */
async function emptyDatabase(): Promise<string> {
  const name = `migrations_${process.pid}_${++databases}`
  if (!TEST_POSTGRES_URL) return path.join(dir, `${name}.sqlite`)
  await adminQuery(TEST_POSTGRES_URL, `create database "${name}"`)
  return `${TEST_POSTGRES_URL}${name}`
}

function run(script: string, env: Record<string, string | undefined>) {
  return runScript(script, { env: { NODE_ENV: 'test', SESSION_SECRET: SECRET, ...env }, timeoutMs: CHILD_TIMEOUT_MS })
}

function expectOneLine(result: ScriptResult, pattern: RegExp) {
  expect(result.signal, 'the process had to be killed: it did not fail fast').toBeNull()
  expect(result.status).not.toBe(0)
  expect(result.stdout).not.toMatch(/running at/)
  const lines = stderrLines(result)
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^DATABASE_URL: /)
  expect(lines[0]).toMatch(pattern)
}

describe.concurrent('a database migrated by a newer version of the app', () => {
  test.each(['scripts/migrate.ts', 'scripts/start.ts', 'scripts/worker.ts'])('%s stops with one line naming DATABASE_URL that says so', async (script) => {
    const url = await emptyDatabase()
    expect((await run('scripts/migrate.ts', { DATABASE_URL: url })).status).toBe(0)
    const db = createDb(url)
    try {
      await sql`insert into kysely_migration (name, timestamp) values ('2099-12-31T2359_from_a_newer_version', ${new Date().toISOString()})`.execute(db)
    } finally {
      await db.destroy()
    }
    expectOneLine(await run(script, { DATABASE_URL: url }), /migrated by a newer version of the app .*2099-12-31T2359_from_a_newer_version/)
  }, 60_000)
})

describe.skipIf(!TEST_POSTGRES_URL)('migrations on PostgreSQL', () => {
  test('a role that may not create tables in the database: one line naming DATABASE_URL and the reason', async () => {
    const role = `w_no_rights_${process.pid}`
    const database = `migrations_not_owned_${process.pid}`
    await adminQuery(TEST_POSTGRES_URL!, `create role "${role}" login`)
    // Owned by another role: since PostgreSQL 15 nobody else may create tables in its public schema.
    await adminQuery(TEST_POSTGRES_URL!, `create database "${database}"`)
    const server = new URL(TEST_POSTGRES_URL!)
    const url = `postgres://${role}@${server.host}/${database}`
    for (const script of ['scripts/migrate.ts', 'scripts/start.ts']) {
      const result = await run(script, { DATABASE_URL: url })
      expectOneLine(result, /cannot migrate the database .*permission denied for schema public.*owned by/)
    }
  }, 90_000)

  // Ordering (of names, titles, regencies) follows the database's collation; SQLite's is by code point.
  test('a database whose collation is not C: a warning in one line on stderr, pointing to the README, and the start goes on', async () => {
    const database = `migrations_icu_${process.pid}`
    await adminQuery(TEST_POSTGRES_URL!, `create database "${database}" locale_provider icu icu_locale 'id-ID' template template0`)
    const result = await run('scripts/migrate.ts', { DATABASE_URL: `${TEST_POSTGRES_URL}${database}` })
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/Applied migrations/)
    const lines = stderrLines(result)
    expect(lines, result.stderr).toHaveLength(1)
    expect(lines[0]).toMatch(/^DATABASE_URL: .*collation is id-ID \(ICU\), not C.*README.*CREATE DATABASE/)
  }, 60_000)

  test('a database created as the README says (C collation) gets no warning', async () => {
    const database = `migrations_c_${process.pid}`
    await adminQuery(TEST_POSTGRES_URL!, `create database "${database}" lc_collate 'C' lc_ctype 'C' template template0`)
    const result = await run('scripts/migrate.ts', { DATABASE_URL: `${TEST_POSTGRES_URL}${database}` })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
  }, 60_000)

  // The pool's statement timeout (STATEMENT_TIMEOUT_MS) must not stop a process that waits for
  // another's migration, nor a long migration: migrations have a connection of their own.
  test('a process that waits longer than the statement timeout for another process’s migration migrates once it is done', async () => {
    const url = await emptyDatabase()
    const holder = new pg.Client({ connectionString: url })
    await holder.connect()
    try {
      await holder.query(`select pg_advisory_lock(${KYSELY_MIGRATION_LOCK})`)
      const child = spawnScript('scripts/migrate.ts', [], scriptEnv({ NODE_ENV: 'test', SESSION_SECRET: SECRET, DATABASE_URL: url }))
      child.stdin?.end()
      const exit = waitForExit(child, STATEMENT_TIMEOUT_MS + 60_000)
      const waiting = await waitUntil(async () => {
        const { rows } = await holder.query(`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`)
        return rows[0].n === 1
      })
      expect(waiting, 'the migrating process never queued for the lock').toBe(true)
      // Longer than the statement timeout, with the lock still held.
      await new Promise((resolve) => setTimeout(resolve, STATEMENT_TIMEOUT_MS + 5_000))
      await holder.query(`select pg_advisory_unlock(${KYSELY_MIGRATION_LOCK})`)
      const result = await exit
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      expect(result.stdout).toMatch(/Applied migrations/)
    } finally {
      await holder.end()
    }
  }, STATEMENT_TIMEOUT_MS + 90_000)
})

describe.skipIf(!TEST_POSTGRES_URL)('the region list on start, on PostgreSQL', () => {
  // Each starting process loads the region list after migrating, one after another (an advisory
  // lock): a process whose turn comes after the pool's lock timeout must still start.
  test('a process that waits longer than the lock timeout for another process’s region sync starts once it is done', async () => {
    const url = await emptyDatabase()
    expect((await run('scripts/migrate.ts', { DATABASE_URL: url })).status).toBe(0)
    const holder = new pg.Client({ connectionString: url })
    await holder.connect()
    try {
      await holder.query('begin')
      await holder.query(`select pg_advisory_xact_lock(hashtext('sync-regions'))`)
      const child = spawnScript('scripts/migrate.ts', [], scriptEnv({ NODE_ENV: 'test', SESSION_SECRET: SECRET, DATABASE_URL: url }))
      child.stdin?.end()
      const exit = waitForExit(child, CHILD_TIMEOUT_MS)
      const waiting = await waitUntil(async () => {
        const { rows } = await holder.query(`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`)
        return rows[0].n === 1
      })
      expect(waiting, 'the starting process never queued for the region sync').toBe(true)
      await new Promise((resolve) => setTimeout(resolve, LOCK_TIMEOUT_MS + 2_000))
      await holder.query('commit')
      const result = await exit
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
    } finally {
      await holder.end()
    }
  }, 60_000)
})

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return false
}
