import type { AssignmentRole, MailState, TimeZoneCode } from '#db/schema'

// What a message needs, captured when the change that caused it happened. The worker renders
// from this alone, so a retry tomorrow still says what was true when the mail was queued.

export type WebinarSnapshot = {
  slug: string
  topic: string
  segment: string
  regencyName: string
  provinceName: string
  timeZone: TimeZoneCode
  startAt: string
  endAt: string
  platformUrl: string | null
  meetingId: string | null
  passcode: string | null
  livestreamUrl: string | null
  calendarUid: string
  sequence: number
  capacity: number
  /** seats taken when the message was queued */
  registered: number
}

export type BriefDetails = {
  role: AssignmentRole
  talkTitle: string | null
  pillar: string | null
  /** run-down items where this person speaks */
  slots: Array<{ at: string; title: string }>
  moderator: { name: string; email: string | null; whatsapp: string | null } | null
  speakers: Array<{ name: string; talkTitle: string | null }>
  techCheckAt: string
  briefUrl: string
}

export type MailPayload =
  | { kind: 'staff_invitation'; role: 'organiser' | 'moderator' | 'speaker'; setPasswordUrl: string; validDays: number }
  | { kind: 'speaker_brief'; webinar: WebinarSnapshot; brief: BriefDetails }
  | { kind: 'moderator_assignment'; webinar: WebinarSnapshot; brief: BriefDetails }
  | { kind: 'participant_invitation'; webinar: WebinarSnapshot; personalUrl: string }
  | { kind: 'reminder_day'; webinar: WebinarSnapshot; personalUrl: string | null }
  | {
      kind: 'reminder_hour'
      webinar: WebinarSnapshot
      personalUrl: string | null
      /** a resident invited to the webinar's pre-test, when it is on (issue 15) */
      preTest?: { url: string; questions: number } | null
    }
  | {
      kind: 'update'
      webinar: WebinarSnapshot
      previous: { startAt: string; endAt: string }
      personalUrl: string | null
      /** someone on the waitlist: the new time only, no join details and no calendar invitation */
      waitlisted?: boolean
      /** one of the webinar's own people: their brief again, with their slots at the new times */
      brief?: BriefDetails
    }
  /**
   * `onlyYou`: the person was taken off the webinar, which itself goes ahead. `waitlisted`: they
   * only waited, so no calendar holds the event and the message carries no calendar file.
   */
  | { kind: 'cancellation'; webinar: WebinarSnapshot; onlyYou?: boolean; waitlisted?: boolean }
  | { kind: 'registration_cancelled'; webinar: WebinarSnapshot; waitlisted?: boolean }
  | { kind: 'waitlist_joined'; webinar: WebinarSnapshot; personalUrl: string }
  | { kind: 'waitlist_promotion'; webinar: WebinarSnapshot; personalUrl: string }
  /** `pending`: the certificate is gated, and these steps are left before it can be downloaded */
  | { kind: 'certificate_ready'; webinar: WebinarSnapshot; certificateUrl: string; pending?: Array<'evaluation' | 'postTest'> }
  /** After the webinar: where to find the evaluation, the post-test, the slides and the recording. */
  | { kind: 'thank_you'; webinar: WebinarSnapshot; personalUrl: string; evaluationUrl: string; postTestUrl: string | null; recordingUrl: string | null; materials: number }
  /** A lost link asked for after the webinar: the personal page, where the certificate is (or why there is none). */
  | { kind: 'personal_link'; webinar: WebinarSnapshot; personalUrl: string }

export type MailKind = MailPayload['kind']

export const MAIL_KINDS: readonly MailKind[] = [
  'staff_invitation',
  'speaker_brief',
  'moderator_assignment',
  'participant_invitation',
  'reminder_day',
  'reminder_hour',
  'update',
  'cancellation',
  'registration_cancelled',
  'waitlist_joined',
  'waitlist_promotion',
  'certificate_ready',
  'personal_link',
  'thank_you',
]

/** The outbox's states, in the order a message moves through them. */
export const MAIL_STATES = ['queued', 'sending', 'retrying', 'sent', 'failed'] as const satisfies readonly MailState[]
