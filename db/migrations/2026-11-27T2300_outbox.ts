import type { Kysely } from 'kysely'

// Frozen in time. The outbox: every e-mail is a row written with the change that caused it.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('webinar_id', 'text', (c) => c.references('webinars.id').onDelete('set null'))
    .addColumn('recipient_email', 'text', (c) => c.notNull())
    .addColumn('recipient_name', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'text')
    .addColumn('claimed_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('transport', 'text')
    .addColumn('raw', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute()
  await db.schema.createIndex('outbox_webinar').on('outbox').columns(['webinar_id', 'created_at']).execute()
  await db.schema.createIndex('outbox_created').on('outbox').column('created_at').execute()

  // The speaker's personal brief link, and their answer.
  await db.schema.alterTable('webinar_roles').addColumn('brief_token', 'text').execute()
  await db.schema.alterTable('webinar_roles').addColumn('confirmation', 'text', (c) => c.notNull().defaultTo('pending')).execute()
  await db.schema.alterTable('webinar_roles').addColumn('confirmed_at', 'text').execute()
  await db.schema.createIndex('webinar_roles_brief_token').on('webinar_roles').column('brief_token').unique().execute()

  // Reminders go out once each; these record that they did.
  await db.schema.alterTable('webinars').addColumn('reminder_day_sent_at', 'text').execute()
  await db.schema.alterTable('webinars').addColumn('reminder_hour_sent_at', 'text').execute()

  // The language a person's e-mails are written in.
  await db.schema.alterTable('people').addColumn('lang', 'text', (c) => c.notNull().defaultTo('id')).execute()
  await db.schema.alterTable('users').addColumn('lang', 'text', (c) => c.notNull().defaultTo('id')).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('lang').execute()
  await db.schema.alterTable('people').dropColumn('lang').execute()
  await db.schema.alterTable('webinars').dropColumn('reminder_hour_sent_at').execute()
  await db.schema.alterTable('webinars').dropColumn('reminder_day_sent_at').execute()
  await db.schema.dropIndex('webinar_roles_brief_token').execute()
  await db.schema.alterTable('webinar_roles').dropColumn('confirmed_at').execute()
  await db.schema.alterTable('webinar_roles').dropColumn('confirmation').execute()
  await db.schema.alterTable('webinar_roles').dropColumn('brief_token').execute()
  await db.schema.dropTable('outbox').execute()
}
