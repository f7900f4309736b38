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

/** Seconds to wait if any of the keys is already at its limit (0 if none), without counting a hit. One query for all keys. */
export async function rateLimitWait(db: DB, limits: Array<[key: string, limit: RateLimit]>): Promise<number> {
  if (limits.length === 0) return 0
  const rows = await db
    .selectFrom('rate_limits')
    .select(['key', 'hits', 'window_started_at'])
    .where(
      'key',
      'in',
      limits.map(([key]) => key),
    )
    .execute()
  const nowMs = Date.now()
  let wait = 0
  for (const row of rows) {
    const limit = limits.find(([key]) => key === row.key)![1]
    const remaining = Date.parse(row.window_started_at) + limit.windowMs - nowMs
    if (row.hits >= limit.limit && remaining > 0) wait = Math.max(wait, Math.ceil(remaining / 1000))
  }
  return wait
}

/**
 * Counts a hit on each key in turn; the seconds to wait if one of them is over its limit, else 0.
 * One transaction for all of them: one commit instead of one per key.
 */
export async function hitRateLimits(db: DB, hits: Array<[key: string, limit: RateLimit]>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    for (const [key, limit] of hits) {
      const { allowed, retryAfterSeconds } = await hitRateLimit(trx, key, limit)
      if (!allowed) return Math.max(1, retryAfterSeconds)
    }
    return 0
  })
}

export async function clearRateLimit(db: DB, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute()
}
