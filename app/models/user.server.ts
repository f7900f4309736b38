import type { StaffRole } from '#db/schema'
import { violatedUniqueConstraint, type DB } from '#app/utils/db.server'
import { racePoint } from '#app/utils/race-points.server'
import { createId, createToken, hashPassword, hashToken, verifyPassword } from '#app/utils/crypto.server'
import { nowIso } from '#app/utils/time'
import { notifyStaffInvitation } from '#app/mail/notify.server'

export const STAFF_ROLES = ['organiser', 'moderator', 'speaker'] as const satisfies readonly StaffRole[]

/** Set-password links last three days: long enough for a weekend, short enough to go stale. */
export const PASSWORD_LINK_TTL_DAYS = 3
const PASSWORD_LINK_TTL_MS = PASSWORD_LINK_TTL_DAYS * 24 * 60 * 60 * 1000

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase()
}

export async function getUserById(db: DB, id: string) {
  return db.selectFrom('users').select(['id', 'email', 'name', 'role']).where('id', '=', id).executeTakeFirst()
}

export async function listUsers(db: DB) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'role', 'created_at'])
    .select((eb) => eb('password_hash', 'is not', null).as('has_password'))
    .orderBy('role')
    .orderBy('name')
    .execute()
}

/** The account's id, or undefined: for throttling, before any password is checked. */
export async function findUserIdByEmail(db: DB, email: string): Promise<string | undefined> {
  const user = await db.selectFrom('users').select('id').where('email', '=', normaliseEmail(email)).executeTakeFirst()
  return user?.id
}

export async function verifyLogin(db: DB, email: string, password: string) {
  const user = await db
    .selectFrom('users')
    .select(['id', 'role', 'password_hash'])
    .where('email', '=', normaliseEmail(email))
    .executeTakeFirst()
  // verifyPassword runs the hash even for an unknown address, so timing reveals nothing.
  const ok = await verifyPassword(password, user?.password_hash ?? null)
  return ok && user ? { id: user.id, role: user.role } : null
}

export class DuplicateEmailError extends Error {}

/**
 * Creates the account and its set-password link; the token is returned once and stored hashed.
 * The same address twice is a DuplicateEmailError, also when two organisers create it at once:
 * on PostgreSQL both may find it free, and the later insert meets the unique index.
 */
export async function createStaffUser(
  db: DB,
  input: { email: string; name: string; role: StaffRole; password?: string },
): Promise<{ userId: string; setPasswordToken: string }> {
  const email = normaliseEmail(input.email)
  const passwordHash = input.password ? await hashPassword(input.password) : null
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
    if (existing) throw new DuplicateEmailError(email)
    await racePoint('staff:after-check')
    const now = nowIso()
    const userId = createId()
    await trx
      .insertInto('users')
      .values({ id: userId, email, name: input.name.trim(), role: input.role, password_hash: passwordHash, created_at: now, updated_at: now })
      .execute()
    const setPasswordToken = await insertPasswordToken(trx, userId)
    // An account made without a password is invited by e-mail, with its set-password link.
    if (!passwordHash) await notifyStaffInvitation(trx, { email, name: input.name.trim(), role: input.role }, setPasswordToken, PASSWORD_LINK_TTL_DAYS)
    return { userId, setPasswordToken }
  }).catch((error: unknown) => {
    if (violatedUniqueConstraint(error) === 'users_email_key') throw new DuplicateEmailError(email, { cause: error })
    throw error
  })
}

/** A fresh set-password link for an existing account (a lost or expired invitation). */
export async function createPasswordLink(db: DB, userId: string): Promise<string> {
  return db.transaction().execute(async (trx) => {
    // A link is replaced because it was lost or sent astray, so the old ones stop working.
    await trx.deleteFrom('password_tokens').where('user_id', '=', userId).where('used_at', 'is', null).execute()
    const token = await insertPasswordToken(trx, userId)
    const user = await trx.selectFrom('users').select(['email', 'name', 'role', 'lang']).where('id', '=', userId).executeTakeFirstOrThrow()
    await notifyStaffInvitation(trx, user, token, PASSWORD_LINK_TTL_DAYS)
    return token
  })
}

async function insertPasswordToken(db: DB, userId: string): Promise<string> {
  const token = createToken()
  const now = new Date()
  await db
    .insertInto('password_tokens')
    .values({
      id: hashToken(token),
      user_id: userId,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + PASSWORD_LINK_TTL_MS).toISOString(),
      used_at: null,
    })
    .execute()
  return token
}

/** The account a set-password link belongs to, if the link is unused and unexpired. */
export async function getPasswordTokenUser(db: DB, token: string) {
  return db
    .selectFrom('password_tokens')
    .innerJoin('users', 'users.id', 'password_tokens.user_id')
    .select(['users.id', 'users.email', 'users.name'])
    .where('password_tokens.id', '=', hashToken(token))
    .where('password_tokens.used_at', 'is', null)
    .where('password_tokens.expires_at', '>', nowIso())
    .executeTakeFirst()
}

/** Deletes set-password links that can no longer be used (spent or expired); run hourly. */
export async function prunePasswordTokens(db: DB, now = nowIso()): Promise<number> {
  const result = await db
    .deleteFrom('password_tokens')
    .where((eb) => eb.or([eb('used_at', 'is not', null), eb('expires_at', '<=', now)]))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** Sets the password and burns the link in one transaction; returns null if the link is spent. */
export async function setPasswordWithToken(db: DB, token: string, password: string) {
  const passwordHash = await hashPassword(password)
  return db.transaction().execute(async (trx) => {
    const now = nowIso()
    const row = await trx
      .updateTable('password_tokens')
      .set({ used_at: now })
      .where('id', '=', hashToken(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst()
    if (!row) return null
    await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', row.user_id).execute()
    // A new password ends every open session of that account.
    await trx.deleteFrom('sessions').where('user_id', '=', row.user_id).execute()
    return { userId: row.user_id }
  })
}

export async function getUserByEmail(db: DB, email: string) {
  return db.selectFrom('users').select(['id', 'email', 'name', 'role', 'password_hash']).where('email', '=', normaliseEmail(email)).executeTakeFirst()
}

/** Sets a password directly (demo accounts); every open session of the account ends. */
export async function setUserPassword(db: DB, userId: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password)
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: nowIso() }).where('id', '=', userId).execute()
    await trx.deleteFrom('sessions').where('user_id', '=', userId).execute()
  })
}
