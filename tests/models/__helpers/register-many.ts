// A registering process for tests/models/registration.test.ts:
// `tsx register-many.ts <webinarId> <prefix> <count>` opens DATABASE_URL, says "ready", waits for
// "go" on stdin (so the processes overlap), registers <count> residents, then prints the statuses.
import { registerParticipant } from '#app/models/registration.server'
import { getDb } from '#app/utils/db.server'
import { resident } from '#tests/setup/factories'

const [webinarId, prefix, count] = process.argv.slice(2)
if (!webinarId || !prefix || !count) throw new Error('usage: register-many.ts <webinarId> <prefix> <count>')

const db = getDb()
process.stdout.write('ready\n')
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()))
const statuses: string[] = []
await Promise.all(
  Array.from({ length: Number(count) }, async (_, i) => {
    const result = await registerParticipant(db, webinarId, resident({ name: `Warga ${prefix} ${i}`, email: `${prefix}-${i}@example.org` }))
    statuses.push(result.ok ? result.status : result.reason)
  }),
)
await db.destroy()
process.stdout.write(`${JSON.stringify(statuses)}\n`)
