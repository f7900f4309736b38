// The programme dashboard over a year-scale programme: 5,000 finished webinars across every
// province, regency, pillar, segment and month of two years, and 1,000,000 registrations, ~30% of
// them by residents who come back to other webinars and ~70% of the seated ones present. 90% of
// the webinars ran a pre- and post-test: 1,000,000 test attempts in all (5 questions per pillar
// of the webinar, scores drawn per resident with a gain that differs per webinar, a few left
// unfinished), and ~45% of those present filled in the evaluation (content, 1–3 speakers, the
// moderator, the platform). Times the dashboard's model calls (the first ones build the reach and
// outcome snapshots), then the full page through the production build.
// The attempts' individual answers (test_answers) are not loaded: the dashboard never reads them.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { finaliseAttendance, reopenAttendance } from '#app/models/attendance.server'
import {
  getProgrammeOutcomes,
  getProgrammeReport,
  insertBenchAttempts,
  insertBenchEvaluations,
  insertBenchRegistrations,
  insertBenchWebinars,
  type BenchAttempt,
  type BenchEvaluation,
  type BenchRegistration,
  type BenchWebinar,
  type ProgrammeFilters,
} from '#app/models/programme-report.server'
import { listRegencies } from '#app/models/region.server'
import { createStaffUser } from '#app/models/user.server'
import { PILLARS, SEGMENTS, type Pillar } from '#app/utils/catalog'
import { createId } from '#app/utils/crypto.server'
import { createDb } from '#app/utils/db.server'
import { localToUtc } from '#app/utils/time'
import { prepareDatabase } from '../migrate'
import { startServer, stop } from './load'

type Report = (title: string, rows: Array<[string, string | number]>) => void

/** BENCH_PROGRAMME_SCALE=0.02 for a quick check that the bench runs: every count times that. */
const SCALE = Number(process.env.BENCH_PROGRAMME_SCALE ?? 1)
if (!(SCALE > 0 && SCALE <= 1)) throw new Error('BENCH_PROGRAMME_SCALE must be a number above 0 and at most 1')
const WEBINARS = Math.round(5_000 * SCALE)
const REGISTRATIONS = Math.round(1_000_000 * SCALE)
/** Share of registrations made by returning residents, drawn from a pool of this size. */
const RETURNING_SHARE = 0.3
const RETURNING_POOL = Math.round(100_000 * SCALE)
const ATTEMPTS = Math.round(1_000_000 * SCALE)
/** Share of webinars with a pre- and post-test; of their seated registrants, who take the pre-test; of those present, who take the post-test. */
const TESTED_SHARE = 0.9
const PRE_SHARE = 0.65
const POST_SHARE = 0.85
const UNFINISHED_SHARE = 0.04
const QUESTIONS_PER_PILLAR = 5
/** Share of those present who evaluate. */
const EVALUATION_SHARE = 0.45
const RUNS = 5
const PASSWORD = 'bench-password-123'

/** A seeded generator (mulberry32), so every run measures the same programme. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const thousands = (n: number) => n.toLocaleString('en')
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const ms = (value: number) => `${value.toFixed(0)} ms`

async function loadProgramme(databaseUrl: string) {
  const db = createDb(databaseUrl)
  try {
    await prepareDatabase(db)
    const rnd = random(20211001)
    const pick = <T>(items: readonly T[]) => items[Math.floor(rnd() * items.length)]!
    const regencies = await listRegencies(db)

    // Every regency holds at least one webinar; the rest land anywhere. 80–320 seats taken each.
    const webinars: BenchWebinar[] = []
    const sizes: number[] = []
    for (let i = 0; i < WEBINARS; i++) {
      const regency = i < regencies.length ? regencies[i]! : pick(regencies)
      const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(rnd() * 731) * 86_400_000).toISOString().slice(0, 10)
      const hour = 8 + Math.floor(rnd() * 12)
      const startAt = localToUtc(day, `${String(hour).padStart(2, '0')}:00`, regency.time_zone)
      const pillars = PILLARS.filter(() => rnd() < 0.4)
      webinars.push({
        id: createId(),
        slug: `bench-${i}`,
        regencyCode: regency.code,
        pillars: pillars.length ? pillars : [pick(PILLARS)],
        segment: pick(SEGMENTS),
        startAt,
        endAt: new Date(Date.parse(startAt) + 3 * 3_600_000).toISOString(),
        registered: 0,
        total: 0,
      })
      sizes.push(80 + Math.floor(rnd() * 241))
    }
    // Exactly REGISTRATIONS rows in all.
    for (let i = 0, excess = sizes.reduce((a, b) => a + b, 0) - REGISTRATIONS; excess !== 0; i = (i + 1) % WEBINARS) {
      sizes[i]! += excess > 0 ? -1 : 1
      excess += excess > 0 ? -1 : 1
    }

    // Seats first (the webinars carry their counts), then the people, a batch at a time so the
    // load leaves no heap behind to be collected while the report is timed.
    const REGISTERED_PRESENT = 0
    const REGISTERED_ABSENT = 1
    const WAITLISTED = 2
    const CANCELLED = 3
    const outcomes = webinars.map((webinar, w) => {
      const list = new Uint8Array(sizes[w]!)
      for (let j = 0; j < list.length; j++) {
        const roll = rnd()
        list[j] = roll < 0.03 ? CANCELLED : roll < 0.05 ? WAITLISTED : rnd() < 0.7 ? REGISTERED_PRESENT : REGISTERED_ABSENT
        if (list[j]! <= REGISTERED_ABSENT) webinar.registered++
      }
      webinar.total = list.length
      return list
    })
    // Per webinar: whether it ran tests, how much its residents gained (in the chance of a right
    // answer; a few lose ground), how good it was (around which its ratings fall), its speakers.
    const profiles = webinars.map(() => ({ tested: rnd() < TESTED_SHARE, gain: -0.05 + rnd() * 0.3, quality: 3 + rnd() * 1.8, speakers: 1 + Math.floor(rnd() * 3) }))
    const binomial = (n: number, p: number) => {
      let k = 0
      for (let i = 0; i < n; i++) if (rnd() < p) k++
      return k
    }
    const rating = (quality: number) => Math.min(5, Math.max(1, Math.round(quality + (rnd() - 0.5) * 2.2)))
    const attempts: BenchAttempt[] = []
    const evaluations: BenchEvaluation[] = []
    let attemptCount = 0
    let evaluationCount = 0
    const residentTests = (webinar: BenchWebinar, gain: number, registrationId: string, present: boolean) => {
      const takesPre = rnd() < PRE_SHARE
      const takesPost = present && rnd() < POST_SHARE
      const preFinished = takesPre && rnd() >= UNFINISHED_SHARE
      const postFinished = takesPost && rnd() >= UNFINISHED_SHARE
      const ability = 0.3 + rnd() * 0.45
      for (const [kind, takes, finished, chance] of [
        ['pre', takesPre, preFinished, ability],
        ['post', takesPost, postFinished, Math.min(0.97, Math.max(0.03, ability + gain + (rnd() - 0.5) * 0.2))],
      ] as const) {
        if (!takes || attemptCount >= ATTEMPTS) continue
        const at = new Date(Date.parse(kind === 'pre' ? webinar.startAt : webinar.endAt) + (kind === 'pre' ? -3_600_000 : 7_200_000)).toISOString()
        attempts.push({
          id: `bench-attempt-${String(attemptCount++).padStart(7, '0')}`,
          webinarId: webinar.id,
          registrationId,
          kind,
          startedAt: at,
          finishedAt: finished ? new Date(Date.parse(at) + 600_000).toISOString() : null,
          paired: preFinished && postFinished ? 1 : 0,
          pillars: Object.fromEntries(webinar.pillars.map((p) => [p, { total: QUESTIONS_PER_PILLAR, correct: binomial(QUESTIONS_PER_PILLAR, chance) }])) as Partial<Record<Pillar, { total: number; correct: number }>>,
        })
      }
    }

    const started = performance.now()
    await insertBenchWebinars(db, webinars)
    let inserted = 0
    let newcomers = 0
    const rows: BenchRegistration[] = []
    for (const [w, webinar] of webinars.entries()) {
      const returning = new Set<number>()
      for (const [j, outcome] of outcomes[w]!.entries()) {
        let email: string
        if (rnd() < RETURNING_SHARE) {
          let k: number
          do k = Math.floor(rnd() * RETURNING_POOL)
          while (returning.has(k))
          returning.add(k)
          email = `kembali.${k}@example.org`
        } else {
          email = `warga.${newcomers++}@example.org`
        }
        // Ids and tokens in insertion order: their unique indexes are appended to, not split at
        // random, so loading takes seconds. The report never reads them.
        const n = String(inserted + rows.length).padStart(7, '0')
        const profile = profiles[w]!
        if (outcome <= REGISTERED_ABSENT) {
          if (profile.tested) residentTests(webinar, profile.gain, `bench-${n}`, outcome === REGISTERED_PRESENT)
          if (outcome === REGISTERED_PRESENT && rnd() < EVALUATION_SHARE) {
            evaluations.push({
              id: `bench-evaluation-${String(evaluationCount++).padStart(7, '0')}`,
              webinarId: webinar.id,
              registrationId: `bench-${n}`,
              submittedAt: webinar.endAt,
              ratings: {
                content: rating(profile.quality),
                speakers: Array.from({ length: profile.speakers }, () => rating(profile.quality + (rnd() - 0.5))),
                moderator: rating(profile.quality + 0.2),
                platform: rating(profile.quality - 0.4),
              },
            })
          }
        }
        rows.push({
          id: `bench-${n}`,
          webinarId: webinar.id,
          token: `bench-token-${n}`,
          email,
          regencyCode: webinar.regencyCode,
          status: outcome === CANCELLED ? 'cancelled' : outcome === WAITLISTED ? 'waitlisted' : 'registered',
          position: j + 1,
          attended: outcome === REGISTERED_PRESENT ? 1 : outcome === REGISTERED_ABSENT ? 0 : null,
          at: webinar.startAt,
        })
      }
      if (rows.length >= 20_000 || w === webinars.length - 1) {
        await insertBenchRegistrations(db, rows)
        await insertBenchAttempts(db, attempts)
        await insertBenchEvaluations(db, evaluations)
        inserted += rows.length
        rows.length = 0
        attempts.length = 0
        evaluations.length = 0
      }
    }
    const loadMs = performance.now() - started

    const { userId } = await createStaffUser(db, { email: 'organiser@example.org', name: 'Organiser', role: 'organiser', password: PASSWORD })
    // The province with the most webinars: the heaviest province filter.
    const perProvince = new Map<string, number>()
    for (const webinar of webinars) {
      const province = webinar.regencyCode.slice(0, 2)
      perProvince.set(province, (perProvince.get(province) ?? 0) + 1)
    }
    const province = [...perProvince].sort((a, b) => b[1] - a[1])[0]![0]
    const provinceName = regencies.find((r) => r.province_code === province)!.province_name
    const biggest = webinars[sizes.indexOf(Math.max(...sizes))]!
    return { db, userId, province, provinceName, biggestWebinarId: biggest.id, inserted, attemptCount, evaluationCount, loadMs }
  } catch (error) {
    await db.destroy()
    throw error
  }
}

async function timeRuns(run: () => Promise<unknown>) {
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now()
    await run()
    times.push(performance.now() - started)
  }
  return `median ${ms(median(times))}, max ${ms(Math.max(...times))}`
}

export async function benchProgramme(report: Report) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-bench-programme-'))
  // BENCH_PROGRAMME_ENGINE=postgres: the same programme in a throwaway PostgreSQL server.
  const engine = process.env.BENCH_PROGRAMME_ENGINE ?? 'sqlite'
  if (engine !== 'sqlite' && engine !== 'postgres') throw new Error('BENCH_PROGRAMME_ENGINE must be sqlite or postgres')
  let postgres: { stop(): void } | undefined
  try {
    let databaseUrl = path.join(dir, 'programme.sqlite')
    if (engine === 'postgres') {
      const { adminQuery, startTestPostgres } = await import('../test-postgres')
      const server = await startTestPostgres()
      postgres = server
      await adminQuery(server.serverUrl, 'create database bench_programme')
      databaseUrl = server.urlOf('bench_programme')
    }
    const engineName = engine === 'postgres' ? 'PostgreSQL' : 'SQLite'
    const { db, userId, province, provinceName, biggestWebinarId, inserted, attemptCount, evaluationCount, loadMs } = await loadProgramme(databaseUrl)
    const scenarios: Array<[string, ProgrammeFilters, string]> = [
      ['no filter', { from: null, to: null, province: null }, ''],
      [`province ${province} (${provinceName}, the most webinars)`, { from: null, to: null, province }, `?province=${province}`],
      ['3 months (2025-04-01 – 2025-06-30)', { from: '2025-04-01', to: '2025-06-30', province: null }, '?from=2025-04-01&to=2025-06-30'],
    ]
    const modelRows: Array<[string, string | number]> = []
    let totals: Awaited<ReturnType<typeof getProgrammeReport>>['totals']
    let outcomes: Awaited<ReturnType<typeof getProgrammeOutcomes>>
    // What the page's loader asks of the models: reach, then learning gain and satisfaction.
    const dashboard = (filters: ProgrammeFilters) => Promise.all([getProgrammeReport(db, filters), getProgrammeOutcomes(db, filters)])
    try {
      let started = performance.now()
      const first = await getProgrammeReport(db, scenarios[0]![1])
      modelRows.push([`getProgrammeReport, first call: builds all ${thousands(WEBINARS)} reach snapshots`, ms(performance.now() - started)])
      totals = first.totals
      started = performance.now()
      outcomes = await getProgrammeOutcomes(db, scenarios[0]![1])
      modelRows.push([`getProgrammeOutcomes, first call: builds all ${thousands(WEBINARS)} learning and satisfaction snapshots`, ms(performance.now() - started)])
      for (const [label, filters] of scenarios) modelRows.push([`reach + outcomes, ${label}: ${RUNS} runs`, await timeRuns(() => dashboard(filters))])
      for (const [label, filters] of scenarios.slice(0, 1)) modelRows.push([`outcomes alone, ${label}: ${RUNS} runs`, await timeRuns(() => getProgrammeOutcomes(db, filters))])

      // Reopening and finalising a webinar's attendance drops its reach snapshot (the triggers); the next call rebuilds it.
      await reopenAttendance(db, biggestWebinarId, userId, 'bench')
      await finaliseAttendance(db, biggestWebinarId, userId)
      started = performance.now()
      await dashboard(scenarios[0]![1])
      modelRows.push(['after one webinar was re-finalised (rebuilds 1 reach snapshot)', ms(performance.now() - started)])
      // A late evaluation drops that webinar's outcome snapshot.
      const registration = await db.selectFrom('registrations').select('id').where('webinar_id', '=', biggestWebinarId).where('status', '=', 'registered').orderBy('id', 'desc').executeTakeFirstOrThrow()
      await db.deleteFrom('evaluations').where('registration_id', '=', registration.id).execute()
      await insertBenchEvaluations(db, [{ id: 'bench-evaluation-late', webinarId: biggestWebinarId, registrationId: registration.id, submittedAt: new Date().toISOString(), ratings: { content: 5, speakers: [5], moderator: 5, platform: 5 } }])
      started = performance.now()
      await dashboard(scenarios[0]![1])
      modelRows.push(['after a late evaluation of one webinar (rebuilds 1 outcome snapshot)', ms(performance.now() - started)])
    } finally {
      await db.destroy()
    }
    const { learning, satisfaction } = outcomes
    const oneDecimal = (value: number | null) => (value === null ? '–' : value.toFixed(1))
    report(`Programme dashboard: the page's model calls over ${thousands(WEBINARS)} finished webinars, ${thousands(inserted)} registrations, ${thousands(attemptCount)} test attempts and ${thousands(evaluationCount)} evaluations (${engineName}, node ${process.version}, ${os.cpus().length} CPUs; target ≤ 500 ms per page)`, [
      ['load: webinars, registrations, attempts, evaluations and their ratings', `${(loadMs / 1000).toFixed(1)} s (not part of the figures)`],
      ['figures, no filter', `${thousands(totals.held)} held, ${thousands(totals.registrations)} registrations, ${thousands(totals.present)} present, ${thousands(totals.residents)} unique residents`],
      [
        'learning and satisfaction, no filter',
        `${thousands(learning.overall.took.pre)} pre- and ${thousands(learning.overall.took.post)} post-tests finished, ${thousands(learning.overall.pairedResidents)} paired, gain ${oneDecimal(learning.overall.overall.gain)} points; ${thousands(satisfaction.overall.evaluations)} evaluations, content ${oneDecimal(satisfaction.overall.means.content)}`,
      ],
      ...modelRows,
    ])

    // The whole page, as an organiser's browser gets it from the production build.
    const { buildIfNeeded } = await import('../serve-build')
    buildIfNeeded()
    const app = await startServer('scripts/serve.ts', [], {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      SESSION_SECRET: 'bench-session-secret-that-is-long-enough-0123456789',
      SMTP_URL: '',
      WEB_CONCURRENCY: '1',
    })
    try {
      const origin = new URL(app.url).origin
      const login = await fetch(`${app.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin },
        body: new URLSearchParams({ email: 'organiser@example.org', password: PASSWORD, redirectTo: '/admin/reports' }),
      })
      const cookie = login.headers.get('set-cookie')?.split(';')[0]
      if (!cookie) throw new Error(`bench: sign-in failed with ${login.status}`)
      const page = async (query: string) => {
        const response = await fetch(`${app.url}/admin/reports${query}`, { headers: { Cookie: cookie, 'Accept-Encoding': 'gzip' } })
        const body = await response.arrayBuffer()
        if (response.status !== 200) throw new Error(`bench: /admin/reports${query} answered ${response.status}`)
        return body.byteLength
      }
      await page('')
      const pageRows: Array<[string, string | number]> = []
      for (const [label, , query] of scenarios) pageRows.push([`${label}: ${RUNS} runs`, await timeRuns(() => page(query))])
      pageRows.push(['HTML bytes, no filter (after decompression)', thousands(await page(''))])
      report(`Programme dashboard: GET /admin/reports through the production build, signed in as an organiser, one process, ${engineName} (target ≤ 500 ms)`, pageRows)
    } finally {
      await stop(app.child)
    }
  } finally {
    postgres?.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
