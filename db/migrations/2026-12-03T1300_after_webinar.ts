import { type Kysely, sql } from 'kysely'

// Frozen in time. After the webinar: the residents' evaluation (a fixed set of 1–5 ratings, up to
// three of the organiser's own questions, a comment), the speakers' slides, the recording link,
// the "thank you" mail, and the certificate gate (off by default: a present resident's
// certificate then waits for their evaluation).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webinars').addColumn('certificate_gate', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('webinars').addColumn('recording_url', 'text').execute()
  await db.schema.alterTable('webinars').addColumn('recording_public', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('webinars').addColumn('thank_you_delay_minutes', 'integer', (c) => c.notNull().defaultTo(60)).execute()
  await db.schema.alterTable('webinars').addColumn('thank_you_sent_at', 'text').execute()
  // Webinars that ended before this version never get a late "thank you".
  await sql`update webinars set thank_you_sent_at = end_at where end_at is not null and end_at < ${new Date().toISOString()}`.execute(db)

  await db.schema
    .createTable('evaluation_questions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webinar_id', 'text', (c) => c.notNull().references('webinars.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('evaluation_questions_webinar').on('evaluation_questions').columns(['webinar_id', 'position']).execute()

  await db.schema
    .createTable('evaluations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webinar_id', 'text', (c) => c.notNull().references('webinars.id').onDelete('cascade'))
    // Null once made anonymous (erasure, retention): the ratings stay for the means.
    .addColumn('registration_id', 'text', (c) => c.references('registrations.id').onDelete('set null'))
    .addColumn('comment', 'text')
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('anonymised_at', 'text')
    .execute()
  // One evaluation per registration: a second submission finds the first.
  await db.schema.createIndex('evaluations_registration').on('evaluations').column('registration_id').unique().execute()
  await db.schema.createIndex('evaluations_webinar').on('evaluations').column('webinar_id').execute()

  await db.schema
    .createTable('evaluation_ratings')
    .addColumn('evaluation_id', 'text', (c) => c.notNull().references('evaluations.id').onDelete('cascade'))
    .addColumn('webinar_id', 'text', (c) => c.notNull().references('webinars.id').onDelete('cascade'))
    // 'content' | 'moderator' | 'platform' | 'speaker' | 'own'
    .addColumn('item', 'text', (c) => c.notNull())
    // the speaker's webinar_roles.id, the own question's id, or '' for the fixed items
    .addColumn('subject', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('evaluation_ratings_pk', ['evaluation_id', 'item', 'subject'])
    .addCheckConstraint('evaluation_ratings_rating', sql`rating between 1 and 5`)
    .execute()
  await db.schema.createIndex('evaluation_ratings_webinar').on('evaluation_ratings').columns(['webinar_id', 'item', 'subject']).execute()

  await db.schema
    .createTable('materials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webinar_id', 'text', (c) => c.notNull().references('webinars.id').onDelete('cascade'))
    .addColumn('webinar_role_id', 'text', (c) => c.notNull().references('webinar_roles.id').onDelete('cascade'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .execute()
  // One current slide deck per speaker: a new upload replaces it.
  await db.schema.createIndex('materials_role').on('materials').column('webinar_role_id').unique().execute()
  await db.schema.createIndex('materials_webinar').on('materials').column('webinar_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('materials').execute()
  await db.schema.dropTable('evaluation_ratings').execute()
  await db.schema.dropTable('evaluations').execute()
  await db.schema.dropTable('evaluation_questions').execute()
  for (const column of ['thank_you_sent_at', 'thank_you_delay_minutes', 'recording_public', 'recording_url', 'certificate_gate']) {
    await db.schema.alterTable('webinars').dropColumn(column).execute()
  }
}
