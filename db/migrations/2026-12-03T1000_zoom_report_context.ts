import type { Kysely } from 'kysely'

// Frozen in time. What a Zoom report says about itself, kept with its import so the preview can
// show it and warn when it is not the webinar's: its meeting ID, its date, and how its day/month
// dates were read when nothing in the file settled the order.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('zoom_imports').addColumn('meeting_id', 'text').execute()
  await db.schema.alterTable('zoom_imports').addColumn('report_date', 'text').execute()
  await db.schema.alterTable('zoom_imports').addColumn('date_order', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('zoom_imports').dropColumn('date_order').execute()
  await db.schema.alterTable('zoom_imports').dropColumn('report_date').execute()
  await db.schema.alterTable('zoom_imports').dropColumn('meeting_id').execute()
}
