import fs from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  sql,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type SqliteDialectConfig,
  type Transaction,
} from 'kysely'
import pg from 'pg'
import type { Database } from '#db/schema'
import { getEnv, INVALID_POSTGRES_URL } from './env.server'
import { lockRuleOn } from './race-points.server'

// The one place that knows which SQL engine sits underneath: SQLite (the embedded default, one
// machine) or PostgreSQL (production, several processes and machines). Everything
// dialect-specific (connection settings, how a transaction takes its locks, which errors mean
// "busy" or "try again") stays in this file; models call the few helpers below.

export type DB = Kysely<Database>
export type Engine = 'sqlite' | 'postgres'

/** Whether DATABASE_URL names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url.trim())
}

/** The engine under a connection or a transaction. */
export function engineOf(db: Kysely<Database> | Transaction<Database>): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}

export class DatabaseUrlError extends Error {}

/** The file (or its folder) cannot be written now: at start a configuration error, later a 503. */
export class DatabaseUnwritableError extends DatabaseUrlError {
  override name = 'DatabaseUnwritableError'
}

/**
 * Whether an error means the database cannot take writes right now (a read-only or full disk,
 * an I/O error, a file that cannot be opened, a server that refuses or cannot give a
 * connection, a lock not granted in time), as opposed to a bug: users get "temporarily
 * unavailable" (503, with Retry-After) for these. A SQLite connection is reopened before its next
 * use after any of them but a busy lock (see isBusy), which leaves the connection as it was.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  // By name, not instanceof: the HTTP layer asks about errors thrown by the app's bundled copy.
  if (!(error instanceof Error)) return false
  if (error.name === 'DatabaseUnwritableError') return true
  // pg's pool gives these without a code: no connection was free, or none could be opened, within
  // connectionTimeoutMillis (every connection busy, or a server that accepts but does not answer).
  if (PG_CONNECTION_TIMEOUT.test(error.message)) return true
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'string') return false
  if (error.name === 'SqliteError') return /^SQLITE_(READONLY|IOERR|CANTOPEN|FULL|BUSY)/.test(code)
  // PostgreSQL: the server cannot be reached, is starting or stopping, is a read-only replica,
  // its disk is full, it has no connection left (53300: max_connections, or the role's or
  // database's CONNECTION LIMIT), or a lock was not granted within lock_timeout (55P03, "busy").
  return /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|08\w{3}|57P0[123]|25006|53100|53300|55P03)$/.test(code)
}

/**
 * Whether the database refused a text value it cannot store: PostgreSQL takes no NUL (U+0000) in
 * text (22021, character_not_in_repertoire) nor a character its encoding lacks (22P05). SQLite
 * stores both. The request's input, not the server, is at fault.
 */
export function isUnstorableText(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return error instanceof Error && error.name !== 'SqliteError' && (code === '22021' || code === '22P05')
}

/** pg-pool's and pg's own messages when connectionTimeoutMillis runs out (they carry no code). */
const PG_CONNECTION_TIMEOUT = /^(timeout exceeded when trying to connect|Connection terminated due to connection timeout)$/

/** Accepts a plain file path or a `file:` URL; returns an absolute SQLite file path. */
export function sqliteFileFromUrl(url: string): string {
  const value = url.trim()
  if (value === '') throw new DatabaseUrlError('DATABASE_URL is empty')
  if (isPostgresUrl(value)) throw new DatabaseUrlError('DATABASE_URL: a PostgreSQL URL names no SQLite file')
  if (value.startsWith('file:')) {
    let filePath: string
    let host = ''
    try {
      if (value.startsWith('file://')) {
        const url = new URL(value)
        host = url.host
        filePath = url.pathname
      } else {
        filePath = value.slice('file:'.length)
      }
      filePath = decodeURIComponent(filePath.split('?')[0] ?? '')
    } catch {
      throw new DatabaseUrlError(`DATABASE_URL: "${value}" is not a valid file: URL`)
    }
    // file://./x.sqlite parses as host "." and path /x.sqlite: refuse it rather than write at the root.
    if (host) {
      throw new DatabaseUrlError(`DATABASE_URL: "${value}" names a host; use file:./relative.sqlite or file:///absolute/path.sqlite`)
    }
    if (!filePath) throw new DatabaseUrlError(`DATABASE_URL: "${value}" names no file`)
    return path.resolve(filePath)
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new DatabaseUrlError(`DATABASE_URL: unsupported scheme in "${value}"; use a SQLite file path or a file: URL`)
  }
  return path.resolve(value)
}

/**
 * Opens the file with the pragmas every connection needs; fails with one readable line.
 *
 * A file that cannot be written is not opened at all. SQLite would quietly open it read-only,
 * and that connection keeps failing every write after the file is writable again; worse, the
 * -wal and -shm files it creates take the database file's read-only mode, so the database stays
 * unwritable even for a fresh process.
 */
export function openSqlite(file: string): SQLite.Database {
  const dir = path.dirname(file)
  if (!fs.existsSync(dir)) {
    throw new DatabaseUrlError(`DATABASE_URL: the folder ${dir} does not exist`)
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK)
    for (const sibling of [file, `${file}-wal`, `${file}-shm`]) {
      if (fs.existsSync(sibling)) fs.accessSync(sibling, fs.constants.R_OK | fs.constants.W_OK)
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new DatabaseUnwritableError(`DATABASE_URL: cannot open ${file} for writing (${reason})`)
  }
  let sqlite: SQLite.Database | undefined
  try {
    sqlite = new SQLite(file)
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('foreign_keys = ON')
    // Concurrent writers (several processes on one file) wait for the lock instead of failing.
    sqlite.pragma(`busy_timeout = ${LOCK_TIMEOUT_MS}`)
    sqlite.pragma('synchronous = NORMAL')
    // A write probe that leaves nothing behind: an unwritable file or folder is reported now,
    // not on the first form post. (Taking the write lock alone succeeds even read-only.)
    sqlite.exec('begin immediate')
    sqlite.pragma(`user_version = ${Number(sqlite.pragma('user_version', { simple: true }))}`)
    sqlite.exec('rollback')
  } catch (error) {
    sqlite?.close()
    const reason = error instanceof Error ? error.message : String(error)
    throw new DatabaseUnwritableError(`DATABASE_URL: cannot open ${file} for writing (${reason})`)
  }
  return sqlite
}

/** How long a write waits for another process to release SQLite's write lock before it fails. */
export const LOCK_TIMEOUT_MS = 5000

/**
 * The process's one SQLite connection, behind the interface Kysely's driver calls (prepare and
 * close). After an error that says the file cannot be written (see isDatabaseUnavailable), the
 * connection is marked stale and replaced before its next use, so the app recovers by itself
 * once the disk is writable again instead of failing until a restart. Opening may fail too
 * while the file is unwritable; the next use tries again.
 *
 * Kysely prepares every query afresh, and preparing costs more than running most of ours: the
 * same SQL text gets the same statement back (a bounded LRU, since `in (…)` lists vary in
 * length). Safe because Kysely runs one query at a time on the connection.
 */
class SqliteHandle {
  readonly #file: string
  #sqlite: SQLite.Database | null
  #stale = false
  readonly #statements = new Map<string, SQLite.Statement>()
  constructor(file: string, sqlite: SQLite.Database) {
    this.#file = file
    this.#sqlite = sqlite
  }

  get sqlite(): SQLite.Database {
    if (!this.#sqlite) this.#sqlite = openSqlite(this.#file)
    return this.#sqlite
  }

  prepare(sql: string, size = 500): SQLite.Statement {
    const sqlite = this.sqlite
    let statement = this.#statements.get(sql)
    if (statement) {
      this.#statements.delete(sql)
    } else {
      statement = sqlite.prepare(sql)
      if (this.#statements.size >= size) this.#statements.delete(this.#statements.keys().next().value!)
    }
    this.#statements.set(sql, statement)
    return statement
  }

  markStale(): void {
    this.#stale = true
  }

  /** Only while the driver's mutex is held, so no unfinished transaction loses its connection. */
  replaceIfStale(): void {
    if (!this.#stale) return
    this.#stale = false
    this.close()
  }

  /** A transaction whose rollback failed (the disk went away mid-way) must not block the next one. */
  rollbackLeftover(): void {
    if (this.#sqlite?.inTransaction) {
      try {
        this.#sqlite.exec('rollback')
      } catch {
        this.close()
      }
    }
  }

  close(): void {
    this.#statements.clear()
    try {
      this.#sqlite?.close()
    } catch {
      // Closing a connection whose file went away can fail; it is dropped either way.
    }
    this.#sqlite = null
  }
}

/** Marks the handle stale when a query fails because the database cannot take writes. */
class WatchedConnection implements DatabaseConnection {
  readonly #inner: DatabaseConnection
  readonly #handle: SqliteHandle
  constructor(inner: DatabaseConnection, handle: SqliteHandle) {
    this.#inner = inner
    this.#handle = handle
  }
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.#inner.executeQuery<R>(query)
    } catch (error) {
      // A busy lock says nothing about the connection: keep it (and its prepared statements).
      if (isDatabaseUnavailable(error) && !isBusy(error)) this.#handle.markStale()
      throw error
    }
  }
  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.#inner.streamQuery<R>(query, chunkSize)
  }
}

const BEGIN_IMMEDIATE = CompiledQuery.raw('begin immediate')

/**
 * Every transaction is a write here, and most read before they write (capacity, slugs, tokens).
 * `begin immediate` takes SQLite's write lock up front, so two of them never both read a stale
 * value and then collide with SQLITE_BUSY at commit.
 *
 * While another process holds the lock, this one asks again every millisecond and keeps serving
 * requests in between. SQLite's own busy handler would block the whole process in sleeps that
 * grow to 100 ms, and a process that sleeps that long keeps missing the moments the lock is free:
 * under a registration rush it starved for seconds while the other process wrote.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #handle: SqliteHandle
  readonly #lockTimeoutMs: number
  constructor(config: SqliteDialectConfig, handle: SqliteHandle, lockTimeoutMs: number) {
    super(config)
    this.#handle = handle
    this.#lockTimeoutMs = lockTimeoutMs
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection()
    this.#handle.replaceIfStale()
    return new WatchedConnection(connection, this.#handle)
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    this.#handle.rollbackLeftover()
    const deadline = Date.now() + this.#lockTimeoutMs
    // The connection is this transaction's alone until it ends, so the setting cannot leak.
    const sqlite = this.#handle.sqlite
    sqlite.pragma('busy_timeout = 0')
    try {
      for (;;) {
        try {
          await connection.executeQuery(BEGIN_IMMEDIATE)
          return
        } catch (error) {
          if (!isBusy(error) || Date.now() >= deadline) throw error
          await new Promise((resolve) => setTimeout(resolve, 1))
        }
      }
    } finally {
      sqlite.pragma(`busy_timeout = ${LOCK_TIMEOUT_MS}`)
    }
  }
}

/**
 * Whether a write failed because another process held the lock it needed past the timeout
 * (SQLite's write lock, or a PostgreSQL row lock: lock_not_available). Callers answer "busy".
 */
export function isBusy(error: unknown): boolean {
  if (error instanceof SQLite.SqliteError) return error.code === 'SQLITE_BUSY'
  return error instanceof Error && (error as { code?: unknown }).code === '55P03'
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig
  readonly #handle: SqliteHandle
  readonly #lockTimeoutMs: number
  constructor(handle: SqliteHandle, lockTimeoutMs: number) {
    const config = { database: handle }
    super(config)
    this.#config = config
    this.#handle = handle
    this.#lockTimeoutMs = lockTimeoutMs
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#handle, this.#lockTimeoutMs)
  }
}

// --- PostgreSQL --------------------------------------------------------------------------

/** No statement of ours runs this long; one that does is stuck, and holds locks others need. */
export const STATEMENT_TIMEOUT_MS = 60_000
/** Deadlocks and serialisation failures are retried as a whole transaction, this many times. */
const TRANSACTION_ATTEMPTS = 5

// count(*) and sums come back as bigint (int8) and numeric, which pg hands over as strings to
// keep their precision. Every count of ours fits a double, so they become numbers, as on SQLite.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value))
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value: string) => Number(value))

/**
 * Thrown by a transaction that read something before taking the lock that covers it, and found
 * at its write that another transaction had changed it meanwhile: run again, it reads the change.
 */
export class TransactionOvertaken extends Error {
  override name = 'TransactionOvertaken'
}

/** The unique constraint or index that `error` violated (PostgreSQL), or null. */
export function violatedUniqueConstraint(error: unknown): string | null {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown }
  return code === '23505' && typeof constraint === 'string' ? constraint : null
}

/** Whether PostgreSQL aborted a transaction that would succeed if run again. */
function isRetryable(error: unknown): boolean {
  if (error instanceof TransactionOvertaken) return true
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined
  return code === '40P01' || code === '40001'
}

/** Runs `attempt` again after a deadlock, a serialisation failure or an overtaken read, with a short random pause. */
async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt()
    } catch (error) {
      if (!isRetryable(error) || tries >= TRANSACTION_ATTEMPTS) throw error
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * tries))
    }
  }
}

type TransactionBuilderOf<D> = ReturnType<Kysely<D>['transaction']>

/** A transaction builder whose execute() runs the whole callback again when PostgreSQL says so. */
function retrying<D>(builder: TransactionBuilderOf<D>): TransactionBuilderOf<D> {
  return {
    execute: <T>(callback: (trx: Transaction<D>) => Promise<T>) => withRetries(() => builder.execute(callback)),
    setIsolationLevel: (level: Parameters<TransactionBuilderOf<D>['setIsolationLevel']>[0]) => retrying(builder.setIsolationLevel(level)),
    setAccessMode: (mode: Parameters<TransactionBuilderOf<D>['setAccessMode']>[0]) => retrying(builder.setAccessMode(mode)),
  } as unknown as TransactionBuilderOf<D>
}

/** Kysely on PostgreSQL, with every transaction retried as a whole on deadlock, serialisation failure or TransactionOvertaken. */
class RetryingKysely extends Kysely<Database> {
  override transaction(): TransactionBuilderOf<Database> {
    return retrying(super.transaction())
  }
}

/** Each PostgreSQL connection's pool, for poolStats (Kysely keeps its dialect's pool to itself). */
const pools = new WeakMap<DB, pg.Pool>()

/**
 * A pool whose connections give up waiting for a row lock after `lockTimeoutMs` (reported as
 * busy, as SQLite's write lock is) and stop any statement after STATEMENT_TIMEOUT_MS. Idle
 * connections close after 10 s, and a command-line script may exit while the pool is idle.
 */
function createPostgresDb(url: string, lockTimeoutMs: number, poolSize: number): DB {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    lock_timeout: lockTimeoutMs,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: STATEMENT_TIMEOUT_MS,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
  })
  // An idle connection that the server closes (a restart) must not crash the process.
  pool.on('error', () => {})
  const db = new RetryingKysely({ dialect: new PostgresDialect({ pool }) })
  pools.set(db, pool)
  return db
}

/**
 * Runs `migrate` (the migrations and the region list, at start) on PostgreSQL on a connection of
 * its own, without the pool's statement and lock timeouts: a migration may take as long as it
 * needs (building an index on a large table), and may wait for the app's transactions on the
 * tables it alters (those end within STATEMENT_TIMEOUT_MS). A process that starts while another
 * migrates waits for Kysely's migration lock, up to Kysely's one hour, and then finds nothing
 * left to do; likewise for its turn at the region list. On SQLite the connection is the
 * process's own.
 */
export async function withMigrationConnection<T>(db: DB, migrate: (db: DB) => Promise<T>): Promise<T> {
  const pool = pools.get(db)
  if (!pool) return migrate(db)
  const own = new pg.Pool({
    connectionString: pool.options.connectionString,
    max: 1,
    // 0 = none, set explicitly so that a default of the server's, the role's or the database's does not apply.
    statement_timeout: 0,
    lock_timeout: 0,
    idle_in_transaction_session_timeout: 0,
    connectionTimeoutMillis: 10_000,
    allowExitOnIdle: true,
  })
  own.on('error', () => {})
  const migrationDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: own }) })
  try {
    return await migrate(migrationDb)
  } finally {
    await migrationDb.destroy()
  }
}

/** How many connections the pool holds, how many are idle, and how many queries wait for one; null on SQLite. */
export function poolStats(db: DB): { total: number; idle: number; waiting: number } | null {
  const pool = pools.get(db)
  return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null
}

/** Query parameters that carry a password (libpq's and pg's names; pg reads any parameter). */
const PASSWORD_PARAMETER = /^(ssl)?password$/i

/** The URL parsed, or null when it does not parse (a password with @ : / # ? not percent-encoded). */
function parseUrl(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/**
 * DATABASE_URL for messages: every password replaced (the user part's, and `password` or
 * `sslpassword` in the query), so none reaches a log. A PostgreSQL URL that does not parse shows
 * nothing after its scheme, since where its password ends cannot be told.
 */
export function redactDatabaseUrl(url: string): string {
  const parsed = parseUrl(url)
  if (!parsed) {
    const scheme = /^(postgres(?:ql)?):\/\//i.exec(url.trim())?.[1]
    return scheme ? `${scheme}://*** (not a valid URL)` : url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')
  }
  return replacePasswords(parsed, '***').toString()
}

/** A PostgreSQL URL without its passwords: the same for one database however its password is given (null if it does not parse). */
export function databaseUrlWithoutPasswords(url: string): string | null {
  const parsed = parseUrl(url.trim())
  return parsed && replacePasswords(parsed, null).toString()
}

/** Every password in the URL replaced by `mask`, or removed (null). */
function replacePasswords(parsed: URL, mask: string | null): URL {
  if (parsed.password) parsed.password = mask ?? ''
  for (const name of new Set(parsed.searchParams.keys())) {
    if (!PASSWORD_PARAMETER.test(name)) continue
    if (mask === null) parsed.searchParams.delete(name)
    else parsed.searchParams.set(name, mask)
  }
  // A client ignores the fragment; after a password, it is the rest of one that held a #.
  parsed.hash = ''
  return parsed
}

/** `text` with every password of `url` in it (as written, and decoded) replaced. */
function withoutPasswords(text: string, url: string): string {
  const parsed = parseUrl(url)
  if (!parsed) return text
  const secrets = [parsed.password, ...[...parsed.searchParams].filter(([name]) => PASSWORD_PARAMETER.test(name)).map(([, value]) => value)]
  let shown = text
  for (const secret of secrets.flatMap((value) => [value, safeDecode(value)]).filter((value) => value.length > 0)) {
    shown = shown.replaceAll(secret, '***')
  }
  return shown
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/**
 * Connects once, so a wrong address, database or password stops the start with one line that
 * names DATABASE_URL and the reason (never the password). On SQLite the file was opened already.
 */
export async function checkConnection(db: DB, url: string): Promise<void> {
  if (engineOf(db) !== 'postgres') return
  // The environment refuses such a URL at start; db:transfer's come from its command line.
  if (!parseUrl(url.trim())) throw new DatabaseUrlError(`DATABASE_URL: ${INVALID_POSTGRES_URL}`)
  try {
    await sql`select 1`.execute(db)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new DatabaseUrlError(`DATABASE_URL: cannot connect to ${redactDatabaseUrl(url)} (${withoutPasswords(reason, url)})`)
  }
  for (const warning of [await collationWarning(db), await clockWarning(db)]) if (warning) console.warn(warning)
}

/** How far this machine's clock may be from the database server's before a start warns. */
const CLOCK_SKEW_WARNING_MS = 5_000

/**
 * A one-line warning when this machine's clock is more than 5 s from the PostgreSQL server's.
 * Machines compare times that other machines wrote: a mail worker takes a message over once its
 * claim is older than MAIL_LEASE_SECONDS by the worker's own clock, so a worker running ahead
 * sends messages that another is still sending; and registration and check-in windows would open
 * and close at different moments on different machines. Not fatal. Null when fine, and on SQLite
 * (one machine). `localNow` is this machine's clock (a test moves it).
 */
export async function clockWarning(db: DB, localNow: () => number = Date.now): Promise<string | null> {
  if (engineOf(db) !== 'postgres') return null
  const sent = localNow()
  const { rows } = await sql<{ ms: number }>`select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms`.execute(db)
  const received = localNow()
  // The server read its clock somewhere in the round trip: its middle, give or take half of it.
  const skew = (sent + received) / 2 - Number(rows[0]!.ms)
  if (Math.abs(skew) <= CLOCK_SKEW_WARNING_MS + (received - sent) / 2) return null
  const seconds = Math.round(Math.abs(skew) / 1000)
  return `DATABASE_URL: this machine's clock is ${seconds} s ${skew > 0 ? 'ahead of' : 'behind'} the database server's: keep every machine's clock synchronised (NTP), or a mail worker may send a message twice and registration and check-in windows open at different moments (README: Production)`
}

/** Collations that order text by code point, as SQLite does. */
const CODE_POINT_COLLATIONS = new Set(['c', 'posix', 'c.utf8', 'c.utf-8'])

/**
 * A one-line warning when the PostgreSQL database does not sort text by code point (its
 * collation is a language's): lists and exports would then be ordered otherwise than on SQLite,
 * and otherwise than the tests check. Not fatal: nothing is wrong but the order. Null when fine.
 */
export async function collationWarning(db: DB): Promise<string | null> {
  if (engineOf(db) !== 'postgres') return null
  // datlocprovider (15+): c = libc (datcollate), i = ICU (daticulocale; datlocale from 17), b = builtin (17+, by code point).
  const { rows } = await sql<Record<string, string | null>>`select * from pg_database where datname = current_database()`.execute(db)
  const row = rows[0] ?? {}
  const provider = row.datlocprovider ?? 'c'
  if (provider === 'b') return null
  const [collation, kind] = provider === 'i' ? [row.daticulocale ?? row.datlocale ?? '?', 'ICU'] : [row.datcollate ?? '?', 'libc']
  if (provider !== 'i' && CODE_POINT_COLLATIONS.has(collation.toLowerCase())) return null
  return `DATABASE_URL: the database's collation is ${collation} (${kind}), not C: text will sort otherwise than on SQLite; create the database as the README shows (Production: CREATE DATABASE … LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0)`
}

// --- Both engines --------------------------------------------------------------------------

/**
 * `lockTimeoutMs`: how long a transaction waits for a lock (tests shorten it).
 * `poolSize`: PostgreSQL connections this process may open.
 */
export function createDb(databaseUrl: string, { lockTimeoutMs = LOCK_TIMEOUT_MS, poolSize = 10 } = {}): DB {
  if (isPostgresUrl(databaseUrl)) return createPostgresDb(databaseUrl.trim(), lockTimeoutMs, poolSize)
  const file = sqliteFileFromUrl(databaseUrl)
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect(new SqliteHandle(file, openSqlite(file)), lockTimeoutMs) })
}

/**
 * THE LOCK RULE. A transaction that reads and then writes a webinar's seats, registrations,
 * roles, attendance or certificates first locks that webinar's row, and a transaction that
 * touches several webinars locks them all up front, in id order, so two transactions never
 * wait for each other in a circle. On SQLite every write transaction already holds the one
 * write lock from its first statement (`begin immediate`), so this does nothing there; on
 * PostgreSQL it is `select … for update`, which makes concurrent writers to one webinar take
 * turns, exactly as SQLite's lock does.
 *
 * That covers what a resident sets off (an evaluation, a check-in, a lost link mailed again):
 * the erasure and the retention purge hold the webinar's lock while they remove the person's data,
 * so such a write, its registration read again under the lock, either comes first (and is erased
 * with the rest) or finds the link gone.
 *
 * Rows that no webinar lock covers, read and then written on their own (a bank question being
 * versioned, a resident's test attempts while answers are saved or the attempt is finished), are
 * locked with `lockRows`; the erasure locks the attempts too before it deletes the answers, and an
 * answer's registration is read again under their locks. The fixed order: webinars first, then such rows, each
 * kind in id order; never a webinar's row after one of these.
 *
 * Two refinements, both in the registration rush (models/registration.server.ts):
 * - A transaction may read a webinar before locking it if the statement that takes the lock also
 *   checks that what it read is unchanged, and decides the seats from the counts under the lock
 *   (one `… for update` inside the UPDATE). Two app processes then hold a webinar's lock for two
 *   statements instead of seven. What was read unlocked and changed meanwhile is read again,
 *   locked; an address registered meanwhile meets the unique index, and the whole transaction
 *   runs again (TransactionOvertaken).
 * - Rate-limit counters are counted before any webinar lock, keys sorted. Each action counts its
 *   own keys (`register:…`, `checkin:…`), so a transaction holding a webinar and counting its
 *   check-in keys never waits for one holding registration keys: no cycle.
 *
 * Answers whether it took a lock (false on SQLite, whose write lock is held already).
 */
export async function lockWebinars(trx: Transaction<Database> | Kysely<Database>, webinarIds: Iterable<string>): Promise<boolean> {
  if (engineOf(trx) !== 'postgres' || !lockRuleOn()) return false
  const ids = [...new Set(webinarIds)].sort()
  if (ids.length === 0) return false
  await trx.selectFrom('webinars').select('id').where('id', 'in', ids).orderBy('id').forUpdate().execute()
  return true
}

/**
 * The lock rule for rows of `table` that no webinar lock covers (see lockWebinars): locks them
 * in id order until the transaction ends, so a second writer reads them only once the first has
 * committed. Nothing to do on SQLite, whose write lock is already held. Answers whether it took a
 * lock.
 */
export async function lockRows(trx: Transaction<Database> | Kysely<Database>, table: 'questions' | 'test_attempts', ids: Iterable<string>): Promise<boolean> {
  if (engineOf(trx) !== 'postgres' || !lockRuleOn()) return false
  const sorted = [...new Set(ids)].sort()
  if (sorted.length === 0) return false
  await sql`select id from ${sql.table(table)} where id in (${sql.join(sorted)}) order by id for update`.execute(trx)
  return true
}

/**
 * Makes concurrent runs of one job (named) take turns, until the transaction ends: a
 * transaction-level advisory lock on PostgreSQL. On SQLite the write lock already does this.
 */
export async function serialiseJob(trx: Transaction<Database> | Kysely<Database>, job: string): Promise<void> {
  if (engineOf(trx) !== 'postgres' || !lockRuleOn()) return
  await sql`select pg_advisory_xact_lock(hashtext(${job}))`.execute(trx)
}

/**
 * Case-insensitive `like`, the same on both engines: SQLite's `like` ignores ASCII case,
 * PostgreSQL's does not (its `ilike` does).
 */
/** `%text%` in lower case for `lower(column) like ? escape '\\'`, LIKE's own wildcards in the text taken literally. */
export function lowerContainsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

export function likeOperator(db: Kysely<Database> | Transaction<Database>): 'like' | 'ilike' {
  return engineOf(db) === 'postgres' ? 'ilike' : 'like'
}

/**
 * A cheap reading that changes whenever a write commits to the database, whoever made it (this
 * process, another process, another machine), for caches that must never outlive a change
 * (utils/page-cache.server.ts). It opens a connection of its own. SQLite: `PRAGMA data_version`,
 * which counts the commits of every other connection (this process's own included, since this
 * connection never writes), read through better-sqlite3 directly: it runs on every request.
 * PostgreSQL: the current snapshot, which moves whenever a transaction that wrote anything starts
 * or ends, one round trip shared by the requests that arrive together (sharedFreshReads). Neither
 * reads a table.
 */
export function createChangeCounter(databaseUrl: string): () => Promise<string> {
  if (isPostgresUrl(databaseUrl)) {
    const db = createDb(databaseUrl, { poolSize: 1 })
    return sharedFreshReads(async () => (await sql<{ snapshot: string }>`select pg_current_snapshot()::text as snapshot`.execute(db)).rows[0]!.snapshot)
  }
  let statement: SQLite.Statement | null = null
  return async () => {
    statement ??= openSqlite(sqliteFileFromUrl(databaseUrl)).prepare('pragma data_version').pluck()
    return String(statement.get())
  }
}

/**
 * One round trip for a rush of callers, never a stale answer: callers that arrive while no read
 * is in flight start one; callers that arrive during a read share the next one, which starts
 * when that read settles. So every caller gets a value read after it arrived (a write committed
 * before a request came in is always seen), and at most one read is in flight with one queued,
 * however many requests arrive. A failed read fails only the callers waiting for it.
 */
export function sharedFreshReads<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null
  let queued: Promise<T> | null = null
  const start = (): Promise<T> => {
    const reading = read().finally(() => {
      if (inFlight === reading) inFlight = null
    })
    inFlight = reading
    return reading
  }
  return () => {
    if (!inFlight) return start()
    queued ??= inFlight
      .catch(() => undefined)
      .then(() => {
        queued = null
        return start()
      })
    return queued
  }
}

/**
 * sharedFreshReads for each key (a webinar's slug, say): callers of one key share reads as there,
 * callers of different keys never wait for each other. A key's entry lasts while it has callers.
 */
export function sharedFreshReadsBy<T>(read: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const byKey = new Map<string, { next: () => Promise<T>; callers: number }>()
  return async (key) => {
    let entry = byKey.get(key)
    if (!entry) byKey.set(key, (entry = { next: sharedFreshReads(() => read(key)), callers: 0 }))
    entry.callers++
    try {
      return await entry.next()
    } finally {
      if (--entry.callers === 0) byKey.delete(key)
    }
  }
}

let singleton: DB | undefined

/** The process-wide connection, opened on first use from DATABASE_URL. */
export function getDb(): DB {
  if (!singleton) singleton = createDb(getEnv().DATABASE_URL ?? defaultDatabaseUrl(), { poolSize: getEnv().DATABASE_POOL_SIZE })
  return singleton
}

/**
 * The process-wide connection for a command-line script, checked: a PostgreSQL server that
 * cannot be reached, a missing database or refused credentials stop the script with one line.
 */
export async function connectDb(): Promise<DB> {
  const db = getDb()
  await checkConnection(db, getEnv().DATABASE_URL ?? defaultDatabaseUrl())
  return db
}

export function defaultDatabaseUrl(): string {
  return path.resolve('db', 'literasi.sqlite')
}
