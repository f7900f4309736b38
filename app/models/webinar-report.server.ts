import { sql } from 'kysely'
import type { RegistrationStatus } from '#db/schema'
import type { DB } from '#app/utils/db.server'
import { AGE_RANGES, GENDERS, OCCUPATIONS } from '#app/utils/catalog'
import { presentSql } from './attendance.server'
import { countRegistrations } from './registration.server'

// A webinar's report: headline figures and who came, by regency of residence, segment, age and
// gender. Breakdowns count seated registrants (status 'registered'), the same people the
// attendance rate is taken over. Presence is the finalised outcome (`attended`) once there is
// one; before that, the attendance rule as the console applies it, so the figures are live.

export type ReportWebinar = { id: string; requiredMinutes: number; attendance_finalised_at: string | null }

export type BreakdownRow = { code: string | null; registered: number; present: number }
export type RegencyBreakdownRow = BreakdownRow & { code: string; name: string }

/** 1 when present: the final outcome, or the live rule before finalising. */
function outcomeSql(webinar: ReportWebinar) {
  return webinar.attendance_finalised_at !== null ? sql<number>`case when registrations.attended = 1 then 1 else 0 end` : presentSql(webinar.requiredMinutes)
}

export async function getWebinarReport(db: DB, webinar: ReportWebinar) {
  const present = sql<number>`coalesce(sum(${outcomeSql(webinar)}), 0)`
  const [statuses, presentCount, regency, occupation, ageRange, gender] = await Promise.all([
    countRegistrations(db, webinar.id),
    countPresent(db, webinar.id, present),
    breakdownByRegency(db, webinar.id, present),
    breakdownBy(db, webinar.id, 'occupation', present),
    breakdownBy(db, webinar.id, 'age_range', present),
    breakdownBy(db, webinar.id, 'gender', present),
  ])
  return {
    finalised: webinar.attendance_finalised_at !== null,
    counts: { ...statuses, present: presentCount },
    attendanceRate: statuses.registered === 0 ? 0 : presentCount / statuses.registered,
    breakdowns: {
      regency,
      // Open vocabularies read best by size; the ordered scales keep their catalogue order.
      occupation: sortByCount(occupation, OCCUPATIONS),
      ageRange: sortByCatalogue(ageRange, AGE_RANGES),
      gender: sortByCatalogue(gender, GENDERS),
    },
  }
}

export type WebinarReport = Awaited<ReturnType<typeof getWebinarReport>>

type PresentSum = ReturnType<typeof sql<number>>

async function countPresent(db: DB, webinarId: string, present: PresentSum): Promise<number> {
  const row = await db
    .selectFrom('registrations')
    .select(present.as('present'))
    .where('webinar_id', '=', webinarId)
    .where('status', '=', 'registered')
    .executeTakeFirstOrThrow()
  return Number(row.present)
}

async function breakdownByRegency(db: DB, webinarId: string, present: PresentSum): Promise<RegencyBreakdownRow[]> {
  const rows = await db
    .selectFrom('registrations')
    .leftJoin('regencies', 'regencies.code', 'registrations.regency_code')
    .select((eb) => ['registrations.regency_code as code', 'regencies.name as name', eb.fn.countAll<number>().as('registered'), present.as('present')])
    .where('registrations.webinar_id', '=', webinarId)
    .where('registrations.status', '=', 'registered')
    .groupBy(['registrations.regency_code', 'regencies.name'])
    .orderBy('registered', 'desc')
    .orderBy('regencies.name')
    .execute()
  return rows.map((row) => ({ code: row.code, name: row.name ?? row.code, registered: Number(row.registered), present: Number(row.present) }))
}

async function breakdownBy(db: DB, webinarId: string, column: 'occupation' | 'age_range' | 'gender', present: PresentSum): Promise<BreakdownRow[]> {
  const rows = await db
    .selectFrom('registrations')
    .select((eb) => [eb.ref(`registrations.${column}`).as('code'), eb.fn.countAll<number>().as('registered'), present.as('present')])
    .where('registrations.webinar_id', '=', webinarId)
    .where('registrations.status', '=', 'registered')
    .groupBy(`registrations.${column}`)
    .execute()
  return rows.map((row) => ({ code: row.code, registered: Number(row.registered), present: Number(row.present) }))
}

/** Unknown codes (none today) go after the known ones; null ("not given") comes last. */
function catalogueIndex(code: string | null, catalogue: readonly string[]): number {
  if (code === null) return catalogue.length + 1
  const index = catalogue.indexOf(code)
  return index === -1 ? catalogue.length : index
}

function sortByCatalogue(rows: BreakdownRow[], catalogue: readonly string[]): BreakdownRow[] {
  return [...rows].sort((a, b) => catalogueIndex(a.code, catalogue) - catalogueIndex(b.code, catalogue) || (a.code ?? '').localeCompare(b.code ?? ''))
}

function sortByCount(rows: BreakdownRow[], catalogue: readonly string[]): BreakdownRow[] {
  return [...rows].sort((a, b) => b.registered - a.registered || catalogueIndex(a.code, catalogue) - catalogueIndex(b.code, catalogue))
}

// --- Exports -----------------------------------------------------------------------------------

export const EXPORT_BATCH_SIZE = 1000

export type RegistrantExportRow = {
  id: string
  name: string
  email: string
  whatsapp: string
  regency_code: string
  regency_name: string | null
  occupation: string
  age_range: string
  gender: string | null
  status: RegistrationStatus
  created_at: string
  position: number
}

/**
 * Every registration of the webinar, whatever its status, in arrival order. Read a batch at a
 * time by keyset (position, id), so 10,000 rows never sit in one result or one long query.
 */
export async function* listRegistrantsForExport(db: DB, webinarId: string, batchSize = EXPORT_BATCH_SIZE): AsyncGenerator<RegistrantExportRow> {
  yield* inKeysetBatches(batchSize, (after: RegistrantExportRow | null) => {
    let query = db
      .selectFrom('registrations')
      .leftJoin('regencies', 'regencies.code', 'registrations.regency_code')
      .select([
        'registrations.id',
        'registrations.name',
        'registrations.email',
        'registrations.whatsapp',
        'registrations.regency_code',
        'regencies.name as regency_name',
        'registrations.occupation',
        'registrations.age_range',
        'registrations.gender',
        'registrations.status',
        'registrations.created_at',
        'registrations.position',
      ])
      .where('registrations.webinar_id', '=', webinarId)
    if (after) {
      const { position, id } = after
      query = query.where((eb) => eb.or([eb('registrations.position', '>', position), eb.and([eb('registrations.position', '=', position), eb('registrations.id', '>', id)])]))
    }
    return query.orderBy('registrations.position').orderBy('registrations.id').limit(batchSize).execute()
  })
}

/** Reads batch after batch, each starting after the last row of the one before, until a batch comes back short. */
async function* inKeysetBatches<Row>(batchSize: number, readBatch: (after: Row | null) => Promise<Row[]>): AsyncGenerator<Row> {
  let after: Row | null = null
  for (;;) {
    const rows = await readBatch(after)
    yield* rows
    if (rows.length < batchSize) return
    after = rows[rows.length - 1]!
  }
}

export type AttendanceExportRow = {
  id: string
  name: string
  email: string
  regency_code: string
  regency_name: string | null
  checked_in_at: string | null
  zoom_minutes: number | null
  manual_present: number | null
  manual_reason: string | null
  manual_note: string | null
  /** 1/0: the finalised outcome, or before finalising what the console shows now */
  present: number
  final: boolean
}

/**
 * The seated registrants with their evidence and outcome (final, or live before finalising),
 * ordered by name as in the console, read by keyset a batch at a time.
 */
export async function* listAttendanceForExport(db: DB, webinar: ReportWebinar, batchSize = EXPORT_BATCH_SIZE): AsyncGenerator<AttendanceExportRow> {
  const final = webinar.attendance_finalised_at !== null
  const rows = inKeysetBatches(batchSize, (after: { name: string; id: string } | null) => {
    let query = db
      .selectFrom('registrations')
      .leftJoin('regencies', 'regencies.code', 'registrations.regency_code')
      .select([
        'registrations.id',
        'registrations.name',
        'registrations.email',
        'registrations.regency_code',
        'regencies.name as regency_name',
        'registrations.checked_in_at',
        'registrations.zoom_minutes',
        'registrations.manual_present',
        'registrations.manual_reason',
        'registrations.manual_note',
      ])
      .select(outcomeSql(webinar).as('present'))
      .where('registrations.webinar_id', '=', webinar.id)
      .where('registrations.status', '=', 'registered')
    if (after) {
      const { name, id } = after
      query = query.where((eb) => eb.or([eb('registrations.name', '>', name), eb.and([eb('registrations.name', '=', name), eb('registrations.id', '>', id)])]))
    }
    return query.orderBy('registrations.name').orderBy('registrations.id').limit(batchSize).execute()
  })
  for await (const row of rows) yield { ...row, present: Number(row.present), final }
}
