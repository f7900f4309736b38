import type { Lang } from '#db/schema'
import { programmeNameFor, type ProgrammeNames } from '#app/utils/site-identity'
import { NARROW_SCREEN_CSS } from './styles.server'
import { formatDateTime, formatTime, translate, type MessageKey, type Vars } from '#app/i18n'
import { serialiseWebUrl, webUrlText } from '#app/utils/web-url'
import { buildCalendar, type CalendarMethod } from './calendar.server'
import type { BriefDetails, MailPayload, WebinarSnapshot } from './payload'
import { LINE_BREAK, singleLineText } from './text'

// Every message is written once as blocks; the HTML and the plain-text parts are both made
// from them, so they never disagree and every value is escaped in one place. Line breaks and
// headers are made safe for the wire where the message is assembled (buildMessage), not here.

/** A details row: label, value, and where the value links to (a join or live-stream link). */
type DetailRow = [string, string | null | undefined, (string | null)?]

type Block =
  | { type: 'p'; text: string; strong?: boolean }
  | { type: 'details'; rows: DetailRow[] }
  | { type: 'button'; label: string; url: string }

export type RenderedMail = {
  subject: string
  text: string
  html: string
  calendar: { method: CalendarMethod; content: string } | null
}

export type Sender = {
  name: string
  email: string
  /** The programme's names as an organiser set them (/admin/issuer), for the footer; the dictionary's where empty. */
  programme?: Partial<ProgrammeNames> | null
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
}

function when(lang: Lang, w: { startAt: string; endAt: string; timeZone: WebinarSnapshot['timeZone'] }): string {
  return `${formatDateTime(w.startAt, w.timeZone, lang)} – ${formatTime(w.endAt, w.timeZone, lang)}`
}

/**
 * The webinar's details. The join details (link, meeting ID, passcode, live stream) go only to
 * people who hold a seat or a role: `withJoin` is false for the waitlist and for cancellations.
 */
function webinarRows(t: (key: MessageKey, vars?: Vars) => string, lang: Lang, w: WebinarSnapshot, withJoin: boolean): DetailRow[] {
  return [
    [t('mail.detail.topic'), w.topic],
    [t('mail.detail.when'), when(lang, w)],
    [t('mail.detail.where'), `${w.regencyName}, ${w.provinceName}`],
    ...(withJoin
      ? ([
          [t('mail.detail.join'), webUrlText(w.platformUrl), serialiseWebUrl(w.platformUrl)],
          [t('mail.detail.meetingId'), w.meetingId],
          [t('mail.detail.passcode'), w.passcode],
          [t('mail.detail.livestream'), webUrlText(w.livestreamUrl), serialiseWebUrl(w.livestreamUrl)],
        ] as DetailRow[])
      : []),
  ]
}

/** The join link as a button, for messages to people who hold a seat or a role. */
function joinButton(t: (key: MessageKey, vars?: Vars) => string, w: WebinarSnapshot): Block[] {
  const joinUrl = serialiseWebUrl(w.platformUrl)
  return joinUrl ? [{ type: 'button', label: t('mail.joinButton'), url: joinUrl }] : []
}

export function renderMail(payload: MailPayload, recipient: { name: string; email: string; lang: Lang }, sender: Sender): RenderedMail {
  const lang = recipient.lang
  const t = (key: MessageKey, vars?: Vars) => translate(lang, key, vars)
  const greeting: Block = { type: 'p', text: t('mail.greeting', { name: recipient.name }) }
  // `eventCancelled`: the whole webinar is off (STATUS:CANCELLED); a CANCEL without it only takes
  // this recipient off the event.
  const calendarFor = (webinar: WebinarSnapshot, method: CalendarMethod, eventCancelled = false) => {
    // A cancellation does not hand out the join link again.
    const joinUrl = method === 'CANCEL' ? null : webUrlText(webinar.platformUrl)
    return {
      method,
      content: buildCalendar({
        method,
        uid: webinar.calendarUid,
        sequence: webinar.sequence,
        eventCancelled,
        startAt: webinar.startAt,
        endAt: webinar.endAt,
        summary: webinar.topic,
        description: [webinar.topic, joinUrl ? `${t('mail.detail.join')}: ${joinUrl}` : ''].filter(Boolean).join('\n'),
        location: joinUrl,
        url: joinUrl,
        organizer: sender,
        attendee: { name: recipient.name, email: recipient.email },
      }),
    }
  }

  let subject: string
  let blocks: Block[]
  let calendar: RenderedMail['calendar'] = null
  switch (payload.kind) {
    case 'staff_invitation':
      subject = t('mail.staffInvitation.subject')
      blocks = [
        greeting,
        { type: 'p', text: t('mail.staffInvitation.body', { role: t(`role.${payload.role}`), days: payload.validDays }) },
        { type: 'button', label: t('mail.staffInvitation.button'), url: payload.setPasswordUrl },
      ]
      break
    case 'speaker_brief':
    case 'moderator_assignment': {
      const { webinar: w, brief } = payload
      const isModerator = payload.kind === 'moderator_assignment'
      subject = t(isModerator ? 'mail.moderator.subject' : 'mail.brief.subject', { topic: w.topic })
      blocks = [
        greeting,
        { type: 'p', text: t(isModerator ? 'mail.moderator.intro' : 'mail.brief.intro') },
        {
          type: 'details',
          rows: [
            ...webinarRows(t, lang, w, true),
            ...briefRows(t, lang, w, brief),
            [
              t('mail.detail.moderator'),
              brief.moderator ? [brief.moderator.name, brief.moderator.email, brief.moderator.whatsapp].filter(Boolean).join(' · ') : null,
            ],
            [t('mail.detail.speakers'), isModerator ? brief.speakers.map((s) => (s.talkTitle ? `${s.name} (${s.talkTitle})` : s.name)).join('; ') : null],
          ],
        },
        {
          type: 'p',
          text: t('mail.brief.audience', { regency: w.regencyName, segment: t(`segment.${w.segment}` as MessageKey), capacity: w.capacity, registered: w.registered ?? 0 }),
        },
        { type: 'p', text: t('mail.brief.confirmAsk') },
        { type: 'button', label: t(isModerator ? 'mail.moderator.button' : 'mail.brief.button'), url: brief.briefUrl },
        { type: 'p', text: t('mail.calendarNote') },
      ]
      calendar = calendarFor(w, 'REQUEST')
      break
    }
    case 'participant_invitation':
    case 'waitlist_promotion': {
      const promoted = payload.kind === 'waitlist_promotion'
      subject = t(promoted ? 'mail.promotion.subject' : 'mail.invitation.subject', { topic: payload.webinar.topic })
      blocks = [
        greeting,
        { type: 'p', text: t(promoted ? 'mail.promotion.intro' : 'mail.invitation.intro') },
        { type: 'details', rows: webinarRows(t, lang, payload.webinar, true) },
        ...joinButton(t, payload.webinar),
        { type: 'p', text: t('mail.invitation.personal') },
        { type: 'button', label: t('mail.personalButton'), url: payload.personalUrl },
        { type: 'p', text: t('mail.calendarNote') },
      ]
      calendar = calendarFor(payload.webinar, 'REQUEST')
      break
    }
    case 'waitlist_joined':
      subject = t('mail.waitlist.subject', { topic: payload.webinar.topic })
      blocks = [
        greeting,
        { type: 'p', text: t('mail.waitlist.intro') },
        { type: 'details', rows: webinarRows(t, lang, payload.webinar, false) },
        { type: 'button', label: t('mail.personalButton'), url: payload.personalUrl },
      ]
      break
    case 'reminder_day':
    case 'reminder_hour': {
      const day = payload.kind === 'reminder_day'
      subject = t(day ? 'mail.reminderDay.subject' : 'mail.reminderHour.subject', { topic: payload.webinar.topic })
      blocks = [
        greeting,
        { type: 'p', text: t(day ? 'mail.reminderDay.intro' : 'mail.reminderHour.intro') },
        { type: 'details', rows: webinarRows(t, lang, payload.webinar, true) },
        ...joinButton(t, payload.webinar),
        ...(payload.kind === 'reminder_hour' && payload.preTest
          ? [
              { type: 'p' as const, text: t('mail.reminder.preTest', { count: payload.preTest.questions }) },
              { type: 'button' as const, label: t('mail.reminder.preTestButton'), url: payload.preTest.url },
            ]
          : []),
        ...(payload.personalUrl ? [{ type: 'button' as const, label: t('mail.personalButton'), url: payload.personalUrl }] : []),
      ]
      break
    }
    case 'update': {
      const w = payload.webinar
      // Someone on the waitlist holds no seat: the new time, but no join details and no invitation.
      const seat = !payload.waitlisted
      subject = t('mail.update.subject', { topic: w.topic })
      blocks = [
        greeting,
        // What changed comes first: on a phone it is what the preview line shows.
        { type: 'p', strong: true, text: t('mail.update.changed', { previous: when(lang, { ...payload.previous, timeZone: w.timeZone }), current: when(lang, w) }) },
        { type: 'p', text: t(seat ? 'mail.update.intro' : 'mail.update.waitlistIntro') },
        { type: 'details', rows: [...webinarRows(t, lang, w, seat), ...(payload.brief ? briefRows(t, lang, w, payload.brief) : [])] },
        ...(seat ? joinButton(t, w) : []),
        ...(payload.personalUrl ? [{ type: 'button' as const, label: t('mail.personalButton'), url: payload.personalUrl }] : []),
      ]
      if (seat) calendar = calendarFor(w, 'REQUEST')
      break
    }
    case 'cancellation':
    case 'registration_cancelled': {
      const own = payload.kind === 'registration_cancelled'
      // Whether the webinar itself is off, or only this person leaves it (a withdrawal, a removal).
      const wholeEvent = !own && !payload.onlyYou
      const text = own ? 'mail.cancellationOwn' : wholeEvent ? 'mail.cancellation' : 'mail.unassigned'
      subject = t(`${text}.subject`, { topic: payload.webinar.topic })
      blocks = [
        greeting,
        { type: 'p', text: t(payload.waitlisted ? `${text}.waitlistIntro` : `${text}.intro`) },
        { type: 'details', rows: webinarRows(t, lang, payload.webinar, false) },
      ]
      if (!payload.waitlisted) calendar = calendarFor(payload.webinar, 'CANCEL', wholeEvent)
      break
    }
    case 'certificate_ready': {
      const pending = payload.pending ?? []
      subject = t('mail.certificate.subject', { topic: payload.webinar.topic })
      blocks = [
        greeting,
        { type: 'p', text: t(pending.length ? 'mail.certificate.gatedIntro' : 'mail.certificate.intro') },
        ...pending.map((step): Block => ({ type: 'p', strong: true, text: `• ${t(`gate.step.${step}`)}` })),
        { type: 'details', rows: webinarRows(t, lang, payload.webinar, false) },
        { type: 'button', label: t(pending.length ? 'mail.certificate.gatedButton' : 'mail.certificate.button'), url: payload.certificateUrl },
      ]
      break
    }
    case 'thank_you':
      subject = t('mail.thankYou.subject', { topic: payload.webinar.topic })
      blocks = [
        greeting,
        { type: 'p', text: t('mail.thankYou.intro') },
        { type: 'details', rows: webinarRows(t, lang, payload.webinar, false) },
        ...(payload.postTestUrl ? [{ type: 'button' as const, label: t('mail.thankYou.postTest'), url: payload.postTestUrl }] : []),
        { type: 'button', label: t('mail.thankYou.evaluation'), url: payload.evaluationUrl },
        ...(payload.materials > 0 ? [{ type: 'p' as const, text: t('mail.thankYou.materials', { count: payload.materials }) }] : []),
        ...(payload.recordingUrl ? [{ type: 'details' as const, rows: [[t('after.recording'), webUrlText(payload.recordingUrl), serialiseWebUrl(payload.recordingUrl)]] as DetailRow[] }] : []),
        { type: 'button', label: t('mail.personalButton'), url: payload.personalUrl },
      ]
      break
    case 'personal_link':
      // The webinar is over: no join details and no calendar file, only the way back to the page.
      subject = t('mail.personalLink.subject', { topic: payload.webinar.topic })
      blocks = [
        greeting,
        { type: 'p', text: t('mail.personalLink.intro') },
        { type: 'details', rows: webinarRows(t, lang, payload.webinar, false) },
        { type: 'button', label: t('mail.personalButton'), url: payload.personalUrl },
      ]
      break
  }
  blocks.push({ type: 'p', text: t('mail.signature') })
  const footer = t('mail.footer', { programme: programmeNameFor(sender.programme ?? null, lang) })
  return { subject, text: toText(blocks, footer), html: toHtml(blocks, footer, lang, subject), calendar }
}

function toText(blocks: Block[], footer: string): string {
  const parts = blocks.map((block) => {
    switch (block.type) {
      case 'p':
        return block.text
      case 'details':
        return block.rows
          .filter((row): row is [string, string, (string | null)?] => !!row[1])
          .map(([label, value]) => `${label}: ${value}`)
          .join('\n')
      case 'button':
        return `${block.label}:\n${block.url}`
    }
  })
  return `${parts.join('\n\n')}\n\n--\n${footer}\n`
}

/** A speaker's or moderator's own part: role, talk, pillar, their slots in the run-down, the technical check. */
function briefRows(t: (key: MessageKey, vars?: Vars) => string, lang: Lang, w: WebinarSnapshot, brief: BriefDetails): DetailRow[] {
  return [
    [t('mail.detail.role'), t(`role.${brief.role}`)],
    [t('mail.detail.talk'), brief.talkTitle],
    [t('mail.detail.pillar'), brief.pillar ? t(`pillar.${brief.pillar}` as MessageKey) : null],
    [t('mail.detail.slot'), brief.slots.map((s) => `${formatTime(s.at, w.timeZone, lang)} ${s.title}`).join('; ') || null],
    [t('mail.detail.techCheck'), formatDateTime(brief.techCheckAt, w.timeZone, lang)],
  ]
}

function toHtml(blocks: Block[], footer: string, lang: Lang, title: string): string {
  const body = blocks
    .map((block) => {
      switch (block.type) {
        case 'p':
          return `<p style="margin:0 0 16px${block.strong ? ';font-weight:600' : ''}">${escapeHtml(block.text).replace(LINE_BREAK, '<br>')}</p>`
        case 'details':
          return `<table role="presentation" class="details" style="border-collapse:collapse;margin:0 0 16px;width:100%">${block.rows
            .filter((row): row is [string, string, (string | null)?] => !!row[1])
            .map(
              ([label, value, href]) =>
                `<tr><th style="text-align:left;vertical-align:top;padding:4px 12px 4px 0">${escapeHtml(label)}</th><td style="padding:4px 0;overflow-wrap:anywhere;word-break:break-word">${
                  href ? `<a href="${escapeHtml(href)}" style="color:#0b5cad">${escapeHtml(value)}</a>` : escapeHtml(value)
                }</td></tr>`,
            )
            .join('')}</table>`
        case 'button':
          return `<p style="margin:0 0 16px"><a href="${escapeHtml(block.url)}" style="display:inline-block;background:#0b5cad;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600">${escapeHtml(block.label)}</a></p>`
      }
    })
    .join('\n')
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(singleLineText(title))}</title><style>${NARROW_SCREEN_CSS}</style></head><body style="margin:0;padding:16px;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1b1f24;background:#ffffff"><div style="max-width:560px;margin:0 auto">\n${body}\n<p style="margin:24px 0 0;color:#57606a;font-size:13px">${escapeHtml(footer)}</p></div></body></html>`
}
