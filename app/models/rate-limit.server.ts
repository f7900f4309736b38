import type { DB } from '#app/utils/db.server'

export type RateLimit = { limit: number; windowMs: number }

/**
 * Counts a hit against `key` in a fixed window. Returns how long to wait when over the limit.
 * Kept in the database, so several app processes share one count.
 */
export async function hitRateLimit(db: DB, key: string, { limit, windowMs }: RateLimit): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  return db.transaction().execute(async (trx) => {
    const now = Date.now()
    const row = await trx.selectFrom('rate_limits').select(['hits', 'window_started_at']).where('key', '=', key).executeTakeFirst()
    const windowStart = row ? new Date(row.window_started_at).getTime() : 0
    if (!row || now - windowStart >= windowMs) {
      await trx
        .insertInto('rate_limits')
        .values({ key, hits: 1, window_started_at: new Date(now).toISOString() })
        .onConflict((oc) => oc.column('key').doUpdateSet({ hits: 1, window_started_at: new Date(now).toISOString() }))
        .execute()
      return { allowed: true, retryAfterSeconds: 0 }
    }
    const retryAfterSeconds = Math.ceil((windowStart + windowMs - now) / 1000)
    if (row.hits >= limit) return { allowed: false, retryAfterSeconds }
    await trx.updateTable('rate_limits').set({ hits: row.hits + 1 }).where('key', '=', key).execute()
    return { allowed: true, retryAfterSeconds: 0 }
  })
}

/** Whether `key` is over its limit, without counting a hit. */
export async function isRateLimited(db: DB, key: string, { limit, windowMs }: RateLimit): Promise<number> {
  const row = await db.selectFrom('rate_limits').select(['hits', 'window_started_at']).where('key', '=', key).executeTakeFirst()
  if (!row) return 0
  const windowStart = new Date(row.window_started_at).getTime()
  const remaining = windowStart + windowMs - Date.now()
  return row.hits >= limit && remaining > 0 ? Math.ceil(remaining / 1000) : 0
}

export async function clearRateLimit(db: DB, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute()
}
