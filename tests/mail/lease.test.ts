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
