import { claimDueMail } from '#app/models/outbox.server'
import { getDb } from '#app/utils/db.server'
import { queueParticipantInvitations, smtpWorker } from './__helpers/mail'
import { startSmtpSink } from './__helpers/smtp-sink'

// The lease lets a worker take over the messages of one that died. A live worker whose relay is
// merely slow must keep its messages: otherwise a second worker sends them again.

test('a message whose relay takes longer than the lease is not taken over while it is being sent', async () => {
  const leaseMs = 1_000
  // Each message takes the relay 1.6 leases to accept.
  const sink = await startSmtpSink({ delayMs: 1_600 })
  const a = smtpWorker(sink.url, { leaseMs, workerId: 'worker-a', concurrency: 3 })
  const b = smtpWorker(sink.url, { leaseMs, workerId: 'worker-b', concurrency: 3 })
  try {
    const { webinarId } = await queueParticipantInvitations(4)
    // A claims a batch and starts sending three at once; B looks for stale claims a lease later.
    const first = a.worker.deliverBatch()
    await new Promise((resolve) => setTimeout(resolve, leaseMs + 300))
    const second = b.worker.deliverBatch()
    const [byA, byB] = await Promise.all([first, second])

    const rows = await getDb().selectFrom('outbox').select(['message_id', 'state', 'attempts']).where('webinar_id', '=', webinarId).execute()
    expect(rows).toHaveLength(6)
    expect(rows.every((r) => r.state === 'sent')).toBe(true)
    expect(sink.duplicates()).toEqual([])
    expect(sink.messages).toHaveLength(6)
    // A kept the three it was sending; B took over the three that sat in A's batch past the lease.
    expect(byA.sent).toBe(3)
    expect(byB.sent).toBe(3)
    expect(rows.filter((r) => r.attempts === 2)).toHaveLength(3)
  } finally {
    a.transport.close()
    b.transport.close()
    await sink.stop()
  }
}, 30_000)

test('a delivery is recorded before its claim runs out, though its batch goes on: no other worker can claim it again', async () => {
  const leaseMs = 1_000
  // The relay accepts the first message at once and then holds every answer: A's batch goes on
  // (its next send in flight, renewed) past the lease of the message it already delivered.
  let sink: Awaited<ReturnType<typeof startSmtpSink>> | null = null
  sink = await startSmtpSink({ onAccepted: () => sink!.pause() })
  const a = smtpWorker(sink.url, { leaseMs, workerId: 'worker-a', concurrency: 1 })
  try {
    const { webinarId } = await queueParticipantInvitations(2)
    const first = a.worker.deliverBatch()
    // Another worker claims whatever is due or stale until it finds the messages still waiting in
    // A's batch, which it takes over once their lease has run out, as it should.
    const claimedByB = new Set<string>()
    const deadline = Date.now() + 10_000
    while (claimedByB.size === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      const claimed = await claimDueMail(getDb(), { workerId: 'worker-b', limit: 50, now: new Date().toISOString(), leaseMs })
      for (const row of claimed) claimedByB.add(row.id)
    }
    sink.resume()
    expect(await first).toEqual({ sent: 2, failed: 2 })
    const rows = await getDb().selectFrom('outbox').select(['id', 'state']).where('webinar_id', '=', webinarId).execute()
    const delivered = rows.filter((row) => row.state === 'sent').map((row) => row.id)
    expect(rows).toHaveLength(4)
    expect(delivered).toHaveLength(2)
    expect(sink.messages).toHaveLength(2)
    // B took over the two that waited, and neither of the two A delivered.
    expect(claimedByB.size).toBe(2)
    expect(delivered.filter((id) => claimedByB.has(id))).toEqual([])
  } finally {
    a.transport.close()
    await sink.stop()
  }
}, 30_000)
