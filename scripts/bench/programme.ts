// The programme dashboard over a year-scale programme: 5,000 finished webinars across every
// province, regency, pillar and month of two years, and 1,000,000 registrations, ~30% of them by
// residents who come back to other webinars and ~70% of the seated ones present. Times the
// dashboard's model call (the first one builds the reach snapshots), then the full page through
// the production build.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { finaliseAttendance, reopenAttendance } from '#app/models/attendance.server'
import { getProgrammeReport, insertBenchRegistrations, insertBenchWebinars, type BenchRegistration, type BenchWebinar, type ProgrammeFilters } from '#app/models/programme-report.server'
import { listRegencies } from '#app/models/region.server'
import { createStaffUser } from '#app/models/user.server'
import { PILLARS } from '#app/utils/catalog'
import { createId } from '#app/utils/crypto.server'
import { createDb } from '#app/utils/db.server'
import { localToUtc } from '#app/utils/time'
import { prepareDatabase } from '../migrate'
import { startServer, stop } from './load'

type Report = (title: string, rows: Array<[string, string | number]>) => void

const WEBINARS = 5_000
const REGISTRATIONS = 1_000_000
/** Share of registrations made by returning residents, drawn from a pool of this size. */
const RETURNING_SHARE = 0.3
const RETURNING_POOL = 100_000
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

async function loadProgramme(file: string) {
  const db = createDb(file)
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
        inserted += rows.length
        rows.length = 0
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
    return { db, userId, province, provinceName, biggestWebinarId: biggest.id, inserted, loadMs }
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
  try {
    const file = path.join(dir, 'programme.sqlite')
    const { db, userId, province, provinceName, biggestWebinarId, inserted, loadMs } = await loadProgramme(file)
    const scenarios: Array<[string, ProgrammeFilters, string]> = [
      ['no filter', { from: null, to: null, province: null }, ''],
      [`province ${province} (${provinceName}, the most webinars)`, { from: null, to: null, province }, `?province=${province}`],
      ['3 months (2025-04-01 – 2025-06-30)', { from: '2025-04-01', to: '2025-06-30', province: null }, '?from=2025-04-01&to=2025-06-30'],
    ]
    const modelRows: Array<[string, string | number]> = []
    let totals: Awaited<ReturnType<typeof getProgrammeReport>>['totals']
    try {
      let started = performance.now()
      const first = await getProgrammeReport(db, scenarios[0]![1])
      modelRows.push(['first call: builds all 5,000 snapshots', ms(performance.now() - started)])
      totals = first.totals
      for (const [label, filters] of scenarios) modelRows.push([`${label}: ${RUNS} runs`, await timeRuns(() => getProgrammeReport(db, filters))])

      // Reopening and finalising a webinar's attendance drops its snapshot (the triggers); the next call rebuilds it.
      await reopenAttendance(db, biggestWebinarId, userId, 'bench')
      await finaliseAttendance(db, biggestWebinarId, userId)
      started = performance.now()
      await getProgrammeReport(db, scenarios[0]![1])
      modelRows.push(['after one webinar was re-finalised (rebuilds 1)', ms(performance.now() - started)])
    } finally {
      await db.destroy()
    }
    report(`Programme dashboard: getProgrammeReport over ${thousands(WEBINARS)} finished webinars and ${thousands(inserted)} registrations (node ${process.version}, ${os.cpus().length} CPUs; target ≤ 500 ms per page)`, [
      ['load: insertBenchWebinars + insertBenchRegistrations', `${(loadMs / 1000).toFixed(1)} s (not part of the figures)`],
      ['figures, no filter', `${thousands(totals.held)} held, ${thousands(totals.registrations)} registrations, ${thousands(totals.present)} present, ${thousands(totals.residents)} unique residents`],
      ...modelRows,
    ])

    // The whole page, as an organiser's browser gets it from the production build.
    const { buildIfNeeded } = await import('../serve-build')
    buildIfNeeded()
    const app = await startServer('scripts/serve.ts', [], {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: file,
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
      report('Programme dashboard: GET /admin/reports through the production build, signed in as an organiser, one process (target ≤ 500 ms)', pageRows)
    } finally {
      await stop(app.child)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
