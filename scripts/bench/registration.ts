// The registration rush: the registration POST for one webinar with 10,000 seats, against the
// production build, with a bare node:http + better-sqlite3 server doing the same insert as the
// physical reference. Also the catalogue's and a webinar page's requests/s and bytes.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { closedLoop, mergeResults, openLoop, percentile, perSecond, startServer, statuses, stop, type LoadRequest, type LoadResult } from './load'

const SEATS = 10_000
/** The rush is run this many times, each on a fresh webinar; the median run is reported, with the range. */
const RUSH_RUNS = 3
const WARM_UP = 2_000
const RUSH_SLUGS = Array.from({ length: RUSH_RUNS }, (_, i) => `rush-${i + 1}`)

type Report = (title: string, rows: Array<[string, string | number]>) => void

/** A migrated database with a published webinar of 10,000 seats for each rush run, the fixed-rate run and the pages. */
async function prepareTemplate(dir: string): Promise<string> {
  const file = path.join(dir, 'template.sqlite')
  const { createDb } = await import('#app/utils/db.server')
  const { prepareDatabase } = await import('../migrate')
  const { createStaffUser } = await import('#app/models/user.server')
  const { publishedBenchWebinar } = await import('./webinar')
  const db = createDb(file)
  await prepareDatabase(db)
  const { userId } = await createStaffUser(db, { email: 'organiser@example.org', name: 'Organiser', role: 'organiser', password: 'bench-password-123' })
  for (const slug of [...RUSH_SLUGS, 'rush-latency', 'rush-pages']) {
    await publishedBenchWebinar(db, userId, { slug, topic: `Literasi Digital ${slug}`, capacity: SEATS })
  }
  await db.destroy()
  return file
}

/** A resident's form post, as the browser sends it from the webinar page (index route). */
export function registration(url: string, slug: string, tag: string) {
  const origin = new URL(url).origin
  return (i: number): LoadRequest => ({
    method: 'POST',
    path: `/webinars/${slug}?index`,
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: origin,
      // One address per resident, as on the public internet (TRUST_PROXY=1 for this run: the load generator plays the one proxy).
      'X-Forwarded-For': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    },
    body: new URLSearchParams({
      name: `Warga ${tag} ${i}`,
      email: `warga.${tag}.${i}@example.org`,
      whatsapp: `0812${String(10_000_000 + i)}`,
      regency: '33.10',
      occupation: 'pelajar',
      ageRange: '17-24',
      gender: '',
      consent: 'yes',
      website: '',
    }).toString(),
  })
}

async function countSeats(file: string, slug: string) {
  const { createDb } = await import('#app/utils/db.server')
  const db = createDb(file)
  const rows = await db
    .selectFrom('registrations')
    .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
    .select(['registrations.status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('webinars.slug', '=', slug)
    .groupBy('registrations.status')
    .execute()
  await db.destroy()
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Record<string, number>
}

export async function benchRegistration(report: Report) {
  const { buildIfNeeded } = await import('../serve-build')
  buildIfNeeded()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-bench-registration-'))
  try {
    const template = await prepareTemplate(dir)
    const ours = path.join(dir, 'ours.sqlite')
    const bare = path.join(dir, 'bare.sqlite')
    fs.copyFileSync(template, ours)
    fs.copyFileSync(template, bare)
    const posts = SEATS + 500
    const concurrency = 64

    // Ours: the production build behind the same express app as `npm start`.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: ours,
      SESSION_SECRET: 'bench-session-secret-that-is-long-enough-0123456789',
      TRUST_PROXY: '1',
      SMTP_URL: '',
      // The production set-up on this machine: one HTTP process per core.
      WEB_CONCURRENCY: String(os.availableParallelism()),
    }
    const app = await startServer('scripts/serve.ts', [], env)
    const rushes: LoadResult[] = []
    let latency: LoadResult
    let floor: LoadResult
    let catalogue: LoadResult
    let page: LoadResult
    try {
      // Warm up the JIT and the connection pool on another webinar: sustained means steady state.
      await closedLoop(app.url, { concurrency: 16, total: WARM_UP, request: registration(app.url, 'rush-pages', 'warm') })
      for (const slug of RUSH_SLUGS) rushes.push(await closedLoop(app.url, { concurrency, total: posts, request: registration(app.url, slug, slug) }))
      latency = await openLoop(app.url, { ratePerSec: 500, durationMs: 10_000, request: registration(app.url, 'rush-latency', 'steady') })
      // The framework's floor: a Remix action that does nothing but answer with a redirect.
      floor = await closedLoop(app.url, {
        concurrency,
        total: 8_000,
        request: () => ({
          method: 'POST',
          path: '/lang',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: new URL(app.url).origin },
          body: 'lang=en&redirectTo=%2F',
        }),
      })
      const gzip = { 'Accept-Encoding': 'gzip' }
      catalogue = await closedLoop(app.url, { concurrency: 16, durationMs: 5_000, request: () => ({ method: 'GET', path: '/webinars', headers: gzip }) })
      page = await closedLoop(app.url, { concurrency: 16, durationMs: 5_000, request: () => ({ method: 'GET', path: '/webinars/rush-pages', headers: gzip }) })
    } finally {
      await stop(app.child)
    }
    const oursSeats = await Promise.all(RUSH_SLUGS.map((slug) => countSeats(ours, slug)))
    const byRate = [...rushes].sort((a, b) => perSecond(a) - perSecond(b))
    const rush = byRate[Math.floor(byRate.length / 2)]!

    // The reference: the same insert with nothing around it.
    const reference = await startServer('scripts/bench/bare-server.ts', [bare], process.env)
    let bareRush: LoadResult
    try {
      await closedLoop(reference.url, { concurrency: 16, total: WARM_UP, request: registration(reference.url, 'rush-pages', 'warm') })
      bareRush = await closedLoop(reference.url, { concurrency, total: posts, request: registration(reference.url, 'rush-1', 'rush') })
    } finally {
      await stop(reference.child)
    }
    const bareSeats = await countSeats(bare, 'rush-1')

    report(`Registration rush: ${posts.toLocaleString('en')} POSTs for ${SEATS.toLocaleString('en')} seats, ${concurrency} connections, ${RUSH_RUNS} runs on fresh webinars, WEB_CONCURRENCY=${env.WEB_CONCURRENCY}, load generator on the same ${os.availableParallelism()} cores (target ≥ 1,000/s, 0 errors, 0 oversells)`, [
      ['ours: registrations/s, median (range)', `${perSecond(rush)} (${perSecond(byRate[0]!)}–${perSecond(byRate.at(-1)!)})`],
      ['ours: registrations/s, each run in order', rushes.map(perSecond).join(', ')],
      ['ours: responses, all runs', statuses(mergeResults(rushes))],
      ['ours: p50 / p99 latency, median run', `${percentile(rush.latenciesMs, 50).toFixed(1)} ms / ${percentile(rush.latenciesMs, 99).toFixed(1)} ms`],
      ['ours: registered / waitlisted, each run', oursSeats.map((seats) => `${seats.registered ?? 0} / ${seats.waitlisted ?? 0}`).join(', ')],
      ['ours: oversold, all runs', oursSeats.reduce((sum, seats) => sum + Math.max(0, (seats.registered ?? 0) - SEATS), 0)],
      ['bare node:http + better-sqlite3: /s', perSecond(bareRush)],
      ['bare: registered / waitlisted', `${bareSeats.registered ?? 0} / ${bareSeats.waitlisted ?? 0}`],
      ['ours (median) as a share of bare', `${((perSecond(rush) / perSecond(bareRush)) * 100).toFixed(0)}%`],
      ['framework floor (empty Remix action): /s', perSecond(floor)],
    ])
    report('Registration at 500/s offered for 10 s (target p99 ≤ 100 ms)', [
      ['requests', latency.count],
      ['responses', statuses(latency)],
      ['achieved /s', perSecond(latency)],
      ['p50 / p95 / p99', [50, 95, 99].map((p) => `${percentile(latency.latenciesMs, p).toFixed(1)} ms`).join(' / ')],
    ])
    report('Public pages, 16 connections for 5 s, gzip', [
      ['/webinars: requests/s', perSecond(catalogue)],
      ['/webinars: bytes per response', Math.round(catalogue.bytes / catalogue.count)],
      ['/webinars/<slug>: requests/s', perSecond(page)],
      ['/webinars/<slug>: bytes per response', Math.round(page.bytes / page.count)],
      ['responses', `${statuses(catalogue)} | ${statuses(page)}`],
    ])
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
