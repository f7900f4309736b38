import ICAL from 'ical.js'
import { previewMail } from '#app/mail/preview.server'
import { TECH_CHECK_MINUTES_BEFORE } from '#app/mail/notify.server'
import { addRundownItem } from '#app/models/rundown.server'
import { cancelWebinar, publishWebinar } from '#app/models/webinar.server'
import { action as personAction } from '#app/routes/admin.people.$personId'
import { loader as organiserLoader } from '#app/routes/admin.webinars.$slug._index'
import { action as briefAction, loader as briefLoader } from '#app/routes/brief.$token._index'
import { loader as briefCalendarLoader } from '#app/routes/brief.$token.calendar[.]ics'
import { getDb } from '#app/utils/db.server'
import { addMinutes } from '#app/utils/time'
import { call, createWebinar, getRequest, postRequest, signedInAs } from '#tests/setup/factories'

const db = getDb()

type Role = { id: string; role: string; person_id: string; brief_token: string; name: string; email: string }
type BriefData = {
  person: { name: string; role: string; talkTitle: string | null; pillar: string | null }
  answer: { confirmation: string; confirmedAt: string | null }
  answerable: boolean
  webinar: Record<string, string | null>
  techCheckAt: string | null
  moderator: { name: string; email: string | null; whatsapp: string | null } | null
  slots: Array<{ at: string | null; title: string }>
  answered: boolean
}

/** A published webinar (briefs queued, so every role has its token), with a run-down slot for the speaker. */
async function publishedWebinar(topic: string) {
  const organiser = await signedInAs('organiser')
  const webinar = await createWebinar(organiser.id, { complete: true, form: { topic } })
  const roles = await rolesOf(webinar.id)
  const speaker = roles.find((r) => r.role === 'speaker')!
  await addRundownItem(db, webinar.id, { offsetMinutes: 45, title: 'Materi Cakap Digital', personId: speaker.person_id })
  expect((await publishWebinar(db, webinar.id)).ok).toBe(true)
  const published = await rolesOf(webinar.id)
  return {
    ...webinar,
    organiser,
    speaker: published.find((r) => r.role === 'speaker')!,
    moderator: published.find((r) => r.role === 'moderator')!,
  }
}

async function rolesOf(webinarId: string): Promise<Role[]> {
  const rows = await db
    .selectFrom('webinar_roles')
    .innerJoin('people', 'people.id', 'webinar_roles.person_id')
    .select(['webinar_roles.id', 'webinar_roles.role', 'webinar_roles.person_id', 'webinar_roles.brief_token', 'people.name', 'people.email'])
    .where('webinar_id', '=', webinarId)
    .execute()
  return rows as Role[]
}

async function answerOf(roleId: string) {
  return db.selectFrom('webinar_roles').select(['confirmation', 'confirmed_at']).where('id', '=', roleId).executeTakeFirstOrThrow()
}

async function answer(token: string, value: string) {
  return call(briefAction, postRequest(`/brief/${token}`, { answer: value }), { token })
}

async function briefOf(token: string, search = ''): Promise<BriefData> {
  const response = await call(briefLoader, getRequest(`/brief/${token}${search}`), { token })
  expect(response.status).toBe(200)
  return (await response.json()) as BriefData
}

describe('the personal link is the credential', () => {
  test('an unknown token is a 404 that reveals nothing, on the page, the answer and the calendar file', async () => {
    const { speaker } = await publishedWebinar('Etika Berinternet')
    for (const token of ['x'.repeat(43), speaker.brief_token.slice(0, -1), '']) {
      for (const response of [
        await call(briefLoader, getRequest(`/brief/${token}`), { token }),
        await answer(token, 'confirmed'),
        await call(briefCalendarLoader, getRequest(`/brief/${token}/calendar.ics`), { token }),
      ]) {
        expect(response.status).toBe(404)
        expect(await response.text()).toBe('Not found')
      }
    }
    expect(await answerOf(speaker.id)).toEqual({ confirmation: 'pending', confirmed_at: null })
  })

  test('no sign-in is needed, and the page is not cached', async () => {
    const { speaker } = await publishedWebinar('Aman di Dunia Digital')
    const response = await call(briefLoader, getRequest(`/brief/${speaker.brief_token}`), { token: speaker.brief_token })
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('private, no-store')
  })
})

describe('the brief', () => {
  test("shows the webinar, the person's part, their slot, the moderator, the join details and the technical check", async () => {
    const { speaker, moderator, id } = await publishedWebinar('Tata Kelola Pelayanan Publik Berbasis Digital')
    const start = (await db.selectFrom('webinars').select('start_at').where('id', '=', id).executeTakeFirstOrThrow()).start_at!
    const brief = await briefOf(speaker.brief_token)
    expect(brief.person).toEqual({ name: speaker.name, role: 'speaker', talkTitle: 'Materi', pillar: 'cakap' })
    expect(brief.webinar).toMatchObject({
      topic: 'Tata Kelola Pelayanan Publik Berbasis Digital',
      status: 'published',
      startAt: start,
      timeZone: 'WIB',
      regencyName: 'Kabupaten Klaten',
      platformUrl: 'https://zoom.us/j/123456789',
      meetingId: '123 456 789',
      passcode: 'rahasia',
    })
    expect(brief.moderator).toEqual({ name: moderator.name, email: moderator.email, whatsapp: null })
    expect(brief.slots).toEqual([{ id: expect.any(String), at: addMinutes(start, 45), title: 'Materi Cakap Digital' }])
    expect(brief.techCheckAt).toBe(addMinutes(start, -TECH_CHECK_MINUTES_BEFORE))
    expect(brief.techCheckAt).toBe(addMinutes(start, -60))
    expect(brief.answer).toEqual({ confirmation: 'pending', confirmedAt: null })
    expect(brief.answerable).toBe(true)
  })

  test('the moderator sees their own role and no slot that is not theirs', async () => {
    const { moderator } = await publishedWebinar('Budaya Digital Nusantara')
    const brief = await briefOf(moderator.brief_token)
    expect(brief.person).toMatchObject({ role: 'moderator', talkTitle: null, pillar: null })
    expect(brief.slots).toEqual([])
  })
})

describe('confirming or declining', () => {
  test('a confirmation is recorded with its time, and the page shows it after the redirect', async () => {
    const { speaker } = await publishedWebinar('Cerdas Bermedia Sosial')
    const response = await answer(speaker.brief_token, 'confirmed')
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe(`/brief/${speaker.brief_token}?answered`)
    const stored = await answerOf(speaker.id)
    expect(stored.confirmation).toBe('confirmed')
    expect(Date.now() - Date.parse(stored.confirmed_at!)).toBeLessThan(60_000)
    const brief = await briefOf(speaker.brief_token, '?answered')
    expect(brief.answer).toEqual({ confirmation: 'confirmed', confirmedAt: stored.confirmed_at })
    expect(brief.answered).toBe(true)
  })

  test('a decline is recorded, and an answer can be changed', async () => {
    const { speaker } = await publishedWebinar('Literasi Keuangan Digital')
    expect((await answer(speaker.brief_token, 'declined')).status).toBe(302)
    expect((await answerOf(speaker.id)).confirmation).toBe('declined')
    expect((await answer(speaker.brief_token, 'confirmed')).status).toBe(302)
    expect((await answerOf(speaker.id)).confirmation).toBe('confirmed')
  })

  test('the organiser sees each role’s answer on the webinar page', async () => {
    const { speaker, moderator, slug, organiser } = await publishedWebinar('Jejak Digital Pelajar')
    await answer(speaker.brief_token, 'declined')
    const response = await call(organiserLoader, getRequest(`/admin/webinars/${slug}`, { cookie: organiser.cookie }), { slug })
    const { roles } = (await response.json()) as { roles: Array<{ id: string; confirmation: string; confirmed_at: string | null }> }
    expect(roles.find((r) => r.id === speaker.id)).toMatchObject({ confirmation: 'declined', confirmed_at: expect.any(String) })
    expect(roles.find((r) => r.id === moderator.id)).toMatchObject({ confirmation: 'pending', confirmed_at: null })
  })

  test('a token only ever touches its own row', async () => {
    const first = await publishedWebinar('Keamanan Data Pribadi')
    const other = await publishedWebinar('Hoaks dan Cara Melawannya')
    const untouched = [first.moderator, other.speaker, other.moderator]
    const before = await Promise.all(untouched.map((r) => answerOf(r.id)))
    expect((await answer(first.speaker.brief_token, 'confirmed')).status).toBe(302)
    expect((await answerOf(first.speaker.id)).confirmation).toBe('confirmed')
    expect(await Promise.all(untouched.map((r) => answerOf(r.id)))).toEqual(before)
    expect(before.every((a) => a.confirmation === 'pending' && a.confirmed_at === null)).toBe(true)
  })

  test('an unknown answer is refused with 400 and changes nothing', async () => {
    const { speaker } = await publishedWebinar('UMKM Go Digital')
    for (const value of ['pending', 'maybe', '']) {
      const response = await answer(speaker.brief_token, value)
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ errors: { answer: ['form.invalidChoice'] } })
    }
    expect(await answerOf(speaker.id)).toEqual({ confirmation: 'pending', confirmed_at: null })
  })

  test('once the webinar is cancelled the brief still opens, but takes no answer', async () => {
    const { speaker, id } = await publishedWebinar('Transformasi Layanan Desa')
    expect((await cancelWebinar(db, id)).ok).toBe(true)
    const brief = await briefOf(speaker.brief_token)
    expect(brief.webinar.status).toBe('cancelled')
    expect(brief.answerable).toBe(false)
    const response = await answer(speaker.brief_token, 'confirmed')
    expect(response.status).toBe(409)
    expect(await response.json()).toEqual({ errors: { '': ['brief.closed'] } })
    expect(await answerOf(speaker.id)).toEqual({ confirmation: 'pending', confirmed_at: null })
  })
})

describe('add to calendar', () => {
  test('is the person’s own invitation: METHOD:REQUEST, the stored UID, and them as ATTENDEE', async () => {
    const { speaker, id } = await publishedWebinar('Menjadi Kreator Konten Positif')
    const webinar = await db.selectFrom('webinars').select(['calendar_uid', 'calendar_sequence']).where('id', '=', id).executeTakeFirstOrThrow()
    const response = await call(briefCalendarLoader, getRequest(`/brief/${speaker.brief_token}/calendar.ics`), { token: speaker.brief_token })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('text/calendar; charset=utf-8; method=REQUEST')
    expect(response.headers.get('Content-Disposition')).toBe('attachment; filename="undangan.ics"')
    const calendar = new ICAL.Component(ICAL.parse(await response.text()))
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST')
    const event = calendar.getFirstSubcomponent('vevent')!
    expect(event.getFirstPropertyValue('uid')).toBe(webinar.calendar_uid)
    expect(event.getFirstPropertyValue('sequence')).toBe(webinar.calendar_sequence)
    const attendees = event.getAllProperties('attendee')
    expect(attendees.map((a) => String(a.getFirstValue()).toLowerCase())).toEqual([`mailto:${speaker.email}`])
  })

  test('after a cancellation it is a CANCEL with the same UID', async () => {
    const { speaker, id } = await publishedWebinar('Bijak Bermedia')
    await cancelWebinar(db, id)
    const webinar = await db.selectFrom('webinars').select(['calendar_uid', 'calendar_sequence']).where('id', '=', id).executeTakeFirstOrThrow()
    const response = await call(briefCalendarLoader, getRequest(`/brief/${speaker.brief_token}/calendar.ics`), { token: speaker.brief_token })
    expect(response.headers.get('Content-Type')).toBe('text/calendar; charset=utf-8; method=CANCEL')
    const event = new ICAL.Component(ICAL.parse(await response.text())).getFirstSubcomponent('vevent')!
    expect(event.getFirstPropertyValue('status')).toBe('CANCELLED')
    expect(event.getFirstPropertyValue('uid')).toBe(webinar.calendar_uid)
    expect(event.getFirstPropertyValue('sequence')).toBe(webinar.calendar_sequence)
  })
})

describe("a person's e-mail language", () => {
  test('set on the directory form, it is the language their brief is written in', async () => {
    const organiser = await signedInAs('organiser')
    const webinar = await createWebinar(organiser.id, { complete: true, form: { topic: 'Digital Skills for Teachers' } })
    const speaker = (await rolesOf(webinar.id)).find((r) => r.role === 'speaker')!
    const fields = { name: speaker.name, title: '', organisation: '', email: speaker.email, whatsapp: '', bio: '', account: '', lang: 'en' }
    const saved = await call(personAction, postRequest(`/admin/people/${speaker.person_id}`, fields, { cookie: organiser.cookie }), { personId: speaker.person_id })
    expect(saved.status).toBe(302)
    expect((await db.selectFrom('people').select('lang').where('id', '=', speaker.person_id).executeTakeFirstOrThrow()).lang).toBe('en')

    await publishWebinar(db, webinar.id)
    const mail = await db
      .selectFrom('outbox')
      .select(['payload', 'recipient_email', 'recipient_name', 'lang', 'message_id'])
      .where('webinar_id', '=', webinar.id)
      .where('kind', '=', 'speaker_brief')
      .executeTakeFirstOrThrow()
    expect(mail.lang).toBe('en')
    expect(previewMail(mail, null)?.subject).toBe('Speaker brief: Digital Skills for Teachers')
    // The moderator kept the default.
    const moderatorMail = await db.selectFrom('outbox').select('lang').where('webinar_id', '=', webinar.id).where('kind', '=', 'moderator_assignment').executeTakeFirstOrThrow()
    expect(moderatorMail.lang).toBe('id')
  })

  test('an unknown language is refused beside its field', async () => {
    const organiser = await signedInAs('organiser')
    const webinar = await createWebinar(organiser.id, { complete: true })
    const speaker = (await rolesOf(webinar.id)).find((r) => r.role === 'speaker')!
    const fields = { name: speaker.name, email: speaker.email, lang: 'fr' }
    const response = await call(personAction, postRequest(`/admin/people/${speaker.person_id}`, fields, { cookie: organiser.cookie }), { personId: speaker.person_id })
    expect(response.status).toBe(400)
    expect(((await response.json()) as { errors: Record<string, string[]> }).errors).toEqual({ lang: ['form.invalidChoice'] })
  })
})

test('the brief tells the audience: regency, segment, and how many have registered', async () => {
  const webinar = await publishedWebinar('Audiens brief')
  const { registerParticipant } = await import('#app/models/registration.server')
  for (const n of [1, 2]) {
    const result = await registerParticipant(db, webinar.id, {
      name: `Warga ${n}`,
      email: `audiens${n}@example.org`,
      whatsapp: '+6281234567890',
      regencyCode: '33.10',
      occupation: 'guru',
      ageRange: '25-34',
      gender: null,
      lang: 'id',
    })
    expect(result.ok).toBe(true)
  }
  const response = await call(briefLoader, getRequest(`/brief/${webinar.speaker.brief_token}`), { token: webinar.speaker.brief_token })
  const data = (await response.json()) as { webinar: { registered: number; capacity: number } }
  expect(data.webinar).toMatchObject({ registered: 2, capacity: 500 })
  // A brief queued now says so too.
  const { notifyAssignments } = await import('#app/mail/notify.server')
  await notifyAssignments(db, webinar.id, [webinar.speaker.id])
  const queued = await db
    .selectFrom('outbox')
    .select('payload')
    .where('recipient_email', '=', webinar.speaker.email)
    .where('kind', '=', 'speaker_brief')
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow()
  expect((JSON.parse(queued.payload) as { webinar: { registered: number } }).webinar.registered).toBe(2)
})
