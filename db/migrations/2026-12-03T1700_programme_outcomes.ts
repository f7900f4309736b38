import { type Kysely, sql } from 'kysely'

// Frozen in time. The programme dashboard's learning gain and satisfaction, summed per finished
// webinar: a million test attempts and their evaluations, read on every view, cost seconds; the
// sums of one webinar are a few numbers. Like `webinar_reach`, a snapshot is current or missing,
// never stale: triggers delete a webinar's snapshot whenever an attempt, an evaluation or a rating
// of it is written, whichever code writes it, and the dashboard builds the missing ones as it reads.
//
// On PostgreSQL the builder locks the webinars' rows (`for update`) while it reads and writes their
// snapshots. A writer's trigger first takes the same row `for key share` (which an insert's foreign
// key check takes anyway, but finishing an attempt is an update, which takes none), so a write
// either commits before the builder reads, or waits and then deletes the snapshot it built.

/** PostgreSQL numbers its parameters ($1), SQLite does not (?): the one difference that matters here. */
function isPostgres(db: Kysely<any>): boolean {
  return sql`select ${1}`.compile(db).sql.includes('$1')
}

/** What feeds the sums: an attempt's test, pairing and scores; a rating's item and value. */
const ATTEMPT_COLUMNS = ['webinar_id', 'kind', 'finished_at', 'paired', 'correct', 'cakap_correct', 'cakap_total', 'etika_correct', 'etika_total', 'aman_correct', 'aman_total', 'budaya_correct', 'budaya_total']
const RATING_COLUMNS = ['webinar_id', 'item', 'rating']
const FED_BY: Array<{ table: string; columns: string[] }> = [
  { table: 'test_attempts', columns: ATTEMPT_COLUMNS },
  { table: 'evaluations', columns: ['webinar_id'] },
  { table: 'evaluation_ratings', columns: RATING_COLUMNS },
]

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db)

  await db.schema
    .createTable('webinar_outcomes')
    .addColumn('webinar_id', 'text', (c) => c.primaryKey().references('webinars.id').onDelete('cascade'))
    // JSON: the finished attempts' score sums per test, pairing and pillar (scores are fractions,
    // and text copies unchanged between the engines where a float column would not)
    .addColumn('learning', 'text', (c) => c.notNull())
    // JSON: the number of evaluations and the rating sums and counts per fixed item
    .addColumn('satisfaction', 'text', (c) => c.notNull())
    .addColumn('built_at', 'text', (c) => c.notNull())
    .execute()

  if (postgres) {
    await sql`
      create function webinar_outcomes_forget() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          perform 1 from webinars where id = old.webinar_id for key share;
          delete from webinar_outcomes where webinar_id = old.webinar_id;
        else
          perform 1 from webinars where id = new.webinar_id for key share;
          delete from webinar_outcomes where webinar_id = new.webinar_id;
          if tg_op = 'UPDATE' and old.webinar_id is distinct from new.webinar_id then
            delete from webinar_outcomes where webinar_id = old.webinar_id;
          end if;
        end if;
        return null;
      end
      $$`.execute(db)
    // Named so it fires after the foreign key's own check (triggers fire in name order, and
    // PostgreSQL's "RI_ConstraintTrigger_…" sorts first).
    for (const { table, columns } of FED_BY) {
      await sql`
        create trigger webinar_outcomes_forget after insert or delete or update of ${sql.raw(columns.join(', '))} on ${sql.table(table)}
        for each row execute function webinar_outcomes_forget()`.execute(db)
    }
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
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    for (const { table } of FED_BY) await sql`drop trigger webinar_outcomes_forget on ${sql.table(table)}`.execute(db)
    await sql`drop function webinar_outcomes_forget()`.execute(db)
  } else {
    for (const { table } of FED_BY) for (const op of ['insert', 'update', 'delete']) await sql`drop trigger ${sql.ref(`${table}_outcomes_${op}`)}`.execute(db)
  }
  await db.schema.dropTable('webinar_outcomes').execute()
}
