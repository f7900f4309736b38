import type { Lang } from '#db/schema'
import { MAIL_KINDS, type BriefDetails, type MailKind, type MailPayload, type WebinarSnapshot } from '#app/mail/payload'
import { enqueueMail } from '#app/models/outbox.server'
import { getDb } from '#app/utils/db.server'

// One message of every kind about one webinar, for the tests that prove every message renders
// and goes over the wire cleanly whatever the stored text holds.

/** A payload of each kind; the mapped type makes a new kind a type error here until it is added. */
export function payloadsOfEveryKind(webinar: WebinarSnapshot, brief: BriefDetails, personalUrl: string): MailPayload[] {
  const byKind: { [K in MailKind]: Extract<MailPayload, { kind: K }> } = {
    staff_invitation: { kind: 'staff_invitation', role: 'speaker', setPasswordUrl: `${personalUrl}/set-password`, validDays: 7 },
    speaker_brief: { kind: 'speaker_brief', webinar, brief: { ...brief, role: 'speaker' } },
    moderator_assignment: { kind: 'moderator_assignment', webinar, brief: { ...brief, role: 'moderator' } },
    participant_invitation: { kind: 'participant_invitation', webinar, personalUrl },
    reminder_day: { kind: 'reminder_day', webinar, personalUrl },
    reminder_hour: { kind: 'reminder_hour', webinar, personalUrl },
    update: { kind: 'update', webinar, previous: { startAt: webinar.startAt, endAt: webinar.endAt }, personalUrl },
    cancellation: { kind: 'cancellation', webinar },
    registration_cancelled: { kind: 'registration_cancelled', webinar: { ...webinar, sequence: webinar.sequence + 1 } },
    waitlist_joined: { kind: 'waitlist_joined', webinar, personalUrl },
    waitlist_promotion: { kind: 'waitlist_promotion', webinar, personalUrl },
    certificate_ready: { kind: 'certificate_ready', webinar, certificateUrl: `${personalUrl}/certificate.pdf`, pending: ['evaluation'] },
    thank_you: {
      kind: 'thank_you',
      webinar,
      personalUrl,
      evaluationUrl: `${personalUrl}/evaluation`,
      postTestUrl: null,
      recordingUrl: webinar.livestreamUrl ?? 'https://www.youtube.com/watch?v=demo',
      materials: 2,
    },
    personal_link: { kind: 'personal_link', webinar, personalUrl },
  }
  return MAIL_KINDS.map((kind) => byKind[kind])
}

/** The snapshot and brief that publishing queued in the moderator's assignment: what the triggers really wrote. */
export async function queuedBrief(webinarId: string): Promise<{ webinar: WebinarSnapshot; brief: BriefDetails }> {
  const row = await getDb()
    .selectFrom('outbox')
    .select('payload')
    .where('webinar_id', '=', webinarId)
    .where('kind', '=', 'moderator_assignment')
    .executeTakeFirstOrThrow()
  const payload = JSON.parse(row.payload) as Extract<MailPayload, { kind: 'moderator_assignment' }>
  return { webinar: payload.webinar, brief: payload.brief }
}

/** Queues every kind to every recipient, in each of their languages; returns how many messages. */
export async function queueEveryKind(
  webinarId: string,
  recipients: Array<{ email: string; name: string; personalUrl: string }>,
  langs: Lang[] = ['id', 'en'],
): Promise<number> {
  const { webinar, brief } = await queuedBrief(webinarId)
  const mails = recipients.flatMap((to) =>
    langs.flatMap((lang) => payloadsOfEveryKind(webinar, brief, to.personalUrl).map((payload) => ({ webinarId, to, lang, payload }))),
  )
  await getDb()
    .transaction()
    .execute((trx) => enqueueMail(trx, mails))
  return mails.length
}

/** Offsets of every CR not followed by LF and every LF not preceded by CR: what RFC 5321 forbids in DATA. */
export function bareLineBreaks(raw: Buffer): number[] {
  const found: number[] = []
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x0d && raw[i + 1] !== 0x0a) found.push(i)
    if (raw[i] === 0x0a && raw[i - 1] !== 0x0d) found.push(i)
  }
  return found
}
