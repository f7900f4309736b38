// npm run db:migrate — applies pending migrations and loads the official region list.
import { getProvinces, getRegencies } from 'idn-area-data'
import { MigrationError, migrateToLatest } from '#db/migrate'
import { syncRegions } from '#app/models/region.server'
import { DatabaseUrlError, withMigrationConnection, type DB } from '#app/utils/db.server'

/**
 * Migrations, then the region list, on the migration connection (withMigrationConnection): on
 * PostgreSQL without the pool's timeouts, since processes starting at once take turns at both.
 */
export async function prepareDatabase(db: DB): Promise<string[]> {
  return withMigrationConnection(db, async (migrationDb) => {
    const applied = await migrateToLatest(migrationDb).catch((error: unknown) => {
      throw error instanceof MigrationError ? new DatabaseUrlError(`DATABASE_URL: ${error.message}`) : error
    })
    await syncRegions(migrationDb, { provinces: await getProvinces(), regencies: await getRegencies() })
    return applied
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { connectDb } = await import('#app/utils/db.server')
  const { runCli } = await import('./cli')
  await runCli(async () => {
    const applied = await prepareDatabase(await connectDb())
    console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database is up to date.')
  })
}
