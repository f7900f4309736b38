import { type Kysely, sql } from 'kysely'

// Frozen in time. The waitlist is first come, first served: a per-webinar arrival number, taken
// under the write lock, orders it exactly (timestamps tie within a millisecond).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webinars').addColumn('registrations_total', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('registrations').addColumn('position', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await sql`
    update registrations set position = (
      select count(*) from registrations r2
      where r2.webinar_id = registrations.webinar_id
        and (r2.created_at < registrations.created_at or (r2.created_at = registrations.created_at and r2.id <= registrations.id))
    )`.execute(db)
  await sql`update webinars set registrations_total = (select count(*) from registrations where registrations.webinar_id = webinars.id)`.execute(db)
  await db.schema.createIndex('registrations_webinar_position').on('registrations').columns(['webinar_id', 'status', 'position']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('registrations_webinar_position').execute()
  await db.schema.alterTable('registrations').dropColumn('position').execute()
  await db.schema.alterTable('webinars').dropColumn('registrations_total').execute()
}
