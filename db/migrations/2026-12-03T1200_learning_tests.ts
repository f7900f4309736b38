import { type Kysely, sql } from 'kysely'

// Frozen in time. Learning tests (issue 15): a bank of multiple-choice questions per pillar,
// versioned once used so past results stay comparable; per webinar a pre-test and a post-test
// drawn from the bank (the same questions, in a different order); one attempt per registration
// and kind, every answer saved as it is given; per-pillar scores kept on the attempt so the
// reports survive the erasure of the answers.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('questions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // The first version's id: every version of one question shares it.
    .addColumn('family_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('pillar', 'text', (c) => c.notNull())
    .addColumn('difficulty', 'text', (c) => c.notNull())
    .addColumn('prompt', 'text', (c) => c.notNull())
    // JSON array of 2 to 5 option texts
    .addColumn('options', 'text', (c) => c.notNull())
    // 0-based index into options
    .addColumn('correct_option', 'integer', (c) => c.notNull())
    .addColumn('explanation', 'text')
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // first used in a live test: from then on an edit makes a new version
    .addColumn('used_at', 'text')
    .addColumn('replaced_by_id', 'text')
    .addColumn('archived_at', 'text')
    .addUniqueConstraint('questions_family_version', ['family_id', 'version'])
    .addCheckConstraint('questions_pillar', sql`pillar in ('cakap', 'etika', 'aman', 'budaya')`)
    .addCheckConstraint('questions_difficulty', sql`difficulty in ('easy', 'medium', 'hard')`)
    .execute()
  await sql`create index questions_current on questions (pillar, difficulty) where replaced_by_id is null and archived_at is null`.execute(db)

  await db.schema
    .createTable('webinar_tests')
    .addColumn('webinar_id', 'text', (c) => c.primaryKey().references('webinars.id').onDelete('cascade'))
    .addColumn('pre_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('post_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    // the post-test stays open this many days after the end
    .addColumn('post_open_days', 'integer', (c) => c.notNull().defaultTo(7))
    .addColumn('questions_per_pillar', 'integer', (c) => c.notNull().defaultTo(5))
    // when the first attempt began: the question set no longer changes
    .addColumn('frozen_at', 'text')
    .addColumn('updated_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addCheckConstraint('webinar_tests_days', sql`post_open_days between 1 and 90`)
    .execute()

  await db.schema
    .createTable('webinar_questions')
    .addColumn('webinar_id', 'text', (c) => c.notNull().references('webinars.id').onDelete('cascade'))
    .addColumn('question_id', 'text', (c) => c.notNull().references('questions.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('webinar_questions_pk', ['webinar_id', 'question_id'])
    .execute()
  await db.schema.createIndex('webinar_questions_question').on('webinar_questions').column('question_id').execute()

  await db.schema
    .createTable('test_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webinar_id', 'text', (c) => c.notNull().references('webinars.id').onDelete('cascade'))
    .addColumn('registration_id', 'text', (c) => c.notNull().references('registrations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    // JSON array of question ids, in the order this resident sees them
    .addColumn('question_order', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('correct', 'integer')
    .addColumn('cakap_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cakap_correct', 'integer')
    .addColumn('etika_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('etika_correct', 'integer')
    .addColumn('aman_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('aman_correct', 'integer')
    .addColumn('budaya_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('budaya_correct', 'integer')
    // 1 on both attempts once the same registration finished the pre- and the post-test
    .addColumn('paired', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('test_attempts_one_each', ['registration_id', 'kind'])
    .addCheckConstraint('test_attempts_kind', sql`kind in ('pre', 'post')`)
    .execute()
  await db.schema.createIndex('test_attempts_webinar').on('test_attempts').columns(['webinar_id', 'kind', 'finished_at']).execute()

  await db.schema
    .createTable('test_answers')
    .addColumn('attempt_id', 'text', (c) => c.notNull().references('test_attempts.id').onDelete('cascade'))
    .addColumn('question_id', 'text', (c) => c.notNull().references('questions.id'))
    .addColumn('chosen_option', 'integer', (c) => c.notNull())
    .addColumn('answered_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('test_answers_pk', ['attempt_id', 'question_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['test_answers', 'test_attempts', 'webinar_questions', 'webinar_tests', 'questions']) {
    await db.schema.dropTable(table).execute()
  }
}
