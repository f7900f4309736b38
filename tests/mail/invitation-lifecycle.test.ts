import { addRundownItem } from '#app/models/rundown.server'
import { cancelWebinar, publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { parseSender } from '#app/mail/worker.server'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { createUser, createWebinar, webinarForm } from '#tests/setup/factories'
import { deliverAll, icsUtc, parseMessage, smtpWorker, type ParsedMessage } from './__helpers/mail'
import { startSmtpSink, type SmtpSink } from './__helpers/smtp-sink'

// Publish → reschedule → cancel, delivered through a real SMTP server and read back the way a
// mail client and a calendar client read them.

let sink: SmtpSink
let mailer: ReturnType<typeof smtpWorker>

beforeAll(async () => {
  sink = await startSmtpSink()
  mailer = smtpWorker(sink.url)
})

afterAll(async () => {
  mailer.transport.close()
  await sink.stop()
})

async function deliveredTo(email: string, fromIndex: number): Promise<ParsedMessage[]> {
  const mine = sink.messages.slice(fromIndex).filter((m) => m.envelope.rcptTo.includes(email))
  return Promise.all(mine.map((m) => parseMessage(m.raw)))
}

test('a published webinar invites its moderator and speaker; a reschedule updates and a cancellation cancels the same calendar event', async () => {
  const db = getDb()
  const organiser = await createUser('organiser', { password: 'organiser-password-123' })
  const topic = 'Tata Kelola Pelayanan Publik Berbasis Digital'
  const form = webinarForm({ topic, date: '2030-03-04', startTime: '09:00', endTime: '12:00' })
  const { id: webinarId } = await createWebinar(organiser.id, { complete: true, form })
  const people = await db
    .selectFrom('webinar_roles')
    .innerJoin('people', 'people.id', 'webinar_roles.person_id')
    .select(['webinar_roles.role', 'people.id', 'people.email', 'people.name'])
    .where('webinar_roles.webinar_id', '=', webinarId)
    .execute()
  const moderator = people.find((p) => p.role === 'moderator')!
  const speaker = people.find((p) => p.role === 'speaker')!
  // The moderator reads English; the speaker keeps the default, Indonesian.
  await db.updateTable('people').set({ lang: 'en' }).where('id', '=', moderator.id).execute()
  // The speaker's slot: 45 minutes after the start.
  await addRundownItem(db, webinarId, { offsetMinutes: 45, title: 'Paparan Pelayanan Digital', personId: speaker.id })

  expect(await publishWebinar(db, webinarId)).toEqual({ ok: true })
  const stored = await db.selectFrom('webinars').select(['calendar_uid', 'start_at', 'end_at']).where('id', '=', webinarId).executeTakeFirstOrThrow()
  expect(stored.start_at).toBe('2030-03-04T02:00:00.000Z')
  expect(await deliverAll(mailer.worker)).toEqual({ sent: 2, failed: 0 })

  const organizerAddress = parseSender(getEnv().MAIL_FROM).email
  const expectInvitation = (message: ParsedMessage, to: { email: string | null }, sequence: number, startAt: string, endAt: string) => {
    const cal = message.calendar!
    expect(cal, 'the message carries a calendar part').not.toBeNull()
    expect(cal.mimeMethod).toBe('REQUEST')
    expect(cal.calendar.getFirstPropertyValue('method')).toBe('REQUEST')
    expect(cal.event.getFirstPropertyValue('uid')).toBe(stored.calendar_uid)
    expect(cal.event.getFirstPropertyValue('sequence')).toBe(sequence)
    expect(String(cal.event.getFirstPropertyValue('organizer')).toLowerCase()).toBe(`mailto:${organizerAddress}`)
    const attendees = cal.event.getAllProperties('attendee')
    expect(attendees).toHaveLength(1)
    expect(String(attendees[0]!.getFirstValue()).toLowerCase()).toBe(`mailto:${to.email}`)
    // No replies asked for: nothing would read them (README, Mail).
    expect(attendees[0]!.getParameter('rsvp')).toBe('FALSE')
    expect(cal.lines).toContain(`DTSTART:${icsUtc(startAt)}`)
    expect(cal.lines).toContain(`DTEND:${icsUtc(endAt)}`)
    expect((cal.event.getFirstPropertyValue('dtstart') as unknown as { zone: { tzid: string } }).zone.tzid).toBe('UTC')
  }

  const [moderatorInvite, ...moreForModerator] = await deliveredTo(moderator.email!, 0)
  expect(moreForModerator).toHaveLength(0)
  expect(moderatorInvite!.mail.headers.get('message-id')).toBeDefined()
  expectInvitation(moderatorInvite!, moderator, 0, stored.start_at!, stored.end_at!)
  expect(moderatorInvite!.mail.subject).toBe(`Moderator assignment: ${topic}`)
  expect(moderatorInvite!.mail.text).toContain(`Hello ${moderator.name},`)
  expect(moderatorInvite!.mail.text).toContain('Best regards')
  expect(moderatorInvite!.mail.html).toContain('<html lang="en">')
  expect(moderatorInvite!.mail.html).toContain('You are the moderator of the following webinar.')

  const [speakerBrief, ...moreForSpeaker] = await deliveredTo(speaker.email!, 0)
  expect(moreForSpeaker).toHaveLength(0)
  expectInvitation(speakerBrief!, speaker, 0, stored.start_at!, stored.end_at!)
  expect(speakerBrief!.mail.subject).toBe(`Brief narasumber: ${topic}`)
  expect(speakerBrief!.mail.html).toContain('<html lang="id">')

  // Reschedule: one day later, an hour later in the day.
  const beforeUpdate = sink.messages.length
  const saved = await saveWebinar(db, { ...form, date: '2030-03-05', startTime: '10:00', endTime: '13:00' }, { webinarId, userId: organiser.id })
  expect(saved.ok).toBe(true)
  expect(await deliverAll(mailer.worker)).toEqual({ sent: 2, failed: 0 })
  const moved = await db.selectFrom('webinars').select(['calendar_sequence', 'start_at', 'end_at']).where('id', '=', webinarId).executeTakeFirstOrThrow()
  expect(moved).toEqual({ calendar_sequence: 1, start_at: '2030-03-05T03:00:00.000Z', end_at: '2030-03-05T06:00:00.000Z' })
  for (const person of [moderator, speaker]) {
    const [update, ...more] = await deliveredTo(person.email!, beforeUpdate)
    expect(more).toHaveLength(0)
    expectInvitation(update!, person, 1, moved.start_at!, moved.end_at!)
  }
  const [moderatorUpdate] = await deliveredTo(moderator.email!, beforeUpdate)
  expect(moderatorUpdate!.mail.subject).toBe(`Schedule change: ${topic}`)
  // What changed comes first, before the details.
  expect(moderatorUpdate!.mail.text).toMatch(/^Hello [^\n]+,\n\nSchedule changed: [^\n]+ → [^\n]+\n/)
  const [speakerUpdate] = await deliveredTo(speaker.email!, beforeUpdate)
  expect(speakerUpdate!.mail.subject).toBe(`Perubahan jadwal: ${topic}`)
  // The brief again: their own slot at the new time (10.45 WIB, was 09.45), their talk, the technical check.
  expect(speakerBrief!.mail.text).toContain('09.45 WIB Paparan Pelayanan Digital')
  expect(speakerUpdate!.mail.text).toContain('10.45 WIB Paparan Pelayanan Digital')
  expect(speakerUpdate!.mail.text).not.toContain('09.45 WIB Paparan Pelayanan Digital')
  expect(speakerUpdate!.mail.html).toContain('10.45 WIB Paparan Pelayanan Digital')

  // A save that leaves the time alone sends nothing.
  const beforeNoop = sink.messages.length
  expect((await saveWebinar(db, { ...form, date: '2030-03-05', startTime: '10:00', endTime: '13:00', description: 'Baru' }, { webinarId, userId: organiser.id })).ok).toBe(true)
  expect(await deliverAll(mailer.worker)).toEqual({ sent: 0, failed: 0 })
  expect(sink.messages.length).toBe(beforeNoop)

  // Cancel.
  const beforeCancel = sink.messages.length
  expect(await cancelWebinar(db, webinarId, '2030-01-01T00:00:00.000Z')).toEqual({ ok: true })
  expect(await deliverAll(mailer.worker)).toEqual({ sent: 2, failed: 0 })
  for (const person of [moderator, speaker]) {
    const [cancellation, ...more] = await deliveredTo(person.email!, beforeCancel)
    expect(more).toHaveLength(0)
    const cal = cancellation!.calendar!
    expect(cal.mimeMethod).toBe('CANCEL')
    expect(cal.calendar.getFirstPropertyValue('method')).toBe('CANCEL')
    expect(cal.lines).toContain('METHOD:CANCEL')
    expect(cal.event.getFirstPropertyValue('status')).toBe('CANCELLED')
    expect(cal.event.getFirstPropertyValue('uid')).toBe(stored.calendar_uid)
    expect(cal.event.getFirstPropertyValue('sequence')).toBeGreaterThan(1)
    expect(String(cal.event.getAllProperties('attendee')[0]!.getFirstValue()).toLowerCase()).toBe(`mailto:${person.email}`)
  }
  const [moderatorCancel] = await deliveredTo(moderator.email!, beforeCancel)
  expect(moderatorCancel!.mail.subject).toBe(`Cancelled: ${topic}`)

  // Every message went to exactly one address, and each Message-ID exactly once.
  expect(sink.messages.every((m) => m.envelope.rcptTo.length === 1)).toBe(true)
  expect(sink.duplicates()).toEqual([])
  const rows = await db.selectFrom('outbox').select(['state', 'transport', 'attempts']).where('webinar_id', '=', webinarId).execute()
  expect(rows).toHaveLength(6)
  expect(rows.every((r) => r.state === 'sent' && r.transport === 'smtp' && r.attempts === 1)).toBe(true)
})

test('a staff member created without a password is mailed their set-password link', async () => {
  const before = sink.messages.length
  const user = await createUser('speaker', { name: 'Edy Budiyarso' })
  expect(await deliverAll(mailer.worker)).toEqual({ sent: 1, failed: 0 })
  const [invitation] = await deliveredTo(user.email, before)
  expect(invitation!.calendar).toBeNull()
  expect(invitation!.mail.subject).toBe('Undangan akun Literasi Webinar')
  expect(invitation!.mail.text).toContain(`http://localhost:3000/set-password/${user.setPasswordToken}`)
})
