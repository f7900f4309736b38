import ICAL from 'ical.js'
import { personalCalendar } from '#app/mail/calendar-files.server'
import { buildCalendar } from '#app/mail/calendar.server'
import type { WebinarSnapshot } from '#app/mail/payload'
import { buildMessage, parseSender } from '#app/mail/worker.server'
import { createMailTransport } from '#app/mail/transport.server'
import { getWebinarSnapshot } from '#app/models/mail-recipients.server'
import { createPerson } from '#app/models/person.server'
import { registerParticipant } from '#app/models/registration.server'
import { addRundownItem } from '#app/models/rundown.server'
import { assignRole } from '#app/models/webinar-role.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { loader as briefCalendarLoader } from '#app/routes/brief.$token.calendar[.]ics'
import { loader as personalCalendarLoader } from '#app/routes/r.$token.calendar[.]ics'
import { loader as publicCalendarLoader } from '#app/routes/webinars.$slug.calendar[.]ics'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { PersonFormSchema } from '#app/utils/person-schema.server'
import { RegistrationSchema } from '#app/utils/registration-schema.server'
import { CreateStaffSchema } from '#app/utils/staff-schema.server'
import { emailField, optionalUrl, parseForm } from '#app/utils/validation.server'
import { WebinarPageActionSchema } from '#app/utils/webinar-actions-schema.server'
import { WebinarFormSchema } from '#app/utils/webinar-schema.server'
import { call, createUser, getRequest } from '#tests/setup/factories'
import { payloadsOfEveryKind, queueEveryKind, queuedBrief } from './__helpers/every-kind'
import { createWorker, deliverAll, parseMessage } from './__helpers/mail'

// "A mail that cannot be rendered is impossible for valid stored data": every value here is
// taken through the form's own schema, at the edge of what it accepts (longest, every ASCII
// punctuation mark, scripts beyond Latin, separators the calendar escapes, line breaks where a
// textarea allows them), and then every message kind and every calendar file must render.
// Each field gets the richest of its candidates that its form accepts today, so the test keeps
// testing the edge when a rule tightens (names, for one, must print on a certificate).

const PUNCTUATION = `!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`
const SCRIPTS = 'ꦗꦮ ᮞᮥᮔ᮪ᮓ 数字化 العربية Ελληνικά 🎉👩🏽‍💻 é'
/** Scripts a certificate's fonts draw: Latin with accents, Arabic (Jawi) and Han. */
const PRINTED_SCRIPTS = 'é ñ Ş 数字化 العربية'

/** `seed` repeated to exactly `max` UTF-16 units without splitting a character, ending in a letter. */
function fill(seed: string, max: number): string {
  let text = ''
  for (;;) {
    for (const char of seed) {
      if (text.length + char.length > max - 1) return text.padEnd(max, 'x')
      text += char
    }
  }
}

function form(fields: Record<string, string | string[]>): FormData {
  const data = new FormData()
  for (const [key, value] of Object.entries(fields)) for (const item of Array.isArray(value) ? value : [value]) data.append(key, item)
  return data
}

/** What the server's own form parsing makes of these fields; the test fails if any is refused. */
function accepted<T>(schema: Schema<T>, fields: Fields): T {
  const parsed = parseForm(schema, form(fields))
  if (!parsed.success) throw new Error(`refused: ${JSON.stringify(parsed.errors)}`)
  return parsed.data
}

type Schema<T> = Parameters<typeof parseForm<T>>[0]
type Fields = Record<string, string | string[]>

/** The first of `candidates` that the schema accepts in `field`, the other fields as in `base`. */
function richest<T>(schema: Schema<T>, base: Fields, field: string, candidates: string[]): string {
  for (const value of candidates) {
    const parsed = parseForm(schema, form({ ...base, [field]: value }))
    if (parsed.success) return value
    if (Object.keys(parsed.errors).some((key) => key !== field)) throw new Error(`refused beyond ${field}: ${JSON.stringify(parsed.errors)}`)
  }
  throw new Error(`${field}: no candidate accepted`)
}

/** Candidates for one line of text, `max` long: every script first, then what a certificate prints, then Latin. */
function lineCandidates(max: number, lead = ''): string[] {
  return [`${PUNCTUATION} ${SCRIPTS} ; , \\ `, `${PUNCTUATION} ${PRINTED_SCRIPTS} ; , \\ `, `${PUNCTUATION} Literasi ; , \\ `, "Dr. Siti O'Neil-Putri, S.Kom. "].map(
    (seed) => fill(`${lead}${seed}`, max),
  )
}

/** The longest address a form takes: labels of 63 octets, 254 in all, with the punctuation an address may hold. */
const LONGEST_EMAIL = `o'neil+webinar_2030@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(38)}.org`

const DESCRIPTIONS = [
  fill(`Paragraf ${PUNCTUATION}\t${SCRIPTS}\r\nbaris\rbaris\nbaris\u2028; , \\ `, 5000),
  fill(`Paragraf ${PUNCTUATION}\t${SCRIPTS}\r\nbaris\rbaris\nbaris; , \\ `, 5000),
  fill(`Paragraf ${PUNCTUATION} ${SCRIPTS}\r\nbaris\nbaris; , \\ `, 5000),
]
const QUERY = "AbC-._~!$&()*+,;=:@/?|^{}`[]"
const PLATFORM_URL = fill(`HTTPS://US02Web.Zoom.US/j/12345678901?pwd=${QUERY.repeat(80)}`, 1990) + "#!$&'()*+"
const LIVESTREAM_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m2s#!$&'()*+,;=:@/?|^{}[]~"

/** Every ICAL line unfolded, checked for what RFC 5545 allows: 75 octets, no control character but HTAB. */
function expectWellFormedCalendar(text: string) {
  for (const line of text.split('\r\n')) {
    expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75)
    expect(line).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]/)
  }
  const calendar = new ICAL.Component(ICAL.parse(text))
  return { calendar, event: calendar.getFirstSubcomponent('vevent')! }
}

const asLines = (text: string) => text.replace(/\r\n|[\r\n\u2028\u2029]/g, '\n')

test('every message kind and every calendar file renders for a webinar at the edges of what the forms accept', async () => {
  const db = getDb()
  const organiser = await createUser('organiser', { password: 'organiser-password-123' })
  const webinarFields: Fields = {
    topic: 'Literasi',
    pillars: ['cakap', 'etika', 'aman', 'budaya'],
    segment: 'umum',
    regency: '33.10',
    date: '2030-09-01',
    startTime: '09:00',
    endTime: '12:00',
    platformUrl: PLATFORM_URL,
    livestreamUrl: LIVESTREAM_URL,
    capacity: '1',
    attendanceThreshold: '100',
    slug: '',
  }
  const topic = richest(WebinarFormSchema, webinarFields, 'topic', lineCandidates(200, 'Literasi '))
  const description = richest(WebinarFormSchema, webinarFields, 'description', DESCRIPTIONS)
  const meetingId = richest(WebinarFormSchema, webinarFields, 'meetingId', lineCandidates(50))
  const passcode = richest(WebinarFormSchema, webinarFields, 'passcode', lineCandidates(50))
  const webinarForm = accepted(WebinarFormSchema, { ...webinarFields, topic, description, meetingId, passcode })
  // The link is stored as a browser writes it: scheme and host in lower case, nothing else changed.
  expect(webinarForm.platformUrl).toBe(PLATFORM_URL.replace('HTTPS://US02Web.Zoom.US', 'https://us02web.zoom.us'))
  const saved = await saveWebinar(db, webinarForm, { userId: organiser.id })
  if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
  const webinarId = saved.id

  const personFields = (name: string, email: string): Fields => ({ name, title: '', organisation: '', email, whatsapp: '0812-3456-7890', bio: '', lang: 'en', account: '' })
  const personName = (lead: string) => richest(PersonFormSchema, personFields('x', 'x@example.org'), 'name', lineCandidates(200, lead))
  const moderator = accepted(PersonFormSchema, personFields(personName('Dr. Dannys "Citra" '), LONGEST_EMAIL))
  const speaker = accepted(PersonFormSchema, personFields(personName('Edy '), "edy.b'udi+narasumber@example.co.id"))
  const moderatorId = await createPerson(db, moderator)
  const speakerId = await createPerson(db, speaker)
  const assignmentFields: Fields = { intent: 'assignRole', personId: speakerId, role: 'speaker', pillar: 'aman' }
  const talkTitle = richest(WebinarPageActionSchema, assignmentFields, 'talkTitle', lineCandidates(200))
  const assignment = accepted(WebinarPageActionSchema, { ...assignmentFields, talkTitle })
  if (assignment.intent !== 'assignRole') throw new Error('not an assignment')
  expect(await assignRole(db, webinarId, { personId: moderatorId, role: 'moderator', talkTitle: null, pillar: null })).toEqual({ ok: true })
  expect(await assignRole(db, webinarId, { personId: speakerId, role: 'speaker', talkTitle: assignment.talkTitle, pillar: assignment.pillar ?? null })).toEqual({ ok: true })
  const rundownFields: Fields = { intent: 'addRundown', time: '09.30', personId: speakerId }
  const rundown = accepted(WebinarPageActionSchema, { ...rundownFields, title: richest(WebinarPageActionSchema, rundownFields, 'title', lineCandidates(200)) })
  if (rundown.intent !== 'addRundown') throw new Error('not a run-down item')
  await addRundownItem(db, webinarId, { offsetMinutes: 30, title: rundown.title, personId: speakerId })
  expect(await publishWebinar(db, webinarId)).toEqual({ ok: true })

  const residentFields = (name: string, email: string): Fields => ({
    name,
    email,
    whatsapp: '+62 812 3456 7890',
    regency: '33.10',
    occupation: 'lainnya',
    ageRange: '55plus',
    consent: 'yes',
  })
  const registrations = []
  const residentName = (lead: string) => richest(RegistrationSchema, residentFields('x', 'x@example.org'), 'name', lineCandidates(100, lead))
  for (const [name, email] of [
    [residentName('Budi '), LONGEST_EMAIL],
    [residentName(`Siti "Nur" 'Aini', `), 'SITI.NUR+Webinar@Example.ORG'],
  ] as const) {
    const resident = accepted(RegistrationSchema, residentFields(name, email))
    const result = await registerParticipant(db, webinarId, { ...resident, regencyCode: resident.regency, lang: 'id' })
    if (!result.ok) throw new Error(result.reason)
    registrations.push({ ...resident, token: result.token, status: result.status })
  }
  // One seat: the second is on the waitlist.
  expect(registrations.map((r) => r.status)).toEqual(['registered', 'waitlisted'])
  const staffFields: Fields = { email: 'staf+baru@example.org', role: 'speaker' }
  const staff = accepted(CreateStaffSchema, { ...staffFields, name: richest(CreateStaffSchema, staffFields, 'name', lineCandidates(200)) })

  await queueEveryKind(webinarId, [
    ...registrations.map((r) => ({ email: r.email, name: r.name, personalUrl: `${getEnv().APP_URL}/r/${r.token}` })),
    { email: moderator.email!, name: moderator.name, personalUrl: `${getEnv().APP_URL}/brief/token` },
    { email: staff.email, name: staff.name, personalUrl: `${getEnv().APP_URL}/set-password/token` },
  ])

  const transport = createMailTransport(undefined)
  try {
    const { failed } = await deliverAll(createWorker(transport))
    expect(failed).toBe(0)
  } finally {
    transport.close()
  }
  const rows = await db.selectFrom('outbox').select(['kind', 'state', 'last_error', 'raw', 'recipient_email', 'recipient_name']).where('webinar_id', '=', webinarId).execute()
  expect(rows.length).toBeGreaterThan(4 * 2 * 12)
  expect(rows.filter((r) => r.state !== 'sent').map((r) => [r.kind, r.last_error])).toEqual([])

  const stored = (await getWebinarSnapshot(db, webinarId))!
  for (const row of rows) {
    const { mail, calendar } = await parseMessage(row.raw!)
    expect(mail.subject).not.toMatch(/[\r\n]/)
    if (row.kind !== 'staff_invitation') {
      expect(mail.subject).toContain(topic)
      expect(mail.text).toContain(topic)
    }
    if (['participant_invitation', 'reminder_day', 'speaker_brief'].includes(row.kind)) {
      expect(mail.text).toContain(stored.platformUrl)
      expect(mail.text).toContain(stored.meetingId)
      expect(mail.text).toContain(stored.passcode)
      expect(mail.text).toContain(stored.livestreamUrl)
    }
    if (!calendar) continue
    const { event } = expectWellFormedCalendar(calendar.text)
    expect(calendar.mimeMethod).toBe(calendar.calendar.getFirstPropertyValue('method'))
    expect(event.getFirstPropertyValue('summary')).toBe(topic)
    const attendee = event.getFirstProperty('attendee')!
    expect(String(attendee.getFirstValue())).toBe(`mailto:${row.recipient_email}`)
    expect(attendee.getParameter('cn')).toBe(row.recipient_name.replace(/"/g, "'"))
    if (calendar.mimeMethod === 'REQUEST') expect(event.getFirstPropertyValue('url')).toBe(stored.platformUrl)
  }

  // The calendar files served over HTTP: the public one, a resident's own and a speaker's own.
  const publicFile = await call(publicCalendarLoader, getRequest(`/webinars/${saved.slug}/calendar.ics`), { slug: saved.slug })
  expect(publicFile.status).toBe(200)
  const { event: publicEvent } = expectWellFormedCalendar(await publicFile.text())
  expect(publicEvent.getFirstPropertyValue('summary')).toBe(topic)
  expect(publicEvent.getFirstPropertyValue('description')).toBe(`${asLines(description)}\n\n${getEnv().APP_URL}/webinars/${saved.slug}`)

  const personalFile = await call(personalCalendarLoader, getRequest(`/r/${registrations[0]!.token}/calendar.ics`), { token: registrations[0]!.token })
  expect(personalFile.status).toBe(200)
  const { event: personalEvent } = expectWellFormedCalendar(await personalFile.text())
  expect(personalEvent.getFirstPropertyValue('url')).toBe(stored.platformUrl)
  expect(String(personalEvent.getFirstProperty('attendee')!.getFirstValue())).toBe(`mailto:${LONGEST_EMAIL}`)

  const { brief } = await queuedBrief(webinarId)
  const briefToken = brief.briefUrl.split('/brief/')[1]!
  const briefFile = await call(briefCalendarLoader, getRequest(`/brief/${briefToken}/calendar.ics`), { token: briefToken })
  expect(briefFile.status).toBe(200)
  expect(expectWellFormedCalendar(await briefFile.text()).event.getFirstPropertyValue('summary')).toBe(topic)
})

// Links and addresses that are easy to type or paste. Whichever of them a form accepts must
// render: every message kind, with and without a calendar part, and a person's own calendar file.
const LINKS = [
  'https://zoom.us/j/123 456',
  'https://zoom.us/j/123\t456',
  'https://zoom.us/j/123\u00a0456',
  'https://zoom.us/j/123\u200b456',
  'https://zoom.us/j/123\u3000456',
  'https://zoom.us/j/1\u2028x',
  'https://zoom.us/j/1\u0000x',
  'https://zoom.us/j/1\u007fx',
  'https://zoom.us/j/1\u0085x',
  'https://zoom.us/j/1\u202ex',
  'https:\\\\zoom.us\\j\\1',
  'https://Zoom.US/j/1',
  'HTTPS://ZOOM.US/J/1',
  'https://zoom.us',
  'https://zoom.us?pwd=1',
  'https://zoom.us:443/j/1',
  'https://zoom.us:8/j/1',
  'https://zoom.us:8443/j/1',
  'https://a_b.zoom.us/j/1',
  'https://-a.zoom.us/j/1',
  'https://zoom.us./j/1',
  'https://zoom..us/j/1',
  'https://zo%6fm.us/j/1',
  'http://1.2.3/j/1',
  'http://192.168.1.10/j/1',
  'http://[::1]/j/1',
  'https://user:pass@zoom.us/j/1',
  'https://zoom.us@evil.example/j/1',
  'https://bücher.example/j/1',
  'https://ｚｏｏｍ.us/j/1',
  'https://zoom.us/j/ñ',
  'https://zoom.us/j/1?q=ñ',
  'https://zoom.us/j/1?q="x"',
  "https://zoom.us/j/1?q='x'",
  'https://zoom.us/j/1#"x"',
  'https://zoom.us/a/../j/1',
  `https://zoom.us/j/1?a=${QUERY}#${QUERY}`,
  'https://zoom.us/j/%20',
  'https:zoom.us/j/1',
  'https:/zoom.us/j/1',
  'ftp://zoom.us/j/1',
  'javascript:alert(1)//zoom.us',
  'https://localhost/j/1',
  `https://${'a'.repeat(64)}.us/j/1`,
  `https://zoom.us/${'x'.repeat(1980)}`,
]
const ADDRESSES = [
  'budi@a-.example.org',
  `budi@${'a'.repeat(64)}.org`,
  LONGEST_EMAIL,
  "o'neil+tag_1@example.co.id",
  'BUDI@Example.ORG',
  'a..b@example.org',
  'budi@example.org.',
  'budi@-a.example.org',
]

test('every link and address a form accepts renders in every message kind and calendar file', async () => {
  const organiser = await createUser('organiser', { password: 'organiser-password-123' })
  const saved = await saveWebinar(getDb(), accepted(WebinarFormSchema, { topic: 'Tautan', segment: 'umum', regency: '33.10', date: '2030-09-01', startTime: '09:00', endTime: '12:00', capacity: '10' }), { userId: organiser.id })
  if (!saved.ok) throw new Error('not saved')
  const base = (await getWebinarSnapshot(getDb(), saved.id))!
  const brief = { role: 'speaker' as const, talkTitle: 'Materi', pillar: 'aman', slots: [], moderator: null, speakers: [], techCheckAt: base.startAt, briefUrl: 'http://localhost:3000/brief/x' }
  const sender = parseSender(getEnv().MAIL_FROM)
  const render = (webinar: WebinarSnapshot, to: { email: string; name: string }) => {
    for (const payload of payloadsOfEveryKind(webinar, brief, 'http://localhost:3000/r/x')) {
      const message = buildMessage({ payload: JSON.stringify(payload), recipient_email: to.email, recipient_name: to.name, lang: 'id', message_id: '<x@literasi-webinar>' }, sender, getEnv().MAIL_FROM)
      const ics = message.icalEvent as { content: string } | undefined
      if (ics) expectWellFormedCalendar(ics.content)
    }
  }

  let acceptedLinks = 0
  for (const link of LINKS) {
    const parsed = optionalUrl.safeParse(link)
    if (!parsed.success || parsed.data === null) continue
    acceptedLinks++
    const url = parsed.data
    const webinar: WebinarSnapshot = { ...base, platformUrl: url, livestreamUrl: url }
    expect(() => render(webinar, { email: 'budi@example.org', name: 'Budi' }), link).not.toThrow()
    const { event } = expectWellFormedCalendar(
      buildCalendar({ method: 'REQUEST', uid: 'x@y', sequence: 0, startAt: base.startAt, endAt: base.endAt, summary: 'x', description: url, location: url, url, organizer: sender, attendee: { name: 'Budi', email: 'budi@example.org' } }),
    )
    // What was accepted is what the calendar file links to, byte for byte.
    expect(event.getFirstPropertyValue('url'), link).toBe(url)
    const own = personalCalendar({ topic: 'x', status: 'published', start_at: base.startAt, end_at: base.endAt, calendar_uid: 'x@y', calendar_sequence: 0, platform_url: url }, { name: 'Budi', email: 'budi@example.org', lang: 'id' })
    expect(expectWellFormedCalendar(own.content).event.getFirstPropertyValue('url'), link).toBe(url)
  }
  // The plain links among them are accepted, so the loop above tested something.
  expect(acceptedLinks).toBeGreaterThanOrEqual(8)

  let acceptedAddresses = 0
  for (const address of ADDRESSES) {
    const parsed = emailField.safeParse(address)
    if (!parsed.success) continue
    acceptedAddresses++
    expect(() => render(base, { email: parsed.data, name: 'Budi' }), address).not.toThrow()
  }
  expect(acceptedAddresses).toBeGreaterThanOrEqual(3)
})
