import { cancelRegistration } from '#app/models/registration.server'
import { assignRole, removeRole } from '#app/models/webinar-role.server'
import { cancelWebinar, saveWebinar } from '#app/models/webinar.server'
import { loader as personalCalendarLoader } from '#app/routes/r.$token.calendar[.]ics'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { call, createPersonFor, getRequest, publishedWebinar, register, webinarForm } from '#tests/setup/factories'
import ICAL from 'ical.js'
import { deliverAll, parseMessage, smtpWorker, type ParsedMessage } from './__helpers/mail'
import { startSmtpSink, type SmtpSink } from './__helpers/smtp-sink'

// Calendar semantics through a real SMTP server, read back with mailparser and ical.js: what a
// calendar does with each message depends on METHOD, STATUS and SEQUENCE for that recipient.

let sink: SmtpSink
let mailer: ReturnType<typeof smtpWorker>
const db = getDb()

beforeAll(async () => {
  sink = await startSmtpSink()
  mailer = smtpWorker(sink.url)
})

afterAll(async () => {
  mailer.transport.close()
  await sink.stop()
})

/** Delivers what is queued, then returns what `email` received from `fromIndex` on, parsed. */
async function deliveredTo(email: string, fromIndex: number): Promise<ParsedMessage[]> {
  await deliverAll(mailer.worker)
  const mine = sink.messages.slice(fromIndex).filter((m) => m.envelope.rcptTo.includes(email))
  return Promise.all(mine.map((m) => parseMessage(m.raw)))
}

function only(messages: ParsedMessage[]): ParsedMessage {
  expect(messages).toHaveLength(1)
  return messages[0]!
}

function sequenceOf(message: ParsedMessage): number {
  return Number(message.calendar!.event.getFirstPropertyValue('sequence'))
}

function expectPartialCancel(message: ParsedMessage, uid: string) {
  const cal = message.calendar!
  expect(cal, 'the message carries a calendar part').not.toBeNull()
  expect(cal.mimeMethod).toBe('CANCEL')
  expect(cal.calendar.getFirstPropertyValue('method')).toBe('CANCEL')
  expect(cal.event.getFirstPropertyValue('uid')).toBe(uid)
  // RFC 5546 §3.2.5: a CANCEL that removes some attendees carries no STATUS.
  expect(cal.event.getFirstProperty('status')).toBeNull()
  expect(cal.lines.some((line) => line.startsWith('STATUS'))).toBe(false)
}

function expectRequest(message: ParsedMessage, uid: string) {
  const cal = message.calendar!
  expect(cal, 'the message carries a calendar part').not.toBeNull()
  expect(cal.mimeMethod).toBe('REQUEST')
  expect(cal.calendar.getFirstPropertyValue('method')).toBe('REQUEST')
  expect(cal.event.getFirstPropertyValue('uid')).toBe(uid)
  expect(cal.event.getFirstPropertyValue('status')).toBe('CONFIRMED')
  const attendee = cal.event.getFirstProperty('attendee')!
  expect(attendee.getParameter('rsvp')).toBe('FALSE')
  const line = cal.lines.find((l) => l.startsWith('ATTENDEE'))!
  expect(line).toMatch(/;ROLE=REQ-PARTICIPANT[;:]/)
  expect(line).toMatch(/;PARTSTAT=NEEDS-ACTION[;:]/)
}

async function calendarUid(webinarId: string) {
  return (await db.selectFrom('webinars').select('calendar_uid').where('id', '=', webinarId).executeTakeFirstOrThrow()).calendar_uid
}

test('a resident who withdraws and registers again: a CANCEL without STATUS, then an invitation whose SEQUENCE is higher still', async () => {
  const webinar = await publishedWebinar({ topic: 'Cerdas Bermedia Sosial' })
  const uid = await calendarUid(webinar.id)
  let from = sink.messages.length
  const first = await register(webinar.id)
  const invitation = only(await deliveredTo(first.email, from))
  expectRequest(invitation, uid)
  // No replies are asked for (RSVP=FALSE): the invitation says that, and how to cancel instead.
  expect(invitation.mail.text).toContain('Jawaban Ya/Tidak dari kalender tidak kami terima; untuk membatalkan atau mengonfirmasi, gunakan tautan pribadi Anda di atas.')

  from = sink.messages.length
  expect(await cancelRegistration(db, first.token)).toBe(true)
  const cancel = only(await deliveredTo(first.email, from))
  expectPartialCancel(cancel, uid)
  expect(sequenceOf(cancel)).toBeGreaterThan(sequenceOf(invitation))

  // Their own calendar file after the withdrawal says the same: CANCEL, no STATUS, no lower SEQUENCE.
  const file = await call(personalCalendarLoader, getRequest(`/r/${first.token}/calendar.ics`), { token: first.token })
  expect(file.status).toBe(200)
  const fileCalendar = new ICAL.Component(ICAL.parse(await file.text()))
  expect(fileCalendar.getFirstPropertyValue('method')).toBe('CANCEL')
  const fileEvent = fileCalendar.getFirstSubcomponent('vevent')!
  expect(fileEvent.getFirstProperty('status')).toBeNull()
  expect(Number(fileEvent.getFirstPropertyValue('sequence'))).toBeGreaterThanOrEqual(sequenceOf(cancel))

  from = sink.messages.length
  const again = await register(webinar.id, { email: first.email, name: first.name })
  expect(again.status).toBe('registered')
  const reinvitation = only(await deliveredTo(first.email, from))
  expectRequest(reinvitation, uid)
  expect(sequenceOf(reinvitation)).toBeGreaterThan(sequenceOf(cancel))
})

test('a speaker removed and assigned again: a CANCEL without STATUS, then a brief whose SEQUENCE is higher still', async () => {
  const webinar = await publishedWebinar({ topic: 'Etika Digital di Sekolah' })
  const uid = await calendarUid(webinar.id)
  const email = `narasumber.kembali.${Date.now()}@example.org`
  const personId = await createPersonFor('Narasumber Kembali', { email })
  const assign = () => assignRole(db, webinar.id, { personId, role: 'speaker', talkTitle: 'Hoaks', pillar: 'etika' })
  const roleOf = async () =>
    (await db.selectFrom('webinar_roles').select('id').where('webinar_id', '=', webinar.id).where('person_id', '=', personId).executeTakeFirstOrThrow()).id

  let from = sink.messages.length
  expect(await assign()).toEqual({ ok: true })
  const brief = only(await deliveredTo(email, from))
  expectRequest(brief, uid)

  from = sink.messages.length
  expect(await removeRole(db, webinar.id, await roleOf())).toBe(true)
  const cancel = only(await deliveredTo(email, from))
  expectPartialCancel(cancel, uid)
  expect(sequenceOf(cancel)).toBeGreaterThan(sequenceOf(brief))
  // The webinar goes ahead: the message says they were taken off, not that it was cancelled.
  expect(cancel.mail.subject).toBe('Tugas dibatalkan: Etika Digital di Sekolah')

  from = sink.messages.length
  expect(await assign()).toEqual({ ok: true })
  const again = only(await deliveredTo(email, from))
  expectRequest(again, uid)
  expect(sequenceOf(again)).toBeGreaterThan(sequenceOf(cancel))
})

test('a reschedule and a cancellation with a waitlist: seat holders get the join link and calendar; no join detail or calendar file reaches a waitlisted person in any part of any message', async () => {
  const join = {
    platformUrl: 'https://zoom.us/j/98765432101?pwd=RuangRahasia77',
    meetingId: '987 6543 2101',
    passcode: 'Kode-Unik-5531',
    livestreamUrl: 'https://www.youtube.com/watch?v=SiaranUnik42',
  }
  const form = webinarForm({ topic: 'Literasi Keuangan Digital', capacity: 1, ...join })
  const webinar = await publishedWebinar(form)
  const uid = await calendarUid(webinar.id)
  const start = sink.messages.length
  const seated = await register(webinar.id)
  const waiting = await register(webinar.id)
  expect([seated.status, waiting.status]).toEqual(['registered', 'waitlisted'])
  await deliverAll(mailer.worker)

  const beforeUpdate = sink.messages.length
  const saved = await saveWebinar(db, { ...form, date: '2030-03-05', startTime: '13:00', endTime: '15:00' }, { webinarId: webinar.id, userId: webinar.organiser.id })
  expect(saved.ok).toBe(true)

  const forWaitingSoFar = await deliveredTo(waiting.email, start)
  expect(forWaitingSoFar.map((m) => m.mail.subject)).toEqual(['Daftar tunggu: Literasi Keuangan Digital', 'Perubahan jadwal: Literasi Keuangan Digital'])
  const notice = forWaitingSoFar[1]!
  expect(notice.mail.text).toMatch(/Jadwal berubah: .+ → .+/)
  expect(notice.mail.text).toContain('daftar tunggu')

  // The seat holder's update: what changed at the top, the join link as a link and a button, a REQUEST.
  const update = only(await deliveredTo(seated.email, beforeUpdate))
  expectRequest(update, uid)
  expect(update.mail.text).toMatch(/^Halo [^\n]+,\n\nJadwal berubah: [^\n]+ → [^\n]+\n/)
  expect(String(update.mail.html)).toContain(`<a href="${join.platformUrl}"`)
  expect(String(update.mail.html)).toContain('Bergabung ke webinar</a>')

  // Someone else on the waitlist leaves it; then the webinar is called off.
  const leaving = await register(webinar.id)
  expect(leaving.status).toBe('waitlisted')
  // Delivered before the withdrawal is queued: messages queued together go out in no set order.
  await deliverAll(mailer.worker)
  expect(await cancelRegistration(db, leaving.token)).toBe(true)
  const beforeCancel = sink.messages.length
  expect(await cancelWebinar(db, webinar.id, '2030-01-01T00:00:00.000Z')).toEqual({ ok: true })
  const seatCancel = only(await deliveredTo(seated.email, beforeCancel))
  expect(seatCancel.calendar!.mimeMethod).toBe('CANCEL')
  expect(seatCancel.calendar!.event.getFirstPropertyValue('status')).toBe('CANCELLED')

  const forWaiting = await deliveredTo(waiting.email, start)
  expect(forWaiting.map((m) => m.mail.subject)).toEqual([
    'Daftar tunggu: Literasi Keuangan Digital',
    'Perubahan jadwal: Literasi Keuangan Digital',
    'Dibatalkan: Literasi Keuangan Digital',
  ])
  const forLeaving = await deliveredTo(leaving.email, start)
  expect(forLeaving.map((m) => m.mail.subject)).toEqual(['Daftar tunggu: Literasi Keuangan Digital', 'Pendaftaran dibatalkan: Literasi Keuangan Digital'])
  const toWaitlisted = (email: string) => sink.messages.slice(start).filter((m) => m.envelope.rcptTo.includes(email))
  const raws = [...toWaitlisted(waiting.email), ...toWaitlisted(leaving.email)]
  for (const [i, message] of [...forWaiting, ...forLeaving].entries()) {
    const parts = [
      message.mail.text ?? '',
      String(message.mail.html),
      ...message.mail.attachments.map((a) => a.content.toString('utf8')),
      raws[i]!.raw.toString(),
    ]
    for (const part of parts) {
      for (const secret of ['98765432101', 'RuangRahasia77', '987 6543 2101', 'Kode-Unik-5531', 'SiaranUnik42']) {
        expect(part, `${message.mail.subject}: ${secret}`).not.toContain(secret)
      }
    }
    // No calendar invitation: a waitlisted person holds no seat to put in a calendar.
    expect(message.calendar, message.mail.subject).toBeNull()
    expect(message.mail.attachments).toHaveLength(0)
    // Nor a sentence about an attached calendar invitation that is not there.
    expect(message.mail.text, message.mail.subject).not.toContain('kalender terlampir')
  }
})

test('every message names its Message-ID in the sender’s own domain', async () => {
  const from = sink.messages.length
  const webinar = await publishedWebinar({ topic: 'Keamanan Digital' })
  expect(webinar.id).toBeTruthy()
  await deliverAll(mailer.worker)
  const domain = /@([^>\s]+)>?\s*$/.exec(getEnv().MAIL_FROM)![1]!
  const delivered = await Promise.all(sink.messages.slice(from).map((m) => parseMessage(m.raw)))
  expect(delivered.length).toBeGreaterThan(0)
  for (const message of delivered) expect(message.mail.messageId).toMatch(new RegExp(`@${domain.replace(/\./g, '\\.')}>$`))
})
