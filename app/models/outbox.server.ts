import type { Lang, MailState } from '#db/schema'
import { sql } from 'kysely'
import { engineOf, lowerContainsPattern, type DB } from '#app/utils/db.server'
import { lockRuleOn, racePoint } from '#app/utils/race-points.server'
import type { MailPayload } from '#app/mail/payload'
import { createId } from '#app/utils/crypto.server'
import { getEnv } from '#app/utils/env.server'
import { nowIso } from '#app/utils/time'

export type NewMail = { webinarId: string | null; to: { email: string; name: string }; lang: Lang; payload: MailPayload }

// SQLite allows 32766 bound parameters; 14 columns × 500 rows stays well below.
const INSERT_CHUNK = 500

/**
 * The right-hand side of our Message-IDs: the sender's own domain (RFC 5322 wants it globally
 * unique, and spam filters compare it with the From domain), else the app's host name.
 */
export function messageIdDomain(env: { MAIL_FROM: string; APP_URL: string } = getEnv()): string {
  const fromDomain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(env.MAIL_FROM)?.[1]
  if (fromDomain) return fromDomain.toLowerCase()
  try {
    return new URL(env.APP_URL).hostname || 'localhost'
  } catch {
    return 'localhost'
  }
}

/** Queues messages in the caller's transaction, so a mail exists exactly when its cause does. */
export async function enqueueMail(db: DB, mails: NewMail | NewMail[]): Promise<void> {
  const list = Array.isArray(mails) ? mails : [mails]
  const now = nowIso()
  const domain = messageIdDomain()
  for (let i = 0; i < list.length; i += INSERT_CHUNK) {
    await db
      .insertInto('outbox')
      .values(
        list.slice(i, i + INSERT_CHUNK).map((mail) => {
          const id = createId()
          return {
            id,
            kind: mail.payload.kind,
            webinar_id: mail.webinarId,
            recipient_email: mail.to.email,
            recipient_name: mail.to.name,
            lang: mail.lang,
            payload: JSON.stringify(mail.payload),
            message_id: `<${id}@${domain}>`,
            state: 'queued' as const,
            attempts: 0,
            next_attempt_at: now,
            claimed_at: null,
            claimed_by: null,
            last_error: null,
            sent_at: null,
            transport: null,
            raw: null,
            created_at: now,
          }
        }),
      )
      .execute()
  }
}

/**
 * Claims up to `limit` due messages for one worker. A row left in 'sending' longer than the
 * lease belongs to a worker that died; it is due again. Two workers never claim the same row:
 * on SQLite the claim runs under the one write lock; on PostgreSQL each worker locks the rows
 * it selects and skips rows another worker has locked (`for update skip locked`), and the
 * update claims a row only if it is still due, so a row claimed meanwhile is left alone.
 */
export async function claimDueMail(db: DB, options: { workerId: string; limit: number; now: string; leaseMs: number }) {
  const staleBefore = new Date(new Date(options.now).getTime() - options.leaseMs).toISOString()
  return db.transaction().execute(async (trx) => {
    const skipLocked = engineOf(trx) === 'postgres' && lockRuleOn()
    // One indexed range scan per state (state, next_attempt_at), each stopping at the limit: an
    // OR across states would read and sort the whole backlog on every claim.
    const due: Array<{ id: string }> = []
    for (const state of ['sending', 'retrying', 'queued'] as const) {
      if (due.length >= options.limit) break
      let query = trx.selectFrom('outbox').select('id').where('state', '=', state)
      query =
        state === 'sending'
          ? query.where('claimed_at', '<', staleBefore)
          : query.where('next_attempt_at', '<=', options.now).orderBy('next_attempt_at')
      if (skipLocked) query = query.forUpdate().skipLocked()
      due.push(...(await query.limit(options.limit - due.length).execute()))
    }
    if (due.length === 0) return []
    await racePoint('outbox:after-select')
    let claim = trx
      .updateTable('outbox')
      .set((eb) => ({ state: 'sending', claimed_at: options.now, claimed_by: options.workerId, attempts: eb('attempts', '+', 1) }))
      .where(
        'id',
        'in',
        due.map((row) => row.id),
      )
    if (lockRuleOn()) {
      claim = claim.where((eb) =>
        eb.or([
          eb.and([eb('state', 'in', ['queued', 'retrying']), eb('next_attempt_at', '<=', options.now)]),
          eb.and([eb('state', '=', 'sending'), eb('claimed_at', '<', staleBefore)]),
        ]),
      )
    }
    return claim.returning(['id', 'kind', 'recipient_email', 'recipient_name', 'lang', 'payload', 'message_id', 'attempts']).execute()
  })
}

export type ClaimedMail = Awaited<ReturnType<typeof claimDueMail>>[number]

/**
 * Renews the claim just before a send, so the lease bounds one message's time in flight, not a
 * batch's. False when another worker took the row over: then this one must not send it.
 */
export async function renewMailClaim(db: DB, id: string, workerId: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ claimed_at: now })
    .where('id', '=', id)
    .where('claimed_by', '=', workerId)
    .where('state', '=', 'sending')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** Records a delivery. Only the worker holding the claim may, so a reclaimed row is not marked twice. */
export async function markMailSent(db: DB, id: string, workerId: string, result: { transport: string; raw: string | null; now?: string }) {
  await markMailsSent(db, [{ id, raw: result.raw }], workerId, result)
}

/**
 * Records the deliveries of one batch in one statement (the mail worker's), each message with its
 * own raw MIME (null over SMTP). As for one: only rows this worker still holds are marked.
 */
export async function markMailsSent(db: DB, sent: Array<{ id: string; raw: string | null }>, workerId: string, result: { transport: string; now?: string }) {
  if (sent.length === 0) return
  const kept = sent.filter((mail) => mail.raw !== null)
  const raw = kept.length === 0 ? null : sql<string | null>`case ${sql.ref('id')} ${sql.join(kept.map((mail) => sql`when ${mail.id} then ${mail.raw}`), sql` `)} else null end`
  await db
    .updateTable('outbox')
    .set({ state: 'sent', sent_at: result.now ?? nowIso(), transport: result.transport, raw, last_error: null, claimed_by: null })
    .where(
      'id',
      'in',
      sent.map((mail) => mail.id),
    )
    .where('claimed_by', '=', workerId)
    .where('state', '=', 'sending')
    .execute()
}

/** Records a failed attempt: due again at `retryAt`, or failed for good when it is null. */
export async function markMailAttemptFailed(db: DB, id: string, workerId: string, result: { error: string; retryAt: string | null }) {
  await db
    .updateTable('outbox')
    .set({
      state: result.retryAt ? 'retrying' : 'failed',
      next_attempt_at: result.retryAt ?? nowIso(),
      last_error: result.error.slice(0, 1000),
      claimed_by: null,
    })
    .where('id', '=', id)
    .where('claimed_by', '=', workerId)
    .where('state', '=', 'sending')
    .execute()
}

/**
 * Records queued messages written since `since` as delivered without sending them: for demo
 * history, which happened in the past and must never reach a real relay once SMTP_URL is set.
 */
export async function markMailDeliveredWithoutSending(db: DB, since: string, transport: string): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ state: 'sent', sent_at: nowIso(), transport, claimed_by: null, last_error: null })
    .where('state', '=', 'queued')
    .where('created_at', '>=', since)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** An organiser's resend of a failed message: due now, with a fresh set of attempts. */
export async function resendMail(db: DB, id: string): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ state: 'queued', attempts: 0, next_attempt_at: nowIso(), last_error: null })
    .where('id', '=', id)
    .where('state', '=', 'failed')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export const OUTBOX_PAGE_SIZE = 50

export async function listOutbox(db: DB, filters: { state?: MailState | null; webinarId?: string | null; recipient?: string | null }, page = 1) {
  let query = db.selectFrom('outbox').leftJoin('webinars', 'webinars.id', 'outbox.webinar_id')
  if (filters.state) query = query.where('outbox.state', '=', filters.state)
  if (filters.webinarId) query = query.where('outbox.webinar_id', '=', filters.webinarId)
  if (filters.recipient) {
    // Part of the address or the name, in any case; LIKE's own wildcards in the text are taken literally.
    const pattern = lowerContainsPattern(filters.recipient)
    query = query.where((eb) =>
      eb.or([sql<boolean>`lower(outbox.recipient_email) like ${pattern} escape '\\'`, sql<boolean>`lower(outbox.recipient_name) like ${pattern} escape '\\'`]).$castTo<boolean>(),
    )
  }
  const [rows, total] = await Promise.all([
    query
      .select([
        'outbox.id',
        'outbox.kind',
        'outbox.recipient_email',
        'outbox.recipient_name',
        'outbox.state',
        'outbox.attempts',
        'outbox.last_error',
        'outbox.created_at',
        'outbox.sent_at',
        'outbox.next_attempt_at',
        'webinars.topic as webinar_topic',
        'webinars.slug as webinar_slug',
      ])
      .orderBy('outbox.created_at', 'desc')
      .orderBy('outbox.id')
      .limit(OUTBOX_PAGE_SIZE)
      .offset((page - 1) * OUTBOX_PAGE_SIZE)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(total.count) }
}

export async function countOutboxByState(db: DB) {
  const rows = await db.selectFrom('outbox').select(['state', (eb) => eb.fn.countAll<number>().as('count')]).groupBy('state').execute()
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)])) as Partial<Record<MailState, number>>
}

export async function getOutboxMessage(db: DB, id: string) {
  return db
    .selectFrom('outbox')
    .leftJoin('webinars', 'webinars.id', 'outbox.webinar_id')
    .select([
      'outbox.id',
      'outbox.kind',
      'outbox.webinar_id',
      'outbox.recipient_email',
      'outbox.recipient_name',
      'outbox.lang',
      'outbox.payload',
      'outbox.message_id',
      'outbox.state',
      'outbox.attempts',
      'outbox.last_error',
      'outbox.created_at',
      'outbox.sent_at',
      'outbox.next_attempt_at',
      'outbox.transport',
      'outbox.raw',
      'webinars.topic as webinar_topic',
      'webinars.slug as webinar_slug',
    ])
    .where('outbox.id', '=', id)
    .executeTakeFirst()
}

/** How many distinct reasons a webinar's page lists; the Outbox has the rest. */
const FAILED_REASONS_SHOWN = 3

/**
 * A webinar's mail that failed for good (it could not be rendered, or every retry was refused),
 * with the most frequent reasons: shown on the webinar's page, where its organiser looks, since a
 * participant whose invitation failed has no personal link. Mail still being retried is not here.
 */
export async function summariseFailedMail(db: DB, webinarId: string) {
  const rows = await db
    .selectFrom('outbox')
    .select(['last_error', (eb) => eb.fn.countAll<number>().as('count')])
    .where('webinar_id', '=', webinarId)
    .where('state', '=', 'failed')
    .groupBy('last_error')
    .orderBy('count', 'desc')
    .orderBy('last_error')
    .execute()
  return {
    count: rows.reduce((sum, row) => sum + Number(row.count), 0),
    reasons: rows.slice(0, FAILED_REASONS_SHOWN).map((row) => ({ error: row.last_error ?? '', count: Number(row.count) })),
  }
}

/** Webinars that have mail, for the Outbox page's filter. */
export async function listOutboxWebinars(db: DB) {
  return db
    .selectFrom('webinars')
    .select(['webinars.id', 'webinars.topic'])
    .where((eb) => eb.exists(eb.selectFrom('outbox').select('outbox.id').whereRef('outbox.webinar_id', '=', 'webinars.id')))
    .orderBy('webinars.start_at', 'desc')
    .limit(500)
    .execute()
}
