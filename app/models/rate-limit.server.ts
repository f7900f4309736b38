import type { DB } from '#app/utils/db.server'

export type RateLimit = { limit: number; windowMs: number }

/**
 * Counts a hit against `key` in a fixed window. Returns how long to wait when over the limit.
 * Kept in the database, so several app processes share one count. One upsert does the whole
 * read-and-count atomically (on SQLite and PostgreSQL alike): it is on the registration path,
 * where every statement counts.
 */
export async function hitRateLimit(db: DB, key: string, { limit, windowMs }: RateLimit): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  const now = Date.now()
  const nowText = new Date(now).toISOString()
  const windowOpenedAfter = new Date(now - windowMs).toISOString()
  const row = await db
    .insertInto('rate_limits')
    .values({ key, hits: 1, window_started_at: nowText })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => {
        const expired = eb('rate_limits.window_started_at', '<=', windowOpenedAfter)
        return {
          hits: eb.case().when(expired).then(1).else(eb('rate_limits.hits', '+', 1)).end(),
          window_started_at: eb.case().when(expired).then(nowText).else(eb.ref('rate_limits.window_started_at')).end(),
        }
      }),
    )
    .returning(['hits', 'window_started_at'])
    .executeTakeFirstOrThrow()
  if (row.hits <= limit) return { allowed: true, retryAfterSeconds: 0 }
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((new Date(row.window_started_at).getTime() + windowMs - now) / 1000)) }
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
