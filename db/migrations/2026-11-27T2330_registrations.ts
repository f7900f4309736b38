import { type Kysely, sql } from 'kysely'

// Frozen in time. Residents' registrations, and the seat count kept beside the capacity so a
// registration takes a seat in one conditional UPDATE.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webinars').addColumn('registered_count', 'integer', (c) => c.notNull().defaultTo(0)).execute()

  await db.schema
    .createTable('registrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webinar_id', 'text', (c) => c.notNull().references('webinars.id').onDelete('cascade'))
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('whatsapp', 'text', (c) => c.notNull())
    .addColumn('regency_code', 'text', (c) => c.notNull().references('regencies.code'))
    .addColumn('occupation', 'text', (c) => c.notNull())
    .addColumn('age_range', 'text', (c) => c.notNull())
    .addColumn('gender', 'text')
    .addColumn('lang', 'text', (c) => c.notNull().defaultTo('id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('consent_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('cancelled_at', 'text')
    .addColumn('promoted_at', 'text')
    .addUniqueConstraint('registrations_webinar_email', ['webinar_id', 'email'])
    .addCheckConstraint('registrations_status', sql`status in ('registered', 'waitlisted', 'cancelled')`)
    .execute()
  await db.schema.createIndex('registrations_webinar_status').on('registrations').columns(['webinar_id', 'status', 'created_at']).execute()
  await db.schema.createIndex('registrations_email').on('registrations').column('email').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('registrations').execute()
  await db.schema.alterTable('webinars').dropColumn('registered_count').execute()
}
