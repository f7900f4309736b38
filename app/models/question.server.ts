import type { Transaction } from 'kysely'
import type { Database, Question, QuestionDifficulty, QuestionPillar } from '#db/schema'
import { lockRows, type DB } from '#app/utils/db.server'
import { createId } from '#app/utils/crypto.server'
import { racePoint } from '#app/utils/race-points.server'
import { nowIso } from '#app/utils/time'

// The question bank (issue 15): multiple-choice questions per pillar, reused across webinars.
// A question is edited in place until it is first used in a live test (a resident started a test
// holding it); after that an edit adds a new version and retires the old one, so the results
// already given stay scored against the question the residents saw.

type Conn = DB | Transaction<Database>

export { DIFFICULTIES } from '#app/utils/catalog'
export const MIN_OPTIONS = 2
export const MAX_OPTIONS = 5

export type QuestionInput = {
  pillar: QuestionPillar
  difficulty: QuestionDifficulty
  prompt: string
  options: string[]
  /** 0-based */
  correctOption: number
  explanation: string | null
}

export type BankQuestion = {
  id: string
  familyId: string
  version: number
  pillar: QuestionPillar
  difficulty: QuestionDifficulty
  prompt: string
  options: string[]
  correctOption: number
  explanation: string | null
  usedAt: string | null
  replacedById: string | null
  archivedAt: string | null
  updatedAt: string
}

const COLUMNS = ['id', 'family_id', 'version', 'pillar', 'difficulty', 'prompt', 'options', 'correct_option', 'explanation', 'used_at', 'replaced_by_id', 'archived_at', 'updated_at'] as const

export function toBankQuestion(row: Pick<Question, (typeof COLUMNS)[number]>): BankQuestion {
  return {
    id: row.id,
    familyId: row.family_id,
    version: row.version,
    pillar: row.pillar,
    difficulty: row.difficulty,
    prompt: row.prompt,
    options: JSON.parse(row.options) as string[],
    correctOption: row.correct_option,
    explanation: row.explanation,
    usedAt: row.used_at,
    replacedById: row.replaced_by_id,
    archivedAt: row.archived_at,
    updatedAt: row.updated_at,
  }
}

/** The bank as it stands: the current version of every question not taken out, by pillar. */
export async function listBankQuestions(db: Conn, filter: { pillar?: QuestionPillar | null; difficulty?: QuestionDifficulty | null } = {}): Promise<BankQuestion[]> {
  let query = db.selectFrom('questions').select(COLUMNS).where('replaced_by_id', 'is', null).where('archived_at', 'is', null)
  if (filter.pillar) query = query.where('pillar', '=', filter.pillar)
  if (filter.difficulty) query = query.where('difficulty', '=', filter.difficulty)
  const rows = await query.orderBy('pillar').orderBy('created_at').orderBy('id').execute()
  return rows.map(toBankQuestion)
}

/** How many current questions each pillar holds. */
export async function countBankByPillar(db: Conn): Promise<Record<QuestionPillar, number>> {
  const rows = await db
    .selectFrom('questions')
    .select((eb) => ['pillar', eb.fn.countAll<number>().as('count')])
    .where('replaced_by_id', 'is', null)
    .where('archived_at', 'is', null)
    .groupBy('pillar')
    .execute()
  const counts: Record<QuestionPillar, number> = { cakap: 0, etika: 0, aman: 0, budaya: 0 }
  for (const row of rows) counts[row.pillar] = Number(row.count)
  return counts
}

/** One version by id, whatever its state (a past version stays readable). */
export async function getQuestion(db: Conn, id: string): Promise<BankQuestion | null> {
  const row = await db.selectFrom('questions').select(COLUMNS).where('id', '=', id).executeTakeFirst()
  return row ? toBankQuestion(row) : null
}

/** Every version of a question, newest first. */
export async function listQuestionVersions(db: Conn, familyId: string): Promise<BankQuestion[]> {
  const rows = await db.selectFrom('questions').select(COLUMNS).where('family_id', '=', familyId).orderBy('version', 'desc').execute()
  return rows.map(toBankQuestion)
}

function questionValues(input: QuestionInput) {
  return {
    pillar: input.pillar,
    difficulty: input.difficulty,
    prompt: input.prompt,
    options: JSON.stringify(input.options),
    correct_option: input.correctOption,
    explanation: input.explanation,
  }
}

export async function createQuestion(db: Conn, input: QuestionInput, userId: string | null, now = nowIso()): Promise<string> {
  const id = createId()
  await db
    .insertInto('questions')
    .values({ id, family_id: id, version: 1, ...questionValues(input), created_by: userId, created_at: now, updated_at: now, used_at: null, replaced_by_id: null, archived_at: null })
    .execute()
  return id
}

/** Adds many questions at once, all or none (the CSV import). */
export async function createQuestions(db: DB, inputs: QuestionInput[], userId: string | null, now = nowIso()): Promise<number> {
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < inputs.length; i += 200) {
      await trx
        .insertInto('questions')
        .values(
          inputs.slice(i, i + 200).map((input) => {
            const id = createId()
            return { id, family_id: id, version: 1, ...questionValues(input), created_by: userId, created_at: now, updated_at: now, used_at: null, replaced_by_id: null, archived_at: null }
          }),
        )
        .execute()
    }
  })
  return inputs.length
}

export type QuestionEdit = { ok: true; id: string; newVersion: boolean } | { ok: false; reason: 'notFound' | 'notCurrent' }

/**
 * Saves an edit. Unused: in place. Used in a live test: a new version replaces it in the bank and
 * in every webinar whose question set has not frozen yet; frozen sets keep the version they used.
 *
 * The lock rule (lockRows): the version edited is read under its row's lock, so two edits of one
 * version at once take turns. The later one then finds it replaced and is refused (`notCurrent`:
 * its editor saw the old text), rather than adding a second version beside the first's.
 */
export async function updateQuestion(db: DB, id: string, input: QuestionInput, userId: string | null, now = nowIso()): Promise<QuestionEdit> {
  return db.transaction().execute(async (trx): Promise<QuestionEdit> => {
    await lockRows(trx, 'questions', [id])
    const current = await trx.selectFrom('questions').select(['id', 'family_id', 'version', 'used_at', 'replaced_by_id', 'archived_at']).where('id', '=', id).executeTakeFirst()
    await racePoint('question-edit:after-read')
    if (!current) return { ok: false, reason: 'notFound' }
    if (current.replaced_by_id !== null || current.archived_at !== null) return { ok: false, reason: 'notCurrent' }
    if (current.used_at === null) {
      // Only while still unused: a resident starting a test at this moment marks it used first.
      const updated = await trx.updateTable('questions').set({ ...questionValues(input), updated_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst()
      if (updated.numUpdatedRows > 0n) return { ok: true, id, newVersion: false }
    }
    const newId = createId()
    await trx
      .insertInto('questions')
      .values({ id: newId, family_id: current.family_id, version: current.version + 1, ...questionValues(input), created_by: userId, created_at: now, updated_at: now, used_at: null, replaced_by_id: null, archived_at: null })
      .execute()
    await trx.updateTable('questions').set({ replaced_by_id: newId, updated_at: now }).where('id', '=', id).execute()
    await trx
      .updateTable('webinar_questions')
      .set({ question_id: newId })
      .where('question_id', '=', id)
      .where('webinar_id', 'in', (eb) => eb.selectFrom('webinar_tests').select('webinar_id').where('frozen_at', 'is', null))
      .execute()
    return { ok: true, id: newId, newVersion: true }
  })
}

/** Takes a question out of the bank; results already given keep it, unfrozen webinars drop it. */
export async function archiveQuestion(db: DB, id: string, now = nowIso()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const archived = await trx.updateTable('questions').set({ archived_at: now, updated_at: now }).where('id', '=', id).where('replaced_by_id', 'is', null).where('archived_at', 'is', null).executeTakeFirst()
    if (archived.numUpdatedRows === 0n) return false
    await trx
      .deleteFrom('webinar_questions')
      .where('question_id', '=', id)
      .where('webinar_id', 'in', (eb) => eb.selectFrom('webinar_tests').select('webinar_id').where('frozen_at', 'is', null))
      .execute()
    return true
  })
}
