// npm run db:transfer -- <from-url> <to-url> — copies every row of a Literasi database into an
// empty one, on either engine: the embedded SQLite file to PostgreSQL when a deployment outgrows
// one machine, and back. The target is migrated with the same migrations first, then filled
// table by table, parents before children, in one transaction, so a copy that fails leaves the
// target as empty as it found it. Row counts are compared before that transaction commits.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type Kysely, sql } from 'kysely'
import { migrateToLatest } from '#db/migrate'
import { PROBE_KEY } from '#app/models/health.server'
import { createDb, DatabaseUrlError, engineOf, isPostgresUrl, redactDatabaseUrl, sqliteFileFromUrl, type DB } from '#app/utils/db.server'

/** A problem with what was asked (the URLs, the target's contents); printed as one line by runCli. */
export class TransferError extends DatabaseUrlError {
  override name = 'TransferError'
}

const USAGE = 'Usage: npm run db:transfer -- [--batch-rows 1000] <from-url> <to-url> (each a SQLite file or a postgres:// URL)'

/** Rows read from the source per query (keyset pagination by primary key). */
const BATCH_ROWS = 1000
/** Bound values per INSERT: SQLite takes at most 32,766, PostgreSQL 65,535 (webinars has 37 columns). */
const MAX_PARAMETERS = 30_000
/** Kysely's own tables: the target gets them by being migrated, not by copying. */
const MIGRATION_TABLES = ['kysely_migration', 'kysely_migration_lock']
/**
 * The official region list, which `npm run db:migrate` and `npm start` load. A target prepared
 * that way still counts as empty; its list is replaced by the source's, so every regency code a
 * registration names exists, and the counts compare equal.
 */
const REGION_TABLES = ['regencies', 'provinces']
/**
 * `npm start` answering /healthz writes its probe row into settings: a target that only a started
 * app has touched still counts as empty, and that row is replaced by the source's (if any).
 */
const PROBE_ROW = { table: 'settings', key: PROBE_KEY }
/**
 * The programme report's snapshots: triggers delete (or, for the outcome sums on PostgreSQL, mark
 * as retired) a webinar's snapshot whenever one of its registrations, test attempts, evaluations
 * or ratings is inserted, so they are copied after everything else, in place of whatever those
 * triggers left. (The same triggers touch `residents` only on update and delete, which a copy
 * does not do.)
 */
const COPIED_LAST = ['webinar_reach', 'webinar_outcomes']
/** Width of the table names in the progress lines: the longest name and a space or more. */
const TABLE_COLUMN = 24

const MIGRATION_FOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'db', 'migrations')

type ColumnKind = 'text' | 'integer' | 'bytes'
type Column = { name: string; type: string; kind: ColumnKind | undefined }
type Table = { name: string; columns: Column[]; primaryKey: string[]; parents: string[]; identityColumns: string[] }
export type TableCount = { table: string; source: number; target: number }

/**
 * Column types both engines read back as the same JavaScript value: strings, numbers and
 * Buffers. The schema keeps to these on purpose (no booleans, no dates); a column of any other
 * type stops the copy rather than come out changed.
 */
const KINDS: Record<string, ColumnKind> = { text: 'text', integer: 'integer', blob: 'bytes', bytea: 'bytes' }

export type TransferReport = {
  /** A finished line: the table copied, the counts, the summary. */
  line(text: string): void
  /** A line that the next progress or line replaces (a terminal shows batches as they go). */
  progress?(text: string): void
}

const silent: TransferReport = { line() {} }

/** How a URL is shown: a SQLite file as its path, a PostgreSQL URL without its password. */
function displayUrl(url: string): string {
  return isPostgresUrl(url) ? redactDatabaseUrl(url.trim()) : sqliteFileFromUrl(url)
}

/** The database a URL names, whatever its spelling: a real file path, or host, port and database. */
function identityOf(url: string): string {
  if (!isPostgresUrl(url)) {
    const file = sqliteFileFromUrl(url)
    return `sqlite:${fs.existsSync(file) ? fs.realpathSync(file) : file}`
  }
  const parsed = new URL(url.trim())
  const user = decodeURIComponent(parsed.username) || 'postgres'
  const database = decodeURIComponent(parsed.pathname.slice(1)) || user
  return `postgres:${parsed.hostname.toLowerCase()}:${parsed.port || '5432'}/${database}`
}

/** Opens one side; a SQLite source must exist already (opening would create it), a server must answer. */
async function openDatabase(url: string, side: 'source' | 'target'): Promise<DB> {
  let db: DB
  try {
    if (!isPostgresUrl(url) && side === 'source' && !fs.existsSync(sqliteFileFromUrl(url))) {
      throw new TransferError(`db:transfer: the source ${displayUrl(url)} does not exist`)
    }
    db = createDb(url, { poolSize: 2 })
  } catch (error) {
    if (error instanceof TransferError || !(error instanceof DatabaseUrlError)) throw error
    throw new TransferError(`db:transfer: the ${side} ${displayUrl(url)}: ${error.message.replace(/^DATABASE_URL:\s*/, '')}`)
  }
  if (engineOf(db) === 'postgres') {
    try {
      await sql`select 1`.execute(db)
    } catch (error) {
      await db.destroy()
      const password = new URL(url.trim()).password
      const reason = error instanceof Error ? error.message : String(error)
      throw new TransferError(`db:transfer: cannot connect to the ${side} ${displayUrl(url)} (${password ? reason.replaceAll(password, '***') : reason})`)
    }
  }
  return db
}

// --- The schema, as each engine describes it ------------------------------------------------

type ColumnRow = { table: string; column: string; type: string; pk: number; identity: number }
type ParentRow = { table: string; parent: string }

/** Every table with its columns, primary key and the tables its foreign keys point at. */
async function readTables(db: Kysely<any>): Promise<Map<string, Table>> {
  const postgres = engineOf(db) === 'postgres'
  const columns = postgres
    ? await sql<ColumnRow>`
        select c.relname as "table", a.attname as "column", format_type(a.atttypid, a.atttypmod) as "type",
          coalesce((select k.ord from unnest(pk.indkey::int2[]) with ordinality k(attnum, ord) where k.attnum = a.attnum), 0) as "pk",
          (a.attidentity <> '' or pg_get_serial_sequence(quote_ident(c.relname), a.attname) is not null)::int as "identity"
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        left join pg_index pk on pk.indrelid = c.oid and pk.indisprimary
        where n.nspname = current_schema() and c.relkind in ('r', 'p')
        order by c.relname, a.attnum`.execute(db)
    : // An integer primary key is SQLite's rowid: it numbers new rows by itself, nothing to reset.
      await sql<ColumnRow>`
        select m.name as "table", p.name as "column", lower(p.type) as "type", p.pk as "pk", 0 as "identity"
        from sqlite_master m, pragma_table_info(m.name) p
        where m.type = 'table' and m.name not like 'sqlite\\_%' escape '\\'
        order by m.name, p.cid`.execute(db)
  const parents = postgres
    ? await sql<ParentRow>`
        select c.relname as "table", p.relname as "parent"
        from pg_constraint k
        join pg_class c on c.oid = k.conrelid
        join pg_class p on p.oid = k.confrelid
        join pg_namespace n on n.oid = c.relnamespace
        where k.contype = 'f' and n.nspname = current_schema()`.execute(db)
    : await sql<ParentRow>`
        select m.name as "table", f."table" as "parent"
        from sqlite_master m, pragma_foreign_key_list(m.name) f
        where m.type = 'table'`.execute(db)

  const tables = new Map<string, Table & { keyed: Array<[number, string]> }>()
  for (const row of columns.rows) {
    let table = tables.get(row.table)
    if (!table) tables.set(row.table, (table = { name: row.table, columns: [], primaryKey: [], parents: [], identityColumns: [], keyed: [] }))
    table.columns.push({ name: row.column, type: row.type, kind: KINDS[row.type] })
    if (Number(row.pk) > 0) table.keyed.push([Number(row.pk), row.column])
    if (Number(row.identity)) table.identityColumns.push(row.column)
  }
  for (const row of parents.rows) {
    const table = tables.get(row.table)
    if (table && row.parent !== row.table && !table.parents.includes(row.parent)) table.parents.push(row.parent)
  }
  const result = new Map<string, Table>()
  for (const { keyed, ...table } of tables.values()) {
    table.primaryKey = keyed.sort((a, b) => a[0] - b[0]).map(([, column]) => column)
    result.set(table.name, table)
  }
  return result
}

/** Parents before children (foreign keys are checked row by row), then the trigger-fed tables. */
function copyOrder(tables: Map<string, Table>): Table[] {
  const ordered: Table[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (table: Table) => {
    if (state.get(table.name) === 'done') return
    if (state.get(table.name) === 'visiting') throw new TransferError(`db:transfer: the foreign keys through ${table.name} form a cycle; no copy order exists`)
    state.set(table.name, 'visiting')
    for (const parent of table.parents) {
      const parentTable = tables.get(parent)
      if (parentTable) visit(parentTable)
    }
    state.set(table.name, 'done')
    ordered.push(table)
  }
  for (const name of [...tables.keys()].sort()) visit(tables.get(name)!)
  return [...ordered.filter((table) => !COPIED_LAST.includes(table.name)), ...ordered.filter((table) => COPIED_LAST.includes(table.name))]
}

// --- Checks before anything is written ---------------------------------------------------------

/** The source must be at exactly the migrations the target will get. */
async function checkSourceMigrations(source: Kysely<any>, tables: Map<string, Table>, sourceUrl: string): Promise<void> {
  // The names Kysely's FileMigrationProvider gives the files, read without importing them.
  const known = fs
    .readdirSync(MIGRATION_FOLDER)
    .filter((file) => /\.m?[jt]s$/.test(file) && !/\.d\.m?ts$/.test(file))
    .map((file) => file.slice(0, file.lastIndexOf('.')))
    .sort()
  const applied = tables.has('kysely_migration') ? (await source.selectFrom('kysely_migration').select('name').execute()).map((row) => String(row.name)) : []
  const unknown = applied.filter((name) => !known.includes(name))
  if (unknown.length) {
    throw new TransferError(`db:transfer: the source ${displayUrl(sourceUrl)} has migrations this version of the app does not know (${unknown.join(', ')}); update the app first`)
  }
  const pending = known.filter((name) => !applied.includes(name))
  if (pending.length) {
    throw new TransferError(`db:transfer: the source ${displayUrl(sourceUrl)} is missing ${pending.length} migration(s), from ${pending[0]}; run npm run db:migrate with DATABASE_URL set to it first`)
  }
}

/** Tables of the target that hold rows, apart from the region list and the health probe's row that preparing and starting it write. */
async function filledTables(target: Kysely<any>, tables: Map<string, Table>): Promise<string[]> {
  const filled: string[] = []
  for (const name of [...tables.keys()].sort()) {
    if (MIGRATION_TABLES.includes(name) || REGION_TABLES.includes(name)) continue
    let query = target.selectFrom(name).select(sql`1`.as('one')).limit(1)
    if (name === PROBE_ROW.table) query = query.where('key', '<>', PROBE_ROW.key)
    const row = await query.executeTakeFirst()
    if (row) filled.push(name)
  }
  return filled
}

/** The source's columns are all of a kind that copies unchanged. */
function checkColumnKinds(sourceTables: Map<string, Table>): void {
  for (const table of sourceTables.values()) {
    const odd = table.columns.find((column) => !column.kind)
    if (odd) throw new TransferError(`db:transfer: ${table.name}.${odd.name} is of type ${odd.type}; only text, integer and blob/bytea columns copy unchanged`)
  }
}

/** The target holds every table of the source, with the same columns of the same kinds. */
function checkSameSchema(sourceTables: Map<string, Table>, targetTables: Map<string, Table>): void {
  for (const table of sourceTables.values()) {
    const other = targetTables.get(table.name)
    const describe = (t: Table) => t.columns.map((c) => `${c.name}:${c.kind}`).sort().join(',')
    if (!other || describe(other) !== describe(table) || other.primaryKey.join() !== table.primaryKey.join()) {
      throw new TransferError(`db:transfer: after migrating, the target's table ${table.name} differs from the source's; both must be at the same migrations`)
    }
  }
}

async function countRows(db: Kysely<any>, table: string): Promise<number> {
  const row = await db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

// --- The copy ------------------------------------------------------------------------------------

/** Reads one table in primary-key order, `batchRows` at a time, and inserts each batch. */
async function copyTable(from: Kysely<any>, to: Kysely<any>, table: Table, total: number, batchRows: number, report: TransferReport): Promise<number> {
  if (table.primaryKey.length === 0) throw new TransferError(`db:transfer: ${table.name} has no primary key to copy it in order by`)
  const columns = table.columns.map((column) => column.name)
  const rowsPerInsert = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length))
  const label = `  ${table.name.padEnd(TABLE_COLUMN)}`
  let copied = 0
  let last: Record<string, unknown> | undefined
  for (;;) {
    let query = from.selectFrom(table.name).select(columns).limit(batchRows)
    for (const column of table.primaryKey) query = query.orderBy(column)
    if (last) {
      const after = last
      // A row value comparison, so a two-column key (zoom_links) pages the same way as one.
      query = query.where(sql<boolean>`(${sql.join(table.primaryKey.map((column) => sql.ref(column)))}) > (${sql.join(table.primaryKey.map((column) => after[column]))})`)
    }
    const rows = await query.execute()
    for (let i = 0; i < rows.length; i += rowsPerInsert) {
      await to.insertInto(table.name).values(rows.slice(i, i + rowsPerInsert)).execute()
    }
    copied += rows.length
    if (rows.length < batchRows) break
    last = rows[rows.length - 1]
    report.progress?.(`${label}${copied} / ${total}`)
  }
  report.line(`${label}${copied} / ${total}`)
  return copied
}

/** PostgreSQL's identity columns (residents.id) go on from the highest copied value, not from 1. */
async function resetIdentities(to: Kysely<any>, tables: Table[]): Promise<void> {
  if (engineOf(to) !== 'postgres') return
  for (const table of tables) {
    for (const column of table.identityColumns) {
      await sql`select setval(pg_get_serial_sequence(${table.name}, ${column}), coalesce(max(${sql.ref(column)}), 0) + 1, false) from ${sql.table(table.name)}`.execute(to)
    }
  }
}

/**
 * Copies every row from `fromUrl` to `toUrl`. The source is read in one snapshot (a running
 * app may keep writing to it); the target must be empty and is migrated first. Returns each
 * table's row count on both sides; throws TransferError, after rolling back, when they differ.
 */
export async function transferDatabase(
  fromUrl: string,
  toUrl: string,
  { batchRows = BATCH_ROWS, report = silent }: { batchRows?: number; report?: TransferReport } = {},
): Promise<TableCount[]> {
  if (!fromUrl?.trim() || !toUrl?.trim()) throw new TransferError(USAGE)
  let same: boolean
  try {
    same = identityOf(fromUrl) === identityOf(toUrl)
  } catch (error) {
    if (error instanceof DatabaseUrlError) throw new TransferError(`db:transfer: ${error.message.replace(/^DATABASE_URL:\s*/, '')}`)
    throw new TransferError(`db:transfer: not a database URL: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (same) throw new TransferError(`db:transfer: the source and the target are the same database (${displayUrl(toUrl)})`)

  // A SQLite target that this run creates is removed again if the copy fails.
  const newFile = !isPostgresUrl(toUrl) && !fs.existsSync(sqliteFileFromUrl(toUrl)) ? sqliteFileFromUrl(toUrl) : null
  const source = (await openDatabase(fromUrl, 'source')) as Kysely<any>
  let target: Kysely<any> | undefined
  let copied = false
  try {
    const sourceTables = await readTables(source)
    await checkSourceMigrations(source, sourceTables, fromUrl)
    for (const name of MIGRATION_TABLES) sourceTables.delete(name)
    checkColumnKinds(sourceTables)
    target = (await openDatabase(toUrl, 'target')) as Kysely<any>
    const filled = await filledTables(target, await readTables(target))
    if (filled.length) {
      throw new TransferError(`db:transfer: the target ${displayUrl(toUrl)} is not empty (rows in ${filled.join(', ')}); copy only into an empty database`)
    }
    try {
      await migrateToLatest(target)
    } catch (error) {
      throw new TransferError(`db:transfer: could not migrate the target: ${error instanceof Error ? error.message : String(error)}`)
    }
    const targetTables = await readTables(target)
    checkSameSchema(sourceTables, targetTables)
    const order = copyOrder(sourceTables)
    const into = target

    report.line(`Copying ${displayUrl(fromUrl)} → ${displayUrl(toUrl)}`)
    const counts = await source.connection().execute(async (from) => {
      await beginSnapshot(from)
      try {
        const totals = new Map<string, number>()
        for (const table of order) totals.set(table.name, await countRows(from, table.name))
        return await into.transaction().execute(async (to) => {
          for (const name of REGION_TABLES) await to.deleteFrom(name).execute()
          await to.deleteFrom(PROBE_ROW.table).where('key', '=', PROBE_ROW.key).execute()
          for (const table of order) {
            try {
              if (COPIED_LAST.includes(table.name)) await to.deleteFrom(table.name).execute()
              await copyTable(from, to, table, totals.get(table.name)!, batchRows, report)
            } catch (error) {
              if (error instanceof TransferError) throw error
              // A row the target refuses (a broken foreign key, a number too large for PostgreSQL's integer).
              const reason = error instanceof Error ? error.message : String(error)
              throw new TransferError(`db:transfer: copying ${table.name} failed (${reason}); nothing was kept`)
            }
          }
          await resetIdentities(to, [...targetTables.values()])
          const counts: TableCount[] = []
          for (const table of order) counts.push({ table: table.name, source: totals.get(table.name)!, target: await countRows(to, table.name) })
          reportCounts(counts, report)
          const wrong = counts.filter((count) => count.source !== count.target)
          if (wrong.length) {
            throw new TransferError(`db:transfer: row counts differ in ${wrong.map((c) => `${c.table} (${c.source} → ${c.target})`).join(', ')}; nothing was kept`)
          }
          return counts
        })
      } finally {
        await sql`rollback`.execute(from)
      }
    })
    copied = true
    return counts
  } finally {
    await source.destroy()
    await target?.destroy()
    if (newFile && !copied) for (const file of [newFile, `${newFile}-wal`, `${newFile}-shm`]) fs.rmSync(file, { force: true })
  }
}

/** One consistent view of the source for the whole copy, taking no write lock. */
async function beginSnapshot(from: Kysely<any>): Promise<void> {
  if (engineOf(from) === 'postgres') await sql`start transaction isolation level repeatable read, read only`.execute(from)
  // A deferred transaction: SQLite fixes its snapshot at the first read, and lets writers go on (WAL).
  else await sql`begin`.execute(from)
}

function reportCounts(counts: TableCount[], report: TransferReport): void {
  report.line('Row counts (source = target):')
  for (const count of counts) {
    const verdict = count.source === count.target ? '=' : '≠'
    report.line(`  ${count.table.padEnd(TABLE_COLUMN)}${String(count.source).padStart(9)} ${verdict} ${count.target}`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { runCli } = await import('./cli')
  await runCli(async () => {
    let parsed
    try {
      parsed = parseArgs({ options: { 'batch-rows': { type: 'string' } }, allowPositionals: true })
    } catch {
      parsed = null
    }
    const batchRows = Number(parsed?.values['batch-rows'] ?? BATCH_ROWS)
    if (!parsed || parsed.positionals.length !== 2 || !Number.isInteger(batchRows) || batchRows < 1) throw new TransferError(USAGE)
    const [fromUrl, toUrl] = parsed.positionals as [string, string]
    const terminal = process.stdout.isTTY
    const report: TransferReport = {
      line: (text) => process.stdout.write(`${terminal ? '\r\x1b[K' : ''}${text}\n`),
      progress: terminal ? (text) => process.stdout.write(`\r\x1b[K${text}`) : undefined,
    }
    const started = performance.now()
    const counts = await transferDatabase(fromUrl, toUrl, { batchRows, report })
    const rows = counts.reduce((sum, count) => sum + count.target, 0)
    const seconds = (performance.now() - started) / 1000
    console.log(`Copied ${rows} rows in ${counts.length} tables in ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s).`)
  })
}
