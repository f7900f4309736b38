import { sql } from 'kysely'
import type { DB } from '#app/utils/db.server'

/** One round trip to the database: proves the file is open and readable. */
export async function pingDatabase(db: DB): Promise<void> {
  await sql`select 1`.execute(db)
}
