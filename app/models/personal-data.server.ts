import { createHmac, randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { lockWebinars, type DB } from '#app/utils/db.server'
import { lockRuleOn, racePoint } from '#app/utils/race-points.server'
import { createId } from '#app/utils/crypto.server'
import { nowIso } from '#app/utils/time'
import { anonymiseEvaluations } from './evaluation.server'
import { eraseTestAnswers } from './learning-test.server'
import { findWithdrawable, registrationCancellable, withdrawRegistration } from './registration.server'

// Personal data care (UU 27/2022). Erasing keeps a registration's row, and with it every count
// (status, attendance, regency, occupation, age range, gender), but removes whatever names the
// person: name, e-mail, WhatsApp, the personal link, their messages, their rows in Zoom reports,
// the name on their certificate, and their answers to the learning tests (the scores stay). Every purge is logged, without the data.

const RETENTION_KEY = 'retention_months'
const PSEUDONYM_KEY = 'pseudonym_key'
export const RETENTION_MAX_MONTHS = 120

export async function getRetentionMonths(db: DB): Promise<number | null> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', RETENTION_KEY).executeTakeFirst()
  return row ? Number(row.value) : null
}

/** Null keeps personal data until someone asks for its removal. */
export async function setRetentionMonths(db: DB, months: number | null, actorId: string, now = nowIso()): Promise<void> {
  if (months === null) {
    await db.deleteFrom('settings').where('key', '=', RETENTION_KEY).execute()
    return
  }
  await db
    .insertInto('settings')
    .values({ key: RETENTION_KEY, value: String(months), updated_by: actorId, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(months), updated_by: actorId, updated_at: now }))
    .execute()
}

/**
 * The key for retention pseudonyms, made once. Purged e-mails become keyed hashes, so the
 * programme's "unique residents" still counts a person once across webinars, while the address
 * itself is gone.
 */
async function pseudonymKey(db: DB): Promise<string> {
  const found = await db.selectFrom('settings').select('value').where('key', '=', PSEUDONYM_KEY).executeTakeFirst()
  if (found) return found.value
  const value = randomBytes(32).toString('base64url')
  await db.insertInto('settings').values({ key: PSEUDONYM_KEY, value, updated_by: null, updated_at: nowIso() }).onConflict((oc) => oc.column('key').doNothing()).execute()
  return (await db.selectFrom('settings').select('value').where('key', '=', PSEUDONYM_KEY).executeTakeFirstOrThrow()).value
}

/** A Zoom report row with nothing left that names anyone: its key was the e-mail or the name. */
const ERASED_ZOOM_ROW = { email: null, names: '[]', person_key: sql<string>`'erased:' || zoom_import_people.id` }

type Erased = { registrations: number; messages: number; zoomRows: number; certificates: number; testAnswers: number; evaluations: number }

/**
 * Removes what names these registrants, keeping the rows for the counts. The e-mail becomes
 * `replacement(id, email)`: a dead address that is unique per registration (a request) or per
 * person (retention). Call inside a transaction.
 */
async function eraseRegistrants(db: DB, webinarId: string, registrants: Array<{ id: string; email: string }>, replacement: (r: { id: string; email: string }) => string, now: string): Promise<Erased> {
  if (registrants.length === 0) return { registrations: 0, messages: 0, zoomRows: 0, certificates: 0, testAnswers: 0, evaluations: 0 }
  let messages = 0
  let testAnswers = 0
  let evaluations = 0
  let zoomRows = 0
  let certificates = 0
  for (let i = 0; i < registrants.length; i += 500) {
    const chunk = registrants.slice(i, i + 500)
    const ids = chunk.map((r) => r.id)
    for (const r of chunk) {
      await db
        .updateTable('registrations')
        // A colon never appears in a personal link, so no link can ever find this row again.
        .set({ name: '', email: replacement(r), whatsapp: '', token: `erased:${r.id}`, data_deleted_at: now, updated_at: now })
        .where('id', '=', r.id)
        .execute()
    }
    const deleted = await db
      .deleteFrom('outbox')
      .where('webinar_id', '=', webinarId)
      .where(
        'recipient_email',
        'in',
        chunk.map((r) => r.email),
      )
      .executeTakeFirst()
    messages += Number(deleted.numDeletedRows)
    const zoom = await db.updateTable('zoom_import_people').set(ERASED_ZOOM_ROW).where('registration_id', 'in', ids).executeTakeFirst()
    zoomRows += Number(zoom.numUpdatedRows)
    await db.deleteFrom('zoom_links').where('registration_id', 'in', ids).execute()
    await db.updateTable('attendance_events').set({ detail: '{}' }).where('registration_id', 'in', ids).where('action', '=', 'zoomLinked').execute()
    const named = await db.updateTable('certificates').set({ name: null }).where('registration_id', 'in', ids).executeTakeFirst()
    certificates += Number(named.numUpdatedRows)
    testAnswers += await eraseTestAnswers(db, ids)
    // Evaluations become anonymous and lose their comment; their ratings keep the means.
    evaluations += await anonymiseEvaluations(db, ids, now)
  }
  return { registrations: registrants.length, messages, zoomRows, certificates, testAnswers, evaluations }
}

async function logPurge(db: DB, entry: { scope: 'request' | 'retention'; webinarId: string; actorId: string | null; at: string; erased: Erased & Record<string, number> }) {
  const { registrations, ...detail } = entry.erased
  await db
    .insertInto('data_purges')
    .values({ id: createId(), at: entry.at, scope: entry.scope, webinar_id: entry.webinarId, actor_id: entry.actorId, registrations, detail: JSON.stringify(detail) })
    .execute()
}

/**
 * A resident erases their registration from the personal link. A seat in a webinar still ahead
 * is given up first (the next person waiting gets it); no mail goes to an address being erased.
 */
export async function eraseRegistrationByToken(db: DB, token: string, now = nowIso()): Promise<{ slug: string } | null> {
  return db.transaction().execute(async (trx) => {
    // The lock rule: the webinar first, then the registration read under it (a cancel of the same
    // link at the same moment either goes first or finds nothing left to cancel).
    const target = await trx.selectFrom('registrations').select('webinar_id').where('token', '=', token).executeTakeFirst()
    if (!target) return null
    await lockWebinars(trx, [target.webinar_id])
    const registration = await findWithdrawable(trx, token)
    await racePoint('erase:after-read')
    if (!registration) return null
    if (registrationCancellable(registration, now)) await withdrawRegistration(trx, registration, now)
    const row = await trx
      .selectFrom('registrations')
      .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
      .select(['registrations.email', 'webinars.slug'])
      .where('registrations.id', '=', registration.id)
      .executeTakeFirstOrThrow()
    const erased = await eraseRegistrants(trx, registration.webinar_id, [{ id: registration.id, email: row.email }], (r) => `erased-${r.id}@erased.invalid`, now)
    await logPurge(trx, { scope: 'request', webinarId: registration.webinar_id, actorId: null, at: now, erased })
    return { slug: row.slug }
  })
}

/** The moment before which a webinar must have ended for its personal data to be purged. */
function purgeCutoff(months: number, now: string): string {
  const cutoff = new Date(now)
  cutoff.setUTCMonth(cutoff.getUTCMonth() - months)
  return cutoff.toISOString()
}

/** Webinars that ended longer ago than the retention period and still hold personal data. */
function dueForPurge(db: DB, months: number, now: string) {
  return db.selectFrom('webinars').where('personal_data_purged_at', 'is', null).where('end_at', '<', purgeCutoff(months, now))
}

/** Oldest first. */
export async function listWebinarsDueForPurge(db: DB, months: number, now = nowIso(), limit = 100) {
  return dueForPurge(db, months, now).select(['id', 'slug', 'topic', 'end_at']).orderBy('end_at').limit(limit).execute()
}

/** How many webinars the current period would purge now. */
export async function countWebinarsDueForPurge(db: DB, months: number, now = nowIso()): Promise<number> {
  const row = await dueForPurge(db, months, now)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/**
 * Purges the personal data of every webinar that ended longer ago than the retention period,
 * one webinar per transaction. E-mails become keyed pseudonyms (see pseudonymKey), so the
 * counts, unique residents included, stay as they were. Does nothing without a period.
 */
export async function purgeExpiredPersonalData(db: DB, actorId: string | null, now = nowIso()): Promise<{ webinars: number; registrations: number }> {
  if ((await getRetentionMonths(db)) === null) return { webinars: 0, registrations: 0 }
  const key = await pseudonymKey(db)
  const pseudonym = (r: { email: string }) => `p-${createHmac('sha256', key).update(r.email).digest('hex').slice(0, 32)}@pseudonym.invalid`
  let webinars = 0
  let registrations = 0
  for (;;) {
    // Read again each round: a webinar the claim refused because the period changed is then no
    // longer listed (without that, the same refused webinars would be listed forever).
    const months = await getRetentionMonths(db)
    if (months === null) return { webinars, registrations }
    const due = await listWebinarsDueForPurge(db, months, now, 20)
    await racePoint('purge:after-list')
    if (due.length === 0) return { webinars, registrations }
    for (const webinar of due) {
      const erased = await db.transaction().execute(async (trx) => {
        // The claim comes first: with several machines each running the hourly purge, a
        // webinar is purged by whichever claims it, and the others skip it. It claims only while
        // the retention period is still the one the list was made with: an organiser who
        // lengthened or turned off retention since is obeyed, and the next round lists again.
        const claimed = await trx
          .updateTable('webinars')
          .set({ personal_data_purged_at: now })
          .where('id', '=', webinar.id)
          .where((eb) =>
            lockRuleOn()
              ? eb.and([
                  eb('personal_data_purged_at', 'is', null),
                  eb('end_at', '<', purgeCutoff(months, now)),
                  eb.exists(eb.selectFrom('settings').select('key').where('key', '=', RETENTION_KEY).where('value', '=', String(months))),
                ])
              : eb.lit(true),
          )
          .executeTakeFirst()
        if (claimed.numUpdatedRows === 0n) return null
        await racePoint('purge:after-claim')
        await lockWebinars(trx, [webinar.id])
        const registrants = await trx.selectFrom('registrations').select(['id', 'email']).where('webinar_id', '=', webinar.id).where('data_deleted_at', 'is', null).execute()
        const result = await eraseRegistrants(trx, webinar.id, registrants, pseudonym, now)
        // Rows of the Zoom report that matched nobody name people too.
        const others = await trx
          .updateTable('zoom_import_people')
          .set(ERASED_ZOOM_ROW)
          .where('import_id', 'in', (eb) => eb.selectFrom('zoom_imports').select('id').where('webinar_id', '=', webinar.id))
          .where('registration_id', 'is', null)
          .executeTakeFirst()
        const erasedAll = { ...result, zoomRows: result.zoomRows + Number(others.numUpdatedRows) }
        await logPurge(trx, { scope: 'retention', webinarId: webinar.id, actorId, at: now, erased: erasedAll })
        return erasedAll
      })
      if (!erased) continue
      webinars++
      registrations += erased.registrations
    }
  }
}

export async function listDataPurges(db: DB, limit = 50) {
  const rows = await db
    .selectFrom('data_purges')
    .leftJoin('webinars', 'webinars.id', 'data_purges.webinar_id')
    .leftJoin('users', 'users.id', 'data_purges.actor_id')
    .select(['data_purges.id', 'data_purges.at', 'data_purges.scope', 'data_purges.registrations', 'data_purges.detail', 'webinars.topic', 'webinars.slug', 'users.name as actor_name'])
    .orderBy('data_purges.at', 'desc')
    .limit(limit)
    .execute()
  return rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, number> }))
}

