import type { Insertable } from 'kysely'
import type { Database, Lang, RegistrationStatus } from '#db/schema'
import { sql } from 'kysely'
import { engineOf, lockWebinars, TransactionOvertaken, violatedUniqueConstraint, type DB } from '#app/utils/db.server'
import { lockRuleOn, racePoint } from '#app/utils/race-points.server'
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
  // The rate limits of the whole group count in one statement, before any webinar is locked.
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
  // The lock rule: the group's webinars are locked in id order.
  for (const webinarId of [...byWebinar.keys()].sort()) {
    const indexes = byWebinar.get(webinarId)!
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
 * the group: a read of the webinar and of the addresses already registered, one statement that
 * takes the seats and queue places, and one insert of the new registrations.
 *
 * The seats are decided under the webinar's lock, from the counts as they are when the lock is
 * held (takePlaces). On SQLite the whole transaction holds the write lock from its start. On
 * PostgreSQL the lock is taken by that one statement, late: what is read before it (the webinar,
 * the addresses) is re-checked there or backed by a unique index, and from the lock to the commit
 * there are two statements left instead of seven. That is what lets two app processes register
 * for one webinar at once without each waiting out the other's round trips. A share that needs
 * more than seats under the lock (someone registering again after cancelling) or whose webinar
 * changed since it was read takes the lock first and reads again, as the lock rule says; so does
 * one with an address already registered (a cancel of that registration at the same moment would
 * otherwise leave the repeat answering, and mailing, the link it just killed).
 */
async function registerForWebinar(trx: DB, webinarId: string, group: Registration[], mails: NewMail[]): Promise<RegisterResult[]> {
  let share = await readShare(trx, webinarId, group)
  // What was read before a lock is read again under it (on SQLite the write lock was held already).
  const lockFirst = async () => {
    if (await lockWebinars(trx, [webinarId])) share = await readShare(trx, webinarId, group)
  }
  // An address already there (registering again after cancelling, or once more while registered)
  // is decided from its registration, which a cancel or an erasure may be changing: read it under
  // the lock. Repeats are rare in a rush; new addresses keep the late lock of takePlaces.
  if (share.plan.some((step) => step.kind === 'known' || (step.kind === 'place' && step.existing))) await lockFirst()
  await racePoint('register:after-read')
  let counts = await takePlaces(trx, share.webinar, share.places)
  if (!counts) {
    // The webinar changed between the read and the lock (edited, rescheduled, closed): again, locked.
    await lockFirst()
    counts = await takePlaces(trx, share.webinar, share.places)
    if (!counts) throw new Error(`Webinar ${webinarId} changed under its lock`)
  }

  const { webinar } = share
  let snapshot = toWebinarSnapshot(webinar)
  const freeSeats = Math.max(0, webinar.capacity - counts.registeredBefore)
  const placed: Array<{ token: string; status: 'registered' | 'waitlisted' }> = []
  const inserts: Insertable<Database['registrations']>[] = []
  const results: RegisterResult[] = []
  for (const step of share.plan) {
    if (step.kind === 'refused') {
      results.push({ ok: false, reason: step.reason })
      continue
    }
    if (step.kind === 'known') {
      // The same address again: the link is mailed again, and the answer is the first one's.
      const first = step.known
      queueMail(mails, registrationMail({ ...first, webinar_id: webinarId }, snapshot))
      results.push({ ok: true, status: first.status, token: first.token, repeated: true })
      continue
    }
    if (step.kind === 'again') {
      // The same address twice in this group: the second gets the first's answer and link again.
      const first = placed[step.place]!
      const { input } = group[step.index]!
      queueMail(mails, registrationMail({ webinar_id: webinarId, name: input.name, email: input.email, lang: input.lang, ...first }, snapshot))
      results.push({ ok: true, status: first.status, token: first.token, repeated: true })
      continue
    }
    const { input, now } = group[step.index]!
    const status: 'registered' | 'waitlisted' = placed.length < freeSeats ? 'registered' : 'waitlisted'
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
      position: counts.totalBefore + placed.length + 1,
      token,
      created_at: now,
    }
    placed.push({ token, status })
    if (step.existing) {
      // Someone who cancelled and registers again gets a fresh link; the old one stays dead.
      const again = await trx.updateTable('registrations').set(fields).where('id', '=', step.existing.id).where('status', '=', 'cancelled').executeTakeFirst()
      // The lock guarantees it is still cancelled; should that ever fail, the transaction fails rather than mail a dead link.
      if (again.numUpdatedRows === 0n) throw new Error(`Registration ${step.existing.id} changed under its webinar's lock`)
      // Their withdrawal sent a CANCEL; the new invitation must carry a higher SEQUENCE than it.
      if (snapshot) snapshot = { ...snapshot, sequence: await raiseCalendarSequence(trx, webinarId) }
    } else {
      inserts.push({ ...fields, id: createId(), webinar_id: webinarId, email: input.email })
    }
    queueMail(mails, registrationMail({ webinar_id: webinarId, name: input.name, email: input.email, lang: input.lang, token, status }, snapshot))
    results.push({ ok: true, status, token, repeated: false })
  }
  try {
    for (let i = 0; i < inserts.length; i += INSERT_CHUNK) await trx.insertInto('registrations').values(inserts.slice(i, i + INSERT_CHUNK)).execute()
  } catch (error) {
    // Read before the lock (PostgreSQL), an address was new; another process registered it since. Run again, it is known.
    if (violatedUniqueConstraint(error) === 'registrations_webinar_email') throw new TransactionOvertaken(`An address registered for webinar ${webinarId} meanwhile`, { cause: error })
    throw error
  }
  return results
}

type KnownRegistration = { id: string; token: string; status: RegistrationStatus; name: string; email: string; lang: Lang }

/** What each registration of a share comes to, decided before the seats are counted. */
type Step =
  | { kind: 'refused'; index: number; reason: RegistrationRefusal }
  | { kind: 'known'; index: number; known: KnownRegistration & { status: 'registered' | 'waitlisted' } }
  | { kind: 'again'; index: number; place: number }
  | { kind: 'place'; index: number; existing: KnownRegistration | null }

/** The webinar and the group's addresses already registered for it, and each registration's step. */
async function readShare(trx: DB, webinarId: string, group: Registration[]) {
  const webinar = await selectWebinarSnapshot(trx)
    .select(['webinars.id', 'webinars.status', 'webinars.updated_at', 'webinars.registration_opens_at', 'webinars.registration_closes_at', 'webinars.registrations_total'])
    .where('webinars.id', '=', webinarId)
    .executeTakeFirstOrThrow()
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
  const plan: Step[] = []
  const placeOf = new Map<string, number>()
  let places = 0
  group.forEach(({ input, now }, index) => {
    const refusal = registrationRefusal(webinar, now)
    const existing = known.get(input.email) ?? null
    const earlier = placeOf.get(input.email)
    if (refusal) plan.push({ kind: 'refused', index, reason: refusal })
    else if (earlier !== undefined) plan.push({ kind: 'again', index, place: earlier })
    else if (existing && existing.status !== 'cancelled') plan.push({ kind: 'known', index, known: { ...existing, status: existing.status } })
    else {
      placeOf.set(input.email, places++)
      plan.push({ kind: 'place', index, existing })
    }
  })
  return { webinar, plan, places }
}

/** Rows per insert: well under SQLite's limit of 32,766 bound values at 19 columns a row. */
const INSERT_CHUNK = 500

type ShareWebinar = Awaited<ReturnType<typeof readShare>>['webinar']

/**
 * Takes `places` queue places for the webinar, its free seats going to the first of them, and
 * answers the counts as they were just before. On PostgreSQL one statement locks the webinar's
 * row (the lock rule), reads the counts under the lock and writes them, provided the webinar is
 * still as `webinar` was read; null if it is not. On SQLite the transaction holds the write lock
 * since it began, so the counts read then are the counts now, and the guard only restates it.
 */
async function takePlaces(trx: DB, webinar: ShareWebinar, places: number): Promise<{ registeredBefore: number; totalBefore: number } | null> {
  if (places === 0) return { registeredBefore: webinar.registered_count, totalBefore: webinar.registrations_total }
  if (engineOf(trx) === 'postgres' && !lockRuleOn()) {
    // The race tests' control run: the seats counted from the read, before any lock, and no check
    // that the webinar is still as read. Both racers have read when they meet, so the race shows
    // every time (counting under a lock without the row lock would leave it to one statement's timing).
    const seats = Math.min(places, Math.max(0, webinar.capacity - webinar.registered_count))
    await trx
      .updateTable('webinars')
      .set({ registered_count: webinar.registered_count + seats, registrations_total: webinar.registrations_total + places })
      .where('id', '=', webinar.id)
      .execute()
    return { registeredBefore: webinar.registered_count, totalBefore: webinar.registrations_total }
  }
  if (engineOf(trx) === 'postgres') {
    const row = await trx
      .with('counts', (db) => db.selectFrom('webinars').select(['id', 'registered_count', 'registrations_total']).where('id', '=', webinar.id).forUpdate())
      .updateTable('webinars')
      .from('counts')
      .set({
        registered_count: sql`counts.registered_count + least(${places}::integer, greatest(0, webinars.capacity - counts.registered_count))`,
        registrations_total: sql`counts.registrations_total + ${places}::integer`,
      })
      .whereRef('webinars.id', '=', 'counts.id')
      .where('webinars.status', '=', webinar.status)
      .where('webinars.updated_at', '=', webinar.updated_at)
      .where('webinars.calendar_sequence', '=', webinar.calendar_sequence)
      .returning(['counts.registered_count as registered_before', 'counts.registrations_total as total_before'])
      .executeTakeFirst()
    return row ? { registeredBefore: row.registered_before, totalBefore: row.total_before } : null
  }
  const seats = Math.min(places, Math.max(0, webinar.capacity - webinar.registered_count))
  const counted = await trx
    .updateTable('webinars')
    .set((eb) => ({ registered_count: eb('registered_count', '+', seats), registrations_total: eb('registrations_total', '+', places) }))
    .where('id', '=', webinar.id)
    .where('registered_count', '=', webinar.registered_count)
    .where('registrations_total', '=', webinar.registrations_total)
    .executeTakeFirst()
  if (counted.numUpdatedRows === 0n) throw new Error(`Seat counts of webinar ${webinar.id} changed under its lock`)
  return { registeredBefore: webinar.registered_count, totalBefore: webinar.registrations_total }
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
 *
 * The lock rule: the registration is read under the webinar's lock, so a cancel or an erasure of
 * it at the same moment either goes first (nothing is mailed) or after (it finds the mail queued
 * here: the erasure deletes it, the cancellation follows it). Read without the lock, the mail was
 * queued after either had committed: the invitation with a dead link, or a mail for an erased
 * registration.
 */
export async function resendRegistrationLink(db: DB, webinarId: string, email: string, now = nowIso()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await lockWebinars(trx, [webinarId])
    return resendUnderLock(trx, webinarId, email, now)
  })
}

async function resendUnderLock(db: DB, webinarId: string, email: string, now: string): Promise<boolean> {
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
  await racePoint('resend-link:after-read')
  if (!registration) return false
  if (registrationRefusal(registration, now) !== 'finished') {
    await notifyRegistration(db, registration.id)
    return true
  }
  if (registration.registration_status !== 'registered') return false
  await notifyPersonalLink(db, registration.id)
  return true
}
