import { promises as fs } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { FileMigrationProvider, Migrator, type Kysely } from 'kysely'
import { DatabaseUrlError } from '#app/utils/db.server'

const migrationFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')

/** A migration that failed, or a database this version cannot migrate: one line, for the caller to say which database. */
export class MigrationError extends DatabaseUrlError {}

/**
 * Runs every pending migration. A failure is a MigrationError: the failing migration and the
 * server's reason, or that the database was migrated by a newer version of the app (a migration
 * it has run is unknown here).
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder }),
  })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((result) => result.status === 'Error')
  if (error || failed) throw migrationError(error, failed?.migrationName)
  return (results ?? []).map((result) => result.migrationName)
}

function migrationError(error: unknown, migrationName: string | undefined): MigrationError {
  const reason = (error instanceof Error ? error.message : String(error ?? 'unknown error')).replace(/\s+/g, ' ')
  const unknown = /^corrupted migrations: previously executed migration (\S+) is missing/.exec(reason)
  if (unknown) {
    return new MigrationError(
      `the database was migrated by a newer version of the app (its migration ${unknown[1]} is unknown to this version); run that version or a newer one, or restore a backup taken before the upgrade`,
    )
  }
  const code = (error as { code?: unknown } | null)?.code
  const hint =
    code === '42501' ? '; the database must be owned by the role the app connects as (see README, Production)'
    : code === '55P03' ? '; another process has held the migration lock for an hour'
    : ''
  if (migrationName) return new MigrationError(`migration ${migrationName} failed (${reason})${hint}`)
  return new MigrationError(`cannot migrate the database (${reason})${hint}`)
}
