import { publishWebinar } from '#app/models/webinar.server'
import { RETRY_DELAYS_SECONDS } from '#app/mail/worker.server'
import { getDb } from '#app/utils/db.server'
import { createUser, createWebinar } from '#tests/setup/factories'
import { deliverAll, smtpWorker } from './__helpers/mail'
import { startSmtpSink } from './__helpers/smtp-sink'

// A relay that is down, greylisting or refusing: the change that caused the mail is never
// affected, the outcome of each attempt is recorded, and nothing is sent twice or lost.

/** The worker's `now` option: real time, plus however far the test has moved it forward. */
function manualClock() {
  let offset = 0
  return { now: () => new Date(Date.now() + offset), advance: (ms: number) => (offset += ms) }
}

async function outboxRows(where: { webinarId?: string; email?: string }) {
  let query = getDb().selectFrom('outbox').select(['id', 'state', 'attempts', 'last_error', 'next_attempt_at', 'message_id', 'sent_at'])
  if (where.webinarId) query = query.where('webinar_id', '=', where.webinarId)
  if (where.email) query = query.where('recipient_email', '=', where.email)
  return query.execute()
}

test('with the relay unreachable, publishing still succeeds, mail waits in retrying, and is delivered exactly once when the relay is back', async () => {
  const db = getDb()
  const sink = await startSmtpSink()
  await sink.stop()
  const clock = manualClock()
  const { transport, worker } = smtpWorker(sink.url, { now: clock.now })
  try {
    const organiser = await createUser('organiser', { password: 'organiser-password-123' })
    const { id: webinarId } = await createWebinar(organiser.id, { complete: true })
    expect(await publishWebinar(db, webinarId)).toEqual({ ok: true })
    expect((await db.selectFrom('webinars').select('status').where('id', '=', webinarId).executeTakeFirstOrThrow()).status).toBe('published')

    expect(await deliverAll(worker)).toEqual({ sent: 0, failed: 2 })
    const waiting = await outboxRows({ webinarId })
    expect(waiting).toHaveLength(2)
    for (const row of waiting) {
      expect(row.state).toBe('retrying')
      expect(row.attempts).toBe(1)
      expect(row.last_error).toMatch(/ECONNREFUSED/)
      // The first retry is 10 s away, give or take the 20% jitter (and the test's own second).
      const delay = new Date(row.next_attempt_at).getTime() - clock.now().getTime()
      expect(delay).toBeGreaterThanOrEqual(RETRY_DELAYS_SECONDS[0] * 800 - 1000)
      expect(delay).toBeLessThanOrEqual(RETRY_DELAYS_SECONDS[0] * 1200)
    }
    // Not due yet: nothing is tried.
    expect(await deliverAll(worker)).toEqual({ sent: 0, failed: 0 })

    await sink.start()
    expect(await deliverAll(worker)).toEqual({ sent: 0, failed: 0 })
    clock.advance(RETRY_DELAYS_SECONDS[0] * 1200 + 1)
    expect(await deliverAll(worker)).toEqual({ sent: 2, failed: 0 })
    const delivered = await outboxRows({ webinarId })
    expect(delivered.map((r) => [r.state, r.attempts, r.last_error])).toEqual([
      ['sent', 2, null],
      ['sent', 2, null],
    ])

    // Much later, nothing is sent again.
    clock.advance(24 * 3_600_000)
    expect(await deliverAll(worker)).toEqual({ sent: 0, failed: 0 })
    expect(sink.messages.map((m) => m.messageId).sort()).toEqual(delivered.map((r) => r.message_id).sort())
    expect(sink.duplicates()).toEqual([])
  } finally {
    transport.close()
    await sink.stop()
  }
})

test('a relay that answers 550 gets six attempts on the retry schedule, then the message is failed with its reply', async () => {
  const sink = await startSmtpSink({ reply: { code: 550, message: '5.1.1 Mailbox does not exist' } })
  const clock = manualClock()
  const { transport, worker } = smtpWorker(sink.url, { now: clock.now })
  try {
    const user = await createUser('moderator')
    const attemptsBefore = sink.attempts
    const delays: number[] = []
    for (let attempt = 1; attempt <= 6; attempt++) {
      expect(await deliverAll(worker), `attempt ${attempt}`).toEqual({ sent: 0, failed: 1 })
      const [row] = await outboxRows({ email: user.email })
      expect(row!.attempts).toBe(attempt)
      expect(row!.last_error).toMatch(/^550 5\.1\.1 Mailbox does not exist/)
      if (attempt < 6) {
        expect(row!.state).toBe('retrying')
        delays.push((new Date(row!.next_attempt_at).getTime() - clock.now().getTime()) / 1000)
        // Half a second before the retry is due nothing happens; at the retry time it is tried again.
        clock.advance(delays.at(-1)! * 1000 - 500)
        expect(await deliverAll(worker)).toEqual({ sent: 0, failed: 0 })
        clock.advance(500)
      } else {
        expect(row!.state).toBe('failed')
      }
    }
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(RETRY_DELAYS_SECONDS[i]! * 0.8 - 1)
      expect(delay).toBeLessThanOrEqual(RETRY_DELAYS_SECONDS[i]! * 1.2)
    })
    clock.advance(7 * 24 * 3_600_000)
    expect(await deliverAll(worker)).toEqual({ sent: 0, failed: 0 })
    expect(sink.attempts - attemptsBefore).toBe(6)
    expect(sink.refused).toHaveLength(6)
    expect(sink.messages).toHaveLength(0)
  } finally {
    transport.close()
    await sink.stop()
  }
})

test('a relay that greylists (451 at RCPT TO) is retried, and the message is delivered once it accepts', async () => {
  const sink = await startSmtpSink({ reply: { code: 451, message: '4.7.1 Greylisted, try again later', at: 'rcpt' } })
  const clock = manualClock()
  const { transport, worker } = smtpWorker(sink.url, { now: clock.now })
  try {
    const user = await createUser('speaker')
    expect(await deliverAll(worker)).toEqual({ sent: 0, failed: 1 })
    const [waiting] = await outboxRows({ email: user.email })
    expect(waiting!.state).toBe('retrying')
    expect(waiting!.last_error).toMatch(/^451 4\.7\.1 Greylisted/)

    sink.configure({ reply: null })
    clock.advance(RETRY_DELAYS_SECONDS[0] * 1200 + 1)
    expect(await deliverAll(worker)).toEqual({ sent: 1, failed: 0 })
    const [sent] = await outboxRows({ email: user.email })
    expect(sent!.state).toBe('sent')
    expect(sink.messages.map((m) => m.messageId)).toEqual([sent!.message_id])
  } finally {
    transport.close()
    await sink.stop()
  }
})
