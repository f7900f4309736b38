// One mail worker process for the engines bench: the worker `npm run worker` runs (MailWorker with
// SMTP_URL, MAIL_FROM and MAIL_LEASE_SECONDS from the environment, no rate limit), on the database
// in DATABASE_URL, delivering batch after batch until nothing is left to claim.
//
// It prints `ready` once loaded and connected, waits for a line on stdin (so several workers start
// together and their start-up is not timed), then prints `done <sent> <failed> <cpu µs>` (the CPU
// time it spent from then on) and exits.
import readline from 'node:readline'
import { sql } from 'kysely'
import { createMailWorker } from '#app/mail/run.server'
import { createDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'

const env = getEnv()
if (!env.DATABASE_URL || !env.SMTP_URL) throw new Error('bench mail worker: DATABASE_URL and SMTP_URL are required')
const db = createDb(env.DATABASE_URL, { poolSize: env.DATABASE_POOL_SIZE })
await sql`select 1`.execute(db)
// No rate limit: the benchmark measures how fast a worker can go.
const { worker, transport } = createMailWorker(db, { ...env, MAIL_RATE_PER_SEC: 0 })

const lines = readline.createInterface({ input: process.stdin })
const go = new Promise<void>((resolve) => lines.once('line', () => resolve()))
process.stdout.write('ready\n')
await go
const cpuAtStart = process.cpuUsage()

let sent = 0
let failed = 0
for (;;) {
  const batch = await worker.deliverBatch()
  if (batch.sent + batch.failed === 0) break
  sent += batch.sent
  failed += batch.failed
}
const cpu = process.cpuUsage(cpuAtStart)
transport.close()
await db.destroy()
process.stdout.write(`done ${sent} ${failed} ${cpu.user + cpu.system}\n`)
lines.close()
