import { deliverAll, queueParticipantInvitations, smtpWorker } from './__helpers/mail'
import { startSmtpSink } from './__helpers/smtp-sink'

// MAIL_RATE_PER_SEC keeps the worker under what a relay accepts. A behaviour check with a
// generous bound, not a benchmark.

test('at 20 messages a second, 40 messages take at least 1.9 seconds to hand over', async () => {
  const sink = await startSmtpSink()
  const { transport, worker } = smtpWorker(sink.url, { ratePerSec: 20 })
  try {
    await queueParticipantInvitations(38)
    const started = performance.now()
    expect(await deliverAll(worker)).toEqual({ sent: 40, failed: 0 })
    const elapsedMs = performance.now() - started
    expect(sink.messages).toHaveLength(40)
    // The first goes at once and each next one 50 ms later: 39 × 50 ms.
    expect(elapsedMs).toBeGreaterThanOrEqual(1_900)
    expect(elapsedMs).toBeLessThan(10_000)
    // Evenly spaced, not in bursts: any second holds at most the 21 sends the limiter lets start
    // in it, plus the three lanes' sends that started earlier and finish in it.
    const times = sink.messages.map((m) => m.acceptedAt)
    const busiestSecond = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length))
    expect(busiestSecond).toBeLessThanOrEqual(24)
  } finally {
    transport.close()
    await sink.stop()
  }
})
