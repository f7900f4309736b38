import type { DB } from '#app/utils/db.server'
import { nowIso } from '#app/utils/time'

/** The settings row /healthz rewrites; a database holding only this (and the region list) is as `npm start` left it. */
export const PROBE_KEY = 'health_probe'

/**
 * A real write, committed: proves the database can take writes, not only that it answers.
 * (A read succeeds on a disk that has become read-only, while every sign-in and registration fails.)
 */
export async function probeDatabaseWrite(db: DB): Promise<void> {
  const now = nowIso()
  await db
    .insertInto('settings')
    .values({ key: PROBE_KEY, value: now, updated_by: null, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: now, updated_at: now }))
    .execute()
}
