import {
  ATTENDANCE_PAGE_SIZE,
  checkIn,
  closeCheckinWindow,
  countAttendance,
  countCheckins,
  createCheckinCode,
  finaliseAttendance,
  getAttendanceWebinar,
  listAttendance,
  listAttendanceEvents,
  markAttendance,
  openCheckinWindow,
  reopenAttendance,
  type AttendanceWebinar,
} from '#app/models/attendance.server'
import type { RateLimit } from '#app/models/rate-limit.server'
import { cancelRegistration } from '#app/models/registration.server'
import { finishWebinar, publishWebinar } from '#app/models/webinar.server'
import { assignRole } from '#app/models/webinar-role.server'
import { CHECKIN_CODE_ALPHABET, normaliseCheckinCode, requiredZoomMinutes } from '#app/utils/attendance-rules'
import { getDb } from '#app/utils/db.server'
import { afterEnd, at, consoleWebinar, END, setZoomMinutes, START } from '#tests/setup/attendance'
import { createPersonFor, createUser, createWebinar, register, registrationRow, webinarRow } from '#tests/setup/factories'

const db = getDb()
const MINUTE = 60_000

/** The announced code of the window open now. */
async function currentCode(webinarId: string): Promise<string> {
  const row = await webinarRow(webinarId)
  if (!row.checkin_code) throw new Error('no code')
  return row.checkin_code
}

/** What the console shows for one registrant. */
async function attendanceOf(webinar: AttendanceWebinar, registrationId: string) {
  const { rows } = await listAttendance(db, webinar, { page: 1 })
  const row = rows.find((r) => r.id === registrationId)
  if (!row) throw new Error('not listed')
  return { present: row.present, source: row.source }
}

const generous: RateLimit = { limit: 1000, windowMs: 10 * MINUTE }

// --- The rule --------------------------------------------------------------------------------

test('the Zoom threshold is the percentage of the scheduled minutes, rounded up', () => {
  expect(requiredZoomMinutes(START, END, 70)).toBe(126)
  // 70% of 185 minutes is 129.5: 130 are needed.
  expect(requiredZoomMinutes(START, at(185), 70)).toBe(130)
  expect(requiredZoomMinutes(START, at(181), 70)).toBe(127) // 126.7
  expect(requiredZoomMinutes(START, at(180), 50)).toBe(90)
  expect(requiredZoomMinutes(START, at(180), 100)).toBe(180)
})

test('Zoom minutes exactly at the threshold count as present; one minute fewer is absent', async () => {
  const { webinar } = await consoleWebinar()
  expect(webinar.requiredMinutes).toBe(126)
  const enough = await register(webinar.id)
  const short = await register(webinar.id)
  const none = await register(webinar.id)
  await setZoomMinutes(enough.id, 126)
  await setZoomMinutes(short.id, 125)
  expect(await attendanceOf(webinar, enough.id)).toEqual({ present: 1, source: 'zoom' })
  expect(await attendanceOf(webinar, short.id)).toEqual({ present: 0, source: null })
  expect(await attendanceOf(webinar, none.id)).toEqual({ present: 0, source: null })
  expect(await countAttendance(db, webinar)).toEqual({ registered: 3, checkedIn: 0, zoomEnough: 1, manual: 0, present: 1 })
})

test('for a 185-minute webinar at 70%, 130 Zoom minutes are present and 129 are not', async () => {
  const { webinar, organiser } = await consoleWebinar({ endTime: '12:05' })
  expect(webinar.end_at).toBe(at(185))
  expect(webinar.requiredMinutes).toBe(130)
  const enough = await register(webinar.id)
  const short = await register(webinar.id)
  await setZoomMinutes(enough.id, 130)
  await setZoomMinutes(short.id, 129)
  expect(await attendanceOf(webinar, enough.id)).toEqual({ present: 1, source: 'zoom' })
  expect(await attendanceOf(webinar, short.id)).toEqual({ present: 0, source: null })
  // The finalised outcome follows the same rule.
  expect(await finaliseAttendance(db, webinar.id, organiser.id, at(190))).toEqual({ ok: true, present: 1, registered: 2 })
  expect((await registrationRow(enough.id)).attended).toBe(1)
  expect((await registrationRow(short.id)).attended).toBe(0)
})

// --- Checking in -----------------------------------------------------------------------------

test('the right code while the window is open checks in; a second check-in keeps the first time', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const person = await register(webinar.id)
  expect(await openCheckinWindow(db, webinar.id, organiser.id, 15, at(-5))).toEqual({ ok: true })
  const code = await currentCode(webinar.id)

  expect(await checkIn(db, person.token, code, [], at(0))).toEqual({ ok: true, checkedInAt: at(0), already: false })
  expect(await checkIn(db, person.token, code, [], at(3))).toEqual({ ok: true, checkedInAt: at(0), already: true })
  expect((await registrationRow(person.id)).checked_in_at).toBe(at(0))
  expect(await attendanceOf(webinar, person.id)).toEqual({ present: 1, source: 'checkin' })
  expect(await countCheckins(db, webinar.id)).toBe(1)
})

test('check-ins arriving together (one group commit) are each written once; a double submit among them keeps the first', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const people = [await register(webinar.id), await register(webinar.id), await register(webinar.id)]
  expect(await openCheckinWindow(db, webinar.id, organiser.id, 15, at(-5))).toEqual({ ok: true })
  const code = await currentCode(webinar.id)
  const results = await Promise.all([
    checkIn(db, people[0]!.token, code, [], at(1)),
    checkIn(db, people[1]!.token, code, [], at(1, 1)),
    checkIn(db, people[0]!.token, code, [], at(1, 2)),
    checkIn(db, people[2]!.token, code, [], at(1, 3)),
  ])
  expect(results).toEqual([
    { ok: true, checkedInAt: at(1), already: false },
    { ok: true, checkedInAt: at(1, 1), already: false },
    { ok: true, checkedInAt: at(1), already: true },
    { ok: true, checkedInAt: at(1, 3), already: false },
  ])
  expect((await registrationRow(people[0]!.id)).checked_in_at).toBe(at(1))
  expect(await countCheckins(db, webinar.id)).toBe(3)
})

test('a check-in at the closing moment counts; one millisecond later, or before the opening, the window is closed', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const early = await register(webinar.id)
  const onTime = await register(webinar.id)
  const late = await register(webinar.id)
  // Before any window was opened there is no code to type.
  expect(await checkIn(db, early.token, 'ABCDEF', [], at(0))).toEqual({ ok: false, reason: 'windowClosed' })

  await openCheckinWindow(db, webinar.id, organiser.id, 15, at(30))
  const row = await webinarRow(webinar.id)
  expect(row.checkin_opened_at).toBe(at(30))
  expect(row.checkin_closes_at).toBe(at(45))
  const code = row.checkin_code!

  expect(await checkIn(db, early.token, code, [], at(30, -1))).toEqual({ ok: false, reason: 'windowClosed' })
  expect(await checkIn(db, onTime.token, code, [], at(45))).toEqual({ ok: true, checkedInAt: at(45), already: false })
  expect(await checkIn(db, late.token, code, [], at(45, 1))).toEqual({ ok: false, reason: 'windowClosed' })
  expect((await registrationRow(early.id)).checked_in_at).toBeNull()
  expect((await registrationRow(late.id)).checked_in_at).toBeNull()
  expect(await countCheckins(db, webinar.id)).toBe(1)
})

test('a wrong code is refused; the model compares the code exactly, the form normalises what was typed', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const person = await register(webinar.id)
  await openCheckinWindow(db, webinar.id, organiser.id, 15, at(0))
  const code = await currentCode(webinar.id)
  const wrong = code === 'ABCDEF' ? 'ABCDEG' : 'ABCDEF'

  expect(await checkIn(db, person.token, wrong, [], at(1))).toEqual({ ok: false, reason: 'wrongCode' })
  // Lower case, spaces or a dash are the route's business: the model takes the code as stored.
  const typed = ` ${code.slice(0, 3).toLowerCase()} - ${code.slice(3).toLowerCase()} `
  expect(await checkIn(db, person.token, typed, [], at(1))).toEqual({ ok: false, reason: 'wrongCode' })
  expect((await registrationRow(person.id)).checked_in_at).toBeNull()

  expect(normaliseCheckinCode(typed)).toBe(code)
  expect(await checkIn(db, person.token, normaliseCheckinCode(typed), [], at(2))).toEqual({ ok: true, checkedInAt: at(2), already: false })
})

test('normaliseCheckinCode upper-cases and drops spaces and dashes, nothing else', () => {
  expect(normaliseCheckinCode('ab3-k9z')).toBe('AB3K9Z')
  expect(normaliseCheckinCode('  aB 3k\t9Z\n')).toBe('AB3K9Z')
  expect(normaliseCheckinCode('AB--3K 9Z')).toBe('AB3K9Z')
  expect(normaliseCheckinCode('ABC234')).toBe('ABC234')
  // Other characters stay, so a typo remains a wrong code rather than becoming a right one.
  expect(normaliseCheckinCode('ab.3k9z')).toBe('AB.3K9Z')
})

test('a waitlisted or cancelled person, an unknown link, and a finalised list cannot check in', async () => {
  const { webinar, organiser } = await consoleWebinar({ capacity: 2 })
  const seated = await register(webinar.id)
  const cancelling = await register(webinar.id)
  const waiting = await register(webinar.id)
  const stillWaiting = await register(webinar.id)
  expect([seated.status, cancelling.status, waiting.status, stillWaiting.status]).toEqual(['registered', 'registered', 'waitlisted', 'waitlisted'])
  await openCheckinWindow(db, webinar.id, organiser.id, 15, at(0))
  const code = await currentCode(webinar.id)

  expect(await checkIn(db, stillWaiting.token, code, [], at(1))).toEqual({ ok: false, reason: 'notSeated' })
  expect(await cancelRegistration(db, cancelling.token, at(1))).toBe(true)
  expect(await checkIn(db, cancelling.token, code, [], at(2))).toEqual({ ok: false, reason: 'notSeated' })
  expect(await checkIn(db, 'no-such-token-0000000000000000000000000000', code, [], at(2))).toEqual({ ok: false, reason: 'notFound' })
  expect((await registrationRow(stillWaiting.id)).checked_in_at).toBeNull()

  // A finalised list says so, rather than that the window is closed.
  expect(await finaliseAttendance(db, webinar.id, organiser.id, afterEnd(0))).toMatchObject({ ok: true })
  expect(await checkIn(db, seated.token, code, [], afterEnd(1))).toEqual({ ok: false, reason: 'finalised' })
  expect((await registrationRow(seated.id)).checked_in_at).toBeNull()
})

// --- Guessing is slow ------------------------------------------------------------------------

test('after the per-registration limit of wrong codes, even the right code is refused for a while', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const guesser = await register(webinar.id)
  const other = await register(webinar.id)
  await openCheckinWindow(db, webinar.id, organiser.id, 15, at(0))
  const code = await currentCode(webinar.id)
  const wrong = code === 'ABCDEF' ? 'ABCDEG' : 'ABCDEF'
  const limitsFor = (registrationId: string): Array<[string, RateLimit]> => [
    [`checkin:registration:${registrationId}`, { limit: 3, windowMs: 10 * MINUTE }],
    [`checkin:ip:${webinar.id}`, generous],
  ]

  for (let i = 0; i < 3; i++) expect(await checkIn(db, guesser.token, wrong, limitsFor(guesser.id), at(1))).toEqual({ ok: false, reason: 'wrongCode' })
  const refused = await checkIn(db, guesser.token, code, limitsFor(guesser.id), at(2))
  expect(refused).toMatchObject({ ok: false, reason: 'tooMany' })
  if (refused.ok || refused.reason !== 'tooMany') throw new Error('expected tooMany')
  expect(refused.retryAfterSeconds).toBeGreaterThan(0)
  expect(refused.retryAfterSeconds).toBeLessThanOrEqual(600)
  expect((await registrationRow(guesser.id)).checked_in_at).toBeNull()

  // The limit is the guesser's own: someone else behind the same address checks in.
  expect(await checkIn(db, other.token, code, limitsFor(other.id), at(2))).toMatchObject({ ok: true, already: false })
})

test('right codes do not count against the shared address limit: a whole hall behind one IP checks in', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const hall = []
  for (let i = 0; i < 10; i++) hall.push(await register(webinar.id))
  const guessers = []
  for (let i = 0; i < 3; i++) guessers.push(await register(webinar.id))
  const latecomer = await register(webinar.id)
  await openCheckinWindow(db, webinar.id, organiser.id, 15, at(0))
  const code = await currentCode(webinar.id)
  const wrong = code === 'ABCDEF' ? 'ABCDEG' : 'ABCDEF'
  const ipKey = `checkin:ip:${webinar.id}`
  const limitsFor = (registrationId: string): Array<[string, RateLimit]> => [
    [`checkin:registration:${registrationId}`, { limit: 5, windowMs: 10 * MINUTE }],
    [ipKey, { limit: 3, windowMs: 10 * MINUTE }],
  ]

  for (const person of hall) expect(await checkIn(db, person.token, code, limitsFor(person.id), at(1))).toMatchObject({ ok: true, already: false })
  expect(await countCheckins(db, webinar.id)).toBe(10)
  const ipRow = await db.selectFrom('rate_limits').select('hits').where('key', '=', ipKey).executeTakeFirst()
  expect(ipRow?.hits ?? 0).toBe(0)

  // Wrong codes from the address do count: three guesses and the address waits.
  for (const guesser of guessers) expect(await checkIn(db, guesser.token, wrong, limitsFor(guesser.id), at(2))).toEqual({ ok: false, reason: 'wrongCode' })
  expect(await checkIn(db, latecomer.token, code, limitsFor(latecomer.id), at(3))).toMatchObject({ ok: false, reason: 'tooMany' })
  expect(await countCheckins(db, webinar.id)).toBe(10)
})

// --- The window ------------------------------------------------------------------------------

test('a check-in code is six characters from the alphabet without 0, O, 1, I or L', () => {
  expect(CHECKIN_CODE_ALPHABET).not.toMatch(/[01OIL]/)
  const seen = new Set<string>()
  for (let i = 0; i < 500; i++) {
    const code = createCheckinCode()
    expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/)
    seen.add(code)
  }
  // Random, not a fixed code.
  expect(seen.size).toBeGreaterThan(490)
})

test('opening the window twice while open is refused; closed and opened again, it is a new window with a new code', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const first = await register(webinar.id)
  const second = await register(webinar.id)
  expect(await closeCheckinWindow(db, webinar.id, organiser.id, at(0))).toEqual({ ok: false, reason: 'notOpen' })

  expect(await openCheckinWindow(db, webinar.id, organiser.id, 15, at(0))).toEqual({ ok: true })
  const firstCode = await currentCode(webinar.id)
  expect(firstCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/)
  expect(await openCheckinWindow(db, webinar.id, organiser.id, 15, at(5))).toEqual({ ok: false, reason: 'alreadyOpen' })
  expect((await webinarRow(webinar.id)).checkin_code).toBe(firstCode)
  expect(await countCheckins(db, webinar.id)).toBe(0)
  await checkIn(db, first.token, firstCode, [], at(6))
  expect(await countCheckins(db, webinar.id)).toBe(1)

  expect(await closeCheckinWindow(db, webinar.id, organiser.id, at(7))).toEqual({ ok: true })
  expect((await webinarRow(webinar.id)).checkin_closes_at).toBe(at(7))
  expect(await checkIn(db, second.token, firstCode, [], at(8))).toEqual({ ok: false, reason: 'windowClosed' })

  expect(await openCheckinWindow(db, webinar.id, organiser.id, 10, at(60))).toEqual({ ok: true })
  const reopened = await webinarRow(webinar.id)
  expect(reopened.checkin_opened_at).toBe(at(60))
  expect(reopened.checkin_closes_at).toBe(at(70))
  expect(reopened.checkin_code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/)
  expect(reopened.checkin_code).not.toBe(firstCode)
  expect(await checkIn(db, second.token, firstCode, [], at(61))).toEqual({ ok: false, reason: 'wrongCode' })
  expect(await checkIn(db, second.token, reopened.checkin_code!, [], at(62))).toMatchObject({ ok: true, already: false })
  expect(await countCheckins(db, webinar.id)).toBe(2)

  const events = await listAttendanceEvents(db, webinar.id)
  expect(events.map((e) => e.action)).toEqual(['windowOpened', 'windowClosed', 'windowOpened'])
  expect(events[0]!.detail).toEqual({ minutes: 10, closesAt: at(70) })
  expect(events.every((e) => e.actor_name === 'Organiser Ani')).toBe(true)
})

// --- Manual marks ----------------------------------------------------------------------------

test('a manual mark overrides the evidence either way; clearing it lets the evidence decide again', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const moderator = await createUser('moderator', { name: 'Moderator Budi' })
  const checkedIn = await register(webinar.id)
  const nobody = await register(webinar.id)
  await openCheckinWindow(db, webinar.id, organiser.id, 15, at(0))
  await checkIn(db, checkedIn.token, await currentCode(webinar.id), [], at(1))
  expect(await attendanceOf(webinar, checkedIn.id)).toEqual({ present: 1, source: 'checkin' })
  expect(await attendanceOf(webinar, nobody.id)).toEqual({ present: 0, source: null })

  expect(await markAttendance(db, webinar.id, checkedIn.id, { present: false, reason: 'notPresent', note: 'Kode dibagikan lewat grup WA' }, moderator.id, at(20))).toEqual({ ok: true })
  expect(await markAttendance(db, webinar.id, nobody.id, { present: true, reason: 'livestream', note: 'Menonton di YouTube' }, moderator.id, at(21))).toEqual({ ok: true })
  expect(await attendanceOf(webinar, checkedIn.id)).toEqual({ present: 0, source: 'manual' })
  expect(await attendanceOf(webinar, nobody.id)).toEqual({ present: 1, source: 'manual' })
  expect(await registrationRow(checkedIn.id)).toMatchObject({ manual_present: 0, manual_reason: 'notPresent', manual_note: 'Kode dibagikan lewat grup WA', manual_by: moderator.id, manual_at: at(20) })

  expect(await markAttendance(db, webinar.id, checkedIn.id, { present: null, reason: null, note: 'Salah tandai' }, moderator.id, at(22))).toEqual({ ok: true })
  expect(await markAttendance(db, webinar.id, nobody.id, { present: null, reason: null, note: null }, moderator.id, at(23))).toEqual({ ok: true })
  expect(await attendanceOf(webinar, checkedIn.id)).toEqual({ present: 1, source: 'checkin' })
  expect(await attendanceOf(webinar, nobody.id)).toEqual({ present: 0, source: null })
  expect(await registrationRow(checkedIn.id)).toMatchObject({ manual_present: null, manual_reason: null, manual_note: null, manual_by: null, manual_at: null })

  // Every mark is written down, newest first: who, whom, what and why.
  const events = (await listAttendanceEvents(db, webinar.id)).filter((e) => e.action === 'marked' || e.action === 'markCleared')
  expect(events.map((e) => ({ action: e.action, actor: e.actor_name, registrant: e.registrant_name, at: e.at, detail: e.detail, reason: e.reason }))).toEqual([
    { action: 'markCleared', actor: 'Moderator Budi', registrant: nobody.name, at: at(23), detail: { from: 1, to: null, reason: null }, reason: null },
    { action: 'markCleared', actor: 'Moderator Budi', registrant: checkedIn.name, at: at(22), detail: { from: 0, to: null, reason: null }, reason: 'Salah tandai' },
    { action: 'marked', actor: 'Moderator Budi', registrant: nobody.name, at: at(21), detail: { from: null, to: 1, reason: 'livestream' }, reason: 'Menonton di YouTube' },
    { action: 'marked', actor: 'Moderator Budi', registrant: checkedIn.name, at: at(20), detail: { from: null, to: 0, reason: 'notPresent' }, reason: 'Kode dibagikan lewat grup WA' },
  ])
})

test('only this webinar’s registered people can be marked', async () => {
  const { webinar, organiser } = await consoleWebinar({ capacity: 1 })
  const { webinar: otherWebinar } = await consoleWebinar()
  await register(webinar.id)
  const waiting = await register(webinar.id)
  const elsewhere = await register(otherWebinar.id)
  expect(waiting.status).toBe('waitlisted')
  const mark = { present: true, reason: 'seenInMeeting' as const, note: null }
  expect(await markAttendance(db, webinar.id, waiting.id, mark, organiser.id, at(10))).toEqual({ ok: false, reason: 'notFound' })
  expect(await markAttendance(db, webinar.id, elsewhere.id, mark, organiser.id, at(10))).toEqual({ ok: false, reason: 'notFound' })
  expect((await registrationRow(waiting.id)).manual_present).toBeNull()
  expect((await registrationRow(elsewhere.id)).manual_present).toBeNull()
  expect(await listAttendanceEvents(db, webinar.id)).toEqual([])
})

// --- The list --------------------------------------------------------------------------------

test('the list searches names (any case) and e-mails, and shows only this webinar’s registered people', async () => {
  const { webinar } = await consoleWebinar({ capacity: 3 })
  const { webinar: otherWebinar } = await consoleWebinar()
  const siti = await register(webinar.id, { name: 'Siti Aminah', email: 'siti.a@sekolah.sch.id' })
  const budi = await register(webinar.id, { name: 'Budi Santoso', email: 'budi@desa.id' })
  const cancelled = await register(webinar.id, { name: 'Siti Cancelled', email: 'sc@example.org' })
  const promoted = await register(webinar.id, { name: 'Siti Menunggu', email: 'sm@sekolah.sch.id' })
  await register(otherWebinar.id, { name: 'Siti Aminah', email: 'siti.lain@sekolah.sch.id' })
  expect(promoted.status).toBe('waitlisted')
  expect(await cancelRegistration(db, cancelled.token, at(-600))).toBe(true)
  // Cancelling seated the first in line; someone else waits now.
  const stillWaiting = await register(webinar.id, { name: 'Siti Antri', email: 'sa@sekolah.sch.id' })
  expect(stillWaiting.status).toBe('waitlisted')

  const names = async (q: string) => (await listAttendance(db, webinar, { q })).rows.map((r) => r.name)
  expect(await names('siti')).toEqual(['Siti Aminah', 'Siti Menunggu'])
  expect(await names('SITI AMI')).toEqual(['Siti Aminah'])
  expect(await names('  aminah ')).toEqual(['Siti Aminah'])
  expect(await names('sekolah.sch')).toEqual(['Siti Aminah', 'Siti Menunggu'])
  expect(await names('BUDI@DESA')).toEqual(['Budi Santoso'])
  expect(await names('nobody')).toEqual([])
  // Wildcards are text, not patterns.
  expect(await names('%')).toEqual([])
  expect(await names('_')).toEqual([])

  const all = await listAttendance(db, webinar, {})
  expect(all.rows.map((r) => r.id).sort()).toEqual([siti.id, budi.id, promoted.id].sort())
  expect(all.total).toBe(3)
  expect(all.rows.map((r) => r.id)).not.toContain(cancelled.id)
  expect(all.rows.map((r) => r.id)).not.toContain(stillWaiting.id)
  expect((await countAttendance(db, webinar)).registered).toBe(3)
})

test('the list filters by outcome and by source of the evidence', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const checkedIn = await register(webinar.id, { name: 'A Checkin' })
  const zoom = await register(webinar.id, { name: 'B Zoom' })
  const markedPresent = await register(webinar.id, { name: 'C Manual Hadir' })
  const markedAbsent = await register(webinar.id, { name: 'D Manual Absen' })
  const shortZoom = await register(webinar.id, { name: 'E Zoom Kurang' })
  const nothing = await register(webinar.id, { name: 'F Tidak Ada' })
  await openCheckinWindow(db, webinar.id, organiser.id, 15, at(0))
  await checkIn(db, checkedIn.token, await currentCode(webinar.id), [], at(1))
  await setZoomMinutes(zoom.id, 170)
  await setZoomMinutes(markedAbsent.id, 170)
  await setZoomMinutes(shortZoom.id, 30)
  await markAttendance(db, webinar.id, markedPresent.id, { present: true, reason: 'technicalProblem', note: null }, organiser.id, at(100))
  await markAttendance(db, webinar.id, markedAbsent.id, { present: false, reason: 'nameMismatch', note: null }, organiser.id, at(100))

  const filtered = async (filter: 'all' | 'present' | 'absent' | 'checkin' | 'zoom' | 'manual') => {
    const result = await listAttendance(db, webinar, { filter })
    expect(result.total).toBe(result.rows.length)
    return result.rows.map((r) => r.name)
  }
  expect(await filtered('all')).toEqual(['A Checkin', 'B Zoom', 'C Manual Hadir', 'D Manual Absen', 'E Zoom Kurang', 'F Tidak Ada'])
  expect(await filtered('present')).toEqual(['A Checkin', 'B Zoom', 'C Manual Hadir'])
  expect(await filtered('absent')).toEqual(['D Manual Absen', 'E Zoom Kurang', 'F Tidak Ada'])
  expect(await filtered('checkin')).toEqual(['A Checkin'])
  expect(await filtered('zoom')).toEqual(['B Zoom'])
  expect(await filtered('manual')).toEqual(['C Manual Hadir', 'D Manual Absen'])
  // Search and filter together.
  expect((await listAttendance(db, webinar, { q: 'zoom', filter: 'absent' })).rows.map((r) => r.name)).toEqual(['E Zoom Kurang'])
  expect(await countAttendance(db, webinar)).toEqual({ registered: 6, checkedIn: 1, zoomEnough: 2, manual: 2, present: 3 })
  expect(nothing.id).toBeTruthy()
})

test('the list comes a page at a time, in name order, with the total', async () => {
  const { webinar } = await consoleWebinar()
  const count = ATTENDANCE_PAGE_SIZE + 5
  for (let i = 0; i < count; i++) await register(webinar.id, { name: `Peserta ${String(i).padStart(3, '0')}` })
  const first = await listAttendance(db, webinar, { page: 1 })
  const second = await listAttendance(db, webinar, { page: 2 })
  const third = await listAttendance(db, webinar, { page: 3 })
  expect(first.total).toBe(count)
  expect(second.total).toBe(count)
  expect(first.rows).toHaveLength(ATTENDANCE_PAGE_SIZE)
  expect(second.rows.map((r) => r.name)).toEqual(['Peserta 050', 'Peserta 051', 'Peserta 052', 'Peserta 053', 'Peserta 054'])
  expect(first.rows[0]!.name).toBe('Peserta 000')
  expect(first.rows.at(-1)!.name).toBe('Peserta 049')
  expect(third.rows).toEqual([])
  // Page numbers below one are the first page.
  expect((await listAttendance(db, webinar, { page: 0 })).rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id))
  expect(await listAttendance(db, webinar, { q: 'Peserta 05', page: 1 })).toMatchObject({ total: 5 })
})

// --- Finalising ------------------------------------------------------------------------------

test('finalising is refused before the end; afterwards it writes each registrant’s outcome and finishes the webinar', async () => {
  const { webinar, organiser } = await consoleWebinar({ capacity: 6 })
  const checkedIn = await register(webinar.id)
  const zoomEnough = await register(webinar.id)
  const zoomShort = await register(webinar.id)
  const nothing = await register(webinar.id)
  const overruled = await register(webinar.id)
  const cancelled = await register(webinar.id)
  const waiting = await register(webinar.id)
  expect(waiting.status).toBe('waitlisted')

  await openCheckinWindow(db, webinar.id, organiser.id, 15, at(0))
  const code = await currentCode(webinar.id)
  for (const person of [checkedIn, overruled, cancelled]) await checkIn(db, person.token, code, [], at(1))
  await setZoomMinutes(zoomEnough.id, 126)
  await setZoomMinutes(zoomShort.id, 125)
  await markAttendance(db, webinar.id, overruled.id, { present: false, reason: 'notPresent', note: null }, organiser.id, at(30))
  // A checked-in person who cancels is no longer registered; the first waiting takes the seat.
  expect(await cancelRegistration(db, cancelled.token, at(40))).toBe(true)
  expect((await registrationRow(waiting.id)).status).toBe('registered')
  const stillWaiting = await register(webinar.id, {}) // capacity reached again
  expect(stillWaiting.status).toBe('waitlisted')
  // A last window, opened before the end, still open when the list is finalised.
  await openCheckinWindow(db, webinar.id, organiser.id, 30, afterEnd(-10))

  expect(await finaliseAttendance(db, webinar.id, organiser.id, afterEnd(0, -1))).toEqual({ ok: false, reason: 'notEnded' })
  expect((await webinarRow(webinar.id)).attendance_finalised_at).toBeNull()
  expect((await registrationRow(checkedIn.id)).attended).toBeNull()

  expect(await finaliseAttendance(db, webinar.id, organiser.id, afterEnd(5))).toEqual({ ok: true, present: 2, registered: 6 })
  const attended = async (id: string) => (await registrationRow(id)).attended
  expect(await attended(checkedIn.id)).toBe(1)
  expect(await attended(zoomEnough.id)).toBe(1)
  expect(await attended(zoomShort.id)).toBe(0)
  expect(await attended(nothing.id)).toBe(0)
  expect(await attended(overruled.id)).toBe(0)
  expect(await attended(waiting.id)).toBe(0) // promoted, never showed up
  expect(await attended(cancelled.id)).toBeNull()
  expect(await attended(stillWaiting.id)).toBeNull()

  const row = await webinarRow(webinar.id)
  expect(row).toMatchObject({ status: 'finished', finished_at: afterEnd(5), attendance_finalised_at: afterEnd(5), attendance_finalised_by: organiser.id, checkin_closes_at: afterEnd(5) })

  expect(await finaliseAttendance(db, webinar.id, organiser.id, afterEnd(6))).toEqual({ ok: false, reason: 'finalised' })
  expect((await webinarRow(webinar.id)).attendance_finalised_at).toBe(afterEnd(5))
})

test('a finished webinar can be finalised too, and a window closed before the end stays as it was', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const person = await register(webinar.id)
  await openCheckinWindow(db, webinar.id, organiser.id, 15, at(0))
  await checkIn(db, person.token, await currentCode(webinar.id), [], at(2))
  expect(await finishWebinar(db, webinar.id, afterEnd(1))).toEqual({ ok: true })
  expect(await finaliseAttendance(db, webinar.id, organiser.id, afterEnd(2))).toEqual({ ok: true, present: 1, registered: 1 })
  expect(await webinarRow(webinar.id)).toMatchObject({ status: 'finished', finished_at: afterEnd(1), checkin_closes_at: at(15) })
})

test('once finalised, marks, windows and check-ins are refused until an organiser reopens the list', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const person = await register(webinar.id)
  await setZoomMinutes(person.id, 130)
  expect(await finaliseAttendance(db, webinar.id, organiser.id, afterEnd(1))).toMatchObject({ ok: true, present: 1 })

  expect(await markAttendance(db, webinar.id, person.id, { present: false, reason: 'notPresent', note: null }, organiser.id, afterEnd(2))).toEqual({ ok: false, reason: 'finalised' })
  expect(await openCheckinWindow(db, webinar.id, organiser.id, 15, afterEnd(2))).toEqual({ ok: false, reason: 'finalised' })
  expect(await checkIn(db, person.token, 'ABCDEF', [], afterEnd(2))).toEqual({ ok: false, reason: 'finalised' })
  expect(await registrationRow(person.id)).toMatchObject({ manual_present: null, attended: 1, checked_in_at: null })
  expect((await webinarRow(webinar.id)).checkin_code).toBeNull()
})

test('reopening clears the outcome with a reason; the audit trail shows finalised, reopened and marked with their actors', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const moderator = await createUser('moderator', { name: 'Moderator Citra' })
  const person = await register(webinar.id)
  await setZoomMinutes(person.id, 150)

  expect(await reopenAttendance(db, webinar.id, organiser.id, 'belum difinalkan', afterEnd(1))).toEqual({ ok: false, reason: 'notFinalised' })
  expect(await finaliseAttendance(db, webinar.id, organiser.id, afterEnd(10))).toEqual({ ok: true, present: 1, registered: 1 })
  expect((await registrationRow(person.id)).attended).toBe(1)

  expect(await reopenAttendance(db, webinar.id, organiser.id, 'Laporan Zoom kedua menyusul', afterEnd(20))).toEqual({ ok: true })
  expect((await registrationRow(person.id)).attended).toBeNull()
  expect(await webinarRow(webinar.id)).toMatchObject({ attendance_finalised_at: null, attendance_finalised_by: null, status: 'finished' })

  expect(await markAttendance(db, webinar.id, person.id, { present: false, reason: 'other', note: 'Akun dipakai bersama' }, moderator.id, afterEnd(30))).toEqual({ ok: true })
  expect(await finaliseAttendance(db, webinar.id, organiser.id, afterEnd(40))).toEqual({ ok: true, present: 0, registered: 1 })
  expect((await registrationRow(person.id)).attended).toBe(0)

  const events = await listAttendanceEvents(db, webinar.id)
  expect(events.map((e) => ({ action: e.action, actor: e.actor_name, at: e.at, reason: e.reason }))).toEqual([
    { action: 'finalised', actor: 'Organiser Ani', at: afterEnd(40), reason: null },
    { action: 'marked', actor: 'Moderator Citra', at: afterEnd(30), reason: 'Akun dipakai bersama' },
    { action: 'reopened', actor: 'Organiser Ani', at: afterEnd(20), reason: 'Laporan Zoom kedua menyusul' },
    { action: 'finalised', actor: 'Organiser Ani', at: afterEnd(10), reason: null },
  ])
  expect(events.at(-1)!.detail).toEqual({ registered: 1, present: 1, requiredMinutes: 126, certificates: 1 })
  expect(events[2]!.detail).toEqual({ finalisedAt: afterEnd(10) })
  expect(events[1]!.registrant_name).toBe(person.name)
})

// --- Who finds the console -------------------------------------------------------------------

test('an organiser finds any announced webinar; a draft is found by nobody', async () => {
  const organiser = await createUser('organiser')
  const someoneElse = await createUser('organiser')
  const draft = await createWebinar(organiser.id, { complete: true })
  const published = await createWebinar(organiser.id, { complete: true })
  await publishWebinar(db, published.id)
  const finished = await createWebinar(organiser.id, { complete: true })
  await publishWebinar(db, finished.id)
  await finishWebinar(db, finished.id, afterEnd(1))

  const asOrganiser = { id: someoneElse.id, role: 'organiser' as const }
  expect(await getAttendanceWebinar(db, draft.slug, asOrganiser)).toBeNull()
  expect(await getAttendanceWebinar(db, published.slug, asOrganiser)).toMatchObject({ id: published.id, status: 'published', start_at: START, end_at: END, requiredMinutes: 126 })
  expect(await getAttendanceWebinar(db, finished.slug, asOrganiser)).toMatchObject({ id: finished.id, status: 'finished' })
  expect(await getAttendanceWebinar(db, 'no-such-webinar', asOrganiser)).toBeNull()
})

test('a moderator finds only the webinar they moderate; not another one, and not one where they speak', async () => {
  const organiser = await createUser('organiser')
  const moderatorUser = await createUser('moderator', { name: 'Moderator Dewi' })
  const otherModeratorUser = await createUser('moderator')
  const speakerUser = await createUser('speaker')
  const moderatorPerson = await createPersonFor('Dewi Moderator', { userId: moderatorUser.id })
  const otherModeratorPerson = await createPersonFor('Eko Moderator', { userId: otherModeratorUser.id })
  const speakerPerson = await createPersonFor('Fajar Narasumber', { userId: speakerUser.id })

  async function announced(moderator: string, speaker: string) {
    const saved = await createWebinar(organiser.id)
    expect(await assignRole(db, saved.id, { personId: moderator, role: 'moderator', talkTitle: null, pillar: null })).toEqual({ ok: true })
    expect(await assignRole(db, saved.id, { personId: speaker, role: 'speaker', talkTitle: 'Materi', pillar: 'cakap' })).toEqual({ ok: true })
    expect(await publishWebinar(db, saved.id)).toEqual({ ok: true })
    return saved
  }
  const mine = await announced(moderatorPerson, speakerPerson)
  const theirs = await announced(otherModeratorPerson, speakerPerson)
  // The moderator also speaks at a third webinar, which is not theirs to run.
  const speaking = await announced(otherModeratorPerson, moderatorPerson)
  const draft = await createWebinar(organiser.id)
  await assignRole(db, draft.id, { personId: moderatorPerson, role: 'moderator', talkTitle: null, pillar: null })

  const asModerator = { id: moderatorUser.id, role: 'moderator' as const }
  expect(await getAttendanceWebinar(db, mine.slug, asModerator)).toMatchObject({ id: mine.id })
  expect(await getAttendanceWebinar(db, theirs.slug, asModerator)).toBeNull()
  expect(await getAttendanceWebinar(db, speaking.slug, asModerator)).toBeNull()
  expect(await getAttendanceWebinar(db, draft.slug, asModerator)).toBeNull()
  expect(await getAttendanceWebinar(db, theirs.slug, { id: otherModeratorUser.id, role: 'moderator' })).toMatchObject({ id: theirs.id })
  // The speaker on a webinar does not run its attendance.
  expect(await getAttendanceWebinar(db, mine.slug, { id: speakerUser.id, role: 'speaker' })).toBeNull()
  expect(await getAttendanceWebinar(db, mine.slug, { id: speakerUser.id, role: 'moderator' })).toBeNull()
})
