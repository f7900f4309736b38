// Production's shape on one machine: two app processes and two `npm run worker` processes on
// one database (PostgreSQL on the PostgreSQL run, one SQLite file otherwise). 300 residents
// register over HTTP for 100 seats, in waves that alternate between the two processes: exactly
// the first 100 to arrive get a seat, the rest wait in arrival order, and every mail reaches
// the relay exactly once.
import type { ChildProcess } from 'node:child_process'
import { createStaff, postForm, publishWebinarOn, residentForm, startTestServer, type TestServer } from '#tests/e2e/harness'
import { waitUntil } from '#tests/mail/__helpers/mail'
import { startSmtpSink, type SmtpSink } from '#tests/mail/__helpers/smtp-sink'
import { scriptEnv, spawnScript, waitForExit } from '#tests/setup/run-script'

const SEATS = 100
const RESIDENTS = 300
const WAVE = 20

let servers: TestServer[] = []
let workers: ChildProcess[] = []
let sink: SmtpSink

afterAll(async () => {
  for (const worker of workers) worker.kill('SIGTERM')
  await Promise.all(workers.map((worker) => waitForExit(worker, 30_000)))
  for (const server of servers) await server.stop()
  await sink?.stop()
})

test('two app processes and two workers on one database: 100 seats for the first 100, the rest in order, each mail once', async () => {
  sink = await startSmtpSink()
  // Behind one proxy hop, each resident from an address of their own, as on the internet.
  const env = { TRUST_PROXY: '1' }
  const first = await startTestServer({ env })
  servers.push(first)
  servers.push(await startTestServer({ env, databaseUrl: first.dbFile }))
  const organiser = await createStaff(first.db, 'organiser')
  const webinar = await publishWebinarOn(first.db, organiser.id, { capacity: SEATS })

  // Both workers start at once: each migrates (nothing to do) and claims mail.
  workers = [0, 1].map(() =>
    spawnScript(
      'scripts/worker.ts',
      [],
      scriptEnv({ NODE_ENV: 'production', SESSION_SECRET: 'two-machines-session-secret-long-enough-0123', DATABASE_URL: first.dbFile, SMTP_URL: sink.url, APP_URL: first.url }),
      { singleProcess: true },
    ),
  )

  for (let wave = 0; wave < RESIDENTS / WAVE; wave++) {
    const answers = await Promise.all(
      Array.from({ length: WAVE }, (_, i) => {
        const n = wave * WAVE + i
        return postForm(servers[n % 2]!, `/webinars/${webinar.slug}`, residentForm('Dua Mesin', n), { headers: { 'X-Forwarded-For': `10.0.${n >> 8}.${n & 255}` } })
      }),
    )
    for (const answer of answers) expect(answer.status).toBe(303)
  }

  const rows = await first.db
    .selectFrom('registrations')
    .select(['email', 'status', 'position'])
    .where('webinar_id', '=', webinar.id)
    .orderBy('position')
    .execute()
  expect(rows).toHaveLength(RESIDENTS)
  const waveOf = (email: string) => Math.floor(Number(/warga-dua-mesin-(\d+)@/.exec(email)![1]) / WAVE)
  const seated = rows.filter((row) => row.status === 'registered')
  expect(seated).toHaveLength(SEATS)
  // The seats went to the first five waves, whole; each later wave queued after the one before.
  expect(new Set(seated.map((row) => waveOf(row.email)))).toEqual(new Set([0, 1, 2, 3, 4]))
  const waiting = rows.filter((row) => row.status === 'waitlisted').map((row) => waveOf(row.email))
  expect(waiting).toEqual([...waiting].sort((a, b) => a - b))
  const counted = await first.db.selectFrom('webinars').select('registered_count').where('id', '=', webinar.id).executeTakeFirstOrThrow()
  expect(counted.registered_count).toBe(SEATS)

  const outbox = () => first.db.selectFrom('outbox').select(['message_id', 'state']).execute()
  await waitUntil(async () => (await outbox()).every((row) => row.state === 'sent'), 90_000, 'every message sent')
  const sent = await outbox()
  expect(sent.length).toBeGreaterThanOrEqual(RESIDENTS)
  expect(sink.duplicates()).toEqual([])
  expect(sink.messages.map((message) => message.messageId).sort()).toEqual(sent.map((row) => row.message_id).sort())
}, 180_000)
