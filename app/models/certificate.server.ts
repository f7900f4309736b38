import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { ExpressionBuilder } from 'kysely'
import type { AssignmentRole, CertificateRole, Database } from '#db/schema'
import { lockWebinars, lowerContainsPattern, type DB } from '#app/utils/db.server'
import { notifyCertificatesReady } from '#app/mail/notify.server'
import { createId } from '#app/utils/crypto.server'
import { racePoint } from '#app/utils/race-points.server'
import { nowIso } from '#app/utils/time'
import { WEBINAR_PLACE_COLUMNS } from './columns.server'

// E-certificates. Participants get one when attendance is finalised and they are present; the
// moderator, speakers and KOL when the webinar is finished. Each holder has one current
// certificate per webinar (a partial unique index), so issuing twice issues nothing twice. A
// reissue (a corrected name) makes a new number and leaves the old one verifiable as replaced.
// Every transaction that issues, revokes or reissues holds the webinar's lock (lockWebinars), so
// on PostgreSQL two of them take turns and the index never has to refuse one.

/** Crockford's base 32: no I, L, O or U, so a number read aloud or retyped survives. */
const NUMBER_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** 80 random bits as XXXX-XXXX-XXXX-XXXX: numbers say nothing about each other. */
export function createCertificateNumber(): string {
  const bytes = randomBytes(10)
  let bits = 0n
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte)
  let text = ''
  for (let i = 0; i < 16; i++) text = NUMBER_ALPHABET[Number((bits >> BigInt(5 * i)) & 31n)] + text
  return text.match(/.{4}/g)!.join('-')
}

/** What someone typed or scanned, as stored; null when it cannot be a certificate number. */
export function normaliseCertificateNumber(input: string): string | null {
  const text = input
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
  if (text.length !== 16 || [...text].some((c) => !NUMBER_ALPHABET.includes(c))) return null
  return text.match(/.{4}/g)!.join('-')
}

const STAFF_CERTIFICATE_ROLES: Partial<Record<AssignmentRole, CertificateRole>> = { moderator: 'moderator', speaker: 'narasumber', kol: 'kol' }

type NewCertificate = { registrationId: string | null; webinarRoleId: string | null; personId: string | null; holderKey: string; role: CertificateRole; name: string }

async function insertCertificates(db: DB, webinarId: string, list: NewCertificate[], now: string): Promise<string[]> {
  const rows = list.map((c) => ({
    id: createId(),
    number: createCertificateNumber(),
    webinar_id: webinarId,
    registration_id: c.registrationId,
    webinar_role_id: c.webinarRoleId,
    person_id: c.personId,
    holder_key: c.holderKey,
    role: c.role,
    name: c.name,
    issued_at: now,
  }))
  // 10 columns a row: 500 rows stay well under SQLite's limit on bound variables.
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('certificates').values(rows.slice(i, i + 500)).execute()
  return rows.map((row) => row.id)
}

function hasCurrentCertificate(holderKey: ReturnType<typeof sql<string>>) {
  return sql<boolean>`exists (select 1 from certificates c where c.webinar_id = webinars.id and c.holder_key = ${holderKey} and c.replaced_by_id is null)`
}

/**
 * Brings participants' certificates in line with the finalised attendance: the present who
 * have none get one (and the "certificate ready" mail, in bulk); a current certificate of
 * someone no longer present (attendance reopened and corrected) is revoked, with no reason
 * text, which the organiser's page shows as "revoked by the final attendance". Call inside the
 * finalising transaction, which holds the webinar's lock.
 */
export async function syncParticipantCertificates(db: DB, webinarId: string, actorId: string, now = nowIso()): Promise<{ issued: number; revoked: number }> {
  const revoked = await db
    .updateTable('certificates')
    .set({ revoked_at: now, revoked_by: actorId, revoked_reason: null })
    .where('webinar_id', '=', webinarId)
    .where('role', '=', 'peserta')
    .where('replaced_by_id', 'is', null)
    .where('revoked_at', 'is', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('registrations')
            .select('registrations.id')
            .whereRef('registrations.id', '=', 'certificates.registration_id')
            .where('registrations.status', '=', 'registered')
            .where('registrations.attended', '=', 1),
        ),
      ),
    )
    .executeTakeFirst()
  return { issued: await issueParticipantCertificates(db, webinarId, now), revoked: Number(revoked.numUpdatedRows) }
}

/** Certificates for the present participants who have none yet, and their mails. */
async function issueParticipantCertificates(db: DB, webinarId: string, now: string): Promise<number> {
  const eligible = await db
    .selectFrom('registrations')
    .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
    .select(['registrations.id', 'registrations.name'])
    .where('registrations.webinar_id', '=', webinarId)
    .where('registrations.status', '=', 'registered')
    .where('registrations.attended', '=', 1)
    .where((eb) => eb.not(hasCurrentCertificate(sql<string>`'r:' || registrations.id`)))
    .execute()
  const ids = await insertCertificates(
    db,
    webinarId,
    eligible.map((r) => ({ registrationId: r.id, webinarRoleId: null, personId: null, holderKey: `r:${r.id}`, role: 'peserta', name: r.name })),
    now,
  )
  await notifyCertificatesReady(db, webinarId, ids)
  return ids.length
}

/**
 * Who of the webinar's own people earns a certificate (README, "Certificates for the webinar's own
 * people"): the moderator, speakers and KOL whom the console records as having taken part, or,
 * with nothing recorded, who confirmed their brief. Someone who declined or never answered gets
 * none unless recorded as having taken part; someone recorded as absent gets none.
 */
function staffEligible(eb: ExpressionBuilder<Database, 'webinar_roles'>) {
  return eb.or([eb('webinar_roles.spoke', '=', 1), eb.and([eb('webinar_roles.spoke', 'is', null), eb('webinar_roles.confirmation', '=', 'confirmed')])])
}

const STAFF_ROLES = ['moderator', 'speaker', 'kol'] as const
const STAFF_HOLDER_KEY = sql<string>`'p:' || webinar_roles.person_id || ':' || webinar_roles.role`

/** How many of the webinar's own people would hold a certificate once it is finished: the finalise step states it. */
export async function countStaffCertificatesDue(db: DB, webinarId: string): Promise<number> {
  const row = await db
    .selectFrom('webinar_roles')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('webinar_id', '=', webinarId)
    .where('role', 'in', STAFF_ROLES)
    .where(staffEligible)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}


/**
 * Brings the staff certificates of a finished webinar in line with the rule above: those eligible
 * who have none get one (and the mail); a current one whose holder is no longer eligible (recorded
 * as not having taken part) is revoked. Call inside a transaction that holds the webinar's lock.
 */
export async function syncStaffCertificates(db: DB, webinarId: string, actorId: string | null, now = nowIso()): Promise<{ issued: number; revoked: number }> {
  const ineligible = db
    .selectFrom('webinar_roles')
    .select(STAFF_HOLDER_KEY.as('key'))
    .where('webinar_roles.webinar_id', '=', webinarId)
    .where((eb) => eb.not(staffEligible(eb)))
  const eligible = db.selectFrom('webinar_roles').select(STAFF_HOLDER_KEY.as('key')).where('webinar_roles.webinar_id', '=', webinarId).where(staffEligible)
  const revoked = await db
    .updateTable('certificates')
    .set({ revoked_at: now, revoked_by: actorId, revoked_reason: null })
    .where('webinar_id', '=', webinarId)
    .where('role', '!=', 'peserta')
    .where('replaced_by_id', 'is', null)
    .where('revoked_at', 'is', null)
    .where('holder_key', 'in', ineligible)
    // The same person may hold a role twice (never in practice): eligible by one, they keep it.
    .where('holder_key', 'not in', eligible)
    .executeTakeFirst()
  const roles = await db
    .selectFrom('webinar_roles')
    .innerJoin('people', 'people.id', 'webinar_roles.person_id')
    .innerJoin('webinars', 'webinars.id', 'webinar_roles.webinar_id')
    .select(['webinar_roles.id', 'webinar_roles.role', 'people.id as person_id', 'people.name'])
    .where('webinar_roles.webinar_id', '=', webinarId)
    .where('webinar_roles.role', 'in', STAFF_ROLES)
    .where(staffEligible)
    .where((eb) => eb.not(hasCurrentCertificate(sql<string>`'p:' || people.id || ':' || webinar_roles.role`)))
    .execute()
  const ids = await insertCertificates(
    db,
    webinarId,
    roles.map((r) => ({ registrationId: null, webinarRoleId: r.id, personId: r.person_id, holderKey: `p:${r.person_id}:${r.role}`, role: STAFF_CERTIFICATE_ROLES[r.role]!, name: r.name })),
    now,
  )
  await notifyCertificatesReady(db, webinarId, ids)
  return { issued: ids.length, revoked: Number(revoked.numUpdatedRows) }
}

const CERTIFICATE_COLUMNS = [
  'certificates.id',
  'certificates.number',
  'certificates.role',
  'certificates.name',
  'certificates.issued_at',
  'certificates.revoked_at',
  'certificates.replaced_by_id',
  'webinars.topic',
  'webinars.start_at',
] as const

function certificateQuery(db: DB) {
  return db
    .selectFrom('certificates')
    .innerJoin('webinars', 'webinars.id', 'certificates.webinar_id')
    .innerJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select(CERTIFICATE_COLUMNS)
    .select(WEBINAR_PLACE_COLUMNS)
}

export type CertificateRecord = NonNullable<Awaited<ReturnType<typeof getCertificateByNumber>>>

/** The public verification: found by its number alone. */
export async function getCertificateByNumber(db: DB, number: string) {
  const row = await certificateQuery(db)
    .leftJoin('certificates as replacement', 'replacement.id', 'certificates.replaced_by_id')
    .select('replacement.number as replaced_by_number')
    .where('certificates.number', '=', number)
    .executeTakeFirst()
  if (!row || !row.start_at) return null
  return { ...row, start_at: row.start_at }
}

/** A certificate that can be downloaded: current (not replaced) and not revoked. */
function downloadable<T extends { revoked_at: string | null; replaced_by_id: string | null; start_at: string | null }>(row: T | undefined) {
  if (!row || row.revoked_at || row.replaced_by_id || !row.start_at) return null
  return { ...row, start_at: row.start_at }
}

/** A resident's current certificate, by their personal link. */
export async function getResidentCertificate(db: DB, token: string) {
  const row = await certificateQuery(db)
    .innerJoin('registrations', 'registrations.id', 'certificates.registration_id')
    .select('certificates.registration_id')
    .where('registrations.token', '=', token)
    .where('certificates.replaced_by_id', 'is', null)
    .executeTakeFirst()
  return downloadable(row)
}

/** A speaker's or moderator's current certificate, by their brief link. */
export async function getBriefCertificate(db: DB, briefToken: string) {
  const row = await certificateQuery(db)
    .innerJoin('webinar_roles', 'webinar_roles.id', 'certificates.webinar_role_id')
    .where('webinar_roles.brief_token', '=', briefToken)
    .where('certificates.replaced_by_id', 'is', null)
    .executeTakeFirst()
  return downloadable(row)
}

/** A staff member's certificates, through the directory entry linked to their account. */
export async function listCertificatesForUser(db: DB, userId: string) {
  return certificateQuery(db)
    .innerJoin('people', 'people.id', 'certificates.person_id')
    .where('people.user_id', '=', userId)
    .where('certificates.replaced_by_id', 'is', null)
    .where('certificates.revoked_at', 'is', null)
    .orderBy('webinars.start_at', 'desc')
    .execute()
}

/** One of a staff member's own certificates; anyone else's number finds nothing. */
export async function getUserCertificate(db: DB, userId: string, number: string) {
  const row = await certificateQuery(db)
    .innerJoin('people', 'people.id', 'certificates.person_id')
    .where('people.user_id', '=', userId)
    .where('certificates.number', '=', number)
    .executeTakeFirst()
  return downloadable(row)
}

export const CERTIFICATE_PAGE_SIZE = 100

/** A webinar's certificates for its organisers, current ones first. */
/**
 * One page of a webinar's certificates (12,000 participants are many pages), optionally only
 * those whose holder's name contains `q` (any case) or whose number is `q` (typed any way).
 */
export async function listWebinarCertificates(db: DB, webinarId: string, page = 1, q: string | null = null) {
  let base = db.selectFrom('certificates').where('certificates.webinar_id', '=', webinarId)
  if (q) {
    const number = normaliseCertificateNumber(q)
    const pattern = lowerContainsPattern(q)
    base = base.where((eb) =>
      eb.or([sql<boolean>`lower(certificates.name) like ${pattern} escape '\\'`, ...(number ? [eb('certificates.number', '=', number)] : [])]).$castTo<boolean>(),
    )
  }
  const [rows, total] = await Promise.all([
    base
      .leftJoin('certificates as replacement', 'replacement.id', 'certificates.replaced_by_id')
      // A holder who erased their data gets no new name: the page offers no reissue for them.
      .leftJoin('registrations', 'registrations.id', 'certificates.registration_id')
      .select([
        'registrations.data_deleted_at as holder_erased_at',
        'certificates.id',
        'certificates.number',
        'certificates.role',
        'certificates.name',
        'certificates.issued_at',
        'certificates.revoked_at',
        'certificates.revoked_reason',
        'certificates.replaced_by_id',
        'replacement.number as replaced_by_number',
      ])
      .orderBy(sql`case when certificates.replaced_by_id is null then 0 else 1 end`)
      .orderBy('certificates.role')
      .orderBy('certificates.name')
      .limit(CERTIFICATE_PAGE_SIZE)
      .offset((Math.max(1, page) - 1) * CERTIFICATE_PAGE_SIZE)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(total.count), page, pageSize: CERTIFICATE_PAGE_SIZE }
}

export type CertificateChange = { ok: true; number?: string } | { ok: false; reason: 'notFound' | 'notCurrent' | 'revoked' | 'erased' }

/** Revokes a current certificate: it no longer downloads, and its verification says revoked. */
export async function revokeCertificate(db: DB, webinarId: string, certificateId: string, actorId: string, reason: string, now = nowIso()): Promise<CertificateChange> {
  return db.transaction().execute(async (trx): Promise<CertificateChange> => {
    await lockWebinars(trx, [webinarId])
    const found = await trx.selectFrom('certificates').select(['revoked_at', 'replaced_by_id']).where('id', '=', certificateId).where('webinar_id', '=', webinarId).executeTakeFirst()
    await racePoint('revoke:after-read')
    if (!found) return { ok: false, reason: 'notFound' }
    if (found.replaced_by_id) return { ok: false, reason: 'notCurrent' }
    if (found.revoked_at) return { ok: false, reason: 'revoked' }
    await trx.updateTable('certificates').set({ revoked_at: now, revoked_by: actorId, revoked_reason: reason }).where('id', '=', certificateId).execute()
    return { ok: true }
  })
}

/**
 * Reissues a certificate with a corrected name: a new number for the same holder, mailed to
 * them; the old number then verifies as replaced. A revoked certificate can be reissued too.
 */
export async function reissueCertificate(db: DB, webinarId: string, certificateId: string, name: string, now = nowIso()): Promise<CertificateChange> {
  return db.transaction().execute(async (trx): Promise<CertificateChange> => {
    // The lock rule: the same reissue clicked twice finds the certificate replaced the second time,
    // and an erasure of the holder's registration (which holds the same lock) is seen once committed.
    await lockWebinars(trx, [webinarId])
    const old = await trx
      .selectFrom('certificates')
      .leftJoin('registrations', 'registrations.id', 'certificates.registration_id')
      .select([
        'certificates.id',
        'certificates.registration_id',
        'certificates.webinar_role_id',
        'certificates.person_id',
        'certificates.holder_key',
        'certificates.role',
        'certificates.replaced_by_id',
        'registrations.data_deleted_at',
      ])
      .where('certificates.id', '=', certificateId)
      .where('certificates.webinar_id', '=', webinarId)
      .executeTakeFirst()
    await racePoint('reissue:after-read')
    if (!old) return { ok: false, reason: 'notFound' }
    if (old.replaced_by_id) return { ok: false, reason: 'notCurrent' }
    // An erased person's certificate keeps no name, and gets no new one typed in.
    if (old.data_deleted_at) return { ok: false, reason: 'erased' }
    // The old one steps aside first: the unique index allows one current certificate per holder.
    const newId = createId()
    await trx.updateTable('certificates').set({ replaced_by_id: newId }).where('id', '=', old.id).execute()
    const number = createCertificateNumber()
    await trx
      .insertInto('certificates')
      .values({
        id: newId,
        number,
        webinar_id: webinarId,
        registration_id: old.registration_id,
        webinar_role_id: old.webinar_role_id,
        person_id: old.person_id,
        holder_key: old.holder_key,
        role: old.role,
        name,
        issued_at: now,
        replaces_id: old.id,
      })
      .execute()
    await notifyCertificatesReady(trx, webinarId, [newId])
    return { ok: true, number }
  })
}
