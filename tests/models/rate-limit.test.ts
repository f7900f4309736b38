import { countHits, hitRateLimits } from '#app/models/rate-limit.server'
import { getDb } from '#app/utils/db.server'

const db = getDb()
const MINUTE = 60_000

async function row(key: string) {
  return db.selectFrom('rate_limits').select(['hits', 'window_started_at']).where('key', '=', key).executeTakeFirst()
}

test('a key counted several times in one call answers each time as if alone, in order', async () => {
  const limit = { limit: 2, windowMs: 10 * MINUTE }
  const answers = await countHits(db, [
    ['rl:same', limit],
    ['rl:same', limit],
    ['rl:same', limit],
  ])
  expect(answers.map((a) => a.allowed)).toEqual([true, true, false])
  expect(answers[2]!.retryAfterSeconds).toBeGreaterThan(590)
  expect(answers[2]!.retryAfterSeconds).toBeLessThanOrEqual(600)
  expect((await row('rl:same'))?.hits).toBe(3)
  // The next call goes on from the stored count.
  expect((await countHits(db, [['rl:same', limit]]))[0]!.allowed).toBe(false)
  expect((await row('rl:same'))?.hits).toBe(4)
})

test('keys with different windows and limits in one call each keep their own count', async () => {
  const short = { limit: 1, windowMs: MINUTE }
  const long = { limit: 3, windowMs: 60 * MINUTE }
  const answers = await countHits(db, [
    ['rl:short', short],
    ['rl:long', long],
    ['rl:short', short],
    ['rl:long', long],
  ])
  expect(answers.map((a) => a.allowed)).toEqual([true, true, false, true])
  expect(answers[2]!.retryAfterSeconds).toBeLessThanOrEqual(60)
  expect((await row('rl:short'))?.hits).toBe(2)
  expect((await row('rl:long'))?.hits).toBe(2)
})

test('a window that has passed starts again from this call’s hits', async () => {
  const limit = { limit: 2, windowMs: 10 * MINUTE }
  const longAgo = new Date(Date.now() - 11 * MINUTE).toISOString()
  await db.insertInto('rate_limits').values({ key: 'rl:old', hits: 50, window_started_at: longAgo }).execute()
  const answers = await countHits(db, [
    ['rl:old', limit],
    ['rl:old', limit],
    ['rl:old', limit],
  ])
  expect(answers.map((a) => a.allowed)).toEqual([true, true, false])
  const stored = await row('rl:old')
  expect(stored?.hits).toBe(3)
  expect(stored!.window_started_at > longAgo).toBe(true)
})

test('hitRateLimits answers the longest wait among the keys over their limit, 0 when none is', async () => {
  const tight = { limit: 1, windowMs: MINUTE }
  const loose = { limit: 100, windowMs: 30 * MINUTE }
  expect(await hitRateLimits(db, [['rl:tight', tight], ['rl:loose', loose]])).toBe(0)
  const wait = await hitRateLimits(db, [['rl:tight', tight], ['rl:loose', loose]])
  expect(wait).toBeGreaterThan(0)
  expect(wait).toBeLessThanOrEqual(60)
})
