// npm run db:backup -- <file> — a consistent copy of the embedded SQLite database, taken while
// the app keeps running, through SQLite's online backup API. A PostgreSQL database is backed up
// with pg_dump instead (README, "Moving between engines and backups").
import fs from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { DatabaseUrlError, defaultDatabaseUrl, isPostgresUrl, LOCK_TIMEOUT_MS, redactDatabaseUrl, sqliteFileFromUrl } from '#app/utils/db.server'

/** Printed as one line by runCli. */
export class BackupError extends DatabaseUrlError {
  override name = 'BackupError'
}

/**
 * Pages per backup step: all of them. Copied in small steps, the backup starts again from the
 * first page whenever another connection (the running app) writes in between, and under steady
 * traffic it might never finish. One step reads one snapshot; in WAL mode writers carry on.
 */
const ALL_PAGES = 0x7fffffff

/** Copies the SQLite database of `databaseUrl` to `destination`; returns the file and its size. */
export async function backupDatabase(databaseUrl: string, destination: string): Promise<{ source: string; file: string; bytes: number }> {
  if (isPostgresUrl(databaseUrl)) {
    throw new BackupError(`db:backup: DATABASE_URL is a PostgreSQL database (${redactDatabaseUrl(databaseUrl.trim())}); back it up with pg_dump, as the README shows under "Moving between engines and backups"`)
  }
  const source = sqliteFileFromUrl(databaseUrl)
  if (!fs.existsSync(source)) throw new BackupError(`db:backup: there is no database at ${source}`)
  const file = path.resolve(destination)
  if (!fs.existsSync(path.dirname(file))) throw new BackupError(`db:backup: the folder ${path.dirname(file)} does not exist`)
  if (fs.existsSync(file) && fs.realpathSync(file) === fs.realpathSync(source)) {
    throw new BackupError(`db:backup: ${file} is the database itself; name another file`)
  }
  // Written beside the destination and renamed into place, so an interrupted backup never
  // replaces an earlier good one with half a file.
  const partial = `${file}.partial-${process.pid}`
  try {
    const sqlite = new SQLite(source, { fileMustExist: true, readonly: true })
    try {
      sqlite.pragma(`busy_timeout = ${LOCK_TIMEOUT_MS}`)
      await sqlite.backup(partial, { progress: () => ALL_PAGES })
    } finally {
      sqlite.close()
    }
    const copy = new SQLite(partial)
    try {
      // One self-contained file (no -wal beside it), which `npm start` turns back to WAL on opening.
      copy.pragma('journal_mode = DELETE')
      const check = copy.pragma('quick_check', { simple: true })
      if (check !== 'ok') throw new BackupError(`db:backup: the copy failed its integrity check (${String(check)})`)
    } finally {
      copy.close()
    }
    fs.renameSync(partial, file)
  } catch (error) {
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) fs.rmSync(leftover, { force: true })
    if (error instanceof BackupError) throw error
    throw new BackupError(`db:backup: could not back up ${source} to ${file} (${error instanceof Error ? error.message : String(error)})`)
  }
  return { source, file, bytes: fs.statSync(file).size }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { runCli } = await import('./cli')
  const { getEnv } = await import('#app/utils/env.server')
  await runCli(async () => {
    const args = process.argv.slice(2)
    if (args.length !== 1 || !args[0]!.trim()) throw new BackupError('Usage: npm run db:backup -- <file> (backs up the SQLite database that DATABASE_URL names)')
    const { source, file, bytes } = await backupDatabase(getEnv().DATABASE_URL ?? defaultDatabaseUrl(), args[0]!)
    console.log(`Backed up ${source} to ${file} (${(bytes / 1024 / 1024).toFixed(1)} MB).`)
  })
}
