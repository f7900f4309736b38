import type { Expression, ExpressionBuilder, SqlBool } from 'kysely'
import type { AssignmentRole, Database, TestKind } from '#db/schema'
import type { DB } from '#app/utils/db.server'
import { createToken } from '#app/utils/crypto.server'
import { lockRuleOn } from '#app/utils/race-points.server'
import type { WebinarSnapshot } from '#app/mail/payload'
import { WEBINAR_INVITATION_COLUMNS, WEBINAR_PLACE_COLUMNS } from './columns.server'

// The queries behind the notifications: who gets a message about a webinar, and what it says.

/** The query behind a webinar's snapshot; callers add their own columns and the webinar's id. */
export function selectWebinarSnapshot(db: DB) {
  return db
    .selectFrom('webinars')
    .innerJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select(WEBINAR_INVITATION_COLUMNS)
    .select(WEBINAR_PLACE_COLUMNS)
    .select(['webinars.segment', 'webinars.capacity', 'webinars.registered_count'])
}

type SnapshotRow = Awaited<ReturnType<ReturnType<typeof selectWebinarSnapshot>['executeTakeFirstOrThrow']>>

/** The webinar as its messages describe it, from a `selectWebinarSnapshot` row; null while it lacks a schedule. */
export function toWebinarSnapshot(row: SnapshotRow): WebinarSnapshot | null {
  if (!row.start_at || !row.end_at) return null
  return {
    slug: row.slug,
    topic: row.topic,
    segment: row.segment,
    regencyName: row.regency_name,
    provinceName: row.province_name,
    timeZone: row.time_zone,
    startAt: row.start_at,
    endAt: row.end_at,
    platformUrl: row.platform_url,
    meetingId: row.meeting_id,
    passcode: row.passcode,
    livestreamUrl: row.livestream_url,
    calendarUid: row.calendar_uid,
    sequence: row.calendar_sequence,
    capacity: row.capacity,
    registered: row.registered_count,
  }
}

/** The webinar as its messages describe it; null while it lacks a schedule or regency. */
export async function getWebinarSnapshot(db: DB, webinarId: string): Promise<WebinarSnapshot | null> {
  const row = await selectWebinarSnapshot(db).where('webinars.id', '=', webinarId).executeTakeFirst()
  return row ? toWebinarSnapshot(row) : null
}

/**
 * Raises the webinar's calendar SEQUENCE and returns the new value. Called, in the transaction of
 * the change, whenever someone leaves or joins the event after it was announced (a withdrawal, a
 * removal, a late assignment, a registration after a withdrawal). One counter per webinar rather
 * than one per recipient: a SEQUENCE only has to never go down for each recipient, and a single
 * counter that only ever rises gives that for everyone at once, without a column per person; the
 * webinar's row is already locked by those changes. Others' copies merely lag behind, which
 * calendars accept, and their next update carries the new value.
 */
export async function raiseCalendarSequence(db: DB, webinarId: string): Promise<number> {
  const row = await db
    .updateTable('webinars')
    .set((eb) => ({ calendar_sequence: eb('calendar_sequence', '+', 1) }))
    .where('id', '=', webinarId)
    .returning('calendar_sequence')
    .executeTakeFirstOrThrow()
  return row.calendar_sequence
}

/** Everyone assigned to the webinar who has an e-mail address, with a brief link each. */
export async function listAssignedRecipients(db: DB, webinarId: string, roleIds?: string[]) {
  let query = db
    .selectFrom('webinar_roles')
    .innerJoin('people', 'people.id', 'webinar_roles.person_id')
    .select([
      'webinar_roles.id',
      'webinar_roles.role',
      'webinar_roles.talk_title',
      'webinar_roles.pillar',
      'webinar_roles.brief_token',
      'people.id as person_id',
      'people.name',
      'people.email',
      'people.whatsapp',
      'people.lang',
    ])
    .where('webinar_roles.webinar_id', '=', webinarId)
    .where('people.email', 'is not', null)
  if (roleIds) query = query.where('webinar_roles.id', 'in', roleIds.length ? roleIds : [''])
  const rows = await query.orderBy('webinar_roles.position').execute()
  // Brief links are made the first time they are needed, and then stay the same.
  for (const row of rows) {
    if (row.brief_token) continue
    row.brief_token = createToken()
    await db.updateTable('webinar_roles').set({ brief_token: row.brief_token }).where('id', '=', row.id).execute()
  }
  return rows as Array<Omit<(typeof rows)[number], 'email' | 'brief_token'> & { email: string; brief_token: string; role: AssignmentRole }>
}

/** The run-down with who speaks, for the briefs' slots. */
export async function listRundownForBrief(db: DB, webinarId: string) {
  return db
    .selectFrom('rundown_items')
    .select(['offset_minutes', 'title', 'person_id'])
    .where('webinar_id', '=', webinarId)
    .orderBy('offset_minutes')
    .execute()
}

// The mail worker's jobs list what is due, then claim each item in its own transaction with a
// conditional UPDATE. Between the list and the claim an organiser may cancel, reschedule or change
// the delay, and another machine's worker may claim it: so each claim re-checks, in its WHERE,
// every condition its listing used, and claims nothing once any of them no longer holds. (On
// PostgreSQL an UPDATE that waited for a row lock evaluates its WHERE again on the row as
// committed; on SQLite the claim runs under the write lock, after the change.)

type WebinarsWhere = ExpressionBuilder<Database, 'webinars'>

/** The published webinars whose reminder is due at `now`: its moment has passed and the webinar has not started. */
function reminderDue(eb: WebinarsWhere, which: 'day' | 'hour', now: string): Expression<SqlBool> {
  const aheadMs = which === 'day' ? 24 * 3_600_000 : 3_600_000
  const dueBefore = new Date(new Date(now).getTime() + aheadMs).toISOString()
  const column = which === 'day' ? 'reminder_day_sent_at' : 'reminder_hour_sent_at'
  return eb.and([eb('status', '=', 'published'), eb(column, 'is', null), eb('start_at', '<=', dueBefore), eb('start_at', '>', now)])
}

/** Published webinars whose reminder is due: its moment has passed and the webinar has not started. */
export async function listWebinarsDueForReminder(db: DB, which: 'day' | 'hour', now: string) {
  return db
    .selectFrom('webinars')
    .select(['id', 'start_at'])
    .where((eb) => reminderDue(eb, which, now))
    .execute()
}

/**
 * Claims a reminder: false when another worker got there first, or when the webinar is no longer
 * due for it (cancelled, or moved, since it was listed).
 */
export async function markReminderSent(db: DB, webinarId: string, which: 'day' | 'hour', now: string): Promise<boolean> {
  const column = which === 'day' ? 'reminder_day_sent_at' : 'reminder_hour_sent_at'
  const result = await db
    .updateTable('webinars')
    .set({ [column]: now })
    .where('id', '=', webinarId)
    // Only a race test's control run claims on the sent mark alone, to show the race this closes.
    .where((eb) => (lockRuleOn() ? reminderDue(eb, which, now) : eb(column, 'is', null)))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** A "thank you" more than this late is not sent: it would arrive long after anyone cares. */
const THANK_YOU_LATEST_MS = 7 * 24 * 3_600_000
/** The organiser's delay is at most a week, so a fortnight back holds every candidate. */
export const THANK_YOU_MAX_DELAY_MINUTES = 7 * 24 * 60

/** Ended webinars that may be due for their "thank you": not yet sent, ended within the last fortnight. */
function thankYouCandidate(eb: WebinarsWhere, now: string): Expression<SqlBool> {
  const earliestEnd = new Date(new Date(now).getTime() - THANK_YOU_LATEST_MS - THANK_YOU_MAX_DELAY_MINUTES * 60_000).toISOString()
  return eb.and([eb('status', 'in', ['published', 'finished']), eb('thank_you_sent_at', 'is', null), eb('end_at', '<=', now), eb('end_at', '>', earliestEnd)])
}

export type DueThankYou = { id: string; end_at: string | null; thank_you_delay_minutes: number }

/** Ended webinars whose "thank you" is due: the organiser's delay after the end has passed, by less than a week. */
export async function listWebinarsDueForThankYou(db: DB, now: string): Promise<DueThankYou[]> {
  const nowMs = new Date(now).getTime()
  const candidates = await db
    .selectFrom('webinars')
    .select(['id', 'end_at', 'thank_you_delay_minutes'])
    .where((eb) => thankYouCandidate(eb, now))
    .execute()
  return candidates.filter((w) => {
    const dueMs = new Date(w.end_at!).getTime() + w.thank_you_delay_minutes * 60_000
    return dueMs <= nowMs && dueMs > nowMs - THANK_YOU_LATEST_MS
  })
}

/**
 * Claims a webinar's "thank you" as listed: false when another worker (or machine) got there
 * first, or when what made it due has changed since (the organiser changed the delay, the end
 * moved, the status changed), and the next listing decides again.
 */
export async function markThankYouSent(db: DB, due: DueThankYou, now: string): Promise<boolean> {
  const result = await db
    .updateTable('webinars')
    .set({ thank_you_sent_at: now })
    .where('id', '=', due.id)
    .where((eb) =>
      lockRuleOn()
        ? eb.and([thankYouCandidate(eb, now), eb('end_at', '=', due.end_at), eb('thank_you_delay_minutes', '=', due.thank_you_delay_minutes)])
        : eb('thank_you_sent_at', 'is', null),
    )
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function getRegistrationRecipient(db: DB, registrationId: string) {
  return db
    .selectFrom('registrations')
    .select(['id', 'webinar_id', 'name', 'email', 'lang', 'token', 'status'])
    .where('id', '=', registrationId)
    .executeTakeFirstOrThrow()
}

/** Registrants with the given statuses, oldest first. */
export async function listRegistrantRecipients(db: DB, webinarId: string, statuses: Array<'registered' | 'waitlisted'>) {
  return db
    .selectFrom('registrations')
    .select(['name', 'email', 'lang', 'token', 'status'])
    .where('webinar_id', '=', webinarId)
    .where('status', 'in', statuses)
    .orderBy('created_at')
    .execute()
}

/** The personal-link tokens of a webinar's registrants who finished its test of this kind. */
export async function listTokensWithFinishedTest(db: DB, webinarId: string, kind: TestKind): Promise<Set<string>> {
  const rows = await db
    .selectFrom('test_attempts')
    .innerJoin('registrations', 'registrations.id', 'test_attempts.registration_id')
    .select('registrations.token')
    .where('test_attempts.webinar_id', '=', webinarId)
    .where('test_attempts.kind', '=', kind)
    .where('test_attempts.finished_at', 'is not', null)
    .execute()
  return new Set(rows.map((r) => r.token))
}

/**
 * Who to tell that a certificate is ready, and the link where they download it: a resident's
 * personal page, or a staff member's brief. People without an e-mail address are left out.
 */
export async function listCertificateRecipients(db: DB, certificateIds: string[]) {
  if (certificateIds.length === 0) return []
  const rows = await db
    .selectFrom('certificates')
    .leftJoin('registrations', 'registrations.id', 'certificates.registration_id')
    .leftJoin('webinar_roles', 'webinar_roles.id', 'certificates.webinar_role_id')
    .leftJoin('people', 'people.id', 'certificates.person_id')
    .select([
      'certificates.name',
      'certificates.registration_id',
      'registrations.email as resident_email',
      'registrations.lang as resident_lang',
      'registrations.token',
      'people.email as person_email',
      'people.lang as person_lang',
      'webinar_roles.brief_token',
    ])
    .where('certificates.id', 'in', certificateIds)
    .execute()
  return rows.flatMap((r) => {
    if (r.token && r.resident_email) return [{ email: r.resident_email, name: r.name ?? '', lang: r.resident_lang ?? 'id', path: `/r/${r.token}`, registrationId: r.registration_id }]
    if (r.person_email) return [{ email: r.person_email, name: r.name ?? '', lang: r.person_lang ?? 'id', path: r.brief_token ? `/brief/${r.brief_token}` : '/me', registrationId: null }]
    return []
  })
}
