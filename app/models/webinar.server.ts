import type { WebinarStatus } from '#db/schema'
import { sql } from 'kysely'
import { lockWebinars, serialiseJob, sharedFreshReadsBy, type DB } from '#app/utils/db.server'
import { racePoint } from '#app/utils/race-points.server'
import { slugify, type Pillar } from '#app/utils/catalog'
import { createId } from '#app/utils/crypto.server'
import { localToUtc, nowIso, utcToLocal, webinarZone } from '#app/utils/time'
import { message, type FieldErrors } from '#app/utils/messages'
import type { WebinarForm } from '#app/utils/webinar-schema.server'
import { notifyAssignments, notifyCancelled, notifyRescheduled } from '#app/mail/notify.server'
import { syncStaffCertificates } from './certificate.server'
import { WEBINAR_PLACE_COLUMNS } from './columns.server'
import { getRegency } from './region.server'
import { promoteFromWaitlist } from './registration.server'

const WEBINAR_COLUMNS = [
  'webinars.id',
  'webinars.slug',
  'webinars.topic',
  'webinars.description',
  'webinars.pillars',
  'webinars.segment',
  'webinars.regency_code',
  'webinars.start_at',
  'webinars.end_at',
  'webinars.platform_url',
  'webinars.meeting_id',
  'webinars.passcode',
  'webinars.livestream_url',
  'webinars.capacity',
  'webinars.registration_opens_at',
  'webinars.registration_closes_at',
  'webinars.attendance_threshold',
  'webinars.status',
  'webinars.calendar_uid',
  'webinars.calendar_sequence',
  'webinars.published_at',
  'webinars.finished_at',
  'webinars.cancelled_at',
  'webinars.attendance_finalised_at',
] as const

export type SaveResult = { ok: true; id: string; slug: string } | { ok: false; errors: FieldErrors }

/** Creates a draft, or updates one, from the organiser's form. DB-dependent checks return field errors. */
export async function saveWebinar(db: DB, form: WebinarForm, options: { webinarId?: string; userId: string }): Promise<SaveResult> {
  const regency = form.regency ? await getRegency(db, form.regency) : null
  if (form.regency && !regency) return { ok: false, errors: { regency: ['webinar.unknownRegency'] } }
  const zone = regency?.time_zone ?? 'WIB'
  const at = (date: string | null, time: string | null) => (date && time ? localToUtc(date, time, zone) : null)
  const values = {
    topic: form.topic,
    description: form.description,
    pillars: form.pillars.join(','),
    segment: form.segment,
    regency_code: regency?.code ?? null,
    start_at: at(form.date, form.startTime),
    end_at: at(form.date, form.endTime),
    platform_url: form.platformUrl,
    meeting_id: form.meetingId,
    passcode: form.passcode,
    livestream_url: form.livestreamUrl,
    capacity: form.capacity,
    registration_opens_at: at(form.registrationOpensDate, form.registrationOpensTime),
    registration_closes_at: at(form.registrationClosesDate, form.registrationClosesTime),
    attendance_threshold: form.attendanceThreshold,
  }

  return db.transaction().execute(async (trx): Promise<SaveResult> => {
    const now = nowIso()
    if (options.webinarId) {
      // The lock rule: the seat count checked against the new capacity, and the waitlist moved up, under the webinar's lock.
      await lockWebinars(trx, [options.webinarId])
      const current = await trx
        .selectFrom('webinars')
        .select(['slug', 'status', 'start_at', 'end_at', 'calendar_sequence', 'registered_count'])
        .where('id', '=', options.webinarId)
        .executeTakeFirst()
      if (!current) return { ok: false, errors: { '': ['error.notFound.body'] } }
      if (current.status === 'finished' || current.status === 'cancelled') {
        return { ok: false, errors: { '': ['webinar.notEditable'] } }
      }
      if (values.capacity < current.registered_count) {
        return { ok: false, errors: { capacity: [message('webinar.capacityBelowRegistered', { count: current.registered_count })] } }
      }
      const slug = form.slug ?? current.slug
      if (slug !== current.slug && (await slugTaken(trx, slug))) return { ok: false, errors: { slug: ['webinar.slugTaken'] } }
      await racePoint('slug:after-check')
      // Calendar clients only replace an event whose SEQUENCE went up.
      const rescheduled = current.status === 'published' && (current.start_at !== values.start_at || current.end_at !== values.end_at)
      await trx
        .updateTable('webinars')
        .set({ ...values, slug, updated_at: now, calendar_sequence: current.calendar_sequence + (rescheduled ? 1 : 0) })
        .where('id', '=', options.webinarId)
        .execute()
      // More seats: the waitlist moves up at once.
      await promoteFromWaitlist(trx, options.webinarId, now)
      if (rescheduled && current.start_at && current.end_at) {
        await notifyRescheduled(trx, options.webinarId, { startAt: current.start_at, endAt: current.end_at })
      }
      return { ok: true, id: options.webinarId, slug }
    }

    let slug = form.slug
    if (slug) {
      if (await slugTaken(trx, slug)) return { ok: false, errors: { slug: ['webinar.slugTaken'] } }
    } else {
      slug = await freeSlug(trx, defaultSlug(form.topic, regency?.name ?? null, form.date))
    }
    await racePoint('slug:after-check')
    const id = createId()
    await trx
      .insertInto('webinars')
      .values({
        ...values,
        id,
        slug,
        status: 'draft',
        calendar_uid: `${createId()}@literasi-webinar`,
        calendar_sequence: 0,
        created_by: options.userId,
        created_at: now,
        updated_at: now,
        published_at: null,
        finished_at: null,
        cancelled_at: null,
      })
      .execute()
    return { ok: true, id, slug }
  })
}

/** "tata-kelola-pelayanan-publik-berbasis-digital-klaten-2021-09-01" */
function defaultSlug(topic: string, regencyName: string | null, date: string | null): string {
  const place = regencyName?.replace(/^(Kabupaten|Kota Administrasi|Kota)\s+/i, '') ?? ''
  return slugify([topic, place, date ?? ''].filter(Boolean).join(' '), 100) || 'webinar'
}

/**
 * Whether a slug is in use. Slugs are checked and then written, so on PostgreSQL two organisers
 * saving the same slug at once would both find it free and the later insert would fail on the
 * unique index. Slug changes take turns instead (a transaction-level advisory lock, taken before
 * the first check and held to the commit), so the later one sees the earlier one's slug: a
 * refusal beside the field, or the next free `-2` suffix. Saving a webinar is rare enough that
 * one lock for all slugs costs nothing. On SQLite the write lock already does this.
 */
async function slugTaken(db: DB, slug: string): Promise<boolean> {
  await serialiseJob(db, 'webinar-slugs')
  return !!(await db.selectFrom('webinars').select('id').where('slug', '=', slug).executeTakeFirst())
}

async function freeSlug(db: DB, base: string): Promise<string> {
  let candidate = base
  for (let n = 2; await slugTaken(db, candidate); n++) candidate = `${base}-${n}`
  return candidate
}

export async function getWebinarBySlug(db: DB, slug: string) {
  return db
    .selectFrom('webinars')
    .leftJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .leftJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select(WEBINAR_COLUMNS)
    .select(WEBINAR_PLACE_COLUMNS)
    .where('webinars.slug', '=', slug)
    .executeTakeFirst()
}

export type WebinarDetail = NonNullable<Awaited<ReturnType<typeof getWebinarBySlug>>>

/** The webinar's stored UTC times as the local values its form shows. */
export function webinarFormValues(webinar: WebinarDetail): Record<string, string> {
  const zone = webinarZone(webinar)
  const local = (iso: string | null) => (iso ? utcToLocal(iso, zone) : { date: '', time: '' })
  const start = local(webinar.start_at)
  const end = local(webinar.end_at)
  const opens = local(webinar.registration_opens_at)
  const closes = local(webinar.registration_closes_at)
  return {
    topic: webinar.topic,
    description: webinar.description,
    pillars: webinar.pillars,
    segment: webinar.segment,
    regency: webinar.regency_code ?? '',
    date: start.date,
    startTime: start.time,
    endTime: end.time,
    platformUrl: webinar.platform_url ?? '',
    meetingId: webinar.meeting_id ?? '',
    passcode: webinar.passcode ?? '',
    livestreamUrl: webinar.livestream_url ?? '',
    capacity: String(webinar.capacity),
    registrationOpensDate: opens.date,
    registrationOpensTime: opens.time,
    registrationClosesDate: closes.date,
    registrationClosesTime: closes.time,
    attendanceThreshold: String(webinar.attendance_threshold),
    slug: webinar.slug,
  }
}

export type WebinarFilters = {
  status?: WebinarStatus | null
  province?: string | null
  pillar?: Pillar | null
  from?: string | null
  to?: string | null
}

export const WEBINAR_PAGE_SIZE = 50

/** The organiser's list: filters by status, province, pillar and date range (UTC ISO bounds). */
/**
 * The organiser's list: the nearest first. Upcoming and running webinars soonest first, then
 * drafts without a date, then the past, latest first; each with its seats taken.
 */
export async function listWebinars(db: DB, filters: WebinarFilters, page = 1, now = nowIso()) {
  let query = db
    .selectFrom('webinars')
    .leftJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .leftJoin('provinces', 'provinces.code', 'regencies.province_code')
  if (filters.status) query = query.where('webinars.status', '=', filters.status)
  if (filters.province) query = query.where('regencies.province_code', '=', filters.province)
  // Pillar codes share no substrings, so a LIKE on the comma-separated list is exact.
  if (filters.pillar) query = query.where('webinars.pillars', 'like', `%${filters.pillar}%`)
  if (filters.from) query = query.where('webinars.start_at', '>=', filters.from)
  if (filters.to) query = query.where('webinars.start_at', '<', filters.to)
  const [rows, total] = await Promise.all([
    query
      .select(['webinars.id', 'webinars.slug', 'webinars.topic', 'webinars.pillars', 'webinars.status', 'webinars.start_at', 'webinars.end_at', 'webinars.capacity'])
      .select('webinars.registered_count')
      .select(WEBINAR_PLACE_COLUMNS)
      .orderBy(sql`case when webinars.end_at > ${now} then 0 when webinars.end_at is null then 1 else 2 end`)
      .orderBy(sql`case when webinars.end_at > ${now} then webinars.start_at end`)
      .orderBy('webinars.start_at', 'desc')
      .orderBy('webinars.created_at', 'desc')
      .limit(WEBINAR_PAGE_SIZE)
      .offset((page - 1) * WEBINAR_PAGE_SIZE)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(total.count) }
}

export type MissingForPublish = 'schedule' | 'regency' | 'platformUrl' | 'moderator' | 'speaker'

/** What stops a webinar from being published, in the order the organiser fills the form. */
export async function missingForPublish(db: DB, webinarId: string): Promise<MissingForPublish[]> {
  const webinar = await db
    .selectFrom('webinars')
    .select(['start_at', 'end_at', 'regency_code', 'platform_url'])
    .where('id', '=', webinarId)
    .executeTakeFirstOrThrow()
  const roles = await db.selectFrom('webinar_roles').select('role').where('webinar_id', '=', webinarId).execute()
  const missing: MissingForPublish[] = []
  if (!webinar.start_at || !webinar.end_at) missing.push('schedule')
  if (!webinar.regency_code) missing.push('regency')
  if (!webinar.platform_url) missing.push('platformUrl')
  if (!roles.some((r) => r.role === 'moderator')) missing.push('moderator')
  if (!roles.some((r) => r.role === 'speaker')) missing.push('speaker')
  return missing
}

export type LifecycleResult = { ok: true } | { ok: false; reason: 'notAllowed' } | { ok: false; reason: 'incomplete'; missing: MissingForPublish[] }

export async function publishWebinar(db: DB, webinarId: string): Promise<LifecycleResult> {
  return db.transaction().execute(async (trx): Promise<LifecycleResult> => {
    // The lock rule: the roles that publishing requires cannot be removed while it reads them.
    await lockWebinars(trx, [webinarId])
    const webinar = await trx.selectFrom('webinars').select(['status']).where('id', '=', webinarId).executeTakeFirstOrThrow()
    if (webinar.status !== 'draft') return { ok: false, reason: 'notAllowed' }
    const missing = await missingForPublish(trx, webinarId)
    await racePoint('publish:after-read')
    if (missing.length) return { ok: false, reason: 'incomplete', missing }
    const now = nowIso()
    await trx.updateTable('webinars').set({ status: 'published', published_at: now, updated_at: now }).where('id', '=', webinarId).execute()
    await notifyAssignments(trx, webinarId)
    return { ok: true }
  })
}

/** Cancelling is possible for a draft or published webinar until it has ended. */
export async function cancelWebinar(db: DB, webinarId: string, now = nowIso()): Promise<LifecycleResult> {
  return db.transaction().execute(async (trx): Promise<LifecycleResult> => {
    await lockWebinars(trx, [webinarId])
    const webinar = await trx.selectFrom('webinars').select(['status', 'end_at', 'calendar_sequence']).where('id', '=', webinarId).executeTakeFirstOrThrow()
    await racePoint('cancel-webinar:after-read')
    const ended = webinar.end_at !== null && webinar.end_at <= now
    if ((webinar.status !== 'draft' && webinar.status !== 'published') || ended) return { ok: false, reason: 'notAllowed' }
    await trx
      .updateTable('webinars')
      // A cancellation must carry a higher SEQUENCE than the invitation it cancels.
      .set({ status: 'cancelled', cancelled_at: now, updated_at: now, calendar_sequence: webinar.calendar_sequence + 1 })
      .where('id', '=', webinarId)
      .execute()
    // A draft was never announced, so only a published webinar's cancellation is mailed.
    if (webinar.status === 'published') await notifyCancelled(trx, webinarId)
    return { ok: true }
  })
}

/** A published webinar becomes finished once its end time has passed. */
export async function finishWebinar(db: DB, webinarId: string, now = nowIso()): Promise<LifecycleResult> {
  return db.transaction().execute(async (trx): Promise<LifecycleResult> => {
    await lockWebinars(trx, [webinarId])
    const webinar = await trx.selectFrom('webinars').select(['status', 'end_at']).where('id', '=', webinarId).executeTakeFirstOrThrow()
    if (webinar.status !== 'published' || !webinar.end_at || webinar.end_at > now) return { ok: false, reason: 'notAllowed' }
    await markWebinarFinished(trx, webinarId, now)
    return { ok: true }
  })
}

/** The status change itself, for callers already inside a transaction that holds the webinar's lock (finalising attendance). */
export async function markWebinarFinished(db: DB, webinarId: string, now: string): Promise<void> {
  const finished = await db
    .updateTable('webinars')
    .set({ status: 'finished', finished_at: now, updated_at: now })
    .where('id', '=', webinarId)
    .where('status', '=', 'published')
    .returning('id')
    .executeTakeFirst()
  // The moderator, speakers and KOL who took part (or confirmed) have done their part once the webinar is over.
  if (finished) await syncStaffCertificates(db, webinarId, null, now)
}

/**
 * What the public calendar file needs: announced webinars only (published, finished, or cancelled
 * after being announced, so a calendar that holds it learns of the cancellation), no join details.
 */
export async function getPublicCalendarWebinar(db: DB, slug: string) {
  const webinar = await db
    .selectFrom('webinars')
    .select(['slug', 'topic', 'description', 'status', 'start_at', 'end_at', 'calendar_uid', 'calendar_sequence'])
    .where('slug', '=', slug)
    .where('status', 'in', ['published', 'finished', 'cancelled'])
    // A draft cancelled before it was published was never announced.
    .where('published_at', 'is not', null)
    .executeTakeFirst()
  if (!webinar || !webinar.start_at || !webinar.end_at) return null
  return { ...webinar, start_at: webinar.start_at, end_at: webinar.end_at }
}

// The public catalogue: what residents see. Published webinars that have not ended, soonest
// first, without the join details (those are for registered people only).

export const CATALOGUE_PAGE_SIZE = 20

export type CatalogueFilters = {
  province?: string | null
  regency?: string | null
  pillar?: Pillar | null
  /** Local dates (YYYY-MM-DD), each read in the webinar's own zone. */
  from?: string | null
  to?: string | null
}

const ZONES = ['WIB', 'WITA', 'WIT'] as const

function nextLocalDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
}

function upcomingQuery(db: DB, filters: CatalogueFilters, now: string) {
  let query = db
    .selectFrom('webinars')
    .innerJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
    .where('webinars.status', '=', 'published')
    .where('webinars.end_at', '>', now)
  if (filters.province) query = query.where('regencies.province_code', '=', filters.province)
  if (filters.regency) query = query.where('webinars.regency_code', '=', filters.regency)
  // Pillar codes share no substrings, so a LIKE on the comma-separated list is exact.
  if (filters.pillar) query = query.where('webinars.pillars', 'like', `%${filters.pillar}%`)
  // "From 2 September" means from midnight where the webinar is held, whichever zone that is.
  const from = filters.from
  if (from) {
    query = query.where((eb) =>
      eb.or(ZONES.map((zone) => eb.and([eb('provinces.time_zone', '=', zone), eb('webinars.start_at', '>=', localToUtc(from, '00:00', zone))]))),
    )
  }
  const to = filters.to
  if (to) {
    const end = nextLocalDay(to)
    query = query.where((eb) =>
      eb.or(ZONES.map((zone) => eb.and([eb('provinces.time_zone', '=', zone), eb('webinars.start_at', '<', localToUtc(end, '00:00', zone))]))),
    )
  }
  return query
}

/** Upcoming published webinars for the public catalogue and the JSON feed, soonest first. */
export async function listUpcomingWebinars(db: DB, filters: CatalogueFilters, page = 1, options: { pageSize?: number; now?: string } = {}) {
  const pageSize = options.pageSize ?? CATALOGUE_PAGE_SIZE
  const query = upcomingQuery(db, filters, options.now ?? nowIso())
  const [rows, total] = await Promise.all([
    query
      .select([
        'webinars.id',
        'webinars.slug',
        'webinars.topic',
        'webinars.pillars',
        'webinars.segment',
        'webinars.start_at',
        'webinars.end_at',
        'webinars.capacity',
        'webinars.registered_count',
        'webinars.regency_code',
        'regencies.province_code',
      ])
      .select(WEBINAR_PLACE_COLUMNS)
      .orderBy('webinars.start_at')
      .orderBy('webinars.id')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
  ])
  return {
    rows: rows.map(({ start_at, end_at, ...row }) => ({ ...row, start_at: start_at ?? '', end_at: end_at ?? '' })),
    total: Number(total.count),
  }
}

/** The regencies that have an upcoming webinar: the catalogue's regency filter offers only these. */
export async function listUpcomingWebinarRegencies(db: DB, now = nowIso()) {
  return upcomingQuery(db, {}, now)
    .select(['regencies.code', 'regencies.name', 'provinces.name as province_name'])
    .distinct()
    .orderBy('regencies.code')
    .execute()
}

/** A webinar the public may see: published at some point, and not a draft now. */
function publicWebinarBySlug(db: DB, slug: string) {
  return db.selectFrom('webinars').where('webinars.slug', '=', slug).where('webinars.status', '!=', 'draft').where('webinars.published_at', 'is not', null)
}

/**
 * A webinar's public page: announced webinars only (a draft, even a cancelled one, was never
 * announced), and no join link, meeting ID or passcode.
 */
export async function getPublicWebinarBySlug(db: DB, slug: string) {
  const webinar = await publicWebinarBySlug(db, slug)
    .innerJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select([
      'webinars.id',
      'webinars.slug',
      'webinars.topic',
      'webinars.description',
      'webinars.pillars',
      'webinars.segment',
      'webinars.status',
      'webinars.start_at',
      'webinars.end_at',
      'webinars.capacity',
      'webinars.registered_count',
      'webinars.registration_opens_at',
      'webinars.registration_closes_at',
      'webinars.regency_code',
      'regencies.province_code',
    ])
    .select(WEBINAR_PLACE_COLUMNS)
    .executeTakeFirst()
  if (!webinar || !webinar.start_at || !webinar.end_at) return null
  return { ...webinar, start_at: webinar.start_at, end_at: webinar.end_at }
}

/** What a registration post needs of a public webinar: its id, and whether it takes registrations. */
function readRegistrationTarget(db: DB, slug: string) {
  return publicWebinarBySlug(db, slug)
    .select(['webinars.id', 'webinars.slug', 'webinars.status', 'webinars.start_at', 'webinars.end_at', 'webinars.registration_opens_at', 'webinars.registration_closes_at'])
    .executeTakeFirst()
}

const registrationTargets = new WeakMap<DB, (slug: string) => Promise<Awaited<ReturnType<typeof readRegistrationTarget>>>>()

/**
 * The webinar a registration form posts to. In a rush, the posts for one webinar that arrive
 * together share one read (each still gets a row read after it arrived): on PostgreSQL that is a
 * round trip per rush instead of one per resident.
 */
export function getRegistrationTarget(db: DB, slug: string) {
  let read = registrationTargets.get(db)
  if (!read) registrationTargets.set(db, (read = sharedFreshReadsBy((key) => readRegistrationTarget(db, key))))
  return read(slug)
}

export type PublicWebinar = NonNullable<Awaited<ReturnType<typeof getPublicWebinarBySlug>>>
