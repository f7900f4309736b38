import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { createChangeCounter, createDb, DatabaseUrlError, getDb, isDatabaseUnavailable, LOCK_TIMEOUT_MS, sharedFreshReads, sharedFreshReadsBy, sqliteFileFromUrl, type DB } from '#app/utils/db.server'
import { TEST_ENGINE, TEST_POSTGRES_URL } from '#tests/setup/paths'
import { scriptEnv, spawnScript, waitForExit } from '#tests/setup/run-script'

let dir: string
const opened: DB[] = []

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-db-'))
})

afterAll(async () => {
  for (const db of opened) await db.destroy()
  fs.rmSync(dir, { recursive: true, force: true })
})

function open(url: string, options?: Parameters<typeof createDb>[1]): DB {
  const db = createDb(url, options)
  opened.push(db)
  return db
}

async function pragma(db: DB, name: string): Promise<unknown> {
  const { rows } = await sql<Record<string, unknown>>`pragma ${sql.raw(name)}`.execute(db)
  return Object.values(rows[0]!)[0]
}

// SQLite's own connection settings; the PostgreSQL run checks its pool in postgres.test.ts.
describe.skipIf(TEST_ENGINE === 'postgres')('connections', () => {
  test('every connection has WAL, foreign keys and a busy timeout', async () => {
    const connections: Array<[string, DB]> = [
      ['the process-wide test database', getDb()],
      ['a new file by path', open(path.join(dir, 'by-path.sqlite'))],
      ['a new file by file: URL', open(`file://${path.join(dir, 'by-url.sqlite')}`)],
      ['a second connection to the same file', open(path.join(dir, 'by-path.sqlite'))],
    ]
    for (const [name, db] of connections) {
      expect(await pragma(db, 'journal_mode'), name).toBe('wal')
      expect(await pragma(db, 'foreign_keys'), name).toBe(1)
      expect(await pragma(db, 'busy_timeout'), name).toBeGreaterThan(0)
    }
  })

  test('foreign keys are enforced', async () => {
    const db = getDb()
    await expect(
      db.insertInto('regencies').values({ code: '99.99', province_code: '99', name: 'Nowhere' }).execute(),
    ).rejects.toThrow(/FOREIGN KEY/)
  })
})

describe('the write lock', () => {
  // Another process holding the lock (here: another connection in this one). SQLite's own busy
  // handler would sleep with the whole process blocked, so the timer that releases the lock
  // could never fire and the write would fail after the timeout.
  test('a transaction waits for another writer to finish, and the process keeps working meanwhile', async () => {
    const file = path.join(dir, 'lock.sqlite')
    const db = open(file)
    await sql`create table t (n integer)`.execute(db)
    const other = new SQLite(file)
    other.exec('begin immediate')
    let ticks = 0
    const ticker = setInterval(() => ticks++, 10)
    setTimeout(() => other.exec('commit'), 300)
    const started = performance.now()
    await db.transaction().execute(async (trx) => {
      await sql`insert into t values (1)`.execute(trx)
    })
    const waited = performance.now() - started
    clearInterval(ticker)
    other.close()
    expect(waited).toBeGreaterThanOrEqual(250)
    expect(ticks).toBeGreaterThanOrEqual(10)
    expect((await sql<{ n: number }>`select n from t`.execute(db)).rows).toEqual([{ n: 1 }])
    // Single statements outside a transaction still wait in SQLite's handler.
    expect(await pragma(db, 'busy_timeout')).toBe(LOCK_TIMEOUT_MS)
  })

  test('a transaction that cannot get the lock in time fails as busy, writes nothing, and the connection recovers', async () => {
    const file = path.join(dir, 'lock-timeout.sqlite')
    const db = open(file, { lockTimeoutMs: 200 })
    await sql`create table t (n integer)`.execute(db)
    const other = new SQLite(file)
    other.exec('begin immediate')
    const started = performance.now()
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`insert into t values (1)`.execute(trx)
      }),
    ).rejects.toMatchObject({ code: 'SQLITE_BUSY' })
    expect(performance.now() - started).toBeGreaterThanOrEqual(190)
    other.exec('rollback')
    other.close()
    expect(await pragma(db, 'busy_timeout')).toBe(LOCK_TIMEOUT_MS)
    await db.transaction().execute(async (trx) => {
      await sql`insert into t values (2)`.execute(trx)
    })
    expect((await sql<{ n: number }>`select n from t`.execute(db)).rows).toEqual([{ n: 2 }])
  })
})

describe('sqliteFileFromUrl', () => {
  test.each([
    ['/tmp/x.sqlite', '/tmp/x.sqlite'],
    ['  /tmp/x.sqlite  ', '/tmp/x.sqlite'],
    ['db/x.sqlite', path.resolve('db/x.sqlite')],
    ['file:./x.sqlite', path.resolve('x.sqlite')],
    ['file:/tmp/x.sqlite', '/tmp/x.sqlite'],
    ['file:///tmp/x.sqlite', '/tmp/x.sqlite'],
    ['file://localhost/tmp/x.sqlite', '/tmp/x.sqlite'],
    ['file:///tmp/my%20data.sqlite', '/tmp/my data.sqlite'],
    ['file:./x.sqlite?mode=rwc', path.resolve('x.sqlite')],
  ])('%j is the file %s', (url, file) => {
    expect(sqliteFileFromUrl(url)).toBe(file)
  })

  test.each([
    ['postgres://user@localhost/literasi', /DATABASE_URL: a PostgreSQL URL names no SQLite file/],
    ['postgresql://user@localhost/literasi', /DATABASE_URL: a PostgreSQL URL names no SQLite file/],
    ['mysql://user@localhost/literasi', /DATABASE_URL: unsupported scheme/],
    ['ftp://x', /DATABASE_URL: unsupported scheme/],
    // Parsed as a URL this is host "." and the file /x.sqlite at the root of the disk.
    ['file://./x.sqlite', /DATABASE_URL: .* names a host/],
    ['file://server/share/x.sqlite', /DATABASE_URL: .* names a host/],
    ['file:./100%.sqlite', /DATABASE_URL: .* not a valid file: URL/],
    ['file:', /DATABASE_URL: .* names no file/],
    ['   ', /DATABASE_URL is empty/],
  ])('%j is refused with a clear message', (url, message) => {
    expect(() => sqliteFileFromUrl(url)).toThrow(DatabaseUrlError)
    expect(() => sqliteFileFromUrl(url)).toThrow(message)
  })

  test('a missing folder is reported, not created', () => {
    const file = path.join(dir, 'missing', 'x.sqlite')
    expect(() => createDb(file)).toThrow(/DATABASE_URL: the folder .*missing does not exist/)
    expect(fs.existsSync(path.dirname(file))).toBe(false)
  })
})

describe('transactions', () => {
  test('take the write lock up front, so concurrent read-then-write increments lose nothing', async () => {
    const key = `concurrency-${Date.now()}`
    const perProcess = 200
    const env = scriptEnv({ NODE_ENV: 'test', DATABASE_URL: process.env.DATABASE_URL })
    const children = [0, 1].map(() => spawnScript('tests/models/__helpers/hit-rate-limit.ts', [key, String(perProcess)], env))
    const results = children.map((child) => waitForExit(child, 60_000))
    // Start both writers only when both are ready, so their transactions interleave.
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve())
            child.on('close', () => reject(new Error('a writer exited before it was ready')))
          }),
      ),
    )
    for (const child of children) child.stdin!.end('go\n')

    for (const result of await Promise.all(results)) {
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      expect(result.stdout).toContain('done')
    }
    const row = await getDb().selectFrom('rate_limits').select('hits').where('key', '=', key).executeTakeFirstOrThrow()
    expect(row.hits).toBe(2 * perProcess)
  }, 90_000)
})

describe('a connection that cannot write', () => {
  test('is replaced after a write fails as read-only, so the next write works without a restart', async () => {
    const db = open(path.join(dir, 'recovers.sqlite'))
    await sql`create table notes (text text not null)`.execute(db)
    // The connection itself turns read-only, as one opened on a write-protected file is.
    await sql`pragma query_only = 1`.execute(db)
    const failed = await db
      .transaction()
      .execute((trx) => sql`insert into notes (text) values ('hilang')`.execute(trx))
      .then(
        () => null,
        (error: unknown) => error,
      )
    expect(isDatabaseUnavailable(failed)).toBe(true)

    await db.transaction().execute((trx) => sql`insert into notes (text) values ('tersimpan')`.execute(trx))
    const { rows } = await sql<{ text: string }>`select text from notes`.execute(db)
    expect(rows).toEqual([{ text: 'tersimpan' }])
  })
})

// What pg's pool says when connectionTimeoutMillis runs out: no code, only a message. Both are an
// outage (503 with Retry-After), not a bug (500).
describe('a connection that cannot be had in time', () => {
  /** The error `query` rejects with. */
  const failureOf = (query: Promise<unknown>) =>
    query.then(
      () => null,
      (error: unknown) => error,
    )

  test.skipIf(!TEST_POSTGRES_URL)('every connection of the pool busy: the wait for a free one times out', async () => {
    const pool = new pg.Pool({ connectionString: `${TEST_POSTGRES_URL}postgres`, max: 1, connectionTimeoutMillis: 100 })
    const held = await pool.connect()
    try {
      const failed = await failureOf(pool.query('select 1'))
      expect(failed).toBeInstanceOf(Error)
      expect(isDatabaseUnavailable(failed)).toBe(true)
    } finally {
      held.release()
      await pool.end()
    }
  })

  test('a server that accepts the connection but never answers: opening it times out', async () => {
    const silent = net.createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as net.AddressInfo
    const pool = new pg.Pool({ connectionString: `postgres://app@127.0.0.1:${port}/literasi`, connectionTimeoutMillis: 100 })
    try {
      const failed = await failureOf(pool.query('select 1'))
      expect(failed).toBeInstanceOf(Error)
      expect(isDatabaseUnavailable(failed)).toBe(true)
    } finally {
      await pool.end()
      silent.close()
      await new Promise((resolve) => setImmediate(resolve))
    }
  })

  test('an error of ours that merely mentions a timeout is still a bug', () => {
    expect(isDatabaseUnavailable(new Error('the import timeout exceeded when trying to connect to Zoom'))).toBe(false)
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false)
  })
})

describe('sharedFreshReads', () => {
  /** A read the test finishes by hand, numbered in the order reads started. */
  function manualReads() {
    const started: Array<{ resolve: (value: number) => void; reject: (error: Error) => void }> = []
    const read = () => new Promise<number>((resolve, reject) => void started.push({ resolve, reject }))
    return { started, read }
  }

  test('callers during a read share the next one, started after they arrived, so none sees a value read before it came', async () => {
    const { started, read } = manualReads()
    const next = sharedFreshReads(read)
    const first = next()
    const during = [next(), next(), next()]
    expect(started).toHaveLength(1)
    started[0]!.resolve(1)
    expect(await first).toBe(1)
    // The read the later callers share starts only once the first has settled.
    await Promise.resolve()
    expect(started).toHaveLength(2)
    const later = next()
    started[1]!.resolve(2)
    expect(await Promise.all(during)).toEqual([2, 2, 2])
    expect(started).toHaveLength(3)
    started[2]!.resolve(3)
    expect(await later).toBe(3)
  })

  test('a failed read fails only its own callers, and the next caller reads again', async () => {
    const { started, read } = manualReads()
    const next = sharedFreshReads(read)
    const failing = next()
    const queued = next()
    started[0]!.reject(new Error('connection lost'))
    await expect(failing).rejects.toThrow('connection lost')
    await vi.waitFor(() => expect(started).toHaveLength(2))
    started[1]!.resolve(7)
    expect(await queued).toBe(7)
    const after = next()
    expect(started).toHaveLength(3)
    started[2]!.resolve(8)
    expect(await after).toBe(8)
  })
})

describe('sharedFreshReadsBy', () => {
  test('callers of one key share reads as sharedFreshReads does; another key reads on its own; a key with no caller left is forgotten', async () => {
    const started: Array<{ key: string; resolve: (value: string) => void }> = []
    const next = sharedFreshReadsBy((key) => new Promise<string>((resolve) => void started.push({ key, resolve })))
    const a = [next('a'), next('a')]
    const b = next('b')
    expect(started.map((read) => read.key)).toEqual(['a', 'b'])
    started[1]!.resolve('b1')
    expect(await b).toBe('b1')
    started[0]!.resolve('a1')
    expect(await a[0]).toBe('a1')
    // The second caller came during the first read: it shares the next, started after it arrived.
    await vi.waitFor(() => expect(started).toHaveLength(3))
    expect(started[2]!.key).toBe('a')
    started[2]!.resolve('a2')
    expect(await a[1]).toBe('a2')
    // Nobody waits on either key now: the next caller starts a read of its own at once.
    const again = next('a')
    expect(started).toHaveLength(4)
    started[3]!.resolve('a3')
    expect(await again).toBe('a3')
  })

  test('registration targets read in a rush: every post gets its webinar, an unknown slug nothing', async () => {
    const { getRegistrationTarget } = await import('#app/models/webinar.server')
    const { publishedWebinar } = await import('#tests/setup/factories')
    const webinar = await publishedWebinar()
    const targets = await Promise.all(Array.from({ length: 20 }, () => getRegistrationTarget(getDb(), webinar.slug)))
    expect(new Set(targets.map((target) => target?.id))).toEqual(new Set([webinar.id]))
    expect(await getRegistrationTarget(getDb(), 'tidak-ada')).toBeUndefined()
  })
})

describe('the change counter', () => {
  test('moves when another connection commits, and a rush of readers sees the commit that came before them', async () => {
    const url = TEST_ENGINE === 'postgres' ? process.env.DATABASE_URL! : path.join(dir, 'counter.sqlite')
    const writer = open(url)
    await sql`create table if not exists counter_probe (n integer)`.execute(writer)
    const read = createChangeCounter(url)
    const before = await read()
    expect(await read()).toBe(before)
    await sql`insert into counter_probe (n) values (1)`.execute(writer)
    const rush = await Promise.all(Array.from({ length: 20 }, () => read()))
    expect(new Set(rush).size).toBe(1)
    expect(rush[0]).not.toBe(before)
    await sql`drop table counter_probe`.execute(writer)
  })
})
