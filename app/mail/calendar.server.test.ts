import ICAL from 'ical.js'
import { buildCalendar, foldLine, type CalendarInput } from './calendar.server'

const base: CalendarInput = {
  method: 'REQUEST',
  uid: 'webinar-1@literasi-webinar',
  sequence: 0,
  startAt: '2021-09-01T02:00:00.000Z',
  endAt: '2021-09-01T05:00:00.000Z',
  summary: 'Tata Kelola Pelayanan Publik Berbasis Digital',
  description: 'Webinar Literasi Digital',
  location: 'https://zoom.us/j/123',
  url: 'https://webinar.example.org/webinars/tata-kelola',
  organizer: { name: 'Literasi Digital', email: 'literasi@example.org' },
  attendee: { name: 'Budi Santoso', email: 'budi@example.org' },
}

function parse(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text))
  const event = calendar.getFirstSubcomponent('vevent')!
  return { calendar, event }
}

/** Tests unfold before they assert, as a calendar client does. */
function unfolded(text: string): string[] {
  return text.replace(/\r\n[ \t]/g, '').split('\r\n')
}

test('an invitation is METHOD:REQUEST with the stored UID, SEQUENCE, UTC times, organiser and attendee', () => {
  const text = buildCalendar({ ...base, sequence: 3 })
  const { calendar, event } = parse(text)
  expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST')
  expect(event.getFirstPropertyValue('uid')).toBe('webinar-1@literasi-webinar')
  expect(event.getFirstPropertyValue('sequence')).toBe(3)
  expect(event.getFirstPropertyValue('status')).toBe('CONFIRMED')
  expect(unfolded(text)).toContain('DTSTART:20210901T020000Z')
  expect(unfolded(text)).toContain('DTEND:20210901T050000Z')
  expect(String(event.getFirstPropertyValue('organizer')).toLowerCase()).toBe('mailto:literasi@example.org')
  const attendee = event.getFirstProperty('attendee')!
  expect(String(attendee.getFirstValue()).toLowerCase()).toBe('mailto:budi@example.org')
  // No replies asked for: nothing reads them (README, Mail).
  expect(attendee.getParameter('rsvp')).toBe('FALSE')
  expect(attendee.getParameter('cn')).toBe('Budi Santoso')
  // ROLE and PARTSTAT are tokens in RFC 5545's grammar: never quoted.
  const attendeeLine = unfolded(text).find((line) => line.startsWith('ATTENDEE'))!
  expect(attendeeLine).toContain(';ROLE=REQ-PARTICIPANT;')
  expect(attendeeLine).toContain(';PARTSTAT=NEEDS-ACTION;')
  expect(attendeeLine).not.toMatch(/(ROLE|PARTSTAT|RSVP)="/)
})

test('one attendee taken off is a METHOD:CANCEL without STATUS (RFC 5546 §3.2.5), with the same UID', () => {
  const { calendar, event } = parse(buildCalendar({ ...base, method: 'CANCEL', sequence: 2 }))
  expect(calendar.getFirstPropertyValue('method')).toBe('CANCEL')
  expect(event.getFirstProperty('status')).toBeNull()
  expect(event.getFirstPropertyValue('uid')).toBe(base.uid)
  expect(event.getFirstPropertyValue('sequence')).toBe(2)
})

test('the whole webinar called off is a METHOD:CANCEL with STATUS:CANCELLED and the same UID', () => {
  const { calendar, event } = parse(buildCalendar({ ...base, method: 'CANCEL', sequence: 2, eventCancelled: true }))
  expect(calendar.getFirstPropertyValue('method')).toBe('CANCEL')
  expect(event.getFirstPropertyValue('status')).toBe('CANCELLED')
  expect(event.getFirstPropertyValue('uid')).toBe(base.uid)
  expect(event.getFirstPropertyValue('sequence')).toBe(2)
})

test('a public file is METHOD:PUBLISH without an attendee', () => {
  const { calendar, event } = parse(buildCalendar({ ...base, method: 'PUBLISH', attendee: undefined }))
  expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH')
  expect(event.getFirstProperty('attendee')).toBeNull()
})

test('hostile text survives: quotes, separators, emoji, CJK, CR/LF, a lone CR and HTML', () => {
  const summary = 'Tata "Kelola"; a, b: c \\ 🎉 数字 <b>tebal</b>\r\nbaris dua\rbaris tiga'
  const name = 'Budi; "Si Jago", S.Kom\r\nX'
  const text = buildCalendar({ ...base, summary, description: summary, attendee: { name, email: 'budi@example.org' } })
  for (const line of text.split('\r\n')) {
    expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75)
    expect(line).not.toMatch(/\r|\n/)
  }
  const { event } = parse(text)
  expect(event.getFirstPropertyValue('summary')).toBe('Tata "Kelola"; a, b: c \\ 🎉 数字 <b>tebal</b>\nbaris dua\nbaris tiga')
  expect(event.getFirstProperty('attendee')!.getParameter('cn')).toBe("Budi; 'Si Jago', S.Kom X")
})

test('lines fold at 75 octets and never split a multi-byte character', () => {
  const line = `DESCRIPTION:${'é'.repeat(100)}数字🎉`
  const folded = foldLine(line).split('\r\n')
  for (const part of folded) expect(new TextEncoder().encode(part).length).toBeLessThanOrEqual(75)
  expect(folded.slice(1).every((part) => part.startsWith(' '))).toBe(true)
  expect(folded.map((part, i) => (i === 0 ? part : part.slice(1))).join('')).toBe(line)
})

test('a stored URL is written as a browser sends it; one that is no web link is left out, not a failed file', () => {
  const spaced = parse(buildCalendar({ ...base, url: 'https://zoom.us/j/123 456' })).event
  expect(spaced.getFirstPropertyValue('url')).toBe('https://zoom.us/j/123%20456')
  for (const url of ['https://zoom .us/j/1', 'javascript:alert(1)', 'https://meet_room.example.org/j/1']) {
    const { event } = parse(buildCalendar({ ...base, url }))
    expect(event.getFirstProperty('url'), url).toBeNull()
    expect(event.getFirstPropertyValue('summary')).toBe(base.summary)
  }
})

test('U+2028 and U+2029 are line breaks; other control characters are dropped, from text and from CN', () => {
  const text = buildCalendar({
    ...base,
    summary: 'satu\u2028dua\u2029tiga\u0000\u0007\u007f\u0085!',
    attendee: { name: 'Budi\u2028Santoso\u0000', email: 'budi@example.org' },
  })
  for (const line of text.split('\r\n')) expect(line).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]/)
  const { event } = parse(text)
  expect(event.getFirstPropertyValue('summary')).toBe('satu\ndua\ntiga!')
  expect(event.getFirstProperty('attendee')!.getParameter('cn')).toBe('Budi Santoso')
})

test('an invitation written from the shared event is the file ics writes for that recipient, but for DTSTAMP', () => {
  const withoutStamp = (text: string) => unfolded(text).filter((line) => !line.startsWith('DTSTAMP:'))
  const recipients = [
    { name: 'Budi Santoso', email: 'budi@example.org' },
    { name: 'Siti "Ani" Rahmawati; Jl. Merdeka, No. 1: Klaten', email: 'siti.ani+webinar@sekolah.sch.id' },
    { name: 'عبد الله بن محمد 王小明 Nguyễn 🎓', email: 'abdullah_99@mail.example.co.id' },
    { name: 'A'.repeat(300), email: 'a.b-c@x-y.example' },
    { name: 'Tab\tand\nnewline', email: 'tab@example.org' },
    { name: 'Back\\slash', email: 'back@example.org' },
    { name: '   ', email: 'blank@example.org' },
    { name: 'Pak Joko', email: 'not-an-email' },
  ]
  for (const method of ['REQUEST', 'CANCEL'] as const) {
    for (const attendee of recipients) {
      const input = { ...base, method, attendee }
      let direct: string | Error
      try {
        direct = buildCalendar(input, { cache: false })
      } catch (error) {
        direct = error as Error
      }
      if (direct instanceof Error) {
        expect(() => buildCalendar(input)).toThrow(direct.message)
        continue
      }
      const shared = buildCalendar(input)
      expect(withoutStamp(shared)).toEqual(withoutStamp(direct))
      expect(unfolded(shared).filter((line) => line.startsWith('DTSTAMP:'))).toHaveLength(1)
      for (const line of shared.split('\r\n')) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75)
    }
  }
})
