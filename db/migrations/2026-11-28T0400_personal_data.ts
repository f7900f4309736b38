import type { Kysely } from 'kysely'

// Frozen in time. Personal data care: a resident erasing their registration, the retention
// period after which a webinar's personal data is purged, and the log of purges.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('registrations').addColumn('data_deleted_at', 'text').execute()
  await db.schema.alterTable('webinars').addColumn('personal_data_purged_at', 'text').execute()
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('data_purges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('webinar_id', 'text', (c) => c.references('webinars.id').onDelete('set null'))
    .addColumn('actor_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('registrations', 'integer', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('data_purges_at').on('data_purges').column('at').execute()
  await db.schema.createIndex('webinars_purge_due').on('webinars').columns(['personal_data_purged_at', 'end_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('webinars_purge_due').execute()
  await db.schema.dropTable('data_purges').execute()
  await db.schema.dropTable('settings').execute()
  await db.schema.alterTable('webinars').dropColumn('personal_data_purged_at').execute()
  await db.schema.alterTable('registrations').dropColumn('data_deleted_at').execute()
}
