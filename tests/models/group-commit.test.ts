import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { createGroupCommit } from '#app/utils/group-commit.server'
import { createDb, getDb } from '#app/utils/db.server'

const db = getDb()

/** A group commit that counts one hit per key in rate_limits, and remembers the groups it saw. */
function counter() {
  const groups: string[][] = []
  const hit = createGroupCommit(async (trx, keys: string[]) => {
    groups.push(keys)
    const outputs: number[] = []
    for (const key of keys) {
      if (key.endsWith(':bad')) throw new Error(`bad input ${key}`)
      const row = await trx
        .insertInto('rate_limits')
        .values({ key, hits: 1, window_started_at: '2026-01-01T00:00:00.000Z' })
        .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ hits: eb('rate_limits.hits', '+', 1) })))
        .returning('hits')
        .executeTakeFirstOrThrow()
      outputs.push(row.hits)
    }
    return outputs
  })
  return { hit, groups }
}

async function hits(key: string) {
  const row = await db.selectFrom('rate_limits').select('hits').where('key', '=', key).executeTakeFirst()
  return row?.hits ?? 0
}

test('calls made in the same turn are written in one transaction, and each caller gets its own answer', async () => {
  const { hit, groups } = counter()
  const answers = await Promise.all([hit(db, 'gc:a'), hit(db, 'gc:a'), hit(db, 'gc:b'), hit(db, 'gc:a')])
  expect(groups).toEqual([['gc:a', 'gc:a', 'gc:b', 'gc:a']])
  // In arrival order, each later call sees the earlier ones' writes.
  expect(answers).toEqual([1, 2, 1, 3])
  expect(await hits('gc:a')).toBe(3)
})

test('calls made after a group has been written form the next group', async () => {
  const { hit, groups } = counter()
  await hit(db, 'gc:c')
  await Promise.all([hit(db, 'gc:c'), hit(db, 'gc:d')])
  expect(groups).toEqual([['gc:c'], ['gc:c', 'gc:d']])
})

test('a large crowd is split into groups of at most maxGroup', async () => {
  const groups: number[] = []
  const hit = createGroupCommit(
    async (_trx, inputs: number[]) => {
      groups.push(inputs.length)
      return inputs
    },
    { maxGroup: 4 },
  )
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => hit(db, i)))
  expect(answers).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  expect(groups).toEqual([4, 4, 2])
})

test('one bad input fails alone: nothing of the failed group is kept, the others are written once each', async () => {
  const { hit, groups } = counter()
  const settled = await Promise.allSettled([hit(db, 'gc:e'), hit(db, 'gc:f:bad'), hit(db, 'gc:g')])
  expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
  expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('bad input gc:f:bad'))
  expect(groups).toEqual([['gc:e', 'gc:f:bad', 'gc:g'], ['gc:e'], ['gc:f:bad'], ['gc:g']])
  expect(await hits('gc:e')).toBe(1)
  expect(await hits('gc:g')).toBe(1)
})

test('a group that cannot get the write lock in time fails as a whole, without a retry per input', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-group-'))
  const file = path.join(dir, 'locked.sqlite')
  const locked = createDb(file, { lockTimeoutMs: 150 })
  await sql`create table t (n integer)`.execute(locked)
  const other = new SQLite(file)
  try {
    let calls = 0
    const write = createGroupCommit(async (trx, inputs: number[]) => {
      calls++
      for (const n of inputs) await sql`insert into t values (${n})`.execute(trx)
      return inputs
    })
    other.exec('begin immediate')
    const started = performance.now()
    const settled = await Promise.allSettled([write(locked, 1), write(locked, 2), write(locked, 3)])
    const waited = performance.now() - started
    expect(settled.map((s) => (s.status === 'rejected' ? (s.reason as { code?: string }).code : s.status))).toEqual(['SQLITE_BUSY', 'SQLITE_BUSY', 'SQLITE_BUSY'])
    // One wait for the lock, not one more per input: retrying each would take at least 4 × 150 ms.
    expect(waited).toBeLessThan(4 * 150)
    expect(calls).toBe(0)
    other.exec('rollback')
    expect(await write(locked, 4)).toBe(4)
    expect((await sql<{ n: number }>`select n from t`.execute(locked)).rows).toEqual([{ n: 4 }])
  } finally {
    other.close()
    await locked.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
