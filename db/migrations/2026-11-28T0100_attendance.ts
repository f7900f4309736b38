import { type Kysely, sql } from 'kysely'

// Frozen in time. Attendance: the live check-in window, each registrant's evidence (check-in,
// Zoom minutes, a moderator's mark), the imported Zoom reports, and the audit trail.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webinars').addColumn('checkin_code', 'text').execute()
  await db.schema.alterTable('webinars').addColumn('checkin_opened_at', 'text').execute()
  await db.schema.alterTable('webinars').addColumn('checkin_closes_at', 'text').execute()
  await db.schema.alterTable('webinars').addColumn('zoom_import_id', 'text').execute()
  await db.schema.alterTable('webinars').addColumn('attendance_finalised_at', 'text').execute()
  await db.schema.alterTable('webinars').addColumn('attendance_finalised_by', 'text').execute()

  await db.schema.alterTable('registrations').addColumn('checked_in_at', 'text').execute()
  await db.schema.alterTable('registrations').addColumn('zoom_minutes', 'integer').execute()
  await db.schema.alterTable('registrations').addColumn('manual_present', 'integer').execute()
  await db.schema.alterTable('registrations').addColumn('manual_reason', 'text').execute()
  await db.schema.alterTable('registrations').addColumn('manual_note', 'text').execute()
  await db.schema.alterTable('registrations').addColumn('manual_by', 'text').execute()
  await db.schema.alterTable('registrations').addColumn('manual_at', 'text').execute()
  await db.schema.alterTable('registrations').addColumn('attended', 'integer').execute()

  await db.schema
    .createTable('zoom_imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webinar_id', 'text', (c) => c.notNull().references('webinars.id').onDelete('cascade'))
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file_bytes', 'integer', (c) => c.notNull())
    .addColumn('topic', 'text')
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .addColumn('committed_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('committed_at', 'text')
    .execute()
  await db.schema.createIndex('zoom_imports_webinar_file').on('zoom_imports').columns(['webinar_id', 'file_sha256']).execute()

  await db.schema
    .createTable('zoom_import_people')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('import_id', 'text', (c) => c.notNull().references('zoom_imports.id').onDelete('cascade'))
    .addColumn('person_key', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('names', 'text', (c) => c.notNull())
    .addColumn('minutes', 'integer', (c) => c.notNull())
    .addColumn('joins', 'integer', (c) => c.notNull())
    .addColumn('first_line', 'integer', (c) => c.notNull())
    .addColumn('match', 'text', (c) => c.notNull())
    .addColumn('registration_id', 'text', (c) => c.references('registrations.id').onDelete('set null'))
    .addColumn('candidates', 'text')
    .addCheckConstraint('zoom_import_people_match', sql`match in ('email', 'link', 'name', 'ambiguous', 'unmatched', 'guest', 'staff')`)
    .execute()
  await db.schema.createIndex('zoom_import_people_import').on('zoom_import_people').columns(['import_id', 'match', 'first_line']).execute()
  await db.schema.createIndex('zoom_import_people_registration').on('zoom_import_people').columns(['import_id', 'registration_id']).execute()

  // A row linked by hand stays linked when the same person appears in a later report.
  await db.schema
    .createTable('zoom_links')
    .addColumn('webinar_id', 'text', (c) => c.notNull().references('webinars.id').onDelete('cascade'))
    .addColumn('person_key', 'text', (c) => c.notNull())
    .addColumn('registration_id', 'text', (c) => c.notNull().references('registrations.id').onDelete('cascade'))
    .addColumn('linked_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('linked_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('zoom_links_pk', ['webinar_id', 'person_key'])
    .execute()

  await db.schema
    .createTable('attendance_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webinar_id', 'text', (c) => c.notNull().references('webinars.id').onDelete('cascade'))
    .addColumn('registration_id', 'text', (c) => c.references('registrations.id').onDelete('set null'))
    .addColumn('actor_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .execute()
  await db.schema.createIndex('attendance_events_webinar').on('attendance_events').columns(['webinar_id', 'at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('attendance_events').execute()
  await db.schema.dropTable('zoom_links').execute()
  await db.schema.dropTable('zoom_import_people').execute()
  await db.schema.dropTable('zoom_imports').execute()
  for (const column of ['checked_in_at', 'zoom_minutes', 'manual_present', 'manual_reason', 'manual_note', 'manual_by', 'manual_at', 'attended']) {
    await db.schema.alterTable('registrations').dropColumn(column).execute()
  }
  for (const column of ['checkin_code', 'checkin_opened_at', 'checkin_closes_at', 'zoom_import_id', 'attendance_finalised_at', 'attendance_finalised_by']) {
    await db.schema.alterTable('webinars').dropColumn(column).execute()
  }
}
