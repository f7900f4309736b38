import { type Kysely, sql } from 'kysely'

// Frozen in time. E-certificates: one current certificate per holder (a registrant, or a person
// in a role), found by an unguessable number. A reissue replaces the old one, which stays
// verifiable as replaced.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('certificates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('webinar_id', 'text', (c) => c.notNull().references('webinars.id').onDelete('cascade'))
    .addColumn('registration_id', 'text', (c) => c.references('registrations.id').onDelete('set null'))
    .addColumn('webinar_role_id', 'text', (c) => c.references('webinar_roles.id').onDelete('set null'))
    .addColumn('person_id', 'text', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('holder_key', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('revoked_reason', 'text')
    .addColumn('replaces_id', 'text')
    .addColumn('replaced_by_id', 'text')
    .addCheckConstraint('certificates_role', sql`role in ('peserta', 'narasumber', 'moderator', 'kol')`)
    .execute()
  // Issuing twice issues nothing twice: one current certificate per holder and webinar.
  await sql`create unique index certificates_current_holder on certificates (webinar_id, holder_key) where replaced_by_id is null`.execute(db)
  await db.schema.createIndex('certificates_registration').on('certificates').column('registration_id').execute()
  await db.schema.createIndex('certificates_person').on('certificates').column('person_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('certificates').execute()
}
