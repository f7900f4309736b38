import { sql } from 'kysely'
import type { EvaluationItem } from '#db/schema'
import { lockWebinars, type DB } from '#app/utils/db.server'
import { racePoint } from '#app/utils/race-points.server'
import { createId } from '#app/utils/crypto.server'
import { nowIso } from '#app/utils/time'

// The residents' evaluation of a webinar. A fixed set of 1–5 ratings (the content, each speaker
// and the KOL, the moderator, the platform), up to three of the organiser's own questions, and
// an optional comment. One per registration, final once submitted: it is what releases a gated
// certificate, and a submission that could be changed afterwards would let the reports move
// under the organiser's feet. Open to seat holders once the webinar has ended.

export const OWN_QUESTIONS_MAX = 3
export const COMMENT_MAX = 2000
export const RATINGS = [1, 2, 3, 4, 5] as const

/** Who a resident rates besides the content and the platform. */
const RATED_ROLES = ['speaker', 'kol'] as const

/** The evaluation opens when the webinar has ended (and was not cancelled). */
export function evaluationOpen(webinar: { status: string; end_at: string | null }, now = nowIso()): boolean {
  return (webinar.status === 'published' || webinar.status === 'finished') && webinar.end_at !== null && webinar.end_at <= now
}

/** The people rated in a webinar's evaluation: its moderator, and its speakers and KOL in run order. */
export async function listRatedPeople(db: DB, webinarId: string) {
  const rows = await db
    .selectFrom('webinar_roles')
    .innerJoin('people', 'people.id', 'webinar_roles.person_id')
    .select(['webinar_roles.id', 'webinar_roles.role', 'webinar_roles.talk_title', 'people.name'])
    .where('webinar_roles.webinar_id', '=', webinarId)
    .where('webinar_roles.role', 'in', ['moderator', ...RATED_ROLES])
    .orderBy('webinar_roles.position')
    .execute()
  return {
    moderator: rows.find((r) => r.role === 'moderator') ?? null,
    speakers: rows.filter((r) => r.role !== 'moderator').map((r) => ({ id: r.id, name: r.name, talkTitle: r.talk_title })),
  }
}

export async function listOwnQuestions(db: DB, webinarId: string) {
  return db.selectFrom('evaluation_questions').select(['id', 'text']).where('webinar_id', '=', webinarId).orderBy('position').execute()
}

/** Replaces the organiser's own questions (empty ones dropped). Ratings already given to a removed question stay in the evaluations but leave the report. */
export async function setOwnQuestions(db: DB, webinarId: string, texts: string[], now = nowIso()) {
  const kept = texts.filter((t) => t.length > 0).slice(0, OWN_QUESTIONS_MAX)
  const current = await listOwnQuestions(db, webinarId)
  // A question whose wording is unchanged keeps its id, so the answers it already has still count.
  for (const [index, text] of kept.entries()) {
    const same = current.find((q) => q.text === text)
    if (same) {
      await db.updateTable('evaluation_questions').set({ position: index }).where('id', '=', same.id).execute()
    } else {
      await db.insertInto('evaluation_questions').values({ id: createId(), webinar_id: webinarId, position: index, text, created_at: now }).execute()
    }
  }
  const removed = current.filter((q) => !kept.includes(q.text)).map((q) => q.id)
  if (removed.length) await db.deleteFrom('evaluation_questions').where('id', 'in', removed).execute()
}

/** The registration behind a personal link, with what its evaluation needs. */
async function findEvaluator(db: DB, token: string) {
  return db
    .selectFrom('registrations')
    .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
    .innerJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select(['registrations.id', 'registrations.status', 'webinars.id as webinar_id', 'webinars.slug', 'webinars.topic', 'webinars.status as webinar_status', 'webinars.end_at', 'provinces.time_zone'])
    .where('registrations.token', '=', token)
    .where('registrations.data_deleted_at', 'is', null)
    .executeTakeFirst()
}

export async function getSubmittedEvaluation(db: DB, registrationId: string) {
  return db.selectFrom('evaluations').select(['id', 'submitted_at']).where('registration_id', '=', registrationId).executeTakeFirst()
}

/** Whether this registration has submitted its evaluation. */
export async function evaluationDone(db: DB, registrationId: string): Promise<boolean> {
  return !!(await getSubmittedEvaluation(db, registrationId))
}

/**
 * The evaluation form behind a personal link: null for an unknown link. `open` is false for
 * the waitlist, a cancelled registration, or a webinar that has not ended.
 */
export async function getEvaluationForm(db: DB, token: string, now = nowIso()) {
  const r = await findEvaluator(db, token)
  if (!r) return null
  const [people, questions, submitted] = await Promise.all([listRatedPeople(db, r.webinar_id), listOwnQuestions(db, r.webinar_id), getSubmittedEvaluation(db, r.id)])
  return {
    registrationId: r.id,
    webinar: { id: r.webinar_id, slug: r.slug, topic: r.topic, endAt: r.end_at, zone: r.time_zone },
    open: r.status === 'registered' && evaluationOpen({ status: r.webinar_status, end_at: r.end_at }, now),
    moderator: people.moderator ? { id: people.moderator.id, name: people.moderator.name } : null,
    speakers: people.speakers,
    questions,
    submittedAt: submitted?.submitted_at ?? null,
  }
}

export type EvaluationForm = NonNullable<Awaited<ReturnType<typeof getEvaluationForm>>>

export type EvaluationAnswers = { ratings: Array<{ item: EvaluationItem; subject: string; rating: number }>; comment: string | null }

/** The form's field for each rating: what the page names its radio group and the parser reads. */
export function ratingFields(form: Pick<EvaluationForm, 'moderator' | 'speakers' | 'questions'>): Array<{ field: string; item: EvaluationItem; subject: string }> {
  return [
    { field: 'content', item: 'content', subject: '' },
    ...form.speakers.map((s) => ({ field: `speaker-${s.id}`, item: 'speaker' as const, subject: s.id })),
    ...(form.moderator ? [{ field: 'moderator', item: 'moderator' as const, subject: '' }] : []),
    { field: 'platform', item: 'platform', subject: '' },
    ...form.questions.map((q) => ({ field: `own-${q.id}`, item: 'own' as const, subject: q.id })),
  ]
}

export type SubmitEvaluationResult = { ok: true } | { ok: false; reason: 'notFound' | 'closed' | 'already' }

/**
 * Saves a resident's evaluation, once. The unique index on registration_id settles two submissions at once.
 *
 * The lock rule: the webinar first, then the evaluator read again under it. An erasure (or the
 * retention purge) holds that lock while it anonymises the evaluations there are; an evaluation
 * read before it committed would otherwise be saved after it, keeping its comment and its link to
 * the person. Read again, the erased link is not found and a cancelled seat is closed.
 */
export async function submitEvaluation(db: DB, token: string, answers: EvaluationAnswers, now = nowIso()): Promise<SubmitEvaluationResult> {
  return db.transaction().execute(async (trx): Promise<SubmitEvaluationResult> => {
    const found = await findEvaluator(trx, token)
    if (!found) return { ok: false, reason: 'notFound' }
    const r = (await lockWebinars(trx, [found.webinar_id])) ? await findEvaluator(trx, token) : found
    await racePoint('evaluation:after-read')
    if (!r) return { ok: false, reason: 'notFound' }
    if (r.status !== 'registered' || !evaluationOpen({ status: r.webinar_status, end_at: r.end_at }, now)) return { ok: false, reason: 'closed' }
    const id = createId()
    const inserted = await trx
      .insertInto('evaluations')
      .values({ id, webinar_id: r.webinar_id, registration_id: r.id, comment: answers.comment, submitted_at: now, anonymised_at: null })
      .onConflict((oc) => oc.column('registration_id').doNothing())
      .returning('id')
      .executeTakeFirst()
    if (!inserted) return { ok: false, reason: 'already' }
    if (answers.ratings.length) {
      await trx
        .insertInto('evaluation_ratings')
        .values(answers.ratings.map((a) => ({ evaluation_id: id, webinar_id: r.webinar_id, item: a.item, subject: a.subject, rating: a.rating })))
        .execute()
    }
    return { ok: true }
  })
}

export type RatingMean = { item: EvaluationItem; subject: string; label: string | null; responses: number; mean: number }

/**
 * A webinar's evaluation for its report: how many evaluated, the mean of each question (the
 * fixed ones, each speaker, the organiser's own questions that still exist), and the comments.
 */
export async function getEvaluationReport(db: DB, webinarId: string, commentLimit = 200) {
  const [count, means, people, questions, comments] = await Promise.all([
    db.selectFrom('evaluations').select((eb) => eb.fn.countAll<number>().as('n')).where('webinar_id', '=', webinarId).executeTakeFirstOrThrow(),
    db
      .selectFrom('evaluation_ratings')
      .select(['item', 'subject', (eb) => eb.fn.countAll<number>().as('responses'), sql<number>`avg(rating * 1.0)`.as('mean')])
      .where('webinar_id', '=', webinarId)
      .groupBy(['item', 'subject'])
      .execute(),
    listRatedPeople(db, webinarId),
    listOwnQuestions(db, webinarId),
    db
      .selectFrom('evaluations')
      .select(['comment', 'submitted_at'])
      .where('webinar_id', '=', webinarId)
      .where('comment', 'is not', null)
      .orderBy('submitted_at', 'desc')
      .limit(commentLimit)
      .execute(),
  ])
  const find = (item: EvaluationItem, subject = '') => means.find((m) => m.item === item && m.subject === subject)
  const row = (item: EvaluationItem, subject: string, label: string | null): RatingMean | null => {
    const m = find(item, subject)
    return m ? { item, subject, label, responses: Number(m.responses), mean: Number(m.mean) } : null
  }
  const rows = [
    row('content', '', null),
    ...people.speakers.map((s) => row('speaker', s.id, s.name)),
    row('moderator', '', people.moderator?.name ?? null),
    row('platform', '', null),
    ...questions.map((q) => row('own', q.id, q.text)),
  ].filter((r): r is RatingMean => r !== null)
  return { evaluations: Number(count.n), means: rows, comments: comments.map((c) => ({ text: c.comment!, at: c.submitted_at })) }
}

export type EvaluationReport = Awaited<ReturnType<typeof getEvaluationReport>>

/** Every evaluation of a webinar, one row each, for the CSV export: no names, the ratings by question. */
export async function listEvaluationsForExport(db: DB, webinarId: string) {
  const [evaluations, ratings] = await Promise.all([
    db.selectFrom('evaluations').select(['id', 'submitted_at', 'comment']).where('webinar_id', '=', webinarId).orderBy('submitted_at').orderBy('id').execute(),
    db.selectFrom('evaluation_ratings').select(['evaluation_id', 'item', 'subject', 'rating']).where('webinar_id', '=', webinarId).execute(),
  ])
  const byEvaluation = new Map<string, Map<string, number>>()
  for (const r of ratings) {
    let m = byEvaluation.get(r.evaluation_id)
    if (!m) byEvaluation.set(r.evaluation_id, (m = new Map()))
    m.set(`${r.item}:${r.subject}`, r.rating)
  }
  return evaluations.map((e) => ({ submittedAt: e.submitted_at, comment: e.comment, ratings: byEvaluation.get(e.id) ?? new Map<string, number>() }))
}

/**
 * Makes the evaluations of these registrations anonymous: the link to the registration goes,
 * and with it the comment (free text may name anyone); the ratings stay for the means.
 */
export async function anonymiseEvaluations(db: DB, registrationIds: string[], now = nowIso()): Promise<number> {
  if (registrationIds.length === 0) return 0
  const result = await db.updateTable('evaluations').set({ registration_id: null, comment: null, anonymised_at: now }).where('registration_id', 'in', registrationIds).executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** The fixed ratings every evaluation asks, which the programme dashboard compares across webinars (the organisers' own questions differ per webinar). */
export const PROGRAMME_RATING_ITEMS = ['content', 'speaker', 'moderator', 'platform'] as const
export type ProgrammeRatingItem = (typeof PROGRAMME_RATING_ITEMS)[number]

/** Per webinar: how many evaluated, and each fixed item's rating sum and count (all of a webinar's speakers together). */
export type WebinarSatisfactionSums = { evaluations: number; ratings: Record<ProgrammeRatingItem, { sum: number; n: number }> }

export const emptySatisfactionSums = (): WebinarSatisfactionSums => ({
  evaluations: 0,
  ratings: { content: { sum: 0, n: 0 }, speaker: { sum: 0, n: 0 }, moderator: { sum: 0, n: 0 }, platform: { sum: 0, n: 0 } },
})

/** The evaluations of these webinars, summed per webinar; a webinar nobody evaluated is left out. */
export async function sumSatisfaction(db: DB, webinarIds: string[]): Promise<Map<string, WebinarSatisfactionSums>> {
  const result = new Map<string, WebinarSatisfactionSums>()
  if (webinarIds.length === 0) return result
  const counts = await db
    .selectFrom('evaluations')
    .select(['webinar_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('webinar_id', 'in', webinarIds)
    .groupBy('webinar_id')
    .execute()
  const ratings = await db
    .selectFrom('evaluation_ratings')
    .select(['webinar_id', 'item', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('rating').as('sum')])
    .where('webinar_id', 'in', webinarIds)
    .where('item', 'in', PROGRAMME_RATING_ITEMS)
    .groupBy(['webinar_id', 'item'])
    .execute()
  const sumsOf = (webinarId: string) => {
    let sums = result.get(webinarId)
    if (!sums) result.set(webinarId, (sums = emptySatisfactionSums()))
    return sums
  }
  // PostgreSQL returns counts and integer sums as strings.
  for (const row of counts) sumsOf(row.webinar_id).evaluations = Number(row.n)
  for (const row of ratings) sumsOf(row.webinar_id).ratings[row.item as ProgrammeRatingItem] = { sum: Number(row.sum), n: Number(row.n) }
  return result
}
