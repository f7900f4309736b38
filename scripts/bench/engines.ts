// The engines side by side: the registration rush and the mail run on SQLite and on PostgreSQL
// (a throwaway server from scripts/test-postgres.ts), each with 1 and 2 app processes or mail
// worker processes. Every run gets a fresh copy of a database migrated and loaded once per engine:
// a copied file on SQLite, `create database … template …` on PostgreSQL.
//
//   BENCH_RUSH_SEATS=10000  seats of the rush webinar (500 more POSTs than seats are sent)
//   BENCH_RUSH_RUNS=1       rush runs per engine and process count (interleaved; the median is shown)
//   BENCH_MAIL_COUNT=10000  invitations queued for each mail run (0: no mail run)
//   BENCH_PROCESSES=1,2     app processes of the rushes and workers of the mail runs
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { DB } from '#app/utils/db.server'
import { closedLoop, percentile, perSecond, startServer, statuses, stop, type LoadResult } from './load'
import { registration as registrationPost } from './registration'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const WARM_UP = 2_000
const CONCURRENCY = 64

type Report = (title: string, rows: Array<[string, string | number]>) => void

/** One engine: how to make its template once and a fresh database (a DATABASE_URL) per run. */
type Engine = {
  label: string
  /** Creates the template and runs `fill` on it (migrations, webinars); once. */
  prepareTemplate(fill: (db: DB) => Promise<void>): Promise<void>
  /** A fresh copy of the template; returns its DATABASE_URL. */
  fresh(name: string): Promise<string>
}

async function openDb(url: string): Promise<DB> {
  const { createDb } = await import('#app/utils/db.server')
  return createDb(url)
}

function sqliteEngine(dir: string): Engine {
  const template = path.join(dir, 'template.sqlite')
  return {
    label: 'SQLite',
    async prepareTemplate(fill) {
      const db = await openDb(template)
      try {
        await fill(db)
      } finally {
        await db.destroy()
      }
    },
    async fresh(name) {
      const file = path.join(dir, `${name}.sqlite`)
      fs.copyFileSync(template, file)
      return file
    },
  }
}

function postgresEngine(server: { serverUrl: string; urlOf(database: string): string }): Engine {
  const template = 'bench_template'
  return {
    label: 'PostgreSQL',
    async prepareTemplate(fill) {
      const { adminQuery } = await import('../test-postgres')
      await adminQuery(server.serverUrl, `create database "${template}"`)
      const db = await openDb(server.urlOf(template))
      try {
        await fill(db)
      } finally {
        await db.destroy()
      }
    },
    async fresh(name) {
      const { createDatabaseFrom } = await import('../test-postgres')
      await createDatabaseFrom(server.serverUrl, template, name)
      return server.urlOf(name)
    },
  }
}

/** Migrated, with the regions, an organiser and two published webinars: `warm` and `rush` (its seats). */
async function fillTemplate(db: DB, seats: number) {
  const { prepareDatabase } = await import('../migrate')
  const { createStaffUser } = await import('#app/models/user.server')
  const { publishedBenchWebinar } = await import('./webinar')
  await prepareDatabase(db)
  const { userId } = await createStaffUser(db, { email: 'organiser@example.org', name: 'Organiser', role: 'organiser', password: 'bench-password-123' })
  await publishedBenchWebinar(db, userId, { slug: 'warm', topic: 'Literasi Digital pemanasan', capacity: 100_000 })
  await publishedBenchWebinar(db, userId, { slug: 'rush', topic: 'Literasi Digital rush', capacity: seats })
}

type Seats = { capacity: number; registeredCount: number; registered: number; waitlisted: number }

/** The rush webinar's capacity and counter, and its registration rows by status. */
async function countSeats(url: string): Promise<Seats> {
  const db = await openDb(url)
  try {
    const webinar = await db.selectFrom('webinars').select(['id', 'capacity', 'registered_count']).where('slug', '=', 'rush').executeTakeFirstOrThrow()
    const rows = await db
      .selectFrom('registrations')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('webinar_id', '=', webinar.id)
      .groupBy('status')
      .execute()
    const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
    return { capacity: Number(webinar.capacity), registeredCount: Number(webinar.registered_count), registered: by.registered ?? 0, waitlisted: by.waitlisted ?? 0 }
  } finally {
    await db.destroy()
  }
}

type RushRun = { result: LoadResult; seats: Seats }

async function rush(url: string, processes: number, seats: number): Promise<RushRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: url,
    SESSION_SECRET: 'bench-session-secret-that-is-long-enough-0123456789',
    TRUST_PROXY: '1',
    SMTP_URL: '',
    WEB_CONCURRENCY: String(processes),
  }
  const app = await startServer('scripts/serve.ts', [], env)
  let result: LoadResult
  try {
    await closedLoop(app.url, { concurrency: 16, total: WARM_UP, request: registrationPost(app.url, 'warm', 'warm') })
    result = await closedLoop(app.url, { concurrency: CONCURRENCY, total: seats + 500, request: registrationPost(app.url, 'rush', 'rush') })
  } finally {
    await stop(app.child)
  }
  return { result, seats: await countSeats(url) }
}

/** The SMTP sink from the tests in its own process; stop() returns what it accepted. */
async function startSink() {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/mail/__helpers/smtp-sink.ts')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = readline.createInterface({ input: child.stdout! })
  const next = () =>
    new Promise<string>((resolve, reject) => {
      lines.once('line', resolve)
      child.once('exit', () => reject(new Error('bench: the SMTP sink exited')))
    })
  const port = Number(/^port (\d+)$/.exec(await next())?.[1])
  return {
    url: `smtp://127.0.0.1:${port}`,
    async stop() {
      const summary = next()
      child.stdin!.end()
      const match = /^accepted (\d+) duplicates (\d+)/.exec(await summary)
      return { accepted: Number(match?.[1]), duplicates: Number(match?.[2]) }
    },
    /** After a failure: the sink goes without its summary. */
    kill: () => child.exitCode === null && child.kill('SIGTERM'),
  }
}

/** A scripts/bench/mail-worker.ts process: ready once connected, delivers after go(). */
function startWorker(env: NodeJS.ProcessEnv) {
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(ROOT, 'scripts/bench/mail-worker.ts')], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = readline.createInterface({ input: child.stdout! })
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`bench: a mail worker exited with ${code}`))))
  exited.catch(() => {})
  const line = (pattern: RegExp) =>
    Promise.race([
      new Promise<RegExpExecArray>((resolve) => {
        const listener = (text: string) => {
          const match = pattern.exec(text)
          if (!match) return
          lines.off('line', listener)
          resolve(match)
        }
        lines.on('line', listener)
      }),
      exited,
    ])
  const ready = line(/^ready$/)
  const done = line(/^done (\d+) (\d+) (\d+)$/).then((match) => ({ sent: Number(match[1]), failed: Number(match[2]), cpuMs: Number(match[3]) / 1000, at: performance.now() }))
  return {
    ready,
    done,
    go: () => child.stdin!.write('go\n'),
    kill: () => child.exitCode === null && child.kill('SIGTERM'),
  }
}

type MailRun = { sent: number; failed: number; ms: number; cpuMs: number; enqueueMs: number; states: Record<string, number>; accepted: number; duplicates: number }

async function mailRun(url: string, workers: number, count: number): Promise<MailRun> {
  const { countOutboxByState } = await import('#app/models/outbox.server')
  const { queueBenchInvitations } = await import('./webinar')
  const db = await openDb(url)
  const sink = await startSink()
  const procs: Array<ReturnType<typeof startWorker>> = []
  try {
    const { id: webinarId } = await db.selectFrom('webinars').select('id').where('slug', '=', 'rush').executeTakeFirstOrThrow()
    let started = performance.now()
    await queueBenchInvitations(db, webinarId, count)
    const enqueueMs = performance.now() - started
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', APP_URL: 'http://127.0.0.1:3000', DATABASE_URL: url, SMTP_URL: sink.url, SESSION_SECRET: 'bench-session-secret-that-is-long-enough-0123456789' }
    for (let i = 0; i < workers; i++) procs.push(startWorker(env))
    await Promise.all(procs.map((p) => p.ready))
    started = performance.now()
    for (const p of procs) p.go()
    const done = await Promise.all(procs.map((p) => p.done))
    const ms = Math.max(...done.map((d) => d.at)) - started
    const states = await countOutboxByState(db)
    const relay = await sink.stop()
    return {
      sent: done.reduce((sum, d) => sum + d.sent, 0),
      failed: done.reduce((sum, d) => sum + d.failed, 0),
      cpuMs: done.reduce((sum, d) => sum + d.cpuMs, 0),
      ms,
      enqueueMs,
      states,
      ...relay,
    }
  } finally {
    for (const p of procs) p.kill()
    sink.kill()
    await db.destroy()
  }
}

function table(title: string, header: string[], rows: Array<Array<string | number>>) {
  console.log(`\n${title}`)
  const cells = [header, ...rows.map((row) => row.map(String))]
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)))
  for (const row of cells) console.log(`  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}`)
}

const median = <T>(runs: T[], key: (run: T) => number): T => [...runs].sort((a, b) => key(a) - key(b))[Math.floor(runs.length / 2)]!
const load = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')

export async function benchEngines(report: Report) {
  const seats = Number(process.env.BENCH_RUSH_SEATS ?? 10_000)
  const runs = Math.max(1, Number(process.env.BENCH_RUSH_RUNS ?? 1))
  const mailCount = Number(process.env.BENCH_MAIL_COUNT ?? 10_000)
  const processCounts = (process.env.BENCH_PROCESSES ?? '1,2').split(',').map(Number)
  if (processCounts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`BENCH_PROCESSES: a list of process counts such as 1,2 (got ${process.env.BENCH_PROCESSES})`)
  const { buildIfNeeded } = await import('../serve-build')
  buildIfNeeded()
  const { startTestPostgres, PostgresUnavailableError } = await import('../test-postgres')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-bench-engines-'))
  const engines: Engine[] = [sqliteEngine(dir)]
  let postgres: Awaited<ReturnType<typeof startTestPostgres>> | undefined
  // Interrupted (Ctrl-C), the throwaway server is stopped all the same.
  const interrupted = () => {
    postgres?.stop()
    fs.rmSync(dir, { recursive: true, force: true })
    process.exit(130)
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  const loadBefore = load()
  try {
    try {
      postgres = await startTestPostgres()
      engines.push(postgresEngine(postgres))
    } catch (error) {
      if (!(error instanceof PostgresUnavailableError)) throw error
      console.error(`engines: PostgreSQL is left out: ${error.message}`)
    }
    for (const engine of engines) await engine.prepareTemplate((db) => fillTemplate(db, seats))

    // The rush: for each process count, the engines in turn (runs interleaved, so a busier moment
    // on the shared machine does not fall on one engine only).
    const rushes = new Map<string, RushRun[]>()
    for (const processes of processCounts) {
      for (let run = 1; run <= runs; run++) {
        for (const engine of engines) {
          const key = `${engine.label}/${processes}`
          const url = await engine.fresh(`rush_p${processes}_r${run}`)
          rushes.set(key, [...(rushes.get(key) ?? []), await rush(url, processes, seats)])
        }
      }
    }
    const mails = new Map<string, MailRun>()
    for (const workers of mailCount > 0 ? processCounts : []) {
      for (const engine of engines) mails.set(`${engine.label}/${workers}`, await mailRun(await engine.fresh(`mail_w${workers}`), workers, mailCount))
    }

    const rate = (key: string) => {
      const list = rushes.get(key)
      return list ? perSecond(median(list, (r) => perSecond(r.result)).result) : NaN
    }
    const rushRows: Array<Array<string | number>> = []
    for (const processes of processCounts) {
      for (const engine of engines) {
        const list = rushes.get(`${engine.label}/${processes}`)!
        const { result, seats: s } = median(list, (r) => perSecond(r.result))
        const share = engine.label === 'SQLite' ? '' : `${((rate(`${engine.label}/${processes}`) / rate(`SQLite/${processes}`)) * 100).toFixed(0)}%`
        rushRows.push([
          engine.label,
          processes,
          list.length > 1 ? `${perSecond(result)} (${list.map((r) => perSecond(r.result)).join(', ')})` : perSecond(result),
          `${percentile(result.latenciesMs, 50).toFixed(1)} ms`,
          `${percentile(result.latenciesMs, 99).toFixed(1)} ms`,
          `${s.registered} / ${s.waitlisted}`,
          list.reduce((sum, r) => sum + Math.max(0, r.seats.registered - r.seats.capacity), 0),
          list.every((r) => r.seats.registeredCount === r.seats.registered) ? 'yes' : `no (${s.registeredCount})`,
          share,
          statuses(result),
        ])
      }
    }
    table(
      `Registration rush on both engines: ${(seats + 500).toLocaleString('en')} POSTs for ${seats.toLocaleString('en')} seats, ${CONCURRENCY} connections, after ${WARM_UP.toLocaleString('en')} warm-up POSTs, ${runs === 1 ? 'one run' : `${runs} runs (median; all in brackets)`} on a fresh database each (target: PostgreSQL ≥ 70% of SQLite, 0 oversold)`,
      ['engine', 'processes', 'registrations/s', 'p50', 'p99', 'registered / waitlisted', 'oversold', 'registered_count = rows', 'PG / SQLite', 'responses'],
      rushRows,
    )

    const mailRows: Array<Array<string | number>> = []
    for (const workers of mailCount > 0 ? processCounts : []) {
      for (const engine of engines) {
        const m = mails.get(`${engine.label}/${workers}`)!
        mailRows.push([
          engine.label,
          workers,
          Math.round(m.sent / (m.ms / 1000)),
          (m.ms / 1000).toFixed(2) + ' s',
          `${(m.cpuMs / m.sent).toFixed(2)} ms`,
          `${m.sent} / ${m.failed}`,
          `${m.accepted} / ${m.duplicates}`,
          JSON.stringify(m.states),
          `${(m.enqueueMs / 1000).toFixed(2)} s`,
        ])
      }
    }
    if (mailRows.length > 0)
      table(
        `Mail run on both engines: ${mailCount.toLocaleString('en')} participant invitations, delivered by ${processCounts.join(' and ')} worker processes to a local SMTP sink (target: ≥ 500 messages/s with 2 workers on PostgreSQL, 0 duplicates)`,
        ['engine', 'workers', 'messages/s', 'deliver', 'worker CPU per message', 'sent / failed', 'relay accepted / duplicates', 'outbox after', 'enqueue'],
        mailRows,
      )
    report('Machine', [
      ['node, CPUs', `${process.version}, ${os.availableParallelism()} (load generator, app, workers, SMTP sink and PostgreSQL all on them)`],
      ['load average (1/5/15 min) before / after', `${loadBefore} / ${load()}`],
    ])
  } finally {
    process.off('SIGINT', interrupted)
    process.off('SIGTERM', interrupted)
    postgres?.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
