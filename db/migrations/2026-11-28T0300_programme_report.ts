import { type Kysely, sql } from 'kysely'

// Frozen in time. The programme dashboard counts each resident once across webinars. Counting
// distinct e-mails over a million registrations per province, regency, pillar and month takes
// seconds, so each finished webinar keeps a snapshot of its reach: its registered residents as
// small integers (one per e-mail, from `residents`) and its registered and present counts.
//
// Triggers on registrations delete a webinar's snapshot whenever a row that feeds it changes
// (insert, delete, or a new webinar, e-mail, status or attendance), whichever code makes the
// change. A snapshot is therefore current or missing, never stale; the report builds the missing
// ones as it reads. When no registration holds an e-mail any more, its `residents` row goes too,
// so a person who deleted their data leaves no copy of their address here.

/** PostgreSQL numbers its parameters ($1), SQLite does not (?): the one difference that matters here. */
function isPostgres(db: Kysely<any>): boolean {
  return sql`select ${1}`.compile(db).sql.includes('$1')
}

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db)

  await db.schema
    .createTable('residents')
    // SQLite's integer primary key is the rowid: new ids count up from 1, which keeps them dense.
    .addColumn('id', 'integer', (c) => (postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .execute()

  await db.schema
    .createTable('webinar_reach')
    .addColumn('webinar_id', 'text', (c) => c.primaryKey().references('webinars.id').onDelete('cascade'))
    .addColumn('registered', 'integer', (c) => c.notNull())
    .addColumn('present', 'integer', (c) => c.notNull())
    // The residents' ids, ascending, each as the gap from the previous one in LEB128 varint bytes.
    .addColumn('resident_ids', postgres ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('built_at', 'text', (c) => c.notNull())
    .execute()

  if (postgres) {
    await sql`
      create function webinar_reach_forget() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          delete from webinar_reach where webinar_id = new.webinar_id;
        elsif tg_op = 'UPDATE' then
          delete from webinar_reach where webinar_id = old.webinar_id or webinar_id = new.webinar_id;
          if new.email is distinct from old.email then
            delete from residents where email = old.email and not exists (select 1 from registrations where email = old.email);
          end if;
        else
          delete from webinar_reach where webinar_id = old.webinar_id;
          delete from residents where email = old.email and not exists (select 1 from registrations where email = old.email);
        end if;
        return null;
      end
      $$`.execute(db)
    await sql`
      create trigger webinar_reach_forget after insert or delete or update of webinar_id, email, status, attended on registrations
      for each row execute function webinar_reach_forget()`.execute(db)
    return
  }

  await sql`
    create trigger webinar_reach_registration_insert after insert on registrations
    begin
      delete from webinar_reach where webinar_id = new.webinar_id;
    end`.execute(db)
  // Only real changes: finalising rewrites `attended` on every row, mostly to the same value.
  await sql`
    create trigger webinar_reach_registration_update after update of webinar_id, email, status, attended on registrations
    when old.webinar_id is not new.webinar_id or old.email is not new.email or old.status is not new.status or old.attended is not new.attended
    begin
      delete from webinar_reach where webinar_id = old.webinar_id or webinar_id = new.webinar_id;
    end`.execute(db)
  await sql`
    create trigger webinar_reach_registration_email after update of email on registrations
    when old.email is not new.email
    begin
      delete from residents where email = old.email and not exists (select 1 from registrations where email = old.email);
    end`.execute(db)
  await sql`
    create trigger webinar_reach_registration_delete after delete on registrations
    begin
      delete from webinar_reach where webinar_id = old.webinar_id;
      delete from residents where email = old.email and not exists (select 1 from registrations where email = old.email);
    end`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger webinar_reach_forget on registrations`.execute(db)
    await sql`drop function webinar_reach_forget()`.execute(db)
  } else {
    for (const name of ['webinar_reach_registration_insert', 'webinar_reach_registration_update', 'webinar_reach_registration_email', 'webinar_reach_registration_delete']) {
      await sql`drop trigger ${sql.ref(name)}`.execute(db)
    }
  }
  await db.schema.dropTable('webinar_reach').execute()
  await db.schema.dropTable('residents').execute()
}
