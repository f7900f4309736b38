import type { DB } from '#app/utils/db.server'
import { createToken, hashToken } from '#app/utils/crypto.server'
import { nowIso } from '#app/utils/time'
import { clearRateLimit, hitRateLimits, rateLimitWait, type RateLimit } from './rate-limit.server'
import { normaliseEmail, verifyLogin } from './user.server'

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

export async function deleteSession(db: DB, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', hashToken(sessionId)).execute()
}

// Throttling: five wrong passwords per account, or thirty per address, in fifteen minutes.
const FAILED_LOGIN_WINDOW_MS = 15 * 60 * 1000
const PER_ACCOUNT = { limit: 5, windowMs: FAILED_LOGIN_WINDOW_MS }
const PER_ADDRESS = { limit: 30, windowMs: FAILED_LOGIN_WINDOW_MS }

export type SignInResult =
  | { status: 'ok'; sessionId: string; role: 'organiser' | 'moderator' | 'speaker' }
  | { status: 'failed' }
  | { status: 'throttled'; retryAfterSeconds: number }

/** Checks the password, counts failures, and opens a fresh session on success. */
export async function signIn(db: DB, input: { email: string; password: string; clientIp: string }): Promise<SignInResult> {
  const accountKey = `login:account:${normaliseEmail(input.email)}`
  const addressKey = `login:address:${input.clientIp}`
  const limits: Array<[string, RateLimit]> = [
    [accountKey, PER_ACCOUNT],
    [addressKey, PER_ADDRESS],
  ]
  const wait = await rateLimitWait(db, limits)
  if (wait > 0) return { status: 'throttled', retryAfterSeconds: wait }

  const user = await verifyLogin(db, input.email, input.password)
  if (!user) {
    await hitRateLimits(db, limits)
    return { status: 'failed' }
  }
  await clearRateLimit(db, accountKey)
  const { sessionId } = await createSession(db, user.id)
  return { status: 'ok', sessionId, role: user.role }
}
