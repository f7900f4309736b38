import { type Kysely, sql } from 'kysely'

// Frozen in time. The outcome snapshots (2026-12-03T1700_programme_outcomes) take turns with the
// writers without any webinar lock. Before, a PostgreSQL writer's trigger locked the webinar's row
// (`for key share`) so that a builder holding it `for update` could not read and then write over
// a newer attempt; but finishing an attempt holds the resident's attempt rows first, and the lock
// rule says a webinar's row is never locked after such rows.
//
// Now each snapshot row carries a generation. On PostgreSQL a write of an attempt, evaluation or
// rating bumps it (creating the row if need be) and clears the sums; a builder reads the
// generation before the sums and writes them only if the generation is still the one it read, so
// a write that commits in between leaves the snapshot missing, for the next view to build. The row
// has no foreign key, whose check would lock the webinar's row again: a webinar's deletion removes
// it by trigger, and a retire (its children's cascade) creates none for a webinar already gone. On SQLite, where one write transaction runs at a time, the triggers still delete.

function isPostgres(db: Kysely<any>): boolean {
  return sql`select ${1}`.compile(db).sql.includes('$1')
}

const ATTEMPT_COLUMNS = ['webinar_id', 'kind', 'finished_at', 'paired', 'correct', 'cakap_correct', 'cakap_total', 'etika_correct', 'etika_total', 'aman_correct', 'aman_total', 'budaya_correct', 'budaya_total']
const FED_BY: Array<{ table: string; columns: string[] }> = [
  { table: 'test_attempts', columns: ATTEMPT_COLUMNS },
  { table: 'evaluations', columns: ['webinar_id'] },
  { table: 'evaluation_ratings', columns: ['webinar_id', 'item', 'rating'] },
]

async function dropTriggers(db: Kysely<any>, postgres: boolean) {
  if (postgres) {
    for (const { table } of FED_BY) await sql`drop trigger webinar_outcomes_forget on ${sql.table(table)}`.execute(db)
    await sql`drop function webinar_outcomes_forget()`.execute(db)
  } else {
    for (const { table } of FED_BY) for (const op of ['insert', 'update', 'delete']) await sql`drop trigger ${sql.ref(`${table}_outcomes_${op}`)}`.execute(db)
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db)
  await dropTriggers(db, postgres)
  // A cache: the dashboard builds it again.
  await db.schema.dropTable('webinar_outcomes').execute()
  await db.schema
    .createTable('webinar_outcomes')
    .addColumn('webinar_id', 'text', (c) => c.primaryKey())
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
    // null while retired: the next view builds them
    .addColumn('learning', 'text')
    .addColumn('satisfaction', 'text')
    .addColumn('built_at', 'text')
    .execute()

  if (postgres) {
    await sql`
      create function webinar_outcomes_retire(target text) returns void language sql as $$
        insert into webinar_outcomes (webinar_id, generation) select target, 1 where exists (select 1 from webinars where id = target)
        on conflict (webinar_id) do update set generation = webinar_outcomes.generation + 1, learning = null, satisfaction = null, built_at = null
      $$`.execute(db)
    await sql`
      create function webinar_outcomes_forget() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          perform webinar_outcomes_retire(old.webinar_id);
        else
          perform webinar_outcomes_retire(new.webinar_id);
          if tg_op = 'UPDATE' and old.webinar_id is distinct from new.webinar_id then
            perform webinar_outcomes_retire(old.webinar_id);
          end if;
        end if;
        return null;
      end
      $$`.execute(db)
    for (const { table, columns } of FED_BY) {
      await sql`
        create trigger webinar_outcomes_forget after insert or delete or update of ${sql.raw(columns.join(', '))} on ${sql.table(table)}
        for each row execute function webinar_outcomes_forget()`.execute(db)
    }
    await sql`
      create function webinar_outcomes_webinar_deleted() returns trigger language plpgsql as $$
      begin
        delete from webinar_outcomes where webinar_id = old.id;
        return null;
      end
      $$`.execute(db)
    await sql`create trigger webinar_outcomes_webinar_deleted after delete on webinars for each row execute function webinar_outcomes_webinar_deleted()`.execute(db)
    return
  }

  for (const { table, columns } of FED_BY) {
    await sql`
      create trigger ${sql.ref(`${table}_outcomes_insert`)} after insert on ${sql.table(table)}
      begin
        delete from webinar_outcomes where webinar_id = new.webinar_id;
      end`.execute(db)
    await sql`
      create trigger ${sql.ref(`${table}_outcomes_update`)} after update of ${sql.raw(columns.join(', '))} on ${sql.table(table)}
      when ${sql.raw(columns.map((c) => `old.${c} is not new.${c}`).join(' or '))}
      begin
        delete from webinar_outcomes where webinar_id = old.webinar_id or webinar_id = new.webinar_id;
      end`.execute(db)
    await sql`
      create trigger ${sql.ref(`${table}_outcomes_delete`)} after delete on ${sql.table(table)}
      begin
        delete from webinar_outcomes where webinar_id = old.webinar_id;
      end`.execute(db)
  }
  await sql`
    create trigger webinar_outcomes_webinar_deleted after delete on webinars
    begin
      delete from webinar_outcomes where webinar_id = old.id;
    end`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db)
  if (postgres) {
    await sql`drop trigger webinar_outcomes_webinar_deleted on webinars`.execute(db)
    await sql`drop function webinar_outcomes_webinar_deleted()`.execute(db)
  } else {
    await sql`drop trigger webinar_outcomes_webinar_deleted`.execute(db)
  }
  await dropTriggers(db, postgres)
  if (postgres) await sql`drop function webinar_outcomes_retire(text)`.execute(db)
  await db.schema.dropTable('webinar_outcomes').execute()
  // The previous migration's table and triggers, as it made them.
  const previous = await import('./2026-12-03T1700_programme_outcomes')
  await previous.up(db)
}
