import type { ChildProcess } from 'node:child_process'
import { getDb } from '#app/utils/db.server'
import { scriptEnv, spawnScript, waitForExit, type ScriptResult } from '#tests/setup/run-script'
import { queueParticipantInvitations, waitUntil } from './__helpers/mail'
import { startSmtpSink, type SmtpSink } from './__helpers/smtp-sink'

// `npm run worker` as deployments run it: real processes on the test's SQLite file, killed
// without warning or run side by side. Whatever happens, each message arrives exactly once.

const SECRET = 'test-session-secret-that-is-long-enough-0123456789'

type Worker = { child: ChildProcess; exit: Promise<ScriptResult>; started: Promise<void> }

function startWorker(sink: SmtpSink, extraEnv: Record<string, string> = {}): Worker {
  const child = spawnScript(
    'scripts/worker.ts',
    [],
    scriptEnv({ NODE_ENV: 'test', SESSION_SECRET: SECRET, DATABASE_URL: process.env.DATABASE_URL, SMTP_URL: sink.url, MAIL_LEASE_SECONDS: '2', ...extraEnv }),
    // One process, so SIGKILL reaches the worker itself.
    { singleProcess: true },
  )
  const exit = waitForExit(child, 90_000)
  const started = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Mail worker') && resolve())
    void exit.then((result) => reject(new Error(`worker exited before it started: ${result.stderr}`)))
  })
  return { child, exit, started }
}

async function stopWorker(worker: Worker): Promise<ScriptResult> {
  worker.child.kill('SIGTERM')
  return worker.exit
}

async function outboxStates(webinarId: string) {
  const rows = await getDb()
    .selectFrom('outbox')
    .select(['state', (eb) => eb.fn.countAll<number>().as('count')])
    .where('webinar_id', '=', webinarId)
    .groupBy('state')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.count)])) as Record<string, number>
}

async function allSent(webinarId: string, expected: number): Promise<boolean> {
  const states = await outboxStates(webinarId)
  return states.sent === expected && Object.keys(states).length === 1
}

/** Every row sent, and the relay accepted each Message-ID exactly once. */
async function expectEachDeliveredOnce(sink: SmtpSink, webinarId: string) {
  const rows = await getDb().selectFrom('outbox').select(['message_id', 'state']).where('webinar_id', '=', webinarId).execute()
  expect(rows.every((r) => r.state === 'sent')).toBe(true)
  expect(sink.duplicates()).toEqual([])
  expect(sink.messages.map((m) => m.messageId).sort()).toEqual(rows.map((r) => r.message_id).sort())
}

test('a worker killed with SIGKILL halfway through a batch loses nothing and sends nothing twice once a new worker takes over', async () => {
  const db = getDb()
  // Each message takes the relay 100 ms, so the kill lands with messages claimed and in flight.
  const sink = await startSmtpSink({ delayMs: 100 })
  const workers: Worker[] = []
  try {
    const { webinarId } = await queueParticipantInvitations(60)
    expect(await outboxStates(webinarId)).toEqual({ queued: 62 })

    // At the 20th acceptance the relay stops answering: the worker has messages on the wire.
    sink.configure({ onAccepted: () => sink.messages.length === 20 && sink.pause() })
    const first = startWorker(sink)
    workers.push(first)
    await waitUntil(() => sink.messages.length >= 20, 30_000, '20 messages delivered by the first worker')
    // The worker has had time to record the 20 acceptances it saw; then it dies mid-batch.
    await waitUntil(async () => (await outboxStates(webinarId)).sent === 20, 5_000, 'the first worker to record its 20 deliveries')
    await new Promise((resolve) => setTimeout(resolve, 200))
    first.child.kill('SIGKILL')
    expect((await first.exit).signal).toBe('SIGKILL')
    // The relay answers what it held only once it has seen the dead worker's connections drop,
    // so those messages count as never accepted, as with a real relay.
    await waitUntil(() => sink.openConnections === 0, 5_000, "the dead worker's connections to close")
    sink.resume()

    const atKill = await outboxStates(webinarId)
    expect(atKill.sent).toBe(20)
    // Claimed by the dead worker: in flight, or waiting their turn in its batch.
    expect(atKill.sending).toBeGreaterThan(0)
    expect(atKill.queued).toBeGreaterThan(0)
    expect(sink.messages).toHaveLength(20)

    const second = startWorker(sink)
    workers.push(second)
    await waitUntil(() => allSent(webinarId, 62), 40_000, 'every message sent after the restart')
    const stopped = await stopWorker(second)
    expect(stopped.status, stopped.stderr).toBe(0)

    await expectEachDeliveredOnce(sink, webinarId)
    expect(sink.messages).toHaveLength(62)
    // The rows the dead worker held were claimed twice and delivered once.
    const reclaimed = await db.selectFrom('outbox').select('attempts').where('webinar_id', '=', webinarId).where('attempts', '>', 1).execute()
    expect(reclaimed.length).toBe(atKill.sending)
  } finally {
    for (const worker of workers) worker.child.kill('SIGKILL')
    await sink.stop()
  }
}, 60_000)

test('two workers on one database deliver 200 messages between them, each exactly once', async () => {
  const unsent = await getDb().selectFrom('outbox').select('id').where('state', '!=', 'sent').execute()
  expect(unsent, 'an earlier test left mail unsent; these workers would deliver it too').toEqual([])
  const sink = await startSmtpSink({ delayMs: 20 })
  const workers = [startWorker(sink), startWorker(sink)]
  try {
    await Promise.all(workers.map((w) => w.started))
    const { webinarId } = await queueParticipantInvitations(198)
    await waitUntil(() => allSent(webinarId, 200), 40_000, 'all 200 messages sent')
    for (const worker of workers) {
      const stopped = await stopWorker(worker)
      expect(stopped.status, stopped.stderr).toBe(0)
      expect(stopped.stderr).toBe('')
    }
    await expectEachDeliveredOnce(sink, webinarId)
    expect(sink.messages).toHaveLength(200)
    // Each process keeps at most three pooled connections: more than three means both delivered.
    expect(new Set(sink.messages.map((m) => m.clientPort)).size).toBeGreaterThan(3)
  } finally {
    for (const worker of workers) worker.child.kill('SIGKILL')
    await sink.stop()
  }
}, 60_000)
