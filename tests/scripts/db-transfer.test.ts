import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import type { Kysely } from 'kysely'
import { probeDatabaseWrite } from '#app/models/health.server'
import { eraseRegistrationByToken, setRetentionMonths } from '#app/models/personal-data.server'
import { buildWebinarOutcomes, buildWebinarReach } from '#app/models/programme-report.server'
import { hitRateLimits } from '#app/models/rate-limit.server'
import { createSession } from '#app/models/session.server'
import { createDb, type DB } from '#app/utils/db.server'
import { POSTGRES_TEMPLATE, TEST_POSTGRES_URL } from '#tests/setup/paths'
import { runScript, stderrLines, type ScriptResult } from '#tests/setup/run-script'
import { seedDemo } from '../../scripts/seed'
import { adminQuery, createDatabaseFrom } from '../../scripts/test-postgres'

// `npm run db:transfer` and `npm run db:backup` as an operator runs them (real child processes),
// over the demo data in real SQLite files and, on the PostgreSQL run, real PostgreSQL databases.
// The parts that need no PostgreSQL run in `npm test`'s SQLite pass only; its PostgreSQL pass
// runs the round trip through PostgreSQL.
const sqlitePass = !TEST_POSTGRES_URL

/** Every table of the app with its primary key. A migration that adds a table fails the test until it is listed. */
const PRIMARY_KEYS: Record<string, string[]> = {
  attendance_events: ['id'],
  certificates: ['id'],
  data_purges: ['id'],
  evaluation_questions: ['id'],
  evaluation_ratings: ['evaluation_id', 'item', 'subject'],
  evaluations: ['id'],
  materials: ['id'],
  outbox: ['id'],
  password_tokens: ['id'],
  people: ['id'],
  provinces: ['code'],
  questions: ['id'],
  rate_limits: ['key'],
  regencies: ['code'],
  registrations: ['id'],
  residents: ['id'],
  rundown_items: ['id'],
  sessions: ['id'],
  settings: ['key'],
  test_answers: ['attempt_id', 'question_id'],
  test_attempts: ['id'],
  users: ['id'],
  webinar_outcomes: ['webinar_id'],
  webinar_reach: ['webinar_id'],
  webinar_roles: ['id'],
  webinar_questions: ['webinar_id', 'question_id'],
  webinar_tests: ['webinar_id'],
  webinars: ['id'],
  zoom_import_people: ['id'],
  zoom_imports: ['id'],
  zoom_links: ['webinar_id', 'person_key'],
}

/** A database password that must never be printed. */
const DB_PASSWORD = 'rahasia-basis-data-42'
const CHILD_TIMEOUT_MS = 60_000

type Rows = Record<string, Array<Record<string, unknown>>>

let dir: string
/** Migrated by `npm run db:migrate` (the region list loaded), no other rows. */
let migratedFile: string
/** The demo data, plus a row or more in each table the demo leaves empty. */
let demoFile: string
let demoRows: Rows

/** Every row of every table, in primary-key order (sorted here, so no collation is involved). */
async function readAllRows(url: string): Promise<Rows> {
  const db = createDb(url) as unknown as Kysely<any>
  try {
    const tables = (await db.introspection.getTables()).map((table) => table.name).sort()
    expect(tables).toEqual(Object.keys(PRIMARY_KEYS).sort())
    const rows: Rows = {}
    for (const [table, key] of Object.entries(PRIMARY_KEYS)) {
      const found = (await db.selectFrom(table).selectAll().execute()) as Array<Record<string, unknown>>
      rows[table] = found.sort((a, b) => {
        for (const column of key) {
          const [x, y] = [a[column] as string | number, b[column] as string | number]
          if (x !== y) return x < y ? -1 : 1
        }
        return 0
      })
    }
    return rows
  } finally {
    await db.destroy()
  }
}

async function seedSource(file: string): Promise<void> {
  fs.copyFileSync(migratedFile, file)
  const db = createDb(file)
  try {
    await seedDemo(db, { password: 'demo-password-for-transfer' })
    await fillEmptyTables(db)
  } finally {
    await db.destroy()
  }
}

/** Rows for the tables the demo leaves empty, so every table and column kind is copied. */
async function fillEmptyTables(db: DB): Promise<void> {
  const organiser = await db.selectFrom('users').select('id').where('role', '=', 'organiser').executeTakeFirstOrThrow()
  await createSession(db, organiser.id)
  await setRetentionMonths(db, 24, organiser.id)
  await hitRateLimits(db, [['register:ip:203.0.113.7', { limit: 5, windowMs: 60_000 }]])
  // The source app answered /healthz: its write probe's settings row is copied like any other.
  await probeDatabaseWrite(db)
  const upcoming = await db
    .selectFrom('registrations')
    .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
    .select('registrations.token')
    .where('webinars.status', '=', 'published')
    .where('registrations.status', '=', 'registered')
    .orderBy('registrations.id')
    .executeTakeFirstOrThrow()
  expect(await eraseRegistrationByToken(db, upcoming.token)).not.toBeNull()
  // Hand links of a Zoom report (two-column primary key), as the import page writes them.
  const klaten = await db.selectFrom('zoom_imports').select(['webinar_id']).executeTakeFirstOrThrow()
  const registrants = await db.selectFrom('registrations').select('id').where('webinar_id', '=', klaten.webinar_id).orderBy('id').limit(3).execute()
  await db
    .insertInto('zoom_links')
    .values(registrants.map((registrant, i) => ({ webinar_id: klaten.webinar_id, person_key: `name:peserta ${i}`, registration_id: registrant.id, linked_by: organiser.id, linked_at: new Date(Date.UTC(2021, 8, 1, 6, i)).toISOString() })))
    .execute()
  // The erasure above changed registrations, which dropped snapshots: build them as the report would.
  const finished = await db.selectFrom('webinars').select('id').where('status', '=', 'finished').execute()
  await buildWebinarReach(db, finished.map((webinar) => webinar.id))
  await buildWebinarOutcomes(db, finished.map((webinar) => webinar.id))
}

/** What one answered /healthz leaves in a database: the write probe's settings row. */
async function probeOnce(url: string): Promise<void> {
  const db = createDb(url)
  try {
    await probeDatabaseWrite(db)
    expect(await db.selectFrom('settings').select('key').execute()).toEqual([{ key: 'health_probe' }])
  } finally {
    await db.destroy()
  }
}

function transfer(from: string, to: string, options: string[] = []): Promise<ScriptResult> {
  return runScript('scripts/db-transfer.ts', { env: {}, args: [...options, from, to], timeoutMs: CHILD_TIMEOUT_MS })
}

function expectCopied(result: ScriptResult, rows: Rows) {
  expect(result.signal).toBeNull()
  expect(result.stderr).toBe('')
  expect(result.status).toBe(0)
  for (const [table, copied] of Object.entries(rows)) {
    expect(result.stdout).toMatch(new RegExp(`^\\s+${table}\\s+${copied.length} / ${copied.length}$`, 'm'))
    expect(result.stdout).toMatch(new RegExp(`^\\s+${table}\\s+${copied.length} = ${copied.length}$`, 'm'))
  }
}

function expectOneLineFailure(result: ScriptResult, pattern: RegExp) {
  expect(result.signal, 'the process had to be killed').toBeNull()
  expect(result.status).toBe(1)
  const lines = stderrLines(result)
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(pattern)
  expect(result.stdout + result.stderr).not.toContain(DB_PASSWORD)
}

const fileIn = (name: string) => path.join(dir, name)

/** The demo data plus a session of a user that does not exist, which no target accepts. */
function sourceWithOrphan(): string {
  const file = fileIn('orphan.sqlite')
  if (fs.existsSync(file)) return file
  fs.copyFileSync(demoFile, file)
  const sqlite = new SQLite(file)
  sqlite.pragma('foreign_keys = OFF')
  sqlite.prepare("insert into sessions (id, user_id, created_at, expires_at) values ('orphan', 'no-such-user', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z')").run()
  sqlite.close()
  return file
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-transfer-'))
  migratedFile = fileIn('migrated.sqlite')
  const migrated = await runScript('scripts/migrate.ts', { env: { NODE_ENV: 'test', DATABASE_URL: migratedFile }, timeoutMs: CHILD_TIMEOUT_MS })
  expect(migrated.status, migrated.stderr).toBe(0)
  demoFile = fileIn('demo.sqlite')
  await seedSource(demoFile)
  demoRows = await readAllRows(demoFile)
  // Every table holds rows, so "compares equal" is never vacuous.
  for (const [table, rows] of Object.entries(demoRows)) expect(rows.length, table).toBeGreaterThan(0)
})

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

describe.skipIf(!sqlitePass)('npm run db:transfer between SQLite files', () => {
  test('copies every row of every table into a new file, and shows each table copied and counted', async () => {
    const copy = fileIn('copy.sqlite')
    expectCopied(await transfer(demoFile, copy), demoRows)
    expect(await readAllRows(copy)).toEqual(demoRows)
  }, 90_000)

  test('in batches smaller than the tables, every table, the two-column key included, still compares equal', async () => {
    const copy = fileIn('small-batches.sqlite')
    expectCopied(await transfer(demoFile, copy, ['--batch-rows', '2']), demoRows)
    expect(await readAllRows(copy)).toEqual(demoRows)
  }, 90_000)

  test('accepts a target that `npm run db:migrate` prepared (migrated, holding only the region list)', async () => {
    const prepared = fileIn('prepared.sqlite')
    fs.copyFileSync(migratedFile, prepared)
    expectCopied(await transfer(demoFile, prepared), demoRows)
    expect(await readAllRows(prepared)).toEqual(demoRows)
  }, 90_000)

  test('accepts a target that `npm start` prepared and answered /healthz on (its write probe\'s settings row), and replaces that row', async () => {
    const started = fileIn('started.sqlite')
    fs.copyFileSync(migratedFile, started)
    await probeOnce(started)
    expectCopied(await transfer(demoFile, started), demoRows)
    expect(await readAllRows(started)).toEqual(demoRows)
  }, 90_000)

  test('refuses a target with one row in one table, with one line, and writes nothing', async () => {
    const target = fileIn('one-row.sqlite')
    fs.copyFileSync(migratedFile, target)
    const db = createDb(target)
    await hitRateLimits(db, [['login:ip:198.51.100.1', { limit: 5, windowMs: 60_000 }]])
    await db.destroy()
    const before = await readAllRows(target)
    expectOneLineFailure(await transfer(demoFile, target), /target .*one-row\.sqlite is not empty \(rows in rate_limits\)/)
    expect(await readAllRows(target)).toEqual(before)
  }, 90_000)

  test('a row the target refuses stops the copy with one line; nothing is kept, and a file it created is removed', async () => {
    const prepared = fileIn('refused-prepared.sqlite')
    fs.copyFileSync(migratedFile, prepared)
    const before = await readAllRows(prepared)
    expectOneLineFailure(await transfer(sourceWithOrphan(), prepared), /copying sessions failed \(FOREIGN KEY constraint failed\); nothing was kept/)
    expect(await readAllRows(prepared)).toEqual(before)

    const created = fileIn('refused-new.sqlite')
    expectOneLineFailure(await transfer(sourceWithOrphan(), created), /copying sessions failed/)
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('refused-new'))).toEqual([])
  }, 90_000)

  test('refuses a target holding a copy already, and leaves it as it was', async () => {
    const target = fileIn('full.sqlite')
    expect((await transfer(demoFile, target)).status).toBe(0)
    expectOneLineFailure(await transfer(demoFile, target), /is not empty \(rows in .*registrations/)
    expect(await readAllRows(target)).toEqual(demoRows)
  }, 90_000)
})

describe.skipIf(!sqlitePass).concurrent('npm run db:transfer given bad input', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ['no arguments', () => [], /^Usage: npm run db:transfer -- \[--batch-rows 1000\] <from-url> <to-url>/],
    ['one argument', () => [demoFile], /^Usage: npm run db:transfer/],
    ['a batch size of 0', () => ['--batch-rows', '0', demoFile, fileIn('never.sqlite')], /^Usage: npm run db:transfer/],
    ['the same file twice, spelled two ways', () => [demoFile, `file:${demoFile}`], /source and the target are the same database/],
    ['a source file that does not exist', () => [fileIn('missing.sqlite'), fileIn('never.sqlite')], /the source .*missing\.sqlite does not exist/],
    ['a target in a folder that does not exist', () => [demoFile, fileIn('no-folder/x.sqlite')], /the target .*no-folder.*does not exist/],
    // Port 9 (discard) listens nowhere here: the connection is refused.
    ['a PostgreSQL server that cannot be reached', () => [demoFile, `postgres://literasi:${DB_PASSWORD}@127.0.0.1:9/literasi`], /cannot connect to the target postgres:\/\/literasi:\*\*\*@127\.0\.0\.1:9\/literasi/],
    ['an unknown scheme', () => [demoFile, 'ftp://example.org/x'], /unsupported scheme/],
  ]
  test.each(cases)('exits 1 with one line for %s', async (_case, args, pattern) => {
    const result = await runScript('scripts/db-transfer.ts', { env: {}, args: args(), timeoutMs: CHILD_TIMEOUT_MS })
    expectOneLineFailure(result, pattern)
    expect(result.stdout).toBe('')
    expect(fs.existsSync(fileIn('never.sqlite'))).toBe(false)
  }, 90_000)
})

describe.skipIf(!sqlitePass)('npm run db:backup', () => {
  const backup = (databaseUrl: string, file: string) =>
    runScript('scripts/db-backup.ts', { env: { NODE_ENV: 'test', DATABASE_URL: databaseUrl }, args: [file], timeoutMs: CHILD_TIMEOUT_MS })

  test('copies the database while the app holds it open, with writes still in its write-ahead log', async () => {
    const live = fileIn('live.sqlite')
    fs.copyFileSync(demoFile, live)
    const app = createDb(live)
    try {
      const organiser = await app.selectFrom('users').select('id').where('role', '=', 'organiser').executeTakeFirstOrThrow()
      await createSession(app, organiser.id)
      expect(fs.statSync(`${live}-wal`).size).toBeGreaterThan(0)
      const expected = await readAllRows(live)
      expect(expected.sessions!.length).toBe(demoRows.sessions!.length + 1)

      const file = fileIn('backup.sqlite')
      const result = await backup(live, file)
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      expect(result.stdout).toMatch(/^Backed up .*live\.sqlite to .*backup\.sqlite/)
      // One self-contained file: nothing left beside it.
      expect(fs.readdirSync(dir).filter((name) => name.startsWith('backup.sqlite'))).toEqual(['backup.sqlite'])
      expect(await readAllRows(file)).toEqual(expected)
    } finally {
      await app.destroy()
    }
  }, 90_000)

  test('for a PostgreSQL DATABASE_URL, says in one line to use pg_dump, without the password', async () => {
    const result = await backup(`postgres://literasi:${DB_PASSWORD}@127.0.0.1:9/literasi`, fileIn('pg-backup.sqlite'))
    expectOneLineFailure(result, /PostgreSQL.*pg_dump/)
    expect(fs.existsSync(fileIn('pg-backup.sqlite'))).toBe(false)
  }, 60_000)

  test('refuses to write over the database itself', async () => {
    expectOneLineFailure(await backup(demoFile, demoFile), /is the database itself/)
    expect(await readAllRows(demoFile)).toEqual(demoRows)
  }, 60_000)
})

describe.skipIf(!TEST_POSTGRES_URL)('npm run db:transfer through PostgreSQL', () => {
  const server = TEST_POSTGRES_URL!
  const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`
  /** A new, empty database: no tables at all. */
  const emptyDb = `transfer_empty_${suffix}`
  /** A copy of the migrated template: tables and the region list, no other rows. */
  const preparedDb = `transfer_prepared_${suffix}`
  /** Another copy of the template, which a started app's /healthz has written its probe into. */
  const startedDb = `transfer_started_${suffix}`

  beforeAll(async () => {
    await adminQuery(server, `create database "${emptyDb}"`)
    await createDatabaseFrom(server, POSTGRES_TEMPLATE, preparedDb)
    await createDatabaseFrom(server, POSTGRES_TEMPLATE, startedDb)
  })

  afterAll(async () => {
    for (const name of [emptyDb, preparedDb, startedDb]) await adminQuery(server, `drop database if exists "${name}" with (force)`)
  })

  test('a copy the target refuses half-way leaves no row behind, so the database is accepted again', async () => {
    const postgres = `${server}${emptyDb}`
    expectOneLineFailure(await transfer(sourceWithOrphan(), postgres), /copying sessions failed \(.*violates foreign key constraint.*\); nothing was kept/)
    const rows = await readAllRows(postgres)
    for (const [table, found] of Object.entries(rows)) expect(found, table).toEqual([])
  }, 90_000)

  test('SQLite → that PostgreSQL database → a new SQLite file: every table compares equal on all three', async () => {
    const postgres = `${server}${emptyDb}`
    expectCopied(await transfer(demoFile, postgres), demoRows)
    expect(await readAllRows(postgres)).toEqual(demoRows)

    const back = fileIn('round-trip.sqlite')
    expectCopied(await transfer(postgres, back), demoRows)
    expect(await readAllRows(back)).toEqual(demoRows)
  }, 120_000)

  test('PostgreSQL → a migrated, prepared PostgreSQL database, in small batches; new residents continue after the copied ids', async () => {
    const source = `${server}${emptyDb}`
    const target = `${server}${preparedDb}`
    expectCopied(await transfer(source, target, ['--batch-rows', '3']), demoRows)
    expect(await readAllRows(target)).toEqual(demoRows)

    const db = createDb(target)
    try {
      const highest = Math.max(...demoRows.residents!.map((row) => row.id as number))
      const inserted = await db.insertInto('residents').values({ email: 'baru@example.org' }).returning('id').executeTakeFirstOrThrow()
      expect(inserted.id).toBe(highest + 1)
    } finally {
      await db.destroy()
    }
  }, 120_000)

  test('a PostgreSQL database that `npm start` prepared and answered /healthz on counts as empty; its probe row is replaced', async () => {
    const started = `${server}${startedDb}`
    await probeOnce(started)
    expectCopied(await transfer(demoFile, started), demoRows)
    expect(await readAllRows(started)).toEqual(demoRows)
  }, 90_000)

  test('refuses a PostgreSQL target that holds rows, with one line, and writes nothing', async () => {
    const target = `${server}${emptyDb}`
    const before = await readAllRows(target)
    const withPassword = target.replace('postgres@', `postgres:${DB_PASSWORD}@`)
    expectOneLineFailure(await transfer(demoFile, withPassword), /target postgres:\/\/postgres:\*\*\*@.* is not empty/)
    expect(await readAllRows(target)).toEqual(before)
  }, 60_000)
})
