import { randomBytes } from 'node:crypto'
import type { SendMailOptions } from 'nodemailer'
import type { Lang } from '#db/schema'
import {
  claimDueMail,
  markMailAttemptFailed,
  markMailSent,
  renewMailClaim,
  type ClaimedMail,
} from '#app/models/outbox.server'
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
    let sent = 0
    let failed = 0
    let index = 0
    const lanes = Array.from({ length: Math.min(concurrency, claimed.length) }, async () => {
      while (index < claimed.length) {
        const mail = claimed[index++]!
        if (await this.#deliver(mail, claimedAt.getTime())) sent++
        else failed++
      }
    })
    await Promise.all(lanes)
    return { sent, failed }
  }

  async #deliver(mail: ClaimedMail, claimedAt: number): Promise<boolean> {
    // No transaction is open here: the claim was committed, the send is network I/O, and the
    // outcome is recorded in its own short write afterwards.
    let message: SendMailOptions
    try {
      message = buildMessage(mail, this.options.sender, this.options.from)
    } catch (error) {
      countMailFailure('render')
      await markMailAttemptFailed(this.db, mail.id, this.workerId, { error: `render: ${describe(error)}`, retryAt: null })
      return false
    }
    await this.#limiter.take()
    const renew = () => renewMailClaim(this.db, mail.id, this.workerId, this.#now().toISOString())
    // The claim is ours until its lease runs out. Only a message that waited a third of the lease
    // since the claim (the rate limit, slow lanes) renews it before the send, and stops if another
    // worker has taken it over meanwhile; the rest save a write each.
    if (this.#now().getTime() - claimedAt > this.options.leaseMs / 3 && !(await renew())) return false
    // The lease is for finding dead workers, not slow relays: while the send is in flight the
    // claim is renewed, or a relay slower than the lease would get the message from two workers.
    const heartbeat = setInterval(() => void renew().catch(() => {}), Math.max(50, Math.floor(this.options.leaseMs / 3)))
    try {
      const { raw } = await this.options.transport.send(message)
      clearInterval(heartbeat)
      await markMailSent(this.db, mail.id, this.workerId, { transport: this.options.transport.name, raw })
      return true
    } catch (error) {
      clearInterval(heartbeat)
      countMailFailure('send')
      const delay = retryDelayMs(mail.attempts)
      const retryAt = delay === null ? null : new Date(this.#now().getTime() + delay).toISOString()
      await markMailAttemptFailed(this.db, mail.id, this.workerId, { error: describe(error), retryAt })
      return false
    }
  }
}

/** Parses MAIL_FROM ("Name <address>" or a bare address) into the calendar ORGANIZER. */
export function parseSender(from: string): Sender {
  const match = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(from)
  if (match) return { name: match[1]!.replace(/^"|"$/g, '') || match[2]!, email: match[2]! }
  return { name: from.trim(), email: from.trim() }
}
