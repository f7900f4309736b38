import ICAL from 'ical.js'
import { simpleParser, type ParsedMail } from 'mailparser'
import { getWebinarSnapshot } from '#app/models/mail-recipients.server'
import { enqueueMail, type NewMail } from '#app/models/outbox.server'
import { publishWebinar } from '#app/models/webinar.server'
import { createMailTransport, type MailTransport } from '#app/mail/transport.server'
import { MailWorker, parseSender, type WorkerOptions } from '#app/mail/worker.server'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { createUser, createWebinar } from '#tests/setup/factories'

// What the mail tests share: a worker wired as the app wires it, a drain loop, and parsers that
// read a delivered message the way a mail client would.

export function createWorker(transport: MailTransport, options: Partial<WorkerOptions> = {}): MailWorker {
  const env = getEnv()
  return new MailWorker(getDb(), {
    transport,
    sender: parseSender(env.MAIL_FROM),
    from: env.MAIL_FROM,
    leaseMs: 60_000,
    ratePerSec: 0,
    ...options,
  })
}

export function smtpWorker(url: string, options: Partial<WorkerOptions> = {}) {
  const transport = createMailTransport(url)
  return { transport, worker: createWorker(transport, options) }
}

/** Delivers batch after batch until nothing is due; returns the totals. */
export async function deliverAll(worker: MailWorker): Promise<{ sent: number; failed: number }> {
  const total = { sent: 0, failed: 0 }
  for (;;) {
    const { sent, failed } = await worker.deliverBatch()
    if (sent + failed === 0) return total
    total.sent += sent
    total.failed += failed
  }
}

export type ParsedCalendar = {
  /** the method= parameter of the MIME part's Content-Type */
  mimeMethod: string | undefined
  text: string
  calendar: ICAL.Component
  event: ICAL.Component
  /** the file's lines after unfolding, as a calendar client reads them */
  lines: string[]
}

export type ParsedMessage = { mail: ParsedMail; calendar: ParsedCalendar | null }

export async function parseMessage(raw: Buffer | string): Promise<ParsedMessage> {
  const mail = await simpleParser(raw)
  const part = mail.attachments.find((a) => a.contentType === 'text/calendar')
  if (!part) return { mail, calendar: null }
  const contentType = part.headers.get('content-type') as { value: string; params: Record<string, string> }
  const text = part.content.toString('utf8')
  const calendar = new ICAL.Component(ICAL.parse(text))
  return {
    mail,
    calendar: {
      mimeMethod: contentType.params.method,
      text,
      calendar,
      event: calendar.getFirstSubcomponent('vevent')!,
      lines: text.replace(/\r\n[ \t]/g, '').split('\r\n'),
    },
  }
}

/** "20300304T020000Z" for an ISO time, as DTSTART/DTEND are written in UTC. */
export function icsUtc(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}

/** A published webinar with a moderator and a speaker, and `count` participant invitations queued for it. */
export async function queueParticipantInvitations(count: number, options: { webinarForm?: NonNullable<Parameters<typeof createWebinar>[1]>['form'] } = {}) {
  const db = getDb()
  const organiser = await createUser('organiser', { password: 'organiser-password-123' })
  const { id: webinarId } = await createWebinar(organiser.id, { complete: true, form: options.webinarForm })
  const published = await publishWebinar(db, webinarId)
  if (!published.ok) throw new Error(`publish failed: ${JSON.stringify(published)}`)
  const webinar = (await getWebinarSnapshot(db, webinarId))!
  const mails: NewMail[] = Array.from({ length: count }, (_, i) => ({
    webinarId,
    to: { email: `peserta-${i}@example.org`, name: `Peserta ${i}` },
    lang: 'id',
    payload: { kind: 'participant_invitation', webinar, personalUrl: `http://localhost:3000/r/token-${i}` },
  }))
  await db.transaction().execute((trx) => enqueueMail(trx, mails))
  return { webinarId }
}

export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
