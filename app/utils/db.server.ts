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
  type SqliteDialectConfig,
} from 'kysely'
import type { Database } from '#db/schema'
import { getEnv } from './env.server'

// The one place that knows which SQL engine sits underneath. Everything dialect-specific
// (connection pragmas, how a transaction takes its lock) stays in this file.

export type DB = Kysely<Database>

export class DatabaseUrlError extends Error {}

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

/** Opens the file with the pragmas every connection needs; fails with one readable line. */
export function openSqlite(file: string): SQLite.Database {
  const dir = path.dirname(file)
  if (!fs.existsSync(dir)) {
    throw new DatabaseUrlError(`DATABASE_URL: the folder ${dir} does not exist`)
  }
  let sqlite: SQLite.Database
  try {
    sqlite = new SQLite(file)
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('foreign_keys = ON')
    // Concurrent writers (several processes on one file) wait for the lock instead of failing.
    sqlite.pragma(`busy_timeout = ${LOCK_TIMEOUT_MS}`)
    sqlite.pragma('synchronous = NORMAL')
    // A write probe: an unwritable file or folder is reported now, not on the first form post.
    sqlite.exec('begin immediate; rollback;')
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new DatabaseUrlError(`DATABASE_URL: cannot open ${file} for writing (${reason})`)
  }
  return sqlite
}

/** How long a write waits for another process to release SQLite's write lock before it fails. */
export const LOCK_TIMEOUT_MS = 5000

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
  readonly #sqlite: SQLite.Database
  readonly #lockTimeoutMs: number
  constructor(config: SqliteDialectConfig, sqlite: SQLite.Database, lockTimeoutMs: number) {
    super(config)
    this.#sqlite = sqlite
    this.#lockTimeoutMs = lockTimeoutMs
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const deadline = Date.now() + this.#lockTimeoutMs
    // The connection is this transaction's alone until it ends, so the setting cannot leak.
    this.#sqlite.pragma('busy_timeout = 0')
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
      this.#sqlite.pragma(`busy_timeout = ${LOCK_TIMEOUT_MS}`)
    }
  }
}

/** Whether a write failed because another process held the write lock past the timeout. */
export function isBusy(error: unknown): boolean {
  return error instanceof SQLite.SqliteError && error.code === 'SQLITE_BUSY'
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig
  readonly #sqlite: SQLite.Database
  readonly #lockTimeoutMs: number
  constructor(sqlite: SQLite.Database, lockTimeoutMs: number) {
    const config = { database: withStatementCache(sqlite) }
    super(config)
    this.#config = config
    this.#sqlite = sqlite
    this.#lockTimeoutMs = lockTimeoutMs
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#sqlite, this.#lockTimeoutMs)
  }
}

/**
 * Kysely prepares every query afresh; preparing costs more than running most of ours. The same
 * SQL text gets the same statement back (a bounded LRU, since `in (…)` lists vary in length).
 * Safe because Kysely runs one query at a time on the connection.
 */
function withStatementCache(sqlite: SQLite.Database, size = 500) {
  const cache = new Map<string, SQLite.Statement>()
  return {
    close: () => {
      cache.clear()
      sqlite.close()
    },
    prepare: (sql: string) => {
      let statement = cache.get(sql)
      if (statement) {
        cache.delete(sql)
      } else {
        statement = sqlite.prepare(sql)
        if (cache.size >= size) cache.delete(cache.keys().next().value!)
      }
      cache.set(sql, statement)
      return statement
    },
  }
}

/** `lockTimeoutMs`: how long a transaction waits for the write lock (tests shorten it). */
export function createDb(databaseUrl: string, { lockTimeoutMs = LOCK_TIMEOUT_MS } = {}): DB {
  const sqlite = openSqlite(sqliteFileFromUrl(databaseUrl))
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect(sqlite, lockTimeoutMs) })
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
