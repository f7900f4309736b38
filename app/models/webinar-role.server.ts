import type { AssignmentRole, Confirmation } from '#db/schema'
import { sql } from 'kysely'
import { lockWebinars, type DB } from '#app/utils/db.server'
import { racePoint } from '#app/utils/race-points.server'
import type { Pillar } from '#app/utils/catalog'
import { createId } from '#app/utils/crypto.server'
import { nowIso } from '#app/utils/time'
import { notifyAssignments, notifyUnassigned } from '#app/mail/notify.server'
import { WEBINAR_INVITATION_COLUMNS, WEBINAR_PLACE_COLUMNS } from './columns.server'
import { getWebinarSnapshot } from './mail-recipients.server'
import { materialFilesOfRoles, removeMaterialFiles } from './material.server'

const ROLE_ORDER: Record<AssignmentRole, number> = { keynote: 0, moderator: 1, speaker: 2, kol: 3 }

export async function listWebinarRoles(db: DB, webinarId: string) {
  const rows = await db
    .selectFrom('webinar_roles')
    .innerJoin('people', 'people.id', 'webinar_roles.person_id')
    .select(['webinar_roles.id', 'webinar_roles.role', 'webinar_roles.talk_title', 'webinar_roles.pillar', 'webinar_roles.position'])
    .select(['webinar_roles.confirmation', 'webinar_roles.confirmed_at', 'webinar_roles.spoke'])
    .select(['people.id as person_id', 'people.name', 'people.title', 'people.organisation', 'people.email', 'people.whatsapp'])
    .where('webinar_roles.webinar_id', '=', webinarId)
    .orderBy('webinar_roles.position')
    .orderBy('webinar_roles.created_at')
    .execute()
  return rows.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role])
}

export type AssignResult = { ok: true } | { ok: false; field: string; error: string }

/**
 * Assigns a person to a role. The moderator, KOL and keynote official are single seats:
 * assigning one replaces whoever held it. Speakers take the next position.
 */
export async function assignRole(
  db: DB,
  webinarId: string,
  input: { personId: string; role: AssignmentRole; talkTitle: string | null; pillar: Pillar | null },
): Promise<AssignResult> {
  const removedFiles: string[] = []
  const result = await db.transaction().execute(async (trx): Promise<AssignResult> => {
    // The lock rule: who holds the single seat and the last position are read under the webinar's
    // lock, so two assignments at once take turns (one moderator, distinct positions).
    await lockWebinars(trx, [webinarId])
    const webinar = await trx.selectFrom('webinars').select('status').where('id', '=', webinarId).executeTakeFirst()
    if (!webinar || webinar.status === 'finished' || webinar.status === 'cancelled') return { ok: false, field: '', error: 'webinar.notEditable' }
    const person = await trx.selectFrom('people').select('id').where('id', '=', input.personId).executeTakeFirst()
    if (!person) return { ok: false, field: 'personId', error: 'form.invalidChoice' }
    const duplicate = await trx
      .selectFrom('webinar_roles')
      .select('id')
      .where('webinar_id', '=', webinarId)
      .where('person_id', '=', input.personId)
      .where('role', '=', input.role)
      .executeTakeFirst()
    if (duplicate) return { ok: false, field: 'personId', error: 'roles.alreadyAssigned' }
    const replaced =
      input.role === 'speaker'
        ? []
        : await trx.selectFrom('webinar_roles').select('id').where('webinar_id', '=', webinarId).where('role', '=', input.role).execute()
    for (const old of replaced) removedFiles.push(...((await removeAssignment(trx, webinarId, old.id, webinar.status === 'published')) ?? []))
    const last = await trx
      .selectFrom('webinar_roles')
      .select((eb) => eb.fn.max('position').as('max'))
      .where('webinar_id', '=', webinarId)
      .executeTakeFirst()
    await racePoint('assign-role:after-read')
    const roleId = createId()
    await trx
      .insertInto('webinar_roles')
      .values({
        id: roleId,
        webinar_id: webinarId,
        person_id: input.personId,
        role: input.role,
        talk_title: input.role === 'speaker' ? input.talkTitle : null,
        pillar: input.role === 'speaker' ? input.pillar : null,
        position: Number(last?.max ?? 0) + 1,
        created_at: nowIso(),
      })
      .execute()
    // Someone added to a webinar that is already announced gets their brief now.
    if (webinar.status === 'published') await notifyAssignments(trx, webinarId, [roleId])
    return { ok: true }
  })
  // The replaced holder's slides (a KOL or keynote official brings some), once their row is gone for good.
  await removeMaterialFiles(removedFiles)
  return result
}

/** Removes an assignment; scoped by webinar so one webinar's form cannot touch another's. */
export async function removeRole(db: DB, webinarId: string, roleId: string): Promise<boolean> {
  const removedFiles = await db.transaction().execute(async (trx) => {
    await lockWebinars(trx, [webinarId])
    const webinar = await trx.selectFrom('webinars').select('status').where('id', '=', webinarId).executeTakeFirst()
    await racePoint('remove-role:after-read')
    return removeAssignment(trx, webinarId, roleId, webinar?.status === 'published')
  })
  // Their slides go from disk only once the row's removal has committed (a rollback keeps both).
  if (removedFiles) await removeMaterialFiles(removedFiles)
  return removedFiles !== null
}

/**
 * Deletes the row and its slides' rows; on a published webinar the person gets a CANCEL for their
 * calendar copy. Returns the slide files to remove once the transaction has committed (null: no
 * such role on this webinar).
 */
async function removeAssignment(db: DB, webinarId: string, roleId: string, announced: boolean): Promise<string[] | null> {
  const person = await db
    .selectFrom('webinar_roles')
    .innerJoin('people', 'people.id', 'webinar_roles.person_id')
    .select(['people.email', 'people.name', 'people.lang'])
    .where('webinar_roles.id', '=', roleId)
    .where('webinar_roles.webinar_id', '=', webinarId)
    .executeTakeFirst()
  if (!person) return null
  const files = await materialFilesOfRoles(db, [roleId])
  await db.deleteFrom('materials').where('webinar_role_id', '=', roleId).execute()
  await db.deleteFrom('webinar_roles').where('id', '=', roleId).execute()
  if (announced) {
    const snapshot = await getWebinarSnapshot(db, webinarId)
    if (snapshot) await notifyUnassigned(db, snapshot, webinarId, person)
  }
  return files
}

/**
 * The webinars a staff member is assigned to (through their directory entry), next one first,
 * with their own brief's token and join link: the query only returns the caller's assignments.
 */
export async function listAssignmentsForUser(db: DB, userId: string, now = nowIso()) {
  return db
    .selectFrom('webinar_roles')
    .innerJoin('people', 'people.id', 'webinar_roles.person_id')
    .innerJoin('webinars', 'webinars.id', 'webinar_roles.webinar_id')
    .leftJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .leftJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select(['webinar_roles.id as role_id', 'webinar_roles.role', 'webinar_roles.talk_title', 'webinar_roles.pillar'])
    .select(['webinar_roles.brief_token', 'webinar_roles.confirmation', 'webinars.platform_url'])
    .select(['webinars.id', 'webinars.slug', 'webinars.topic', 'webinars.start_at', 'webinars.end_at', 'webinars.status'])
    .select(['regencies.name as regency_name', 'provinces.time_zone'])
    .where('people.user_id', '=', userId)
    .where('webinars.status', 'in', ['published', 'finished'])
    // Upcoming and running ones first, soonest first; then the past, latest first.
    .orderBy(sql`case when webinars.end_at > ${now} then 0 else 1 end`)
    .orderBy(sql`case when webinars.end_at > ${now} then webinars.start_at end`)
    .orderBy('webinars.start_at', 'desc')
    .execute()
}

/**
 * A speaker's brief, found by the personal link's token and nothing else: the token is the
 * credential, so an unknown one finds nothing.
 */
export async function getBriefByToken(db: DB, token: string) {
  if (!token) return null
  const brief = await db
    .selectFrom('webinar_roles')
    .innerJoin('people', 'people.id', 'webinar_roles.person_id')
    .innerJoin('webinars', 'webinars.id', 'webinar_roles.webinar_id')
    .leftJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .leftJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select(['webinar_roles.id', 'webinar_roles.role', 'webinar_roles.talk_title', 'webinar_roles.pillar'])
    .select(['webinar_roles.confirmation', 'webinar_roles.confirmed_at'])
    .select(['people.id as person_id', 'people.name', 'people.email', 'people.lang'])
    .select(WEBINAR_INVITATION_COLUMNS)
    .select(WEBINAR_PLACE_COLUMNS)
    .select(['webinars.id as webinar_id', 'webinars.segment', 'webinars.status', 'webinars.capacity', 'webinars.registered_count'])
    .where('webinar_roles.brief_token', '=', token)
    .executeTakeFirst()
  if (!brief) return null
  const [moderator, slots] = await Promise.all([
    db
      .selectFrom('webinar_roles')
      .innerJoin('people', 'people.id', 'webinar_roles.person_id')
      .select(['people.name', 'people.email', 'people.whatsapp'])
      .where('webinar_roles.webinar_id', '=', brief.webinar_id)
      .where('webinar_roles.role', '=', 'moderator')
      .executeTakeFirst(),
    db
      .selectFrom('rundown_items')
      .select(['id', 'offset_minutes', 'title'])
      .where('webinar_id', '=', brief.webinar_id)
      .where('person_id', '=', brief.person_id)
      .orderBy('offset_minutes')
      .execute(),
  ])
  return { ...brief, moderator: moderator ?? null, slots }
}

export type Brief = NonNullable<Awaited<ReturnType<typeof getBriefByToken>>>

export type BriefAnswerResult = { ok: true } | { ok: false; reason: 'notFound' | 'closed' }

/**
 * Records a speaker's confirm or decline. Only the row holding this token changes; an answer
 * is taken while the webinar is published and has not ended, and may be changed until then.
 */
export async function recordBriefAnswer(
  db: DB,
  token: string,
  answer: Exclude<Confirmation, 'pending'>,
  now = nowIso(),
): Promise<BriefAnswerResult> {
  if (!token) return { ok: false, reason: 'notFound' }
  return db.transaction().execute(async (trx): Promise<BriefAnswerResult> => {
    // The lock rule: the webinar first, then its state read under the lock (an answer never lands
    // on a webinar that was cancelled meanwhile).
    const target = await trx.selectFrom('webinar_roles').select('webinar_id').where('brief_token', '=', token).executeTakeFirst()
    if (!target) return { ok: false, reason: 'notFound' }
    await lockWebinars(trx, [target.webinar_id])
    const row = await trx
      .selectFrom('webinar_roles')
      .innerJoin('webinars', 'webinars.id', 'webinar_roles.webinar_id')
      .select(['webinars.status', 'webinars.end_at'])
      .where('webinar_roles.brief_token', '=', token)
      .executeTakeFirst()
    await racePoint('brief-answer:after-read')
    if (!row) return { ok: false, reason: 'notFound' }
    if (row.status !== 'published' || !row.end_at || row.end_at <= now) return { ok: false, reason: 'closed' }
    await trx.updateTable('webinar_roles').set({ confirmation: answer, confirmed_at: now }).where('brief_token', '=', token).execute()
    return { ok: true }
  })
}

/** Who speaks, for the public page: names, titles and talks, no contact details; not those who declined. */
export async function listPublicWebinarRoles(db: DB, webinarId: string) {
  const rows = await db
    .selectFrom('webinar_roles')
    .innerJoin('people', 'people.id', 'webinar_roles.person_id')
    .select(['webinar_roles.id', 'webinar_roles.role', 'webinar_roles.talk_title', 'webinar_roles.pillar'])
    .select(['people.name', 'people.title', 'people.organisation'])
    .where('webinar_roles.webinar_id', '=', webinarId)
    .where('webinar_roles.confirmation', '!=', 'declined')
    .orderBy('webinar_roles.position')
    .orderBy('webinar_roles.created_at')
    .execute()
  return rows.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role])
}

/**
 * The e-mail addresses of a webinar's own people, lower-cased: everyone holding a role (moderator,
 * speakers, KOL, keynote), by their directory entry and by their account, and the organiser who
 * made the webinar. A Zoom report's rows with these addresses are staff, never residents.
 */
export async function listWebinarStaffEmails(db: DB, webinarId: string): Promise<string[]> {
  const [assigned, organiser] = await Promise.all([
    db
      .selectFrom('webinar_roles')
      .innerJoin('people', 'people.id', 'webinar_roles.person_id')
      .leftJoin('users', 'users.id', 'people.user_id')
      .select(['people.email as person_email', 'users.email as user_email'])
      .where('webinar_roles.webinar_id', '=', webinarId)
      .execute(),
    db.selectFrom('webinars').innerJoin('users', 'users.id', 'webinars.created_by').select('users.email').where('webinars.id', '=', webinarId).executeTakeFirst(),
  ])
  const emails = [...assigned.flatMap((row) => [row.person_email, row.user_email]), organiser?.email]
  return [...new Set(emails.filter((email): email is string => !!email).map((email) => email.toLowerCase()))]
}
