import fs from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import {
  CompiledQuery,
  Kysely,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type SqliteDialectConfig,
} from 'kysely'
import type { Database } from '#db/schema'
import { getEnv } from './env.server'

// The one place that knows which SQL engine sits underneath. Everything dialect-specific
// (connection pragmas, how a transaction takes its lock) stays in this file.

export type DB = Kysely<Database>

export class DatabaseUrlError extends Error {}

/** The file (or its folder) cannot be written now: at start a configuration error, later a 503. */
export class DatabaseUnwritableError extends DatabaseUrlError {
  override name = 'DatabaseUnwritableError'
}

/**
 * Whether an error means the database cannot take writes right now (a read-only or full disk,
 * an I/O error, a file that cannot be opened), as opposed to a bug: users get "temporarily
 * unavailable" (503) for these, and the connection is reopened before its next use.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  // By name, not instanceof: the HTTP layer asks about errors thrown by the app's bundled copy.
  if (!(error instanceof Error)) return false
  if (error.name === 'DatabaseUnwritableError') return true
  const code = (error as { code?: unknown }).code
  return error.name === 'SqliteError' && typeof code === 'string' && /^SQLITE_(READONLY|IOERR|CANTOPEN|FULL)/.test(code)
}

/** Accepts a plain file path or a `file:` URL; returns an absolute SQLite file path. */
export function sqliteFileFromUrl(url: string): string {
  const value = url.trim()
  if (value === '') throw new DatabaseUrlError('DATABASE_URL is empty')
  if (/^postgres(ql)?:\/\//i.test(value)) {
    throw new DatabaseUrlError('DATABASE_URL: PostgreSQL is not supported yet; use a SQLite file path')
  }
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
      if (isDatabaseUnavailable(error)) this.#handle.markStale()
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

/** Whether a write failed because another process held the write lock past the timeout. */
export function isBusy(error: unknown): boolean {
  return error instanceof SQLite.SqliteError && error.code === 'SQLITE_BUSY'
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

/** `lockTimeoutMs`: how long a transaction waits for the write lock (tests shorten it). */
export function createDb(databaseUrl: string, { lockTimeoutMs = LOCK_TIMEOUT_MS } = {}): DB {
  const file = sqliteFileFromUrl(databaseUrl)
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect(new SqliteHandle(file, openSqlite(file)), lockTimeoutMs) })
}

let singleton: DB | undefined

/** The process-wide connection, opened on first use from DATABASE_URL. */
export function getDb(): DB {
  if (!singleton) singleton = createDb(getEnv().DATABASE_URL ?? defaultDatabaseUrl())
  return singleton
}

export function defaultDatabaseUrl(): string {
  return path.resolve('db', 'literasi.sqlite')
}
