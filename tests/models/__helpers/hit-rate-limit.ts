// A second writer for tests/models/db.test.ts: `tsx hit-rate-limit.ts <key> <count>` opens
// DATABASE_URL, says "ready", waits for "go" on stdin (so both writers overlap), then counts
// <count> hits against <key>, one transaction each.
import { countHits } from '#app/models/rate-limit.server'
import { getDb } from '#app/utils/db.server'

const [key, count] = process.argv.slice(2)
if (!key || !count) throw new Error('usage: hit-rate-limit.ts <key> <count>')

const db = getDb()
process.stdout.write('ready\n')
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()))
for (let i = 0; i < Number(count); i++) {
  const [{ allowed }] = await countHits(db, [[key, { limit: 1_000_000, windowMs: 60 * 60 * 1000 }]])
  if (!allowed) throw new Error(`hit ${i} was refused`)
}
await db.destroy()
process.stdout.write('done\n')
