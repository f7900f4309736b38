import { randomBytes } from 'node:crypto'
import type { SendMailOptions } from 'nodemailer'
import type { Lang } from '#db/schema'
import {
  claimDueMail,
  markMailAttemptFailed,
  markMailsSent,
  renewMailClaim,
  type ClaimedMail,
} from '#app/models/outbox.server'
import { getSiteIdentity } from '#app/models/site-settings.server'
import type { DB } from '#app/utils/db.server'
import { countMailFailure } from '#app/utils/metrics.server'
import type { MailPayload } from './payload'
import { renderMail, type Sender } from './templates.server'
import { multiLineText, singleLineText } from './text'
import type { MailTransport } from './transport.server'

/**
 * Retry schedule after each failed attempt: relays that greylist or throttle usually accept
 * within minutes; after the sixth attempt (about 22 minutes) the message is failed and shown
 * in the Outbox for an organiser to resend.
 */
export const RETRY_DELAYS_SECONDS = [10, 30, 60, 300, 900] as const

/** The delay before attempt n+1, with ±20% jitter so a burst of failures does not retry in step. */
export function retryDelayMs(failedAttempt: number, random = Math.random): number | null {
  const base = RETRY_DELAYS_SECONDS[failedAttempt - 1]
  if (base === undefined) return null
  return Math.round(base * 1000 * (0.8 + 0.4 * random()))
}

export type WorkerOptions = {
  transport: MailTransport
  sender: Sender
  /** The MAIL_FROM header value, e.g. "Literasi Digital <literasi@example.org>". */
  from: string
  workerId?: string
  leaseMs: number
  ratePerSec: number
  concurrency?: number
  now?: () => Date
}

/** Spaces sends evenly to stay under a relay's rate; 0 means no limit. */
class RateLimiter {
  #next = 0
  constructor(private readonly perSecond: number) {}
  async take(): Promise<void> {
    if (this.perSecond <= 0) return
    const now = Date.now()
    const wait = this.#next - now
    this.#next = Math.max(now, this.#next) + 1000 / this.perSecond
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  }
}

/**
 * Assembles a message from its outbox row: the one place every text in it passes, so no template
 * and no stored value can put a bare CR or LF on the wire (RFC 5321) or a line break in a header.
 * The calendar part comes from buildCalendar, which escapes line breaks itself.
 */
export function buildMessage(mail: Pick<ClaimedMail, 'payload' | 'recipient_email' | 'recipient_name' | 'lang' | 'message_id'>, sender: Sender, from: string): SendMailOptions {
  const payload = JSON.parse(mail.payload) as MailPayload
  const rendered = renderMail(payload, { name: mail.recipient_name, email: mail.recipient_email, lang: mail.lang as Lang }, sender)
  return {
    from,
    // An address object: nodemailer quotes and encodes the name, so it cannot inject a header.
    to: { name: singleLineText(mail.recipient_name), address: mail.recipient_email },
    subject: singleLineText(rendered.subject),
    text: multiLineText(rendered.text, '\r\n'),
    html: multiLineText(rendered.html, '\r\n'),
    messageId: mail.message_id,
    headers: { 'Auto-Submitted': 'auto-generated' },
    // Chosen, not detected: nodemailer otherwise counts the characters of every part with two
    // regular expressions to pick between quoted-printable and base64, a large share of a mail
    // run's CPU. Our text is mostly Latin script, for which quoted-printable is the better choice.
    textEncoding: 'quoted-printable',
    ...(rendered.calendar
      ? { icalEvent: { method: rendered.calendar.method, content: rendered.calendar.content, filename: 'undangan.ics' } }
      : {}),
  }
}

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { response?: string; message?: string; code?: string }
    return e.response ?? (e.code ? `${e.code}: ${e.message}` : (e.message ?? String(error)))
  }
  return String(error)
}

export class MailWorker {
  readonly workerId: string
  readonly #limiter: RateLimiter
  readonly #now: () => Date

  constructor(
    private readonly db: DB,
    private readonly options: WorkerOptions,
  ) {
    this.workerId = options.workerId ?? `worker-${process.pid}-${randomBytes(4).toString('hex')}`
    this.#limiter = new RateLimiter(options.ratePerSec)
    this.#now = options.now ?? (() => new Date())
  }

  /**
   * Claims one batch and delivers it; returns how many messages it handled. Batches are small,
   * so memory stays flat however many thousands are queued: the transport is fed as it drains.
   *
   * Deliveries are recorded together, in one write when the batch is done (markMailsSent), not
   * one write per message. Until then a delivered message is still 'sending' under this worker's
   * claim, so the claim must not run out before it is recorded, or another worker would send it
   * again: a batch that runs long records what it has delivered every sixth of the lease (a
   * delivered message's claim is at most about two thirds of a lease old, see #deliver). If this
   * process dies before the write, its delivered messages are sent again once their lease ends:
   * at least once, as before, with the window a batch instead of one message.
   */
  async deliverBatch(): Promise<{ sent: number; failed: number }> {
    const concurrency = this.options.concurrency ?? 3
    const claimedAt = this.#now()
    const claimed = await claimDueMail(this.db, {
      workerId: this.workerId,
      limit: concurrency * 4,
      now: claimedAt.toISOString(),
      leaseMs: this.options.leaseMs,
    })
    if (claimed.length === 0) return { sent: 0, failed: 0 }
    // The programme's name for the footers, as set now (a read, not a transaction); the
    // dictionary's should the read fail, rather than holding the batch back.
    const sender: Sender = { ...this.options.sender, programme: await getSiteIdentity(this.db).catch(() => null) }
    let sent = 0
    let failed = 0
    let index = 0
    const delivered: Array<{ id: string; raw: string | null }> = []
    // One write at a time, each after the one before (whatever its outcome); a write that fails
    // puts its messages back for the next one.
    let recording: Promise<void> = Promise.resolve()
    const record = () =>
      (recording = recording.catch(() => {}).then(async () => {
        const batch = delivered.splice(0)
        try {
          await markMailsSent(this.db, batch, this.workerId, { transport: this.options.transport.name })
        } catch (error) {
          delivered.unshift(...batch)
          throw error
        }
      }))
    const timer = setInterval(() => void record().catch(() => {}), Math.max(50, Math.floor(this.options.leaseMs / 6)))
    const lanes = Array.from({ length: Math.min(concurrency, claimed.length) }, async () => {
      while (index < claimed.length) {
        const mail = claimed[index++]!
        const outcome = await this.#deliver(mail, claimedAt.getTime(), sender)
        if (outcome) {
          delivered.push({ id: mail.id, raw: outcome.raw })
          sent++
        } else failed++
      }
    })
    try {
      await Promise.all(lanes)
    } finally {
      clearInterval(timer)
      // After any write the timer started; one that failed left its messages for this one.
      await record()
    }
    return { sent, failed }
  }

  /** Sends one claimed message; its raw MIME when delivered (recorded by the batch), null when not. */
  async #deliver(mail: ClaimedMail, claimedAt: number, sender: Sender): Promise<{ raw: string | null } | null> {
    // No transaction is open here: the claim was committed, the send is network I/O, and the
    // outcome is recorded in a short write afterwards (a failure here, a delivery by the batch).
    let message: SendMailOptions
    try {
      message = buildMessage(mail, sender, this.options.from)
    } catch (error) {
      countMailFailure('render')
      await markMailAttemptFailed(this.db, mail.id, this.workerId, { error: `render: ${describe(error)}`, retryAt: null })
      return null
    }
    await this.#limiter.take()
    const renew = () => renewMailClaim(this.db, mail.id, this.workerId, this.#now().toISOString())
    // The claim is ours until its lease runs out. Only a message that waited a third of the lease
    // since the claim (the rate limit, slow lanes) renews it before the send, and stops if another
    // worker has taken it over meanwhile; the rest save a write each.
    if (this.#now().getTime() - claimedAt > this.options.leaseMs / 3 && !(await renew())) return null
    // The lease is for finding dead workers, not slow relays: while the send is in flight the
    // claim is renewed, or a relay slower than the lease would get the message from two workers.
    const heartbeat = setInterval(() => void renew().catch(() => {}), Math.max(50, Math.floor(this.options.leaseMs / 3)))
    try {
      const { raw } = await this.options.transport.send(message)
      clearInterval(heartbeat)
      return { raw }
    } catch (error) {
      clearInterval(heartbeat)
      countMailFailure('send')
      const delay = retryDelayMs(mail.attempts)
      const retryAt = delay === null ? null : new Date(this.#now().getTime() + delay).toISOString()
      await markMailAttemptFailed(this.db, mail.id, this.workerId, { error: describe(error), retryAt })
      return null
    }
  }
}

/** Parses MAIL_FROM ("Name <address>" or a bare address) into the calendar ORGANIZER. */
export function parseSender(from: string): Sender {
  const match = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(from)
  if (match) return { name: match[1]!.replace(/^"|"$/g, '') || match[2]!, email: match[2]! }
  return { name: from.trim(), email: from.trim() }
}
