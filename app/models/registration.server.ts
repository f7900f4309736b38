import type { Insertable } from 'kysely'
import type { Database, Lang, RegistrationStatus } from '#db/schema'
import { lockWebinars, type DB } from '#app/utils/db.server'
import { racePoint } from '#app/utils/race-points.server'
import { notifyPersonalLink, notifyRegistration, notifyRegistrationCancelled, notifyWaitlistPromotion, registrationMail } from '#app/mail/notify.server'
import { createId, createToken } from '#app/utils/crypto.server'
import { createGroupCommit } from '#app/utils/group-commit.server'
import { WEBINAR_INVITATION_COLUMNS, WEBINAR_PLACE_COLUMNS } from './columns.server'
import { raiseCalendarSequence, selectWebinarSnapshot, toWebinarSnapshot } from './mail-recipients.server'
import { enqueueMail, type NewMail } from './outbox.server'
import { countHits, longestWait, type RateLimit } from './rate-limit.server'
import { nowIso } from '#app/utils/time'

export type RegistrationInput = {
  name: string
  email: string
  whatsapp: string
  regencyCode: string
  occupation: string
  ageRange: string
  gender: string | null
  lang: Lang
}

export type RegistrationRefusal = 'notPublished' | 'notOpenYet' | 'closed' | 'cancelled' | 'finished'

export type RegisterResult =
  | { ok: true; status: 'registered' | 'waitlisted'; token: string; repeated: boolean }
  | { ok: false; reason: RegistrationRefusal }
  | { ok: false; reason: 'tooMany'; retryAfterSeconds: number }

/** Whether the webinar takes registrations at `now`, and if not, why. */
export function registrationRefusal(
  webinar: { status: string; start_at: string | null; end_at: string | null; registration_opens_at: string | null; registration_closes_at: string | null },
  now: string,
): RegistrationRefusal | null {
  if (webinar.status === 'cancelled') return 'cancelled'
  if (webinar.status === 'finished' || (webinar.end_at !== null && webinar.end_at <= now)) return 'finished'
  if (webinar.status !== 'published') return 'notPublished'
  if (webinar.registration_opens_at && now < webinar.registration_opens_at) return 'notOpenYet'
  if (webinar.registration_closes_at && now >= webinar.registration_closes_at) return 'closed'
  return null
}

type Registration = { webinarId: string; input: RegistrationInput; now: string; limits: Array<[key: string, limit: RateLimit]> }

/**
 * Registers a resident, or puts them on the waitlist when the seats are gone. A seat is taken by
 * one conditional UPDATE (`registered_count < capacity`), inside a transaction that holds the
 * write lock, so with N seats exactly N people are registered however many arrive at once, from
 * however many processes. The same e-mail again creates nothing new: the person's link is
 * mailed again and the answer is the same as the first time.
 *
 * Registrations that arrive together are written in one transaction (group commit): in a rush
 * the write lock and the commit, not the statements, are what each registration waited for.
 */
export async function registerParticipant(
  db: DB,
  webinarId: string,
  input: RegistrationInput,
  now = nowIso(),
  limits: Array<[key: string, limit: RateLimit]> = [],
): Promise<RegisterResult> {
  return registerInGroup(db, { webinarId, input, now, limits })
}

const registerInGroup = createGroupCommit(async (trx, registrations: Registration[]): Promise<RegisterResult[]> => {
  // The lock rule: every webinar of the group, up front and in order, before anything is read.
  await lockWebinars(
    trx,
    registrations.map((registration) => registration.webinarId),
  )
  // The rate limits of the whole group count in one statement.
  const limitAnswers = await countHits(
    trx,
    registrations.flatMap((registration) => registration.limits),
  )
  const results: RegisterResult[] = new Array(registrations.length)
  const byWebinar = new Map<string, number[]>()
  let answered = 0
  registrations.forEach((registration, index) => {
    const wait = longestWait(limitAnswers.slice(answered, (answered += registration.limits.length)))
    if (wait > 0) results[index] = { ok: false, reason: 'tooMany', retryAfterSeconds: wait }
    else byWebinar.set(registration.webinarId, [...(byWebinar.get(registration.webinarId) ?? []), index])
  })
  const mails: NewMail[] = []
  for (const [webinarId, indexes] of byWebinar) {
    const answers = await registerForWebinar(
      trx,
      webinarId,
      indexes.map((index) => registrations[index]!),
      mails,
    )
    indexes.forEach((index, i) => (results[index] = answers[i]!))
  }
  // The group's mail goes out in one insert.
  await enqueueMail(trx, mails)
  return results
})

/**
 * One webinar's share of a group, in arrival order, in a fixed number of statements however large
 * the group: one read of the webinar, one of the addresses already registered, one update of the
 * seat counts and one insert of the new registrations. The webinar is locked (the lock rule on
 * PostgreSQL, `begin immediate` on SQLite), so the seats and queue places are decided from the
 * counts read here, exactly as if each registration had taken its own turn; and while the lock is
 * held, the fewer round trips to the database, the more registrations a second.
 */
async function registerForWebinar(trx: DB, webinarId: string, group: Registration[], mails: NewMail[]): Promise<RegisterResult[]> {
  const webinar = await selectWebinarSnapshot(trx)
    .select(['webinars.status', 'webinars.registration_opens_at', 'webinars.registration_closes_at', 'webinars.registrations_total'])
    .where('webinars.id', '=', webinarId)
    .executeTakeFirstOrThrow()
  let snapshot = toWebinarSnapshot(webinar)
  const open = group.filter((registration) => registrationRefusal(webinar, registration.now) === null)
  const known = new Map<string, KnownRegistration>()
  if (open.length > 0) {
    const rows = await trx
      .selectFrom('registrations')
      .select(['id', 'token', 'status', 'name', 'email', 'lang'])
      .where('webinar_id', '=', webinarId)
      .where('email', 'in', [...new Set(open.map((registration) => registration.input.email))])
      .execute()
    for (const row of rows) known.set(row.email, row)
  }
  await racePoint('register:after-read')

  const seats = { taken: 0, free: Math.max(0, webinar.capacity - webinar.registered_count), places: 0 }
  const inserts: Insertable<Database['registrations']>[] = []
  const results: RegisterResult[] = []
  for (const { input, now } of group) {
    const refusal = registrationRefusal(webinar, now)
    if (refusal) {
      results.push({ ok: false, reason: refusal })
      continue
    }
    const existing = known.get(input.email)
    if (existing && existing.status !== 'cancelled') {
      // The same address again: the link is mailed again, and the answer is the first one's.
      queueMail(mails, registrationMail({ ...existing, webinar_id: webinarId }, snapshot))
      results.push({ ok: true, status: existing.status, token: existing.token, repeated: true })
      continue
    }
    const status: 'registered' | 'waitlisted' = seats.taken < seats.free ? 'registered' : 'waitlisted'
    if (status === 'registered') seats.taken++
    seats.places++
    const token = createToken()
    const fields = {
      name: input.name,
      whatsapp: input.whatsapp,
      regency_code: input.regencyCode,
      occupation: input.occupation,
      age_range: input.ageRange,
      gender: input.gender,
      lang: input.lang,
      status,
      consent_at: now,
      updated_at: now,
      cancelled_at: null,
      promoted_at: null,
      position: webinar.registrations_total + seats.places,
      token,
      created_at: now,
    }
    if (existing) {
      // Someone who cancelled and registers again gets a fresh link; the old one stays dead.
      await trx.updateTable('registrations').set(fields).where('id', '=', existing.id).execute()
      // Their withdrawal sent a CANCEL; the new invitation must carry a higher SEQUENCE than it.
      if (snapshot) snapshot = { ...snapshot, sequence: await raiseCalendarSequence(trx, webinarId) }
    } else {
      inserts.push({ ...fields, id: createId(), webinar_id: webinarId, email: input.email })
    }
    known.set(input.email, { id: '', token, status, name: input.name, email: input.email, lang: input.lang })
    queueMail(mails, registrationMail({ webinar_id: webinarId, name: input.name, email: input.email, lang: input.lang, token, status }, snapshot))
    results.push({ ok: true, status, token, repeated: false })
  }

  if (seats.places > 0) await takePlaces(trx, webinarId, webinar.registered_count, seats.taken, seats.places)
  for (let i = 0; i < inserts.length; i += INSERT_CHUNK) await trx.insertInto('registrations').values(inserts.slice(i, i + INSERT_CHUNK)).execute()
  return results
}

type KnownRegistration = { id: string; token: string; status: RegistrationStatus; name: string; email: string; lang: Lang }

/** Rows per insert: well under SQLite's limit of 32,766 bound values at 19 columns a row. */
const INSERT_CHUNK = 500

/**
 * Counts the seats and queue places a group took. The guard restates what the lock already
 * guarantees (nobody else changed the counts since they were read); should it ever fail, the
 * group's transaction fails with it rather than oversell.
 */
async function takePlaces(trx: DB, webinarId: string, registeredBefore: number, seats: number, places: number): Promise<void> {
  const counted = await trx
    .updateTable('webinars')
    .set((eb) => ({ registered_count: eb('registered_count', '+', seats), registrations_total: eb('registrations_total', '+', places) }))
    .where('id', '=', webinarId)
    .where('registered_count', '=', registeredBefore)
    .executeTakeFirst()
  if (counted.numUpdatedRows === 0n) throw new Error(`Seat counts of webinar ${webinarId} changed under its lock`)
}

function queueMail(mails: NewMail[], mail: NewMail | null) {
  if (mail) mails.push(mail)
}

export async function getRegistrationByToken(db: DB, token: string) {
  return db
    .selectFrom('registrations')
    .select(['id', 'webinar_id', 'token', 'name', 'email', 'whatsapp', 'regency_code', 'status', 'lang', 'created_at', 'cancelled_at', 'promoted_at'])
    .where('token', '=', token)
    .executeTakeFirst()
}

/**
 * Whether a resident may still cancel: not twice, and not once the webinar has ended or been
 * called off (there is no seat left to hand on then).
 */
export function registrationCancellable(
  registration: { status: RegistrationStatus; webinar_status: string; end_at: string | null },
  now: string,
): boolean {
  if (registration.status === 'cancelled' || registration.webinar_status !== 'published') return false
  return registration.end_at === null || registration.end_at > now
}

/**
 * Cancels a registration. A freed seat goes to the first person waiting, in the same
 * transaction, and both get their e-mail: a CANCEL for the one, the promotion for the other.
 */
export async function cancelRegistration(db: DB, token: string, now = nowIso()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // The lock rule: the webinar first, then the registration read under it (a second click on
    // the same link waits here, then finds the registration cancelled).
    const target = await trx.selectFrom('registrations').select('webinar_id').where('token', '=', token).executeTakeFirst()
    if (!target) return false
    await lockWebinars(trx, [target.webinar_id])
    const registration = await findWithdrawable(trx, token)
    await racePoint('cancel:after-read')
    if (!registration || !registrationCancellable(registration, now)) return false
    await withdrawRegistration(trx, registration, now)
    await notifyRegistrationCancelled(trx, registration.id, { wasWaitlisted: registration.status === 'waitlisted' })
    return true
  })
}

/** A registration with what deciding on its withdrawal needs, by its personal link. */
export async function findWithdrawable(db: DB, token: string) {
  return db
    .selectFrom('registrations')
    .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
    .select(['registrations.id', 'registrations.webinar_id', 'registrations.status', 'webinars.status as webinar_status', 'webinars.end_at'])
    .where('registrations.token', '=', token)
    .where('registrations.data_deleted_at', 'is', null)
    .executeTakeFirst()
}

/** Marks a registration cancelled; a seat it held goes to the first person waiting. Call inside a transaction. */
export async function withdrawRegistration(db: DB, registration: { id: string; webinar_id: string; status: RegistrationStatus }, now: string): Promise<void> {
  // Conditional on the status that was read: a seat is handed back only by the withdrawal that took it.
  const withdrawn = await db
    .updateTable('registrations')
    .set({ status: 'cancelled', cancelled_at: now, updated_at: now })
    .where('id', '=', registration.id)
    .where('status', '=', registration.status)
    .executeTakeFirst()
  if (withdrawn.numUpdatedRows === 0n || registration.status !== 'registered') return
  await db
    .updateTable('webinars')
    .set((eb) => ({ registered_count: eb('registered_count', '-', 1) }))
    .where('id', '=', registration.webinar_id)
    .execute()
  await promoteFromWaitlist(db, registration.webinar_id, now)
}

/** Fills free seats from the waitlist, first come first served. Call inside a transaction. */
export async function promoteFromWaitlist(db: DB, webinarId: string, now = nowIso()): Promise<number> {
  let promoted = 0
  for (;;) {
    const next = await db
      .selectFrom('registrations')
      .select('id')
      .where('webinar_id', '=', webinarId)
      .where('status', '=', 'waitlisted')
      .orderBy('position')
      .limit(1)
      .executeTakeFirst()
    if (!next) return promoted
    const seat = await db
      .updateTable('webinars')
      .set((eb) => ({ registered_count: eb('registered_count', '+', 1) }))
      .where('id', '=', webinarId)
      .where((eb) => eb('registered_count', '<', eb.ref('capacity')))
      .returning('id')
      .executeTakeFirst()
    if (!seat) return promoted
    // Re-checked in the update: someone who cancelled meanwhile is not promoted.
    const taken = await db
      .updateTable('registrations')
      .set({ status: 'registered', promoted_at: now, updated_at: now })
      .where('id', '=', next.id)
      .where('status', '=', 'waitlisted')
      .executeTakeFirst()
    if (taken.numUpdatedRows === 0n) {
      await db
        .updateTable('webinars')
        .set((eb) => ({ registered_count: eb('registered_count', '-', 1) }))
        .where('id', '=', webinarId)
        .execute()
      continue
    }
    await notifyWaitlistPromotion(db, next.id)
    promoted++
  }
}

export async function countRegistrations(db: DB, webinarId: string) {
  const rows = await db
    .selectFrom('registrations')
    .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
    .where('webinar_id', '=', webinarId)
    .groupBy('status')
    .execute()
  const counts = { registered: 0, waitlisted: 0, cancelled: 0 }
  for (const row of rows) counts[row.status] = Number(row.count)
  return counts
}

/**
 * The personal page: the registration and its webinar, found by the token alone (the token is
 * the credential). Includes the join details; the page decides whether this person may see them.
 */
export async function getPersonalRegistration(db: DB, token: string) {
  if (!token) return null
  const row = await db
    .selectFrom('registrations')
    .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
    .innerJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select([
      'registrations.id',
      'registrations.token',
      'registrations.name',
      'registrations.email',
      'registrations.status',
      'registrations.lang',
      'registrations.created_at',
      'registrations.cancelled_at',
      'registrations.promoted_at',
      'registrations.checked_in_at',
      'registrations.attended',
      'registrations.position',
      'registrations.zoom_minutes',
      'registrations.manual_present',
      'registrations.webinar_id',
    ])
    .select(WEBINAR_INVITATION_COLUMNS)
    .select(WEBINAR_PLACE_COLUMNS)
    .select(['webinars.description', 'webinars.pillars', 'webinars.status as webinar_status', 'webinars.attendance_threshold'])
    .select(['webinars.checkin_opened_at', 'webinars.checkin_closes_at', 'webinars.attendance_finalised_at'])
    .where('registrations.token', '=', token)
    .where('registrations.data_deleted_at', 'is', null)
    .executeTakeFirst()
  if (!row || !row.start_at || !row.end_at) return null
  return { ...row, start_at: row.start_at, end_at: row.end_at }
}

export type PersonalRegistration = NonNullable<Awaited<ReturnType<typeof getPersonalRegistration>>>

/** A waiting person's place in the queue: 1 is next. The queue moves up in arrival order. */
export async function getWaitlistPosition(db: DB, webinarId: string, position: number): Promise<number> {
  const row = await db
    .selectFrom('registrations')
    .select((eb) => eb.fn.countAll<number | string>().as('ahead'))
    .where('webinar_id', '=', webinarId)
    .where('status', '=', 'waitlisted')
    .where('position', '<', position)
    .executeTakeFirstOrThrow()
  return Number(row.ahead) + 1
}

/**
 * A lost link: mails the personal link again to a registration that still has something to offer.
 * Before the end, a seat or a place on the waitlist (the invitation or waitlist notice again, with
 * the join link); after it, a seat (the personal page, where the certificate is, or why there is
 * none). Does nothing otherwise; the caller answers the same either way.
 */
export async function resendRegistrationLink(db: DB, webinarId: string, email: string, now = nowIso()): Promise<boolean> {
  const registration = await db
    .selectFrom('registrations')
    .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
    .select(['registrations.id', 'registrations.status as registration_status', 'webinars.status', 'webinars.start_at', 'webinars.end_at', 'webinars.registration_opens_at', 'webinars.registration_closes_at'])
    .where('registrations.webinar_id', '=', webinarId)
    .where('registrations.email', '=', email)
    .where('registrations.data_deleted_at', 'is', null)
    .where('registrations.status', 'in', ['registered', 'waitlisted'])
    .where('webinars.status', 'in', ['published', 'finished'])
    .executeTakeFirst()
  if (!registration) return false
  if (registrationRefusal(registration, now) !== 'finished') {
    await notifyRegistration(db, registration.id)
    return true
  }
  if (registration.registration_status !== 'registered') return false
  await notifyPersonalLink(db, registration.id)
  return true
}
