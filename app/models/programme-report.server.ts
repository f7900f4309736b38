import type { RegistrationStatus } from '#db/schema'
import { lockWebinars, serialiseJob, type DB } from '#app/utils/db.server'
import { lockRuleOn, racePoint } from '#app/utils/race-points.server'
import { PILLARS, splitPillars, type Pillar, type Segment } from '#app/utils/catalog'
import {
  addSatisfactionSums,
  emptySatisfactionSums,
  PROGRAMME_RATING_ITEMS,
  sumSatisfaction,
  type ProgrammeRatingItem,
  type WebinarSatisfactionSums,
} from '#app/models/evaluation.server'
import { addLearningSums, emptyLearningSums, summariseLearning, sumLearning, type LearningCut, type ProgrammeLearning, type WebinarLearningSums } from '#app/models/test-report.server'
import { localToUtc, nowIso, utcToLocal } from '#app/utils/time'

// The programme dashboard: webinars held, registrations, present and unique residents reached,
// by province, regency, pillar and month. A webinar is held once it is finished; registrations
// are its seated registrants (status 'registered'); present is the finalised outcome
// (attended = 1); a resident is an e-mail address (stored trimmed and lower-cased), counted once
// however many webinars they joined. Months and the date filter use each webinar's local date
// in its own zone (WIB, WITA or WIT), the date its participants saw.
//
// Counting distinct e-mails per group in SQL sorts a million strings per grouping: seconds. So
// each finished webinar keeps a snapshot in `webinar_reach` (see its migration): its registered
// and present counts and its residents as small integers. The report reads the snapshots of the
// webinars in the filter, builds the missing ones, and counts each group's unique residents with
// one bitset in memory.

export type ProgrammeFilters = {
  /** local dates, inclusive */
  from: string | null
  to: string | null
  province: string | null
}

export type ReachFigures = { held: number; registrations: number; present: number; residents: number }
export type ProvinceReach = ReachFigures & { code: string; name: string }
export type RegencyReach = ReachFigures & { code: string; name: string; provinceName: string }
export type PillarReach = ReachFigures & { code: Pillar }
export type MonthReach = ReachFigures & { month: string }

export type ProgrammeReport = {
  totals: ReachFigures
  byProvince: ProvinceReach[]
  /** the `regencyLimit` regencies that reached most residents, and how many regencies held a webinar */
  byRegency: { top: RegencyReach[]; reached: number }
  byPillar: PillarReach[]
  /** "2021-09", oldest first, with the months in between that held nothing */
  byMonth: MonthReach[]
}

export async function getProgrammeReport(db: DB, filters: ProgrammeFilters, options: { regencyLimit?: number } = {}): Promise<ProgrammeReport> {
  const rows = await listHeldWebinars(db, filters)
  const missing = rows.filter((row) => row.resident_ids === null).map((row) => row.id)
  const built = missing.length ? await buildWebinarReach(db, missing) : new Map<string, Reach>()

  const totals = new Group()
  const provinces = new Map<string, Group & { name: string }>()
  const regencies = new Map<string, Group & { name: string; provinceName: string }>()
  const pillars = new Map<Pillar, Group>(PILLARS.map((code) => [code, new Group()]))
  const months = new Map<string, Group>()
  let maxResidentId = 0

  for (const row of rows) {
    const local = utcToLocal(row.start_at!, row.time_zone).date
    if ((filters.from && local < filters.from) || (filters.to && local > filters.to)) continue
    const reach = built.get(row.id) ?? { registered: row.registered!, present: row.present!, residentIds: decodeResidentIds(row.resident_ids!, row.registered!) }
    const last = reach.residentIds[reach.residentIds.length - 1]
    if (last !== undefined && last > maxResidentId) maxResidentId = last

    totals.add(reach)
    groupFor(provinces, row.province_code, () => Object.assign(new Group(), { name: row.province_name })).add(reach)
    groupFor(regencies, row.regency_code, () => Object.assign(new Group(), { name: row.regency_name, provinceName: row.province_name })).add(reach)
    for (const pillar of splitPillars(row.pillars)) pillars.get(pillar)!.add(reach)
    groupFor(months, local.slice(0, 7), () => new Group()).add(reach)
  }

  const bits = new Uint32Array((maxResidentId >>> 5) + 1)
  const figures = (group: Group): ReachFigures => ({
    held: group.held,
    registrations: group.registrations,
    present: group.present,
    residents: countDistinct(bits, group.residentLists),
  })
  const byReach = (a: ReachFigures & { name: string }, b: ReachFigures & { name: string }) =>
    b.residents - a.residents || b.registrations - a.registrations || a.name.localeCompare(b.name, 'id')

  const byRegency = [...regencies].map(([code, group]) => ({ code, name: group.name, provinceName: group.provinceName, ...figures(group) })).sort(byReach)
  return {
    totals: figures(totals),
    byProvince: [...provinces].map(([code, group]) => ({ code, name: group.name, ...figures(group) })).sort(byReach),
    byRegency: { top: byRegency.slice(0, options.regencyLimit ?? 20), reached: byRegency.length },
    byPillar: PILLARS.map((code) => ({ code, ...figures(pillars.get(code)!) })),
    byMonth: monthsBetween([...months.keys()]).map((month) => {
      const group = months.get(month)
      return { month, ...(group ? figures(group) : { held: 0, registrations: 0, present: 0, residents: 0 }) }
    }),
  }
}

/** Finished webinars that may fall in the filter, with their snapshot if it is built. */
async function listHeldWebinars(db: DB, filters: ProgrammeFilters) {
  return heldWebinars(db, filters)
    .leftJoin('webinar_reach', 'webinar_reach.webinar_id', 'webinars.id')
    .select([
      'webinars.id',
      'webinars.pillars',
      'webinars.start_at',
      'regencies.code as regency_code',
      'regencies.name as regency_name',
      'regencies.province_code',
      'provinces.name as province_name',
      'provinces.time_zone',
      'webinar_reach.registered',
      'webinar_reach.present',
      'webinar_reach.resident_ids',
    ])
    .execute()
}

/** Finished webinars that may fall in the filter: the province, and UTC bounds around the dates. */
function heldWebinars(db: DB, filters: ProgrammeFilters) {
  let query = db
    .selectFrom('webinars')
    .innerJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
    .where('webinars.status', '=', 'finished')
    .where('webinars.start_at', 'is not', null)
  if (filters.province) query = query.where('regencies.province_code', '=', filters.province)
  // UTC bounds that hold the whole local day in every zone (Indonesia is UTC+7 to +9); the
  // local date is checked exactly once each webinar's zone is known.
  if (filters.from) query = query.where('webinars.start_at', '>=', localToUtc(filters.from, '00:00', 'WIT'))
  if (filters.to) query = query.where('webinars.start_at', '<=', `${filters.to}T23:59:59.999Z`)
  return query
}

// --- Learning and satisfaction ---------------------------------------------------------------
// The same finished webinars and filters as the reach figures. Learning gain is by the pillar of
// each question (a test asks several pillars), by province, segment and month; satisfaction is
// by the webinar's pillars (a webinar on two pillars counts in both), province, segment and
// month. Both come from each webinar's sums in `webinar_outcomes`, built when missing.

/** Mean ratings (1–5) of the fixed evaluation items; null when nobody rated that item. */
export type SatisfactionFigures = { webinars: number; evaluations: number; means: Record<ProgrammeRatingItem, number | null> }
export type SatisfactionCut = { key: string; name: string; figures: SatisfactionFigures }
export type ProgrammeSatisfaction = { overall: SatisfactionFigures; byPillar: SatisfactionCut[]; byProvince: SatisfactionCut[]; bySegment: SatisfactionCut[]; byMonth: SatisfactionCut[] }
export type ProgrammeOutcomes = { learning: ProgrammeLearning; satisfaction: ProgrammeSatisfaction }

type Outcomes = { learning: WebinarLearningSums; satisfaction: WebinarSatisfactionSums }

export async function getProgrammeOutcomes(db: DB, filters: ProgrammeFilters): Promise<ProgrammeOutcomes> {
  const webinars = (await listOutcomeWebinars(db, filters))
    .map((row) => ({ ...row, local: utcToLocal(row.start_at!, row.time_zone).date }))
    .filter((row) => !(filters.from && row.local < filters.from) && !(filters.to && row.local > filters.to))
  const missing = webinars.filter((row) => row.learning === null || row.satisfaction === null).map((row) => row.id)
  const built = missing.length ? await buildWebinarOutcomes(db, missing) : new Map<string, Outcomes>()

  const learning = { overall: emptyLearningSums(), province: new Cuts(emptyLearningSums), segment: new Cuts(emptyLearningSums), month: new Cuts(emptyLearningSums) }
  const satisfaction = {
    overall: new SatisfactionGroup(),
    pillar: new Cuts(() => new SatisfactionGroup()),
    province: new Cuts(() => new SatisfactionGroup()),
    segment: new Cuts(() => new SatisfactionGroup()),
    month: new Cuts(() => new SatisfactionGroup()),
  }
  for (const pillar of PILLARS) satisfaction.pillar.get(pillar, pillar)
  for (const row of webinars) {
    const outcomes = built.get(row.id) ?? parseOutcomes(row.learning!, row.satisfaction!)
    const month = row.local.slice(0, 7)
    // Only webinars that had a finished attempt count for learning, as in the webinar's own report.
    if (outcomes.learning.took.pre + outcomes.learning.took.post > 0) {
      addLearningSums(learning.overall, outcomes.learning)
      addLearningSums(learning.province.get(row.province_code, row.province_name), outcomes.learning)
      addLearningSums(learning.segment.get(row.segment, row.segment), outcomes.learning)
      addLearningSums(learning.month.get(month, month), outcomes.learning)
    }
    satisfaction.overall.add(outcomes.satisfaction)
    for (const pillar of splitPillars(row.pillars)) satisfaction.pillar.get(pillar, pillar).add(outcomes.satisfaction)
    satisfaction.province.get(row.province_code, row.province_name).add(outcomes.satisfaction)
    satisfaction.segment.get(row.segment, row.segment).add(outcomes.satisfaction)
    satisfaction.month.get(month, month).add(outcomes.satisfaction)
  }

  const learningCuts = (cuts: Cuts<WebinarLearningSums>): LearningCut[] => cuts.list().map(({ key, name, value }) => ({ key, name, summary: summariseLearning(value) }))
  const satisfactionCuts = (cuts: Cuts<SatisfactionGroup>): SatisfactionCut[] => cuts.list().map(({ key, name, value }) => ({ key, name, figures: value.figures() }))
  const byPaired = (a: LearningCut, b: LearningCut) => b.summary.pairedResidents - a.summary.pairedResidents || a.name.localeCompare(b.name, 'id')
  const byEvaluations = (a: SatisfactionCut, b: SatisfactionCut) => b.figures.evaluations - a.figures.evaluations || a.name.localeCompare(b.name, 'id')
  const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key)
  return {
    learning: {
      overall: summariseLearning(learning.overall),
      byProvince: learningCuts(learning.province).sort(byPaired),
      bySegment: learningCuts(learning.segment).sort(byPaired),
      byMonth: learningCuts(learning.month).sort(byKey),
    },
    satisfaction: {
      overall: satisfaction.overall.figures(),
      byPillar: satisfactionCuts(satisfaction.pillar),
      byProvince: satisfactionCuts(satisfaction.province).sort(byEvaluations),
      bySegment: satisfactionCuts(satisfaction.segment).sort(byEvaluations),
      byMonth: satisfactionCuts(satisfaction.month).sort(byKey),
    },
  }
}

/** Finished webinars that may fall in the filter, with their outcome sums if they are built. */
async function listOutcomeWebinars(db: DB, filters: ProgrammeFilters) {
  return heldWebinars(db, filters)
    .leftJoin('webinar_outcomes', 'webinar_outcomes.webinar_id', 'webinars.id')
    .select([
      'webinars.id',
      'webinars.pillars',
      'webinars.segment',
      'webinars.start_at',
      'provinces.code as province_code',
      'provinces.name as province_name',
      'provinces.time_zone',
      'webinar_outcomes.learning',
      'webinar_outcomes.satisfaction',
    ])
    .execute()
}

/** Groups keyed by a cut's value (a province code, a segment, a month), each with its display name. */
class Cuts<T> {
  private groups = new Map<string, { name: string; value: T }>()
  constructor(private create: () => T) {}
  get(key: string, name: string): T {
    let group = this.groups.get(key)
    if (!group) this.groups.set(key, (group = { name, value: this.create() }))
    return group.value
  }
  list() {
    return [...this.groups].map(([key, group]) => ({ key, name: group.name, value: group.value }))
  }
}

class SatisfactionGroup {
  webinars = 0
  sums = emptySatisfactionSums()
  add(sums: WebinarSatisfactionSums) {
    this.webinars++
    addSatisfactionSums(this.sums, sums)
  }
  figures(): SatisfactionFigures {
    const means = {} as Record<ProgrammeRatingItem, number | null>
    for (const item of PROGRAMME_RATING_ITEMS) {
      const { sum, n } = this.sums.ratings[item]
      means[item] = n === 0 ? null : sum / n
    }
    return { webinars: this.webinars, evaluations: this.sums.evaluations, means }
  }
}

function parseOutcomes(learning: string, satisfaction: string): Outcomes {
  return { learning: JSON.parse(learning) as WebinarLearningSums, satisfaction: JSON.parse(satisfaction) as WebinarSatisfactionSums }
}

// --- Snapshots -------------------------------------------------------------------------------

type Reach = { registered: number; present: number; residentIds: Uint32Array }

/** Webinars per transaction while building, so a registration never waits long for the lock. */
const BUILD_BATCH = 100

/**
 * Builds (or rebuilds) the reach snapshots of these webinars from their registrations. The report
 * calls it for the ones it finds missing; calling it when a webinar's attendance is finalised
 * (inside that transaction or after it) moves that work off the next report. Each batch reads and
 * writes in one transaction, which holds the write lock, so no registration can change in between
 * and leave a stale snapshot.
 */
export async function buildWebinarReach(db: DB, webinarIds: string[]): Promise<Map<string, Reach>> {
  const built = new Map<string, Reach>()
  for (let i = 0; i < webinarIds.length; i += BUILD_BATCH) {
    const batch = webinarIds.slice(i, i + BUILD_BATCH)
    await inTransaction(db, async (trx) => {
      // On PostgreSQL nothing holds one write lock for everyone: builders take turns (so they never
      // insert the same resident at once), and the batch's webinars are locked, so no registration
      // or finalise changes them while their snapshot is read.
      // (Inside a caller's transaction, e.g. finalising, which holds its webinar's lock already,
      // the job lock is not taken: waiting for it there could close a circle with a builder that
      // waits for that webinar.)
      if (!db.isTransaction) await serialiseJob(trx, 'programme-report:build-reach')
      await lockWebinars(trx, batch)
      await racePoint('reach:before-insert')
      // Only the e-mails not there yet: an insert that hits the unique index would still use up an
      // id on PostgreSQL, and the snapshots count on small, dense ids.
      await trx
        .insertInto('residents')
        .columns(['email'])
        .expression(
          trx
            .selectFrom('registrations')
            .select('registrations.email')
            .distinct()
            .where('registrations.webinar_id', 'in', batch)
            .where('registrations.status', '=', 'registered')
            .where((eb) => eb.not(eb.exists(eb.selectFrom('residents').select('residents.id').whereRef('residents.email', '=', 'registrations.email')))),
        )
        .onConflict((oc) => oc.column('email').doNothing())
        .execute()
      const rows = await trx
        .selectFrom('registrations')
        .innerJoin('residents', 'residents.email', 'registrations.email')
        .select(['registrations.webinar_id', 'residents.id as resident_id', 'registrations.attended'])
        .where('registrations.webinar_id', 'in', batch)
        .where('registrations.status', '=', 'registered')
        .execute()
      const byWebinar = new Map<string, { ids: number[]; present: number }>(batch.map((id) => [id, { ids: [], present: 0 }]))
      for (const row of rows) {
        const entry = byWebinar.get(row.webinar_id)!
        entry.ids.push(row.resident_id)
        if (row.attended === 1) entry.present++
      }
      const builtAt = nowIso()
      const values = [...byWebinar].map(([webinarId, entry]) => {
        const residentIds = Uint32Array.from(entry.ids).sort()
        built.set(webinarId, { registered: residentIds.length, present: entry.present, residentIds })
        return { webinar_id: webinarId, registered: residentIds.length, present: entry.present, resident_ids: encodeResidentIds(residentIds), built_at: builtAt }
      })
      await trx
        .insertInto('webinar_reach')
        .values(values)
        .onConflict((oc) =>
          oc.column('webinar_id').doUpdateSet((eb) => ({
            registered: eb.ref('excluded.registered'),
            present: eb.ref('excluded.present'),
            resident_ids: eb.ref('excluded.resident_ids'),
            built_at: eb.ref('excluded.built_at'),
          })),
        )
        .execute()
    })
  }
  return built
}

/**
 * Builds (or rebuilds) the learning and satisfaction sums of these webinars, a batch per
 * transaction. No lock: each snapshot's generation is read before the sums, and the sums are
 * written only over that generation. A write of an attempt, evaluation or rating that commits in
 * between bumps it (see the migrations), so its snapshot stays missing and the next view builds
 * it again; the sums returned for this view are those read.
 */
export async function buildWebinarOutcomes(db: DB, webinarIds: string[]): Promise<Map<string, Outcomes>> {
  const built = new Map<string, Outcomes>()
  for (let i = 0; i < webinarIds.length; i += BUILD_BATCH) {
    const batch = webinarIds.slice(i, i + BUILD_BATCH)
    await inTransaction(db, async (trx) => {
      const generations = new Map(
        (await trx.selectFrom('webinar_outcomes').select(['webinar_id', 'generation']).where('webinar_id', 'in', batch).execute()).map((row) => [row.webinar_id, Number(row.generation)]),
      )
      const learning = await sumLearning(trx, batch)
      const satisfaction = await sumSatisfaction(trx, batch)
      await racePoint('outcomes:after-read')
      const builtAt = nowIso()
      const values = batch.map((webinarId) => {
        const outcomes = { learning: learning.get(webinarId) ?? emptyLearningSums(), satisfaction: satisfaction.get(webinarId) ?? emptySatisfactionSums() }
        built.set(webinarId, outcomes)
        return { webinar_id: webinarId, generation: generations.get(webinarId) ?? 0, learning: JSON.stringify(outcomes.learning), satisfaction: JSON.stringify(outcomes.satisfaction), built_at: builtAt }
      })
      await trx
        .insertInto('webinar_outcomes')
        .values(values)
        .onConflict((oc) => {
          const update = oc.column('webinar_id').doUpdateSet((eb) => ({ learning: eb.ref('excluded.learning'), satisfaction: eb.ref('excluded.satisfaction'), built_at: eb.ref('excluded.built_at') }))
          // Only a race test's control run writes over a newer generation, to show the race.
          return lockRuleOn() ? update.where('webinar_outcomes.generation', '=', (eb) => eb.ref('excluded.generation')) : update
        })
        .execute()
    })
  }
  return built
}

/** In the caller's transaction if there is one, else in a new one. */
function inTransaction<T>(db: DB, work: (trx: DB) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work)
}

/** Ascending ids as LEB128 varint gaps: about two bytes a resident instead of four. */
function encodeResidentIds(sorted: Uint32Array): Buffer {
  const bytes = Buffer.alloc(sorted.length * 5)
  let at = 0
  let previous = 0
  for (const id of sorted) {
    let gap = id - previous
    previous = id
    while (gap >= 0x80) {
      bytes[at++] = (gap & 0x7f) | 0x80
      gap = Math.floor(gap / 0x80)
    }
    bytes[at++] = gap
  }
  return Buffer.from(bytes.subarray(0, at))
}

function decodeResidentIds(bytes: Uint8Array, count: number): Uint32Array {
  const ids = new Uint32Array(count)
  let at = 0
  let value = 0
  for (let i = 0; i < count; i++) {
    let gap = 0
    let scale = 1
    let byte: number
    do {
      byte = bytes[at++]!
      gap += (byte & 0x7f) * scale
      scale *= 0x80
    } while (byte & 0x80)
    value += gap
    ids[i] = value
  }
  return ids
}

// --- Counting --------------------------------------------------------------------------------

class Group {
  held = 0
  registrations = 0
  present = 0
  residentLists: Uint32Array[] = []
  add(reach: Reach) {
    this.held++
    this.registrations += reach.registered
    this.present += reach.present
    this.residentLists.push(reach.residentIds)
  }
}

function groupFor<K, G>(groups: Map<K, G>, key: K, create: () => G): G {
  let group = groups.get(key)
  if (!group) groups.set(key, (group = create()))
  return group
}

/** Residents in any of the lists, once each. `bits` is all zeros before and after. */
function countDistinct(bits: Uint32Array, lists: Uint32Array[]): number {
  let distinct = 0
  for (const ids of lists) {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!
      const mask = 1 << (id & 31)
      if ((bits[id >>> 5]! & mask) === 0) {
        bits[id >>> 5]! |= mask
        distinct++
      }
    }
  }
  // Clearing word by word touches only what was set; past a few bits per word, a fill is cheaper.
  if (distinct > bits.length * 4) bits.fill(0)
  else for (const ids of lists) for (let i = 0; i < ids.length; i++) bits[ids[i]! >>> 5] = 0
  return distinct
}

/** Every month from the first to the last given, so a month that held nothing shows as zero. */
function monthsBetween(months: string[]): string[] {
  if (months.length === 0) return []
  const sorted = [...months].sort()
  const all: string[] = []
  let [year, month] = sorted[0]!.split('-').map(Number) as [number, number]
  for (let key = sorted[0]!; key <= sorted[sorted.length - 1]!; ) {
    all.push(key)
    if (++month > 12) [year, month] = [year + 1, 1]
    key = `${year}-${String(month).padStart(2, '0')}`
  }
  return all
}

// --- Bench fixtures --------------------------------------------------------------------------
// `npm run bench -- programme` loads a year-scale programme through these: plain multi-row
// inserts in transactions, without the e-mails and seat checks the real paths do.

export type BenchWebinar = { id: string; slug: string; regencyCode: string; pillars: Pillar[]; segment?: Segment; startAt: string; endAt: string; registered: number; total: number }

export async function insertBenchWebinars(db: DB, webinars: BenchWebinar[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < webinars.length; i += 500) {
      await trx
        .insertInto('webinars')
        .values(
          webinars.slice(i, i + 500).map((w) => ({
            id: w.id,
            slug: w.slug,
            topic: `Literasi Digital ${w.slug}`,
            description: '',
            pillars: w.pillars.join(','),
            segment: w.segment ?? 'umum',
            regency_code: w.regencyCode,
            start_at: w.startAt,
            end_at: w.endAt,
            capacity: 10_000,
            attendance_threshold: 70,
            status: 'finished' as const,
            calendar_uid: `${w.id}@literasi-webinar`,
            calendar_sequence: 0,
            created_at: w.startAt,
            updated_at: w.endAt,
            published_at: w.startAt,
            finished_at: w.endAt,
            attendance_finalised_at: w.endAt,
            registered_count: w.registered,
            registrations_total: w.total,
          })),
        )
        .execute()
    }
  })
}

export type BenchRegistration = {
  id: string
  webinarId: string
  token: string
  email: string
  regencyCode: string
  status: RegistrationStatus
  position: number
  attended: number | null
  at: string
}

export async function insertBenchRegistrations(db: DB, registrations: BenchRegistration[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < registrations.length; i += 500) {
      await trx
        .insertInto('registrations')
        .values(
          registrations.slice(i, i + 500).map((r) => ({
            id: r.id,
            webinar_id: r.webinarId,
            token: r.token,
            name: 'Warga Bench',
            email: r.email,
            whatsapp: '+6281234567890',
            regency_code: r.regencyCode,
            occupation: 'lainnya',
            age_range: '25-34',
            gender: null,
            status: r.status,
            consent_at: r.at,
            created_at: r.at,
            updated_at: r.at,
            cancelled_at: r.status === 'cancelled' ? r.at : null,
            position: r.position,
            attended: r.attended,
          })),
        )
        .execute()
    }
  })
}

/** A test attempt as the bench and the tests load it: per pillar asked, the questions and (once finished) the right answers. */
export type BenchAttempt = {
  id: string
  webinarId: string
  registrationId: string
  kind: 'pre' | 'post'
  startedAt: string
  finishedAt: string | null
  paired: number
  pillars: Partial<Record<Pillar, { total: number; correct: number }>>
}

export async function insertBenchAttempts(db: DB, attempts: BenchAttempt[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < attempts.length; i += 500) {
      await trx
        .insertInto('test_attempts')
        .values(
          attempts.slice(i, i + 500).map((a) => {
            const finished = a.finishedAt !== null
            const perPillar = Object.fromEntries(
              PILLARS.flatMap((p) => [
                [`${p}_total`, a.pillars[p]?.total ?? 0],
                [`${p}_correct`, finished && a.pillars[p] ? a.pillars[p]!.correct : null],
              ]),
            ) as Record<`${Pillar}_total`, number> & Record<`${Pillar}_correct`, number | null>
            const scored = Object.values(a.pillars)
            return {
              id: a.id,
              webinar_id: a.webinarId,
              registration_id: a.registrationId,
              kind: a.kind,
              question_order: '[]',
              started_at: a.startedAt,
              finished_at: a.finishedAt,
              total: scored.reduce((sum, p) => sum + p.total, 0),
              correct: finished ? scored.reduce((sum, p) => sum + p.correct, 0) : null,
              paired: a.paired,
              ...perPillar,
            }
          }),
        )
        .execute()
    }
  })
}

/** An evaluation as the bench and the tests load it: its fixed ratings (one per speaker rated). */
export type BenchEvaluation = {
  id: string
  webinarId: string
  registrationId: string | null
  submittedAt: string
  ratings: { content: number; speakers: number[]; moderator: number | null; platform: number }
}

export async function insertBenchEvaluations(db: DB, evaluations: BenchEvaluation[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < evaluations.length; i += 500) {
      const batch = evaluations.slice(i, i + 500)
      await trx
        .insertInto('evaluations')
        .values(batch.map((e) => ({ id: e.id, webinar_id: e.webinarId, registration_id: e.registrationId, comment: null, submitted_at: e.submittedAt, anonymised_at: null })))
        .execute()
      const ratings = batch.flatMap((e) => [
        { evaluation_id: e.id, webinar_id: e.webinarId, item: 'content' as const, subject: '', rating: e.ratings.content },
        ...e.ratings.speakers.map((rating, s) => ({ evaluation_id: e.id, webinar_id: e.webinarId, item: 'speaker' as const, subject: `speaker-${s + 1}`, rating })),
        ...(e.ratings.moderator === null ? [] : [{ evaluation_id: e.id, webinar_id: e.webinarId, item: 'moderator' as const, subject: '', rating: e.ratings.moderator }]),
        { evaluation_id: e.id, webinar_id: e.webinarId, item: 'platform' as const, subject: '', rating: e.ratings.platform },
      ])
      // 5 columns a row: well under either engine's limit of bound values per statement.
      for (let j = 0; j < ratings.length; j += 2000) await trx.insertInto('evaluation_ratings').values(ratings.slice(j, j + 2000)).execute()
    }
  })
}
