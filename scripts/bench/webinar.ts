// The webinar the HTTP benchmarks send residents to: published, a week ahead, in Kabupaten
// Klaten, with a moderator and a speaker (publishing needs both).
import { getWebinarSnapshot } from '#app/models/mail-recipients.server'
import { enqueueMail } from '#app/models/outbox.server'
import { createPerson } from '#app/models/person.server'
import { assignRole } from '#app/models/webinar-role.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import type { DB } from '#app/utils/db.server'

export async function publishedBenchWebinar(db: DB, userId: string, { slug, topic, capacity }: { slug: string; topic: string; capacity: number }): Promise<string> {
  const saved = await saveWebinar(
    db,
    {
      topic,
      description: 'Webinar untuk benchmark.',
      pillars: ['cakap'],
      segment: 'umum',
      regency: '33.10',
      date: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
      startTime: '09:00',
      endTime: '12:00',
      platformUrl: 'https://zoom.us/j/1234567890',
      meetingId: null,
      passcode: null,
      livestreamUrl: null,
      capacity,
      registrationOpensDate: null,
      registrationOpensTime: null,
      registrationClosesDate: null,
      registrationClosesTime: null,
      attendanceThreshold: 70,
      slug,
    },
    { userId },
  )
  if (!saved.ok) throw new Error(`bench: webinar ${slug} was refused: ${JSON.stringify(saved.errors)}`)
  const person = (name: string) => createPerson(db, { name, title: '', organisation: '', email: null, whatsapp: null, bio: null, userId: null })
  await assignRole(db, saved.id, { personId: await person('Moderator'), role: 'moderator', talkTitle: null, pillar: null })
  await assignRole(db, saved.id, { personId: await person('Narasumber'), role: 'speaker', talkTitle: 'Materi', pillar: 'cakap' })
  const published = await publishWebinar(db, saved.id)
  if (!published.ok) throw new Error(`bench: webinar ${slug} could not be published: ${JSON.stringify(published)}`)
  return saved.id
}

/** `count` participant invitations for the webinar, queued in one transaction (one in ten in English). */
export async function queueBenchInvitations(db: DB, webinarId: string, count: number): Promise<void> {
  const webinar = (await getWebinarSnapshot(db, webinarId))!
  await db.transaction().execute((trx) =>
    enqueueMail(
      trx,
      Array.from({ length: count }, (_, i) => ({
        webinarId,
        to: { email: `peserta.${i}@example.org`, name: `Peserta Nomor ${i}` },
        lang: i % 10 === 0 ? ('en' as const) : ('id' as const),
        payload: { kind: 'participant_invitation' as const, webinar, personalUrl: `http://localhost:3000/r/${i.toString(36).padStart(43, 'x')}` },
      })),
    ),
  )
}
