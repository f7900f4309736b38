// The personal page (/r/<token>) leads with what matters at the moment it is opened: before the
// webinar the time, the join link and the calendar; while it is live, check-in; after it, the
// certificate or why there is none. Arranged by moving a real webinar's times around now.
import { finaliseAttendance } from '#app/models/attendance.server'
import { cancelRegistration } from '#app/models/registration.server'
import { saveSiteSettings } from '#app/models/site-settings.server'
import { cancelWebinar, finishWebinar } from '#app/models/webinar.server'
import { loader as personalLoader } from '#app/routes/r.$token._index'
import { getDb } from '#app/utils/db.server'
import { addMinutes, nowIso } from '#app/utils/time'
import { call, getRequest, publishedWebinar, register } from '#tests/setup/factories'

const db = getDb()

type Page = {
  phase: string
  join: { url: string | null } | null
  calendar: boolean
  waitlistPosition: number | null
  checkin: { state: string } | null
  certificate: { kind: string; minutes?: number; required?: number; threshold?: number; markedAbsent?: boolean } | null
  helpdesk: { helpdeskEmail: string | null; helpdeskPhone: string | null }
}

async function pageOf(token: string): Promise<Page> {
  const response = await call(personalLoader, getRequest(`/r/${token}`), { token })
  expect(response.status).toBe(200)
  return (await response.json()) as Page
}

/** Moves the webinar so that it started `startedMinutesAgo` minutes ago and lasts `minutes`. */
async function moveWebinar(webinarId: string, startedMinutesAgo: number, minutes = 180) {
  const start = addMinutes(nowIso(), -startedMinutesAgo)
  await db.updateTable('webinars').set({ start_at: start, end_at: addMinutes(start, minutes) }).where('id', '=', webinarId).execute()
}

describe('the personal page, by moment', () => {
  test('before: the join link and the calendar, check-in not open yet, no certificate', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    const page = await pageOf(seated.token)
    expect(page.phase).toBe('before')
    expect(page.join?.url).toBe('https://zoom.us/j/123456789')
    expect(page.calendar).toBe(true)
    expect(page.checkin).toEqual({ state: 'notYet', checkedInAt: null })
    expect(page.certificate).toBeNull()
  })

  test('live: check-in (not open yet until the moderator opens it) and the join link', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    await moveWebinar(webinar.id, 30)
    const page = await pageOf(seated.token)
    expect(page.phase).toBe('live')
    expect(page.join?.url).toBe('https://zoom.us/j/123456789')
    expect(page.checkin?.state).toBe('notYet')
  })

  test('an open check-in window counts as live even before the scheduled start', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    await db
      .updateTable('webinars')
      .set({ checkin_code: 'ABCDEF', checkin_opened_at: addMinutes(nowIso(), -1), checkin_closes_at: addMinutes(nowIso(), 15) })
      .where('id', '=', webinar.id)
      .execute()
    const page = await pageOf(seated.token)
    expect(page.phase).toBe('live')
    expect(page.checkin?.state).toBe('open')
  })

  test('after, before finalising: no join link, no calendar for a past event, the certificate pending', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    await moveWebinar(webinar.id, 300)
    const page = await pageOf(seated.token)
    expect(page.phase).toBe('after')
    expect(page.join).toBeNull()
    expect(page.calendar).toBe(false)
    expect(page.checkin).toBeNull()
    expect(page.certificate).toEqual({ kind: 'pending' })
  })

  test('after finalising: an absent resident sees their minutes against those needed, and the helpdesk', async () => {
    const webinar = await publishedWebinar({ attendanceThreshold: 70 })
    const seated = await register(webinar.id)
    const marked = await register(webinar.id)
    // 3 hours at 70%: 126 minutes needed; Zoom counted 120.
    await moveWebinar(webinar.id, 300, 180)
    await db.updateTable('registrations').set({ zoom_minutes: 120 }).where('id', '=', seated.id).execute()
    await db.updateTable('registrations').set({ zoom_minutes: 170, manual_present: 0, manual_reason: 'notPresent' }).where('id', '=', marked.id).execute()
    expect(await finishWebinar(db, webinar.id)).toEqual({ ok: true })
    await finaliseAttendance(db, webinar.id, webinar.organiser.id)
    await saveSiteSettings(db, { helpdeskEmail: 'bantuan@example.org', helpdeskPhone: '+62 21 1500 000', privacyNoticeId: null, privacyNoticeEn: null }, webinar.organiser.id)

    const page = await pageOf(seated.token)
    expect(page.certificate).toEqual({ kind: 'absent', markedAbsent: false, minutes: 120, required: 126, threshold: 70 })
    expect(page.helpdesk).toEqual({ helpdeskEmail: 'bantuan@example.org', helpdeskPhone: '+62 21 1500 000' })
    // A moderator's mark is the reason, whatever Zoom counted.
    expect((await pageOf(marked.token)).certificate).toMatchObject({ kind: 'absent', markedAbsent: true })
  })

  test('the waitlist: the position in the queue, which moves up as people ahead leave', async () => {
    const webinar = await publishedWebinar({ capacity: 1 })
    const seated = await register(webinar.id)
    const first = await register(webinar.id)
    const second = await register(webinar.id)
    const third = await register(webinar.id)
    expect([first.status, second.status, third.status]).toEqual(['waitlisted', 'waitlisted', 'waitlisted'])
    expect((await pageOf(first.token)).waitlistPosition).toBe(1)
    expect((await pageOf(third.token)).waitlistPosition).toBe(3)
    expect((await pageOf(second.token)).join).toBeNull()

    // The seat holder leaves: the first waiting takes the seat, the others move up.
    expect(await cancelRegistration(db, seated.token)).toBe(true)
    expect((await pageOf(first.token)).waitlistPosition).toBeNull()
    expect((await pageOf(second.token)).waitlistPosition).toBe(1)
    // So does one who leaves the queue.
    expect(await cancelRegistration(db, second.token)).toBe(true)
    expect((await pageOf(third.token)).waitlistPosition).toBe(1)

    // After the webinar someone still waiting learns no seat came free.
    await moveWebinar(webinar.id, 300)
    const after = await pageOf(third.token)
    expect(after.waitlistPosition).toBeNull()
    expect(after.certificate).toEqual({ kind: 'notSeated' })
  })

  test('a cancelled webinar: no join link, no check-in, the calendar link removes it', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    await cancelWebinar(db, webinar.id)
    const page = await pageOf(seated.token)
    expect(page.phase).toBe('cancelled')
    expect(page.join).toBeNull()
    expect(page.checkin).toBeNull()
    expect(page.calendar).toBe(true)
  })
})
