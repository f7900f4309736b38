// The viral rush on the public pages: /webinars and a webinar's page on the production build
// (2 processes, gzip), in the same run as a bare node:http server sending the same bytes from
// memory; and the webinar page's first paint on a slow phone (Chromium, 4× CPU throttling,
// DevTools' "Slow 3G" profile), a timing, so it lives here and not in a test.
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { productionEnv, startServer, stop } from './load'

type Report = (title: string, rows: Array<[string, string | number]>) => void

const SLUG = 'viral'
const PAGES = ['/webinars', `/webinars/${SLUG}`]
const PROCESSES = 2
const CONNECTIONS = 32
const DURATION_S = Number(process.env.BENCH_PAGES_SECONDS ?? 8)
/** DevTools' "Slow 3G" preset (its NetworkManager): 400 kbit/s each way, 2,000 ms per request. */
const SLOW_3G = { offline: false, latency: 400 * 5, downloadThroughput: (500 * 1000) / 8 * 0.8, uploadThroughput: (500 * 1000) / 8 * 0.8 }
const PAINT_RUNS = 3

/** The bench's database (a SQLite file in `dir`, or the PostgreSQL database at `url`): migrated, with the webinars. */
export async function prepareDatabase(dir: string, file = path.join(dir, 'pages.sqlite')): Promise<string> {
  const { createDb } = await import('#app/utils/db.server')
  const { prepareDatabase: migrate } = await import('../migrate')
  const { createStaffUser } = await import('#app/models/user.server')
  const { publishedBenchWebinar } = await import('./webinar')
  const db = createDb(file)
  await migrate(db)
  const { userId } = await createStaffUser(db, { email: 'organiser@example.org', name: 'Organiser', role: 'organiser', password: 'bench-password-123' })
  // A full first catalogue page (20 cards), one of them the webinar everyone is sent to.
  await publishedBenchWebinar(db, userId, { slug: SLUG, topic: 'Literasi Digital untuk Semua', capacity: 10_000 })
  for (let i = 1; i < 24; i++) await publishedBenchWebinar(db, userId, { slug: `webinar-${i}`, topic: `Literasi Digital ${i}`, capacity: 500 })
  await db.destroy()
  return file
}

/** One GET with gzip, its raw (still compressed) body and the headers a client would receive. */
function fetchRaw(url: string, pathname: string): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(new URL(pathname, url), { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const headers: Record<string, string> = {}
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined || ['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(name)) continue
            headers[name] = Array.isArray(value) ? value.join(', ') : value
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) })
        })
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

async function load(url: string, pathname: string, seconds: number) {
  const result = await autocannon({ url: new URL(pathname, url).href, connections: CONNECTIONS, duration: seconds, headers: { 'accept-encoding': 'gzip' } })
  return { perSecond: Math.round(result.requests.average), non2xx: result.non2xx, errors: result.errors + result.timeouts, p99: result.latency.p99 }
}

/** Requests/s for each page: every page warmed up first (JIT, caches), then each measured run. */
async function measure(url: string) {
  const figures: Record<string, Awaited<ReturnType<typeof load>>> = {}
  for (const pathname of PAGES) await load(url, pathname, 3)
  for (const pathname of PAGES) figures[pathname] = await load(url, pathname, DURATION_S)
  return figures
}

/**
 * When a resident on a slow phone first sees the webinar's title and the form's first field:
 * when both are laid out under the page's inline first styles, in ms since the navigation started. A fresh browser context each run, so the cache is empty.
 */
export async function firstPaint(url: string, pathname = `/webinars/${SLUG}`) {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  })
  const runs: Array<{ shown: number; complete: number; fcp: number; responseStart: number; requests: number }> = []
  try {
    for (let run = 0; run < PAINT_RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'id-ID' })
      const page = await context.newPage()
      let requests = 0
      page.on('request', () => requests++)
      const cdp = await context.newCDPSession(page)
      await cdp.send('Network.enable')
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 })
      await cdp.send('Network.emulateNetworkConditions', SLOW_3G)
      await page.goto(new URL(pathname, url).href, { waitUntil: 'commit', timeout: 60_000 })
      // Polled through the DevTools protocol (outside the page's CSP) every 20 ms: the page's own
      // clock at the first poll that finds both laid out under a loaded stylesheet.
      const deadline = Date.now() + 60_000
      let shown: number | null = null
      while (shown === null) {
        if (Date.now() > deadline) throw new Error('bench: the webinar page never showed its title and first field')
        // No named functions inside: tsx would wrap them in a helper the page does not have.
        // Styled: the page's inline first styles are applied (styles/critical.ts); the shared
        // stylesheet, linked at the end of the body, does not hold back this paint.
        shown = await page.evaluate(() => {
          const styled = !!document.querySelector<HTMLStyleElement>('head style')?.sheet
          const title = document.querySelector('h1')
          const field = document.querySelector('form[method=post] input:not([type=hidden]), form[method=post] select')
          const laidOut = !!title && !!field && title.getBoundingClientRect().height > 0 && field.getBoundingClientRect().height > 0
          return styled && laidOut ? performance.now() : null
        })
        if (shown === null) await new Promise((resolve) => setTimeout(resolve, 20))
      }
      await page.waitForLoadState('load')
      // Every stylesheet in: when the rest of the page (below its first lines) has its final look.
      const complete = await page.evaluate(() =>
        Math.max(0, ...performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('.css')).map((entry) => (entry as PerformanceResourceTiming).responseEnd)),
      )
      const timing = await page.evaluate(() => ({
        fcp: performance.getEntriesByType('paint').find((entry) => entry.name === 'first-contentful-paint')?.startTime ?? NaN,
        responseStart: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).responseStart,
      }))
      runs.push({ ...timing, shown, complete, requests })
      await context.close()
    }
  } finally {
    await browser.close()
  }
  return runs
}

/**
 * The same first paint for the least a page can be: a title and a field, 200 bytes, sent from
 * memory. "Slow 3G" delays every response 2,000 ms, so no page can show sooner than this.
 */
async function paintFloor() {
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><style>h1{font-size:1.5rem}</style></head>' +
    '<body><h1>Judul</h1><form method="post"><input name="nama"></form></body></html>'
  const server = http.createServer((_req, res) => res.setHeader('Content-Type', 'text/html; charset=utf-8').end(html))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const { port } = server.address() as import('node:net').AddressInfo
    return await firstPaint(`http://127.0.0.1:${port}`, '/')
  } finally {
    server.close()
  }
}

const ms = (value: number) => `${Math.round(value)} ms`
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

export async function benchPages(report: Report) {
  const { buildIfNeeded } = await import('../serve-build')
  buildIfNeeded()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-bench-pages-'))
  const { startTestPostgres, PostgresUnavailableError } = await import('../test-postgres')
  let postgres: Awaited<ReturnType<typeof startTestPostgres>> | undefined
  try {
    const file = await prepareDatabase(dir)
    const app = await startServer('scripts/serve.ts', [], productionEnv(file, PROCESSES))
    let ours: Awaited<ReturnType<typeof measure>>
    let paint: Awaited<ReturnType<typeof firstPaint>> | Error
    const captured: Record<string, { status: number; headers: Record<string, string>; body: string }> = {}
    try {
      for (const pathname of PAGES) {
        const page = await fetchRaw(app.url, pathname)
        if (page.status !== 200) throw new Error(`bench: ${pathname} answered ${page.status}`)
        captured[pathname] = { ...page, body: page.body.toString('base64') }
      }
      ours = await measure(app.url)
      paint = await firstPaint(app.url).catch((error: unknown) => error as Error)
    } finally {
      await stop(app.child)
    }
    // What the profile allows at best: a 200-byte page with a title and a field, from memory.
    const floor = paint instanceof Error ? null : await paintFloor().catch(() => null)

    // The same on PostgreSQL, production's engine: there each process asks the server for the
    // change counter, one round trip shared by the requests that arrive together.
    let onPostgres: Awaited<ReturnType<typeof measure>> | null = null
    try {
      postgres = await startTestPostgres()
      const { adminQuery } = await import('../test-postgres')
      await adminQuery(postgres.serverUrl, 'create database bench_pages')
      const url = await prepareDatabase(dir, postgres.urlOf('bench_pages'))
      const pgApp = await startServer('scripts/serve.ts', [], productionEnv(url, PROCESSES))
      try {
        onPostgres = await measure(pgApp.url)
      } finally {
        await stop(pgApp.child)
      }
    } catch (error) {
      if (!(error instanceof PostgresUnavailableError)) throw error
      console.error(`pages: PostgreSQL is left out: ${error.message}`)
    }

    const pagesFile = path.join(dir, 'pages.json')
    fs.writeFileSync(pagesFile, JSON.stringify(captured))
    const reference = await startServer('scripts/bench/bare-pages.ts', [pagesFile, String(PROCESSES)], process.env)
    let bare: Awaited<ReturnType<typeof measure>>
    try {
      bare = await measure(reference.url)
    } finally {
      await stop(reference.child)
    }

    const rows: Array<[string, string | number]> = []
    for (const pathname of PAGES) {
      const name = pathname === '/webinars' ? '/webinars' : '/webinars/<slug>'
      const a = ours[pathname]!
      const b = bare[pathname]!
      rows.push(
        [`${name}: ours, requests/s`, `${a.perSecond} (p99 ${a.p99} ms, non-2xx ${a.non2xx}, errors ${a.errors})`],
        [`${name}: bare node:http, requests/s`, b.perSecond],
        [`${name}: ours as a share of bare`, `${((a.perSecond / b.perSecond) * 100).toFixed(0)}%`],
        ...(onPostgres
          ? ([[`${name}: ours on PostgreSQL, requests/s`, `${onPostgres[pathname]!.perSecond} (p99 ${onPostgres[pathname]!.p99} ms, non-2xx ${onPostgres[pathname]!.non2xx}, errors ${onPostgres[pathname]!.errors}), ${((onPostgres[pathname]!.perSecond / b.perSecond) * 100).toFixed(0)}% of bare`]] as Array<[string, string]>)
          : []),
        [`${name}: HTML bytes (gzip)`, Buffer.from(captured[pathname]!.body, 'base64').length],
      )
    }
    report(
      `Public pages: ${CONNECTIONS} connections for ${DURATION_S} s each (autocannon), gzip, WEB_CONCURRENCY=${PROCESSES}, load generator on the same ${os.availableParallelism()} cores (target ≥ 2,000/s each)`,
      rows,
    )
    if (paint instanceof Error) return console.log(`\nFirst paint: not measured (${paint.message})`)
    report(`First paint of /webinars/<slug>, Chromium, 4× CPU throttling, Slow 3G (2,000 ms per request, 400 kbit/s), empty cache, ${PAINT_RUNS} runs (target < 2 s)`, [
      ['title and first field shown, median (each run)', `${ms(median(paint.map((r) => r.shown)))} (${paint.map((r) => ms(r.shown)).join(', ')})`],
      ['first contentful paint, median', ms(median(paint.map((r) => r.fcp)))],
      ['shared stylesheet in (the rest of the page styled), median', ms(median(paint.map((r) => r.complete)))],
      ['HTML first byte (responseStart), median', ms(median(paint.map((r) => r.responseStart)))],
      ['shown after the first byte, median', ms(median(paint.map((r) => r.shown - r.responseStart)))],
      ['requests on first load', paint.map((r) => r.requests).join(', ')],
      [
        'the floor: a 200-byte page (title, one field) from a bare server, shown, median (each run)',
        floor ? `${ms(median(floor.map((r) => r.shown)))} (${floor.map((r) => ms(r.shown)).join(', ')})` : 'not measured',
      ],
    ])
  } finally {
    postgres?.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
