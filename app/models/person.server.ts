import { sql } from 'kysely'
import type { Lang } from '#db/schema'
import { likeOperator, violatedUniqueConstraint, type DB } from '#app/utils/db.server'
import { racePoint } from '#app/utils/race-points.server'
import { createId } from '#app/utils/crypto.server'
import { nowIso } from '#app/utils/time'

export type PersonInput = {
  name: string
  title: string | null
  organisation: string | null
  email: string | null
  whatsapp: string | null
  bio: string | null
  userId: string | null
  /** The language of the person's e-mails; Bahasa Indonesia when left out on create, unchanged on update. */
  lang?: Lang
}

const PERSON_COLUMNS = ['people.id', 'people.name', 'people.title', 'people.organisation', 'people.email', 'people.whatsapp', 'people.bio', 'people.user_id', 'people.lang'] as const

function toRow(input: PersonInput) {
  return {
    name: input.name,
    title: input.title ?? '',
    organisation: input.organisation ?? '',
    email: input.email,
    whatsapp: input.whatsapp,
    bio: input.bio ?? '',
    user_id: input.userId,
    ...(input.lang ? { lang: input.lang } : {}),
  }
}

export class AccountAlreadyLinkedError extends Error {}
export class UnknownAccountError extends Error {}

async function assertAccountFree(db: DB, userId: string | null, exceptPersonId?: string) {
  if (!userId) return
  // A tampered form would otherwise hit the foreign key and surface as a 500.
  const account = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()
  if (!account) throw new UnknownAccountError(userId)
  let query = db.selectFrom('people').select('id').where('user_id', '=', userId)
  if (exceptPersonId) query = query.where('id', '!=', exceptPersonId)
  if (await query.executeTakeFirst()) throw new AccountAlreadyLinkedError(userId)
  await racePoint('person-account:after-check')
}

/**
 * An account linked to another person meanwhile: on PostgreSQL two saves can both find it free,
 * and the later write meets the unique index. Answered as the check above answers it.
 */
function accountTakenMeanwhile(userId: string | null) {
  return (error: unknown): never => {
    if (userId && violatedUniqueConstraint(error) === 'people_user_id_key') throw new AccountAlreadyLinkedError(userId, { cause: error })
    throw error
  }
}

export async function createPerson(db: DB, input: PersonInput): Promise<string> {
  return db
    .transaction()
    .execute(async (trx) => {
      await assertAccountFree(trx, input.userId)
      const id = createId()
      const now = nowIso()
      await trx.insertInto('people').values({ id, ...toRow(input), created_at: now, updated_at: now }).execute()
      return id
    })
    .catch(accountTakenMeanwhile(input.userId))
}

export async function updatePerson(db: DB, personId: string, input: PersonInput): Promise<boolean> {
  return db
    .transaction()
    .execute(async (trx) => {
      await assertAccountFree(trx, input.userId, personId)
      const result = await trx.updateTable('people').set({ ...toRow(input), updated_at: nowIso() }).where('id', '=', personId).executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    })
    .catch(accountTakenMeanwhile(input.userId))
}

export async function getPerson(db: DB, personId: string) {
  return db
    .selectFrom('people')
    .leftJoin('users', 'users.id', 'people.user_id')
    .select(PERSON_COLUMNS)
    .select(['users.email as account_email', 'users.role as account_role'])
    .where('people.id', '=', personId)
    .executeTakeFirst()
}

/** Search by name, organisation or e-mail; the directory is small enough for LIKE. */
export async function searchPeople(db: DB, q: string | null, limit = 100) {
  let query = db.selectFrom('people').select(PERSON_COLUMNS)
  const term = q?.trim()
  if (term) {
    const pattern = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    // SQLite's LIKE has no escape character unless one is named; without it \% looks for a backslash.
    // Case is ignored on both engines (likeOperator).
    const contains = (column: 'people.name' | 'people.organisation' | 'people.email' | 'people.title') =>
      sql<boolean>`${sql.ref(column)} ${sql.raw(likeOperator(db))} ${pattern} escape '\\'`
    query = query.where((eb) => eb.or([contains('people.name'), contains('people.organisation'), contains('people.email'), contains('people.title')]))
  }
  return query.orderBy('people.name').limit(limit).execute()
}

/** Everyone in the directory, for the role and run-down pickers. */
export async function listPeopleOptions(db: DB) {
  return db.selectFrom('people').select(['id', 'name', 'organisation']).orderBy('name').execute()
}

export async function getPersonByEmail(db: DB, email: string) {
  return db.selectFrom('people').select(PERSON_COLUMNS).where('email', '=', email.trim().toLowerCase()).executeTakeFirst()
}
