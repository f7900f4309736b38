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

/** The event as `ics` writes it, unfolded. */
function writeCalendar(input: CalendarInput): string {
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
  return unfold(value)
}

export function buildCalendar(input: CalendarInput, options: { cache?: boolean } = {}): string {
  const fast = options.cache !== false && input.attendee ? fromSharedEvent(input, input.attendee) : null
  return foldLines(fast ?? writeCalendar(input))
}

/**
 * A mail run sends one webinar's invitation to thousands of people, and the files differ only in
 * the ATTENDEE line and DTSTAMP. `ics` validates every event against its schema, which cost more
 * CPU than the rest of the message, so the event is written once per webinar with a placeholder
 * attendee and each recipient's name and address are put in its place. Only plain addresses and
 * names take this path; anything else is written (and validated) by `ics` in full, and a test
 * checks that both paths write the same file.
 */
const PLACEHOLDER = { name: 'x-attendee-placeholder', email: 'x-attendee-placeholder@example.invalid' }
const PLAIN_EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/
const SHARED_EVENTS_KEPT = 64
const sharedEvents = new Map<string, string>()

function fromSharedEvent(input: CalendarInput, attendee: { name: string; email: string }): string | null {
  const name = cleanParam(attendee.name)
  if (!PLAIN_EMAIL.test(attendee.email) || name.trim() === '' || name.includes('\\')) return null
  const key = JSON.stringify({ ...input, attendee: null })
  let shared = sharedEvents.get(key)
  if (shared === undefined) {
    shared = writeCalendar({ ...input, attendee: PLACEHOLDER })
    if (sharedEvents.size >= SHARED_EVENTS_KEPT) sharedEvents.delete(sharedEvents.keys().next().value!)
    sharedEvents.set(key, shared)
  }
  const placeholderLine = `CN="${PLACEHOLDER.name}":mailto:${PLACEHOLDER.email}`
  if (shared.split(placeholderLine).length !== 2 || !DTSTAMP_LINE.test(shared)) return null
  return shared
    .replace(placeholderLine, () => `CN="${name}":mailto:${attendee.email}`)
    .replace(DTSTAMP_LINE, () => `DTSTAMP:${new Date().toISOString().replace(/[-:]|\.\d{3}/g, '')}`)
}

const DTSTAMP_LINE = /^DTSTAMP:\d{8}T\d{6}Z(?=\r$)/m

function unfold(calendar: string): string {
  return calendar.replace(/\r\n[ \t]/g, '')
}

/** Unfolds whatever `ics` folded, then folds every line at 75 octets without splitting a character. */
export function foldLines(calendar: string): string {
  const lines = unfold(calendar).split('\r\n').map(unquoteEnumeratedParams)
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

/** UTF-8 octets of one code point. */
function octetsOf(char: string): number {
  const code = char.codePointAt(0)!
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4
}

export function foldLine(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= 75) return line
  const parts: string[] = []
  let current = ''
  let currentOctets = 0
  let limit = 75
  for (const char of line) {
    const octets = octetsOf(char)
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
