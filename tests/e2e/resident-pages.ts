// The pages a resident meets, arranged in a test server's database: an upcoming webinar with a
// registration (its personal page) and a check-in window open, and a past webinar whose
// attendance is final, with a certificate to verify. Shared by the accessibility audit and the
// weight budget, which visit the same pages.
import { finaliseAttendance, markAttendance, openCheckinWindow } from '#app/models/attendance.server'
import { createPerson } from '#app/models/person.server'
import { registerParticipant } from '#app/models/registration.server'
import { assignRole } from '#app/models/webinar-role.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import type { DB } from '#app/utils/db.server'
import { webinarForm } from '#tests/setup/factories'

export const TOPIC = 'Literasi Digital untuk Semua'
export const PAST_TOPIC = 'Etika Digital di Kabupaten Klaten'

export type ResidentPages = {
  webinar: { id: string; slug: string }
  pastWebinar: { id: string; slug: string }
  personalToken: string
  /** The personal page of the past webinar's attendee, with their certificate. */
  pastToken: string
  certificateNumber: string
}

export async function arrangeResidentPages(db: DB, organiserId: string): Promise<ResidentPages> {
  const person = (name: string) =>
    createPerson(db, { name, title: 'Narasumber', organisation: 'Uji', email: null, whatsapp: null, bio: null, userId: null })
  const saved = await saveWebinar(db, webinarForm({ topic: TOPIC, date: '2031-05-20', capacity: 50 }), {
    userId: organiserId,
  })
  if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
  await assignRole(db, saved.id, { personId: await person('Moderator Aksesibel'), role: 'moderator', talkTitle: null, pillar: null })
  await assignRole(db, saved.id, { personId: await person('Pembicara Aksesibel'), role: 'speaker', talkTitle: 'Materi', pillar: 'cakap' })
  const published = await publishWebinar(db, saved.id)
  if (!published.ok) throw new Error(`not published: ${JSON.stringify(published)}`)
  const registered = await registerParticipant(db, saved.id, {
    name: 'Sri Rahayu',
    email: 'sri.a11y@example.org',
    whatsapp: '+6281234567890',
    regencyCode: '34.71',
    occupation: 'guru',
    ageRange: '35-44',
    gender: null,
    lang: 'id',
  })
  if (!registered.ok) throw new Error(`not registered: ${registered.reason}`)

  // A webinar held in the past, its attendance finalised: a certificate to verify, a report with figures.
  const past = await saveWebinar(db, webinarForm({ topic: PAST_TOPIC, date: '2021-09-01', capacity: 50 }), { userId: organiserId })
  if (!past.ok) throw new Error(JSON.stringify(past.errors))
  await assignRole(db, past.id, { personId: await person('Moderator Lalu'), role: 'moderator', talkTitle: null, pillar: null })
  await assignRole(db, past.id, { personId: await person('Pembicara Lalu'), role: 'speaker', talkTitle: 'Materi', pillar: 'etika' })
  if (!(await publishWebinar(db, past.id)).ok) throw new Error('past webinar not published')
  const attendee = await registerParticipant(
    db,
    past.id,
    { name: 'Budi Santoso', email: 'budi.a11y@example.org', whatsapp: '+6281234567891', regencyCode: '33.10', occupation: 'asn', ageRange: '25-34', gender: 'lakilaki', lang: 'id' },
    '2021-08-30T00:00:00.000Z',
  )
  if (!attendee.ok) throw new Error(`not registered: ${attendee.reason}`)
  const row = await db.selectFrom('registrations').select('id').where('token', '=', attendee.token).executeTakeFirstOrThrow()
  await markAttendance(db, past.id, row.id, { present: true, reason: 'seenInMeeting', note: null }, organiserId)
  if (!(await finaliseAttendance(db, past.id, organiserId)).ok) throw new Error('not finalised')
  const certificateNumber = (await db.selectFrom('certificates').select('number').where('registration_id', '=', row.id).executeTakeFirstOrThrow()).number

  await openCheckinWindow(db, saved.id, organiserId, 15)
  return { webinar: saved, pastWebinar: past, personalToken: registered.token, pastToken: attendee.token, certificateNumber }
}
