// npm run bench [-- case ...] — measures the app's heavy paths against the product's scale and
// prints the figures; it asserts nothing. With no case named, every case runs.
//
//   npm run bench -- mail          10,000 participant invitations through the worker to a local SMTP relay
//   npm run bench -- registration  the registration rush on the production build, beside a bare
//                                  node:http + better-sqlite3 server; the public pages' requests/s
//                             (BENCH_MAIL_COUNT=1000 for a quicker run)
//   npm run bench -- pages         /webinars and a webinar page under a viral rush (2 processes, gzip, autocannon) beside a
//                                  bare node:http server sending the same bytes; the page's first paint on a slow phone
//   npm run bench -- zoom-import   a 10,000-attendee Zoom report for 10,000 registrants: parse, preview and
//                                  commit timed apart, 3 runs on fresh webinars and their median
//   npm run bench -- checkin       the check-in rush on the production build, one resident's token per POST:
//                                  the maximum rate, then 1,000/s offered for 10 s
//   npm run bench -- certificates  finalising 1,000 present residents: certificates issued and mailed in bulk,
//                                  every PDF drawn and every mail rendered
//   npm run bench -- abuse         hostile input: a post with one key repeated 30,000 times against the production
//                                  build, and Zoom reports with 60,000-character names
//   npm run bench -- programme     the programme dashboard over 5,000 finished webinars, 1,000,000 registrations,
//                                  1,000,000 test attempts and their evaluations: the model calls (5 runs, median
//                                  and max) with and without filters, then the page (BENCH_PROGRAMME_SCALE=0.02 for
//                                  a quick check; BENCH_PROGRAMME_ENGINE=postgres in a throwaway PostgreSQL)
//   npm run bench -- engines       SQLite beside PostgreSQL (a throwaway server): the registration rush with 1 and 2
//                                  app processes, the mail run with 1 and 2 worker processes (see bench/engines.ts)
//
// Each case builds its own database in a temporary folder, so it never touches the app's data.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createMailWorker } from '#app/mail/run.server'
import { countOutboxByState } from '#app/models/outbox.server'
import { createPerson } from '#app/models/person.server'
import { createStaffUser } from '#app/models/user.server'
import { assignRole } from '#app/models/webinar-role.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { createDb, type DB } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { benchCheckin, benchZoomImport } from './bench/attendance'
import { benchCertificates } from './bench/certificates'
import { benchPages } from './bench/pages'
import { benchRegistration } from './bench/registration'
import { queueBenchInvitations } from './bench/webinar'
import { prepareDatabase } from './migrate'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Samples this process's RSS until stopped; returns the peak in bytes. */
function sampleRss(everyMs = 25) {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), everyMs)
  return {
    stop(): number {
      clearInterval(timer)
      return Math.max(peak, process.memoryUsage().rss)
    },
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

function report(title: string, rows: Array<[string, string | number]>) {
  console.log(`\n${title}`)
  const width = Math.max(...rows.map(([label]) => label.length))
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`)
}

/** A fresh SQLite file, migrated and loaded with the regions, as `npm start` prepares one. */
async function freshDatabase(name: string): Promise<{ db: DB; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `literasi-bench-${name}-`))
  const db = createDb(path.join(dir, 'bench.sqlite'))
  await prepareDatabase(db)
  return { db, dir }
}

/** The demo webinar from PRODUCT.md, published with its moderator and a speaker. */
async function publishedDemoWebinar(db: DB): Promise<string> {
  const { userId } = await createStaffUser(db, { email: 'organiser@example.org', name: 'Organiser', role: 'organiser', password: 'bench-password-123' })
  const saved = await saveWebinar(
    db,
    {
      topic: 'Tata Kelola Pelayanan Publik Berbasis Digital',
      description: 'Webinar Literasi Digital untuk warga Kabupaten Klaten.',
      pillars: ['cakap', 'etika', 'aman', 'budaya'],
      segment: 'umum',
      regency: '33.10',
      date: '2030-09-01',
      startTime: '09:00',
      endTime: '12:00',
      platformUrl: 'https://zoom.us/j/123456789',
      meetingId: '123 456 789',
      passcode: 'literasi',
      livestreamUrl: 'https://youtube.com/live/demo',
      capacity: 10_000,
      registrationOpensDate: null,
      registrationOpensTime: null,
      registrationClosesDate: null,
      registrationClosesTime: null,
      attendanceThreshold: 70,
      slug: null,
    },
    { userId },
  )
  if (!saved.ok) throw new Error(`bench: the demo webinar was refused: ${JSON.stringify(saved.errors)}`)
  const person = (name: string) =>
    createPerson(db, { name, title: 'Narasumber', organisation: 'Literasi Digital', email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.org`, whatsapp: null, bio: null, userId: null })
  await assignRole(db, saved.id, { personId: await person('Dannys Citra'), role: 'moderator', talkTitle: null, pillar: null })
  await assignRole(db, saved.id, { personId: await person('Edy Budiyarso'), role: 'speaker', talkTitle: 'Pelayanan publik digital', pillar: 'cakap' })
  const published = await publishWebinar(db, saved.id)
  if (!published.ok) throw new Error(`bench: the demo webinar could not be published: ${JSON.stringify(published)}`)
  return saved.id
}

/** The SMTP sink from the tests, in its own process, so its work is not counted as the worker's. */
async function startSinkProcess() {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/mail/__helpers/smtp-sink.ts')], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines = readline.createInterface({ input: child.stdout! })
  const next = () =>
    new Promise<string>((resolve, reject) => {
      lines.once('line', resolve)
      child.once('exit', () => reject(new Error('bench: the SMTP sink exited')))
    })
  const port = Number(/^port (\d+)$/.exec(await next())?.[1])
  return {
    url: `smtp://127.0.0.1:${port}`,
    /** Stops the sink; returns what it accepted. */
    async stop() {
      const summary = next()
      child.stdin!.end()
      const match = /^accepted (\d+) duplicates (\d+) rss (\d+)$/.exec(await summary)
      return { accepted: Number(match?.[1]), duplicates: Number(match?.[2]), rss: Number(match?.[3]) }
    },
  }
}

/**
 * Mail: 10,000 participant invitations (a webinar at its licence's limit) queued in one
 * transaction, then rendered — HTML, text and calendar file — and handed to a local SMTP relay
 * by the worker, as `npm run worker` configures it. Targets: ≥ 200 messages/s, peak RSS < 300 MB.
 */
async function benchMail() {
  const count = Number(process.env.BENCH_MAIL_COUNT ?? 10_000)
  const { db, dir } = await freshDatabase('mail')
  const sink = await startSinkProcess()
  try {
    const webinarId = await publishedDemoWebinar(db)
    const rss = sampleRss()

    let started = performance.now()
    await queueBenchInvitations(db, webinarId, count)
    const enqueueMs = performance.now() - started
    const queued = Object.values(await countOutboxByState(db)).reduce((a, b) => a + b, 0)

    const { worker, transport } = createMailWorker(db, { ...getEnv(), SMTP_URL: sink.url, MAIL_RATE_PER_SEC: 0 })
    started = performance.now()
    let delivered = 0
    let failed = 0
    for (;;) {
      const batch = await worker.deliverBatch()
      if (batch.sent + batch.failed === 0) break
      delivered += batch.sent
      failed += batch.failed
    }
    const deliverMs = performance.now() - started
    transport.close()
    const peakRss = rss.stop()
    const states = await countOutboxByState(db)
    const relay = await sink.stop()

    report(`mail: ${count.toLocaleString('en')} participant invitations through SMTP (node ${process.version}, ${os.cpus().length} CPUs)`, [
      ['queued (with the 2 briefs)', queued],
      ['enqueue, one transaction', `${seconds(enqueueMs)}  (${Math.round(count / (enqueueMs / 1000)).toLocaleString('en')} rows/s)`],
      ['render + deliver', seconds(deliverMs)],
      ['throughput', `${Math.round(delivered / (deliverMs / 1000))} messages/s  (target ≥ 200)`],
      ['delivered / failed', `${delivered} / ${failed}`],
      ['outbox states after', JSON.stringify(states)],
      ['relay accepted / duplicates', `${relay.accepted} / ${relay.duplicates}`],
      ['peak RSS, worker process', `${mb(peakRss)}  (target < 300 MB)`],
      ['RSS, relay process', mb(relay.rss)],
    ])
  } finally {
    await db.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const CASES: Record<string, () => Promise<void>> = {
  mail: benchMail,
  registration: () => benchRegistration(report),
  pages: () => benchPages(report),
  'zoom-import': () => benchZoomImport({ report, freshDatabase, publishedDemoWebinar, sampleRss, mb }),
  checkin: () => benchCheckin(report),
  certificates: () => benchCertificates({ report, freshDatabase, publishedDemoWebinar, sampleRss, mb }),
  programme: async () => (await import('./bench/programme')).benchProgramme(report),
  abuse: async () => (await import('./bench/abuse')).benchAbuse(report),
  engines: async () => (await import('./bench/engines')).benchEngines(report),
}

const wanted = process.argv.slice(2)
const unknown = wanted.filter((name) => !(name in CASES))
if (unknown.length) {
  console.error(`Unknown bench case: ${unknown.join(', ')}. Cases: ${Object.keys(CASES).join(', ')}`)
  process.exit(1)
}
for (const name of wanted.length ? wanted : Object.keys(CASES)) await CASES[name]!()
