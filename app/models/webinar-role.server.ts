import type { AssignmentRole } from '#db/schema'
import type { DB } from '#app/utils/db.server'
import type { Pillar } from '#app/utils/catalog'
import { createId } from '#app/utils/crypto.server'
import { nowIso } from '#app/utils/time'
import { notifyAssignments, notifyUnassigned } from '#app/mail/notify.server'
import { getWebinarSnapshot } from './mail-recipients.server'

const ROLE_ORDER: Record<AssignmentRole, number> = { keynote: 0, moderator: 1, speaker: 2, kol: 3 }

export async function listWebinarRoles(db: DB, webinarId: string) {
  const rows = await db
    .selectFrom('webinar_roles')
    .innerJoin('people', 'people.id', 'webinar_roles.person_id')
    .select(['webinar_roles.id', 'webinar_roles.role', 'webinar_roles.talk_title', 'webinar_roles.pillar', 'webinar_roles.position'])
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
 * assigning one replaces whoever held it.
 */
export async function assignRole(
  db: DB,
  webinarId: string,
  input: { personId: string; role: AssignmentRole; talkTitle: string | null; pillar: Pillar | null },
): Promise<AssignResult> {
  return db.transaction().execute(async (trx): Promise<AssignResult> => {
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
    for (const old of replaced) await removeAssignment(trx, webinarId, old.id, webinar.status === 'published')
    const last = await trx
      .selectFrom('webinar_roles')
      .select((eb) => eb.fn.max('position').as('max'))
      .where('webinar_id', '=', webinarId)
      .executeTakeFirst()
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
}

/** Removes an assignment; scoped by webinar so one webinar's form cannot touch another's. */
export async function removeRole(db: DB, webinarId: string, roleId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const webinar = await trx.selectFrom('webinars').select('status').where('id', '=', webinarId).executeTakeFirst()
    return removeAssignment(trx, webinarId, roleId, webinar?.status === 'published')
  })
}

/** Deletes the row; on a published webinar the person gets a CANCEL for their calendar copy. */
async function removeAssignment(db: DB, webinarId: string, roleId: string, announced: boolean): Promise<boolean> {
  const person = await db
    .selectFrom('webinar_roles')
    .innerJoin('people', 'people.id', 'webinar_roles.person_id')
    .select(['people.email', 'people.name', 'people.lang'])
    .where('webinar_roles.id', '=', roleId)
    .where('webinar_roles.webinar_id', '=', webinarId)
    .executeTakeFirst()
  if (!person) return false
  await db.deleteFrom('webinar_roles').where('id', '=', roleId).execute()
  if (announced) {
    const snapshot = await getWebinarSnapshot(db, webinarId)
    if (snapshot) await notifyUnassigned(db, snapshot, webinarId, person)
  }
  return true
}

/** The webinars a staff member is assigned to (through their directory entry), next one first. */
export async function listAssignmentsForUser(db: DB, userId: string) {
  return db
    .selectFrom('webinar_roles')
    .innerJoin('people', 'people.id', 'webinar_roles.person_id')
    .innerJoin('webinars', 'webinars.id', 'webinar_roles.webinar_id')
    .leftJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .leftJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select(['webinar_roles.role', 'webinar_roles.talk_title', 'webinar_roles.pillar'])
    .select(['webinars.id', 'webinars.slug', 'webinars.topic', 'webinars.start_at', 'webinars.end_at', 'webinars.status'])
    .select(['regencies.name as regency_name', 'provinces.time_zone'])
    .where('people.user_id', '=', userId)
    .where('webinars.status', 'in', ['published', 'finished'])
    .orderBy('webinars.start_at', 'desc')
    .execute()
}
