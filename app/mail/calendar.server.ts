import { createEvent } from 'ics'
import { serialiseWebUrl } from '#app/utils/web-url'
import { multiLineText, singleLineText } from './text'

// Calendar files (RFC 5545 / 5546) come from one pure function: webinar, recipient, method and
// sequence in; text out. `ics` writes the lines; we feed it clean text and re-fold its output,
// because it folds by code point (RFC 5545 wants 75 octets) and passes a lone CR and control
// characters through. It refuses a URL it cannot write, so the URL is serialised first, and
// left out rather than failing the whole file when it is no web link at all.

export type CalendarMethod = 'REQUEST' | 'CANCEL' | 'PUBLISH'

export type CalendarInput = {
  method: CalendarMethod
  uid: string
  sequence: number
  startAt: string
  endAt: string
  summary: string
  description: string
  location: string | null
  url: string | null
  organizer: { name: string; email: string }
  /** The recipient; omitted for METHOD:PUBLISH. */
  attendee?: { name: string; email: string }
  /**
   * Whether the whole event is called off. A CANCEL that only removes its attendee (a resident
   * who withdrew, a speaker taken off) carries no STATUS: RFC 5546 §3.2.5 keeps STATUS:CANCELLED
   * for the whole event, and a calendar would take it as the webinar being cancelled.
   */
  eventCancelled?: boolean
}

/** Parameter values (CN=) may not hold DQUOTE or control characters at all. */
function cleanParam(text: string): string {
  return singleLineText(text).replace(/"/g, "'")
}

function utcMillis(iso: string): number {
  return new Date(iso).getTime()
}

export function buildCalendar(input: CalendarInput): string {
  const url = serialiseWebUrl(input.url)
  const { error, value } = createEvent({
    productId: '-//Literasi Webinar//ID',
    method: input.method,
    uid: input.uid,
    sequence: input.sequence,
    start: utcMillis(input.startAt),
    startInputType: 'utc',
    startOutputType: 'utc',
    end: utcMillis(input.endAt),
    endInputType: 'utc',
    endOutputType: 'utc',
    // Line breaks become LF, which `ics` escapes as \n; other control characters go.
    title: multiLineText(input.summary),
    description: multiLineText(input.description),
    ...(input.location ? { location: multiLineText(input.location) } : {}),
    ...(url ? { url } : {}),
    ...(input.eventCancelled ? { status: 'CANCELLED' as const } : input.method === 'CANCEL' ? {} : { status: 'CONFIRMED' as const }),
    organizer: { name: cleanParam(input.organizer.name), email: input.organizer.email },
    ...(input.attendee
      ? {
          attendees: [
            {
              name: cleanParam(input.attendee.name),
              email: input.attendee.email,
              // We ask for no replies: nothing reads them, so a "Decline" pressed in a calendar would
              // leave the seat taken. The invitation says how to cancel (the personal link).
              rsvp: false,
              partstat: 'NEEDS-ACTION',
              role: 'REQ-PARTICIPANT',
            },
          ],
        }
      : {}),
  })
  if (error || !value) throw new Error(`Calendar file could not be written: ${error?.message ?? 'no output'}`)
  return foldLines(value)
}

/** Unfolds whatever `ics` folded, then folds every line at 75 octets without splitting a character. */
export function foldLines(calendar: string): string {
  const lines = calendar.replace(/\r\n[ \t]/g, '').split('\r\n').map(unquoteEnumeratedParams)
  return lines.map(foldLine).join('\r\n')
}

/**
 * `ics` quotes every parameter value, but RFC 5545's grammar allows no quotes around ROLE and
 * PARTSTAT (they are tokens, not param-text), and strict parsers refuse them.
 */
function unquoteEnumeratedParams(line: string): string {
  if (!line.startsWith('ATTENDEE')) return line
  return line.replace(/;(ROLE|PARTSTAT|RSVP|CUTYPE)="([A-Z-]+)"(?=[;:])/g, ';$1=$2')
}

const encoder = new TextEncoder()

export function foldLine(line: string): string {
  if (encoder.encode(line).length <= 75) return line
  const parts: string[] = []
  let current = ''
  let currentOctets = 0
  let limit = 75
  for (const char of line) {
    const octets = encoder.encode(char).length
    if (currentOctets + octets > limit) {
      parts.push(current)
      current = ''
      currentOctets = 0
      // Continuation lines start with a space, which counts toward their 75 octets.
      limit = 74
    }
    current += char
    currentOctets += octets
  }
  parts.push(current)
  return parts.join('\r\n ')
}
