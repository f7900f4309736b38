import { randomInt } from 'node:crypto'
import { sql } from 'kysely'
import { likeOperator, lockWebinars, type DB } from '#app/utils/db.server'
import { CHECKIN_CODE_ALPHABET, CHECKIN_CODE_LENGTH, requiredZoomMinutes, type AttendanceFilter, type AttendanceSource, type ManualReason } from '#app/utils/attendance-rules'
import { createId } from '#app/utils/crypto.server'
import { createGroupCommit } from '#app/utils/group-commit.server'
import { racePoint } from '#app/utils/race-points.server'
import { addMinutes, nowIso } from '#app/utils/time'
import { syncParticipantCertificates, syncStaffCertificates } from './certificate.server'
import { buildWebinarReach } from './programme-report.server'
import { WEBINAR_PLACE_COLUMNS } from './columns.server'
import { countHits, usedUpWait, type RateLimit } from './rate-limit.server'
import { markWebinarFinished } from './webinar.server'

// Attendance decides who gets a certificate. A registrant is present when a moderator marked
// them so; otherwise when they checked in with the code while the window was open, or when
// their Zoom minutes reach the threshold. The rule lives once, in SQL (presentSql), so the
// console's list, its counts and the finalised outcome cannot disagree.

export type Actor = { id: string; role: 'organiser' | 'moderator' | 'speaker' }

/**
 * The webinar behind an attendance console, for an organiser or for that webinar's own
 * moderator; nobody else finds it. Only announced webinars have attendance.
 */
export async function getAttendanceWebinar(db: DB, slug: string, actor: Actor) {
  let query = db
    .selectFrom('webinars')
    .innerJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select([
      'webinars.id',
      'webinars.slug',
      'webinars.topic',
      'webinars.status',
      'webinars.start_at',
      'webinars.end_at',
      'webinars.attendance_threshold',
      'webinars.checkin_code',
      'webinars.checkin_opened_at',
      'webinars.checkin_closes_at',
      'webinars.zoom_import_id',
      'webinars.attendance_finalised_at',
      'webinars.attendance_finalised_by',
    ])
    .select(WEBINAR_PLACE_COLUMNS)
    .where('webinars.slug', '=', slug)
    .where('webinars.status', 'in', ['published', 'finished'])
  if (actor.role !== 'organiser') {
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('webinar_roles')
          .innerJoin('people', 'people.id', 'webinar_roles.person_id')
          .select('webinar_roles.id')
          .whereRef('webinar_roles.webinar_id', '=', 'webinars.id')
          .where('webinar_roles.role', '=', 'moderator')
          .where('people.user_id', '=', actor.id),
      ),
    )
  }
  const webinar = await query.executeTakeFirst()
  if (!webinar || !webinar.start_at || !webinar.end_at) return null
  return { ...webinar, start_at: webinar.start_at, end_at: webinar.end_at, requiredMinutes: requiredZoomMinutes(webinar.start_at, webinar.end_at, webinar.attendance_threshold) }
}

export type AttendanceWebinar = NonNullable<Awaited<ReturnType<typeof getAttendanceWebinar>>>

/** Whether the check-in window is open at `now`. The closing moment itself still counts. */
export function checkinWindowOpen(webinar: { checkin_opened_at: string | null; checkin_closes_at: string | null }, now: string): boolean {
  return !!webinar.checkin_opened_at && !!webinar.checkin_closes_at && webinar.checkin_opened_at <= now && now <= webinar.checkin_closes_at
}

/** 1 when a registrant is present by the rule, else 0. Exported for reports, which group by it. */
export function presentSql(requiredMinutes: number) {
  return sql<number>`case
    when registrations.manual_present is not null then registrations.manual_present
    when registrations.checked_in_at is not null then 1
    when registrations.zoom_minutes >= ${requiredMinutes} then 1
    else 0 end`
}

function sourceSql(requiredMinutes: number) {
  return sql<AttendanceSource | null>`case
    when registrations.manual_present is not null then 'manual'
    when registrations.checked_in_at is not null then 'checkin'
    when registrations.zoom_minutes >= ${requiredMinutes} then 'zoom'
    else null end`
}

export const ATTENDANCE_PAGE_SIZE = 50

/** The registrants with their attendance, searchable by name and e-mail, a page at a time. */
export async function listAttendance(db: DB, webinar: { id: string; requiredMinutes: number }, options: { q?: string | null; filter?: AttendanceFilter; page?: number }) {
  const present = presentSql(webinar.requiredMinutes)
  const source = sourceSql(webinar.requiredMinutes)
  let query = db.selectFrom('registrations').where('registrations.webinar_id', '=', webinar.id).where('registrations.status', '=', 'registered')
  const q = options.q?.trim()
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    const like = sql.raw(likeOperator(db))
    query = query.where((eb) => eb.or([sql<boolean>`registrations.name ${like} ${pattern} escape '\\'`, sql<boolean>`registrations.email ${like} ${pattern.toLowerCase()} escape '\\'`]).$castTo<boolean>())
  }
  const filter = options.filter ?? 'all'
  if (filter === 'present') query = query.where(present, '=', 1)
  if (filter === 'absent') query = query.where(present, '=', 0)
  if (filter === 'checkin' || filter === 'zoom' || filter === 'manual') query = query.where(source, '=', filter)

  const page = Math.max(1, options.page ?? 1)
  const [rows, total] = await Promise.all([
    query
      .select([
        'registrations.id',
        'registrations.name',
        'registrations.email',
        'registrations.checked_in_at',
        'registrations.zoom_minutes',
        'registrations.manual_present',
        'registrations.manual_reason',
        'registrations.manual_note',
        'registrations.attended',
      ])
      .select([present.as('present'), source.as('source')])
      .orderBy('registrations.name')
      .orderBy('registrations.id')
      .limit(ATTENDANCE_PAGE_SIZE)
      .offset((page - 1) * ATTENDANCE_PAGE_SIZE)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(total.count), page, pageSize: ATTENDANCE_PAGE_SIZE }
}

export type AttendanceRow = Awaited<ReturnType<typeof listAttendance>>['rows'][number]

/** The console's headline figures. */
export async function countAttendance(db: DB, webinar: { id: string; requiredMinutes: number }) {
  const row = await db
    .selectFrom('registrations')
    .select((eb) => [
      eb.fn.countAll<number>().as('registered'),
      sql<number>`coalesce(sum(case when registrations.checked_in_at is not null then 1 else 0 end), 0)`.as('checkedIn'),
      sql<number>`coalesce(sum(case when registrations.zoom_minutes >= ${webinar.requiredMinutes} then 1 else 0 end), 0)`.as('zoomEnough'),
      sql<number>`coalesce(sum(case when registrations.manual_present is not null then 1 else 0 end), 0)`.as('manual'),
      sql<number>`coalesce(sum(${presentSql(webinar.requiredMinutes)}), 0)`.as('present'),
    ])
    .where('registrations.webinar_id', '=', webinar.id)
    .where('registrations.status', '=', 'registered')
    .executeTakeFirstOrThrow()
  return {
    registered: Number(row.registered),
    checkedIn: Number(row.checkedIn),
    zoomEnough: Number(row.zoomEnough),
    manual: Number(row.manual),
    present: Number(row.present),
  }
}

/** The live count the console polls while the window is open. */
export async function countCheckins(db: DB, webinarId: string): Promise<number> {
  const row = await db
    .selectFrom('registrations')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('webinar_id', '=', webinarId)
    .where('status', '=', 'registered')
    .where('checked_in_at', 'is not', null)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

// --- The audit trail -------------------------------------------------------------------------

export type AttendanceAction = 'windowOpened' | 'windowClosed' | 'marked' | 'markCleared' | 'zoomCommitted' | 'zoomLinked' | 'finalised' | 'reopened' | 'staffMarked'

/** Every change to attendance is written down: who, when, what and why. Call inside the change's transaction. */
export async function recordAttendanceEvent(
  db: DB,
  event: { webinarId: string; registrationId?: string | null; actorId: string | null; at: string; action: AttendanceAction; detail: Record<string, unknown>; reason?: string | null },
): Promise<void> {
  await db
    .insertInto('attendance_events')
    .values({
      id: createId(),
      webinar_id: event.webinarId,
      registration_id: event.registrationId ?? null,
      actor_id: event.actorId,
      at: event.at,
      action: event.action,
      detail: JSON.stringify(event.detail),
      reason: event.reason ?? null,
    })
    .execute()
}

export async function listAttendanceEvents(db: DB, webinarId: string, limit = 200) {
  const rows = await db
    .selectFrom('attendance_events')
    .leftJoin('users', 'users.id', 'attendance_events.actor_id')
    .leftJoin('registrations', 'registrations.id', 'attendance_events.registration_id')
    .select([
      'attendance_events.id',
      'attendance_events.at',
      'attendance_events.action',
      'attendance_events.detail',
      'attendance_events.reason',
      'users.name as actor_name',
      'registrations.name as registrant_name',
    ])
    .where('attendance_events.webinar_id', '=', webinarId)
    .orderBy('attendance_events.at', 'desc')
    .orderBy('attendance_events.id')
    .limit(limit)
    .execute()
  return rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, string | number | boolean | null> }))
}

// --- The check-in window ---------------------------------------------------------------------

export function createCheckinCode(): string {
  let code = ''
  for (let i = 0; i < CHECKIN_CODE_LENGTH; i++) code += CHECKIN_CODE_ALPHABET[randomInt(CHECKIN_CODE_ALPHABET.length)]
  return code
}

export type AttendanceChange = { ok: true } | { ok: false; reason: 'finalised' | 'notFound' | 'alreadyOpen' | 'notOpen' }

/** Opens the window with a fresh code for `minutes`; the moderator announces the code. */
export async function openCheckinWindow(db: DB, webinarId: string, actorId: string, minutes: number, now = nowIso()): Promise<AttendanceChange> {
  return db.transaction().execute(async (trx): Promise<AttendanceChange> => {
    // The lock rule: two moderators opening at once take turns, so the code one of them announces
    // is not replaced by the other's a moment later.
    await lockWebinars(trx, [webinarId])
    const webinar = await trx.selectFrom('webinars').select(['attendance_finalised_at', 'checkin_opened_at', 'checkin_closes_at']).where('id', '=', webinarId).executeTakeFirst()
    await racePoint('open-checkin:after-read')
    if (!webinar) return { ok: false, reason: 'notFound' }
    if (webinar.attendance_finalised_at) return { ok: false, reason: 'finalised' }
    if (checkinWindowOpen(webinar, now)) return { ok: false, reason: 'alreadyOpen' }
    const closesAt = addMinutes(now, minutes)
    await trx.updateTable('webinars').set({ checkin_code: createCheckinCode(), checkin_opened_at: now, checkin_closes_at: closesAt }).where('id', '=', webinarId).execute()
    await recordAttendanceEvent(trx, { webinarId, actorId, at: now, action: 'windowOpened', detail: { minutes, closesAt } })
    return { ok: true }
  })
}

export async function closeCheckinWindow(db: DB, webinarId: string, actorId: string, now = nowIso()): Promise<AttendanceChange> {
  return db.transaction().execute(async (trx): Promise<AttendanceChange> => {
    await lockWebinars(trx, [webinarId])
    const webinar = await trx.selectFrom('webinars').select(['checkin_opened_at', 'checkin_closes_at']).where('id', '=', webinarId).executeTakeFirst()
    if (!webinar) return { ok: false, reason: 'notFound' }
    if (!checkinWindowOpen(webinar, now)) return { ok: false, reason: 'notOpen' }
    await trx.updateTable('webinars').set({ checkin_closes_at: now }).where('id', '=', webinarId).execute()
    await recordAttendanceEvent(trx, { webinarId, actorId, at: now, action: 'windowClosed', detail: {} })
    return { ok: true }
  })
}

// --- A resident checks in --------------------------------------------------------------------

export type CheckInResult =
  | { ok: true; checkedInAt: string; already: boolean }
  | { ok: false; reason: 'notFound' | 'notSeated' | 'windowClosed' | 'wrongCode' | 'finalised' }
  | { ok: false; reason: 'tooMany'; retryAfterSeconds: number }

/**
 * A resident types the announced code on their personal page. Only wrong codes count against
 * the limits (per registration and per address), so a hall full of residents behind one
 * address checks in freely while guessing stays slow. The limits are read, the code compared and
 * a wrong one counted inside one write transaction, so simultaneous guesses are judged one after
 * the other: a burst gets no more comparisons than the limit allows. When the code is
 * announced, a whole audience checks in within a minute: the attempts that arrive together
 * share one commit. The window, the code, the finalising and the seat are judged again in that
 * commit, so no check-in lands on a list that was finalised after the first look, nor on a seat
 * cancelled or erased since.
 */
export async function checkIn(db: DB, token: string, code: string, limits: Array<[key: string, limit: RateLimit]>, now = nowIso()): Promise<CheckInResult> {
  const r = await db
    .selectFrom('registrations')
    .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
    .select([
      'registrations.id',
      'registrations.status',
      'registrations.checked_in_at',
      'registrations.webinar_id',
      'webinars.checkin_opened_at',
      'webinars.checkin_closes_at',
      'webinars.attendance_finalised_at',
    ])
    .where('registrations.token', '=', token)
    .where('registrations.data_deleted_at', 'is', null)
    .executeTakeFirst()
  if (!r) return { ok: false, reason: 'notFound' }
  if (r.status !== 'registered') return { ok: false, reason: 'notSeated' }
  if (r.checked_in_at) return { ok: true, checkedInAt: r.checked_in_at, already: true }
  if (r.attendance_finalised_at) return { ok: false, reason: 'finalised' }
  if (!checkinWindowOpen(r, now)) return { ok: false, reason: 'windowClosed' }
  return recordCheckIn(db, { registrationId: r.id, webinarId: r.webinar_id, code, limits, now })
}

type CheckInAttempt = { registrationId: string; webinarId: string; code: string; limits: Array<[key: string, limit: RateLimit]>; now: string }

/**
 * Judges each attempt in turn: refused once the list is finalised or the window closed, refused
 * while a limit is used up, a wrong code counted, a right one written unless a time is there
 * already (a double submit keeps the first time).
 */
const recordCheckIn = createGroupCommit(async (trx, attempts: CheckInAttempt[]) => {
  // The lock rule: the group's webinars first, then their windows read under the lock (a
  // finalise that committed meanwhile is seen here; one still running goes first or after).
  const webinarIds = [...new Set(attempts.map((attempt) => attempt.webinarId))]
  await lockWebinars(trx, webinarIds)
  const rows = await trx
    .selectFrom('webinars')
    .select(['id', 'checkin_code', 'checkin_opened_at', 'checkin_closes_at', 'attendance_finalised_at'])
    .where('id', 'in', webinarIds)
    .execute()
  const windows = new Map(rows.map((row) => [row.id, row]))
  // The seats too, read again under the lock: one cancelled or erased since the first look (the
  // resident's other tab, their erasure) is not checked in.
  const seated = await trx
    .selectFrom('registrations')
    .select(['id', 'status', 'data_deleted_at'])
    .where('id', 'in', [...new Set(attempts.map((attempt) => attempt.registrationId))])
    .execute()
  const seats = new Map(seated.map((row) => [row.id, row]))
  await racePoint('check-in:after-read')
  const results: CheckInResult[] = []
  for (const { registrationId, webinarId, code, limits, now } of attempts) {
    const seat = seats.get(registrationId)
    if (!seat || seat.data_deleted_at) {
      results.push({ ok: false, reason: 'notFound' })
      continue
    }
    if (seat.status !== 'registered') {
      results.push({ ok: false, reason: 'notSeated' })
      continue
    }
    const webinar = windows.get(webinarId)!
    const refusal = webinar.attendance_finalised_at ? 'finalised' : checkinWindowOpen(webinar, now) ? null : 'windowClosed'
    if (refusal) {
      const earlier = await trx.selectFrom('registrations').select('checked_in_at').where('id', '=', registrationId).executeTakeFirstOrThrow()
      results.push(earlier.checked_in_at ? { ok: true, checkedInAt: earlier.checked_in_at, already: true } : { ok: false, reason: refusal })
      continue
    }
    const codeRight = !!webinar.checkin_code && code === webinar.checkin_code
    const wait = await usedUpWait(trx, limits)
    if (wait > 0) {
      results.push({ ok: false, reason: 'tooMany', retryAfterSeconds: wait })
      continue
    }
    if (!codeRight) {
      await countHits(trx, limits)
      results.push({ ok: false, reason: 'wrongCode' })
      continue
    }
    const updated = await trx
      .updateTable('registrations')
      .set({ checked_in_at: now })
      .where('id', '=', registrationId)
      .where('checked_in_at', 'is', null)
      .executeTakeFirst()
    if (updated.numUpdatedRows > 0n) {
      results.push({ ok: true, checkedInAt: now, already: false })
      continue
    }
    const earlier = await trx.selectFrom('registrations').select('checked_in_at').where('id', '=', registrationId).executeTakeFirstOrThrow()
    results.push({ ok: true, checkedInAt: earlier.checked_in_at ?? now, already: true })
  }
  return results
})


// --- Manual marks ----------------------------------------------------------------------------

export type ManualMark = { present: boolean | null; reason: ManualReason | null; note: string | null }

/** A moderator's mark overrides the evidence; clearing it (present null) lets the evidence decide again. */
export async function markAttendance(db: DB, webinarId: string, registrationId: string, mark: ManualMark, actorId: string, now = nowIso()): Promise<AttendanceChange> {
  return db.transaction().execute(async (trx): Promise<AttendanceChange> => {
    // The lock rule: a mark never lands on a list that a finalise locked meanwhile.
    await lockWebinars(trx, [webinarId])
    const webinar = await trx.selectFrom('webinars').select('attendance_finalised_at').where('id', '=', webinarId).executeTakeFirst()
    await racePoint('mark:after-read')
    if (!webinar) return { ok: false, reason: 'notFound' }
    if (webinar.attendance_finalised_at) return { ok: false, reason: 'finalised' }
    const before = await trx
      .selectFrom('registrations')
      .select(['manual_present'])
      .where('id', '=', registrationId)
      .where('webinar_id', '=', webinarId)
      .where('status', '=', 'registered')
      .executeTakeFirst()
    if (!before) return { ok: false, reason: 'notFound' }
    const present = mark.present === null ? null : mark.present ? 1 : 0
    await trx
      .updateTable('registrations')
      .set({
        manual_present: present,
        manual_reason: present === null ? null : mark.reason,
        manual_note: present === null ? null : mark.note,
        manual_by: present === null ? null : actorId,
        manual_at: present === null ? null : now,
      })
      .where('id', '=', registrationId)
      .execute()
    await recordAttendanceEvent(trx, {
      webinarId,
      registrationId,
      actorId,
      at: now,
      action: present === null ? 'markCleared' : 'marked',
      detail: { from: before.manual_present, to: present, reason: mark.reason },
      reason: mark.note,
    })
    return { ok: true }
  })
}

// --- Finalising ------------------------------------------------------------------------------

/**
 * Records whether one of the webinar's own people (moderator, speaker, KOL) took part, or clears
 * the record (then their confirmation decides). Until attendance is final; on a finished webinar
 * their certificate follows at once (issued, or revoked when recorded as not taking part).
 */
export async function markStaffTookPart(db: DB, webinarId: string, roleId: string, tookPart: boolean | null, actorId: string, now = nowIso()): Promise<AttendanceChange> {
  return db.transaction().execute(async (trx): Promise<AttendanceChange> => {
    await lockWebinars(trx, [webinarId])
    const webinar = await trx.selectFrom('webinars').select(['status', 'attendance_finalised_at']).where('id', '=', webinarId).executeTakeFirst()
    if (!webinar) return { ok: false, reason: 'notFound' }
    if (webinar.attendance_finalised_at) return { ok: false, reason: 'finalised' }
    const role = await trx
      .selectFrom('webinar_roles')
      .innerJoin('people', 'people.id', 'webinar_roles.person_id')
      .select(['webinar_roles.id', 'people.name'])
      .where('webinar_roles.id', '=', roleId)
      .where('webinar_roles.webinar_id', '=', webinarId)
      .where('webinar_roles.role', 'in', ['moderator', 'speaker', 'kol'])
      .executeTakeFirst()
    if (!role) return { ok: false, reason: 'notFound' }
    await trx.updateTable('webinar_roles').set({ spoke: tookPart === null ? null : tookPart ? 1 : 0 }).where('id', '=', roleId).execute()
    await recordAttendanceEvent(trx, { webinarId, actorId, at: now, action: 'staffMarked', detail: { name: role.name, to: tookPart === null ? null : tookPart ? 1 : 0 } })
    if (webinar.status === 'finished') await syncStaffCertificates(trx, webinarId, actorId, now)
    return { ok: true }
  })
}

export type FinaliseResult = { ok: true; present: number; registered: number } | { ok: false; reason: 'notEnded' | 'finalised' | 'notFinalised' | 'notFound' }

/**
 * Locks attendance: each registrant's outcome is written to `attended`, the basis for
 * certificates. A webinar still marked published is finished on the way, since it has ended.
 */
export async function finaliseAttendance(db: DB, webinarId: string, actorId: string, now = nowIso()): Promise<FinaliseResult> {
  return db.transaction().execute(async (trx): Promise<FinaliseResult> => {
    // The lock rule: a second finalise waits here and then finds the list finalised; marks,
    // check-ins and Zoom reports wait too, so the outcome written is the one they see afterwards.
    await lockWebinars(trx, [webinarId])
    const webinar = await trx
      .selectFrom('webinars')
      .select(['status', 'start_at', 'end_at', 'attendance_threshold', 'attendance_finalised_at', 'checkin_closes_at'])
      .where('id', '=', webinarId)
      .executeTakeFirst()
    await racePoint('finalise:after-read')
    if (!webinar || !webinar.start_at || !webinar.end_at) return { ok: false, reason: 'notFound' }
    if (webinar.attendance_finalised_at) return { ok: false, reason: 'finalised' }
    if ((webinar.status !== 'published' && webinar.status !== 'finished') || webinar.end_at > now) return { ok: false, reason: 'notEnded' }
    if (webinar.status === 'published') await markWebinarFinished(trx, webinarId, now)

    const required = requiredZoomMinutes(webinar.start_at, webinar.end_at, webinar.attendance_threshold)
    await trx.updateTable('registrations').set({ attended: presentSql(required) }).where('webinar_id', '=', webinarId).where('status', '=', 'registered').execute()
    await trx.updateTable('registrations').set({ attended: null }).where('webinar_id', '=', webinarId).where('status', '!=', 'registered').execute()
    // Nobody checks in to a locked list: a window still open closes now.
    const closesAt = webinar.checkin_closes_at && webinar.checkin_closes_at > now ? now : webinar.checkin_closes_at
    await trx
      .updateTable('webinars')
      .set({ attendance_finalised_at: now, attendance_finalised_by: actorId, checkin_closes_at: closesAt })
      .where('id', '=', webinarId)
      .execute()
    const counts = await trx
      .selectFrom('registrations')
      .select((eb) => [eb.fn.countAll<number>().as('registered'), sql<number>`coalesce(sum(attended), 0)`.as('present')])
      .where('webinar_id', '=', webinarId)
      .where('status', '=', 'registered')
      .executeTakeFirstOrThrow()
    const result = { registered: Number(counts.registered), present: Number(counts.present) }
    // Finalising again after a reopen issues only to people who have none yet.
    const certificates = await syncParticipantCertificates(trx, webinarId, actorId, now)
    // The moderator, speakers and KOL as the console recorded them (a webinar finished earlier had its staff certificates then).
    await syncStaffCertificates(trx, webinarId, actorId, now)
    // The programme dashboard's snapshot of this webinar, built now rather than on someone's first visit.
    await buildWebinarReach(trx, [webinarId])
    await recordAttendanceEvent(trx, {
      webinarId,
      actorId,
      at: now,
      action: 'finalised',
      detail: { ...result, requiredMinutes: required, certificates: certificates.issued, ...(certificates.revoked ? { revokedCertificates: certificates.revoked } : {}) },
    })
    return { ok: true, ...result }
  })
}

/** An organiser unlocks a finalised list, with a reason; the outcome is open again until the next finalising. */
export async function reopenAttendance(db: DB, webinarId: string, actorId: string, reason: string, now = nowIso()): Promise<FinaliseResult | { ok: true }> {
  return db.transaction().execute(async (trx) => {
    await lockWebinars(trx, [webinarId])
    const webinar = await trx.selectFrom('webinars').select('attendance_finalised_at').where('id', '=', webinarId).executeTakeFirst()
    if (!webinar) return { ok: false as const, reason: 'notFound' as const }
    if (!webinar.attendance_finalised_at) return { ok: false as const, reason: 'notFinalised' as const }
    await trx.updateTable('webinars').set({ attendance_finalised_at: null, attendance_finalised_by: null }).where('id', '=', webinarId).execute()
    await trx.updateTable('registrations').set({ attended: null }).where('webinar_id', '=', webinarId).execute()
    await recordAttendanceEvent(trx, { webinarId, actorId, at: now, action: 'reopened', detail: { finalisedAt: webinar.attendance_finalised_at }, reason })
    return { ok: true as const }
  })
}
