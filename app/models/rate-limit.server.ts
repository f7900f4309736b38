import type { DB } from '#app/utils/db.server'

export type RateLimit = { limit: number; windowMs: number }

export type RateLimitAnswer = { allowed: boolean; retryAfterSeconds: number }

/** Milliseconds until a window that opened at `windowStartedAt` closes (negative once it has). */
function msLeftInWindow(windowStartedAt: string, windowMs: number, nowMs: number): number {
  return Date.parse(windowStartedAt) + windowMs - nowMs
}

/** The longest wait among the refused answers, in seconds; 0 when every hit was allowed. */
export function longestWait(answers: RateLimitAnswer[]): number {
  return answers.reduce((wait, answer) => (answer.allowed ? wait : Math.max(wait, answer.retryAfterSeconds)), 0)
}

/**
 * Counts one hit per entry, in fixed windows, and answers each entry in order. A key may come
 * more than once (two registrations from one address in one group commit): each time gets the
 * answer it would have had on its own. Kept in the database, so several app processes share
 * one count. One upsert per window length does the read-and-count atomically (on SQLite and
 * PostgreSQL alike): this is on the registration path, where every statement counts.
 */
export async function countHits(db: DB, hits: Array<[key: string, limit: RateLimit]>): Promise<RateLimitAnswer[]> {
  const now = Date.now()
  const answers: RateLimitAnswer[] = new Array(hits.length)
  const byWindow = new Map<number, number[]>()
  hits.forEach(([, { windowMs }], i) => {
    const indexes = byWindow.get(windowMs)
    if (indexes) indexes.push(i)
    else byWindow.set(windowMs, [i])
  })
  for (const [windowMs, indexes] of byWindow) {
    const added = new Map<string, number>()
    for (const i of indexes) added.set(hits[i]![0], (added.get(hits[i]![0]) ?? 0) + 1)
    const rows = await addHits(db, added, windowMs, now)
    const counted = new Map<string, number>()
    for (const i of indexes) {
      const [key, { limit }] = hits[i]!
      const row = rows.get(key)!
      const seen = (counted.get(key) ?? 0) + 1
      counted.set(key, seen)
      // The row holds the count after all of this call's hits on the key; this hit is the `seen`-th of them.
      const count = row.hits - added.get(key)! + seen
      answers[i] =
        count <= limit
          ? { allowed: true, retryAfterSeconds: 0 }
          : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msLeftInWindow(row.window_started_at, windowMs, now) / 1000)) }
    }
  }
  return answers
}

/** Adds `n` hits to each key in one upsert; a key whose window has passed starts a new one. */
async function addHits(db: DB, added: Map<string, number>, windowMs: number, now: number) {
  const nowText = new Date(now).toISOString()
  const windowOpenedAfter = new Date(now - windowMs).toISOString()
  const rows = await db
    .insertInto('rate_limits')
    // Keys in sorted order, so two upserts over the same keys lock them in the same order (no deadlock).
    .values([...added].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, hits]) => ({ key, hits, window_started_at: nowText })))
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => {
        const expired = eb('rate_limits.window_started_at', '<=', windowOpenedAfter)
        return {
          hits: eb.case().when(expired).then(eb.ref('excluded.hits')).else(eb('rate_limits.hits', '+', eb.ref('excluded.hits'))).end(),
          window_started_at: eb.case().when(expired).then(eb.ref('excluded.window_started_at')).else(eb.ref('rate_limits.window_started_at')).end(),
        }
      }),
    )
    .returning(['key', 'hits', 'window_started_at'])
    .execute()
  return new Map(rows.map((row) => [row.key, row]))
}

/**
 * Seconds to wait if any of the keys has used up its limit (0 if none), without counting a hit.
 * Only meaningful inside the write transaction that then counts (see checkIn): read alone, it
 * would let simultaneous attempts all pass before any of them is counted.
 */
export async function usedUpWait(db: DB, limits: Array<[key: string, limit: RateLimit]>): Promise<number> {
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
    const remaining = msLeftInWindow(row.window_started_at, limit.windowMs, nowMs)
    if (row.hits >= limit.limit && remaining > 0) wait = Math.max(wait, Math.ceil(remaining / 1000))
  }
  return wait
}

/**
 * Counts a hit on each key; the seconds to wait if one of them is over its limit, else 0.
 * One transaction for all of them: one commit instead of one per key.
 */
export async function hitRateLimits(db: DB, hits: Array<[key: string, limit: RateLimit]>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    return longestWait(await countHits(trx, hits))
  })
}

/** Gives back one hit on each key: an attempt that turned out legitimate (a right password). */
export async function takeBackHits(db: DB, keys: string[]): Promise<void> {
  if (keys.length === 0) return
  await db
    .updateTable('rate_limits')
    .set((eb) => ({ hits: eb('hits', '-', 1) }))
    .where('key', 'in', [...keys].sort())
    .where('hits', '>', 0)
    .execute()
}

export async function clearRateLimit(db: DB, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute()
}

/**
 * Rows kept after their window opened. Longer than every window in use (the longest is an hour),
 * so pruning never forgets a live count.
 */
export const RATE_LIMIT_ROWS_KEPT_MS = 24 * 60 * 60 * 1000

/** Deletes the counts whose window closed long ago; run by the hourly housekeeping job. */
export async function pruneRateLimits(db: DB, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - RATE_LIMIT_ROWS_KEPT_MS).toISOString()
  const result = await db.deleteFrom('rate_limits').where('window_started_at', '<', cutoff).executeTakeFirst()
  return Number(result.numDeletedRows)
}
