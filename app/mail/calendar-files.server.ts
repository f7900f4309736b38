import type { Lang, WebinarStatus } from '#db/schema'
import { translate } from '#app/i18n'
import { getEnv } from '#app/utils/env.server'
import { webUrlText } from '#app/utils/web-url'
import { buildCalendar, type CalendarMethod } from './calendar.server'
import { parseSender } from './worker.server'

// Calendar files served over HTTP rather than attached to a message: a speaker's own copy from
// their brief page, and the public one on a webinar's page. Same UID and SEQUENCE as the e-mails,
// so a calendar that already holds the event updates it instead of adding a second one.

export type CalendarFile = { method: CalendarMethod; content: string }

type CalendarWebinar = {
  topic: string
  status: WebinarStatus
  start_at: string
  end_at: string
  calendar_uid: string
  calendar_sequence: number
}

/**
 * A person's own copy (a speaker from their brief page, a resident from their personal page):
 * METHOD:REQUEST naming them as ATTENDEE, written in their e-mail language like their mail was.
 * A CANCEL once the webinar is cancelled or the person withdrew, without the join link. A
 * withdrawal raised the webinar's stored SEQUENCE when it happened (see raiseCalendarSequence),
 * so the stored value is already above the invitation it cancels; it carries no STATUS, since
 * only this attendee leaves the event.
 */
export function personalCalendar(
  webinar: CalendarWebinar & { platform_url: string | null },
  person: { name: string; email: string | null; lang: Lang },
  options: { withdrawn?: boolean } = {},
): CalendarFile {
  const webinarCancelled = webinar.status === 'cancelled'
  const cancelled = webinarCancelled || !!options.withdrawn
  const method: CalendarMethod = cancelled ? 'CANCEL' : person.email ? 'REQUEST' : 'PUBLISH'
  const joinUrl = cancelled ? null : webUrlText(webinar.platform_url)
  const joinLine = joinUrl ? `${translate(person.lang, 'mail.detail.join')}: ${joinUrl}` : ''
  return {
    method,
    content: buildCalendar({
      method,
      uid: webinar.calendar_uid,
      sequence: webinar.calendar_sequence,
      eventCancelled: webinarCancelled,
      startAt: webinar.start_at,
      endAt: webinar.end_at,
      summary: webinar.topic,
      description: [webinar.topic, joinLine].filter(Boolean).join('\n'),
      location: joinUrl,
      url: joinUrl,
      organizer: parseSender(getEnv().MAIL_FROM),
      ...(person.email ? { attendee: { name: person.name, email: person.email } } : {}),
    }),
  }
}

/**
 * The public file: METHOD:PUBLISH, no ATTENDEE and no join link (that is for registered people
 * only); its URL is the webinar's public page. Once the webinar is cancelled it is still served,
 * with STATUS:CANCELLED and the SEQUENCE the cancellation raised, so a calendar that added it
 * from the public page learns of the cancellation instead of meeting a 404.
 */
export function publicCalendar(webinar: CalendarWebinar & { slug: string; description: string }): CalendarFile {
  const pageUrl = `${getEnv().APP_URL}/webinars/${webinar.slug}`
  return {
    method: 'PUBLISH',
    content: buildCalendar({
      method: 'PUBLISH',
      uid: webinar.calendar_uid,
      sequence: webinar.calendar_sequence,
      eventCancelled: webinar.status === 'cancelled',
      startAt: webinar.start_at,
      endAt: webinar.end_at,
      summary: webinar.topic,
      description: [webinar.description, pageUrl].filter(Boolean).join('\n\n'),
      location: pageUrl,
      url: pageUrl,
      organizer: parseSender(getEnv().MAIL_FROM),
    }),
  }
}

/** A download whose Content-Type carries the METHOD inside the file, as RFC 6047 asks. */
export function calendarResponse(file: CalendarFile, filename: string, cacheControl = 'private, no-store'): Response {
  return new Response(file.content, {
    headers: {
      'Content-Type': `text/calendar; charset=utf-8; method=${file.method}`,
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Cache-Control': cacheControl,
    },
  })
}
