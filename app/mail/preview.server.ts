import type { getOutboxMessage } from '#app/models/outbox.server'
import { getEnv } from '#app/utils/env.server'
import type { ProgrammeNames } from '#app/utils/site-identity'
import type { CalendarMethod } from './calendar.server'
import { buildMessage, parseSender } from './worker.server'

// The Outbox shows a message as its recipient gets it, so it renders through the worker's own
// buildMessage: what an organiser reads here is what the SMTP server was (or will be) handed.

export type MailPreview = {
  from: string
  to: string
  subject: string
  text: string
  html: string
  calendar: { method: CalendarMethod; content: string } | null
}

type OutboxRow = NonNullable<Awaited<ReturnType<typeof getOutboxMessage>>>

/** Null when the stored payload cannot be rendered (the worker fails such a message too). */
export function previewMail(
  mail: Pick<OutboxRow, 'payload' | 'recipient_email' | 'recipient_name' | 'lang' | 'message_id'>,
  programme: Partial<ProgrammeNames> | null,
): MailPreview | null {
  const from = getEnv().MAIL_FROM
  let message: ReturnType<typeof buildMessage>
  try {
    message = buildMessage(mail, { ...parseSender(from), programme }, from)
  } catch {
    return null
  }
  const calendar = message.icalEvent as { method: CalendarMethod; content: string } | undefined
  return {
    from,
    to: `${mail.recipient_name} <${mail.recipient_email}>`,
    subject: String(message.subject ?? ''),
    text: String(message.text ?? ''),
    html: String(message.html ?? ''),
    calendar: calendar ? { method: calendar.method, content: calendar.content } : null,
  }
}
