import type { DB } from '#app/utils/db.server'
import { createToken, hashToken } from '#app/utils/crypto.server'
import { nowIso } from '#app/utils/time'
import { limitKey } from '#app/utils/limit-keys.server'
import { hitRateLimits, takeBackHits, type RateLimit } from './rate-limit.server'
import { findUserIdByEmail, normaliseEmail, verifyLogin } from './user.server'

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000

/** A new random id on every sign-in, so a session id planted before sign-in is worthless. */
export async function createSession(db: DB, userId: string): Promise<{ sessionId: string; expiresAt: Date }> {
  const sessionId = createToken()
  const now = new Date()
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS)
  await db
    .insertInto('sessions')
    .values({ id: hashToken(sessionId), user_id: userId, created_at: now.toISOString(), expires_at: expiresAt.toISOString() })
    .execute()
  return { sessionId, expiresAt }
}

export async function getSessionUser(db: DB, sessionId: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.email', 'users.name', 'users.role'])
    .where('sessions.id', '=', hashToken(sessionId))
    .where('sessions.expires_at', '>', nowIso())
    .executeTakeFirst()
}

/** Deletes the sessions that can no longer sign anyone in; run by the hourly housekeeping job. */
export async function pruneExpiredSessions(db: DB, now = nowIso()): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst()
  return Number(result.numDeletedRows)
}

export async function deleteSession(db: DB, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', hashToken(sessionId)).execute()
}

/*
 * Sign-in throttling, after OWASP's authentication cheat sheet ("device cookies", and counting
 * before checking):
 * - Every attempt is counted before its password is verified, in one atomic upsert, so a burst
 *   of simultaneous guesses gets no more verifications than the limit. A correct password gives
 *   its attempt back; wrong ones stay counted for the window.
 * - From a browser where this account has signed in before (it holds a signed device token for
 *   the account), attempts count against that device only. So an attacker who knows the address
 *   can lock out only browsers the owner never used: the owner's own browser still gets in.
 * - From any other browser, an account gets five attempts per 15 minutes, wherever they come
 *   from, and one address thirty, over all accounts: a handful of guesses, however many
 *   addresses the attacker has.
 */
const FAILED_LOGIN_WINDOW_MS = 15 * 60 * 1000
export const LOGIN_LIMITS = {
  perAccount: { limit: 5, windowMs: FAILED_LOGIN_WINDOW_MS },
  perAddress: { limit: 30, windowMs: FAILED_LOGIN_WINDOW_MS },
  perDevice: { limit: 10, windowMs: FAILED_LOGIN_WINDOW_MS },
} satisfies Record<string, RateLimit>

export type SignInResult =
  | { status: 'ok'; sessionId: string; userId: string; role: 'organiser' | 'moderator' | 'speaker' }
  | { status: 'failed' }
  | { status: 'throttled'; retryAfterSeconds: number }

/** A browser's proof that an account signed in there before (see rememberDevice). */
export type KnownDevice = { userId: string; token: string }

/**
 * Counts the attempt, then checks the password, and opens a fresh session on success.
 * `devices`: the device tokens the browser presented (already verified as ours).
 */
export async function signIn(
  db: DB,
  input: { email: string; password: string; clientIp: string; devices: KnownDevice[] },
): Promise<SignInResult> {
  const email = normaliseEmail(input.email)
  const accountId = await findUserIdByEmail(db, email)
  const device = accountId ? input.devices.find((known) => known.userId === accountId) : undefined
  const limits: Array<[string, RateLimit]> = device
    ? [[limitKey('login', 'device', device.token), LOGIN_LIMITS.perDevice]]
    : [
        [limitKey('login', 'account', email), LOGIN_LIMITS.perAccount],
        [limitKey('login', 'ip', input.clientIp), LOGIN_LIMITS.perAddress],
      ]
  const wait = await hitRateLimits(db, limits)
  if (wait > 0) return { status: 'throttled', retryAfterSeconds: wait }

  const user = await verifyLogin(db, email, input.password)
  if (!user) return { status: 'failed' }
  await takeBackHits(
    db,
    limits.map(([key]) => key),
  )
  const { sessionId } = await createSession(db, user.id)
  return { status: 'ok', sessionId, userId: user.id, role: user.role }
}
