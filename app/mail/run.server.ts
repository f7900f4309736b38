import type { DB } from '#app/utils/db.server'
import type { Env } from '#app/utils/env.server'
import { enqueueDueReminders, enqueueDueThankYous } from './notify.server'
import { createMailTransport, type MailTransport } from './transport.server'
import { MailWorker, parseSender } from './worker.server'
import { errorLogLine } from '#app/utils/error-log.server'

const IDLE_POLL_MS = 1_000
const REMINDER_CHECK_MS = 30_000

export type RunningWorker = { worker: MailWorker; stop(): Promise<void> }

/**
 * The delivery loop: reminders that fell due are queued, then due messages are delivered batch
 * by batch; when nothing is due it waits a second. stop() lets the batch in hand finish.
 */
/** A worker configured from the environment, as `npm run worker` and `npm start` run it. */
export function createMailWorker(db: DB, env: Pick<Env, 'SMTP_URL' | 'MAIL_FROM' | 'MAIL_RATE_PER_SEC' | 'MAIL_LEASE_SECONDS'>): { worker: MailWorker; transport: MailTransport } {
  const transport = createMailTransport(env.SMTP_URL)
  const worker = new MailWorker(db, {
    transport,
    sender: parseSender(env.MAIL_FROM),
    from: env.MAIL_FROM,
    leaseMs: env.MAIL_LEASE_SECONDS * 1000,
    ratePerSec: env.MAIL_RATE_PER_SEC,
  })
  return { worker, transport }
}

export function startMailWorker(db: DB, env: Pick<Env, 'SMTP_URL' | 'MAIL_FROM' | 'MAIL_RATE_PER_SEC' | 'MAIL_LEASE_SECONDS'>, log: (line: string) => void = console.error): RunningWorker {
  const { worker, transport } = createMailWorker(db, env)
  let stopping = false
  let wake: (() => void) | null = null
  let lastReminderCheck = 0
  const loop = (async () => {
    while (!stopping) {
      try {
        if (Date.now() - lastReminderCheck >= REMINDER_CHECK_MS) {
          lastReminderCheck = Date.now()
          await enqueueDueReminders(db)
          await enqueueDueThankYous(db)
        }
        const { sent, failed } = await worker.deliverBatch()
        if (sent + failed > 0) continue
      } catch (error) {
        // The database may be busy or briefly unavailable: log it and try again shortly.
        // One JSON line, without the message: a database error's can quote an address.
        log(errorLogLine(error, { job: 'mail worker' }))
      }
      await new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, IDLE_POLL_MS)
      })
    }
  })()
  return {
    worker,
    async stop() {
      stopping = true
      wake?.()
      await loop
      transport.close()
    },
  }
}
