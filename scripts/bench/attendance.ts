// Attendance at the product's scale. zoom-import: a 10,000-attendee Zoom report for a webinar of
// 10,000 registrants, parsed, previewed and committed, in this process. checkin: the check-in
// rush on the production build, every POST with another resident's token and the right code.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { countAttendance, countCheckins, getAttendanceWebinar, openCheckinWindow, type Actor } from '#app/models/attendance.server'
import { getWebinarSnapshot } from '#app/models/mail-recipients.server'
import { registerParticipant } from '#app/models/registration.server'
import { createStaffUser, getUserByEmail } from '#app/models/user.server'
import { commitZoomImport, getZoomImport, previewZoomImport } from '#app/models/zoom-import.server'
import { createDb, type DB } from '#app/utils/db.server'
import { parseZoomReport } from '#app/utils/zoom-report.server'
import { prepareDatabase } from '../migrate'
import { buildZoomReport, type ZoomReportPerson } from '../demo/zoom-report'
import { publishedBenchWebinar } from './webinar'
import { closedLoop, openLoop, percentile, perSecond, productionEnv, startServer, statuses, stop, type LoadRequest, type LoadResult } from './load'

type Report = (title: string, rows: Array<[string, string | number]>) => void

/** What bench.ts lends the cases, so they build their data as the others do. */
export type BenchKit = {
  report: Report
  freshDatabase: (name: string) => Promise<{ db: DB; dir: string }>
  publishedDemoWebinar: (db: DB) => Promise<string>
  sampleRss: (everyMs?: number) => { stop(): number }
  mb: (bytes: number) => string
}

const ms = (value: number) => `${value.toFixed(0)} ms`
const thousands = (n: number) => n.toLocaleString('en')
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const latencies = (r: LoadResult) => [50, 95, 99].map((p) => `${percentile(r.latenciesMs, p).toFixed(1)} ms`).join(' / ')

const FIRST = ['Sri', 'Budi', 'Siti', 'Agus', 'Dewi', 'Eko', 'Rina', 'Joko', 'Ayu', 'Bambang', 'Maya', 'Hendra', 'Wulan', 'Yusuf', 'Ratna', 'Dimas', 'Putri', 'Rizky', 'Indah', 'Fajar']
const LAST = ['Rahayu', 'Santoso', 'Saputra', 'Wibowo', 'Lestari', 'Hidayat', 'Kusuma', 'Pratama', 'Susanti', 'Nugroho', 'Purnomo', 'Setiawan', 'Wahyuni', 'Ma’ruf', 'Handayani']

/** Resident i: the name is unique (the number), so a report's name-only row can find them. */
function resident(i: number, tag: string) {
  const first = FIRST[i % FIRST.length]!
  return {
    first,
    name: `${first} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${i}`,
    email: `warga.${tag}.${i}@example.org`,
  }
}

/** `count` residents registered through the model, one transaction each as the form does it; their tokens. */
export async function registerResidents(db: DB, webinarId: string, count: number, tag: string): Promise<string[]> {
  const tokens: string[] = []
  for (let i = 0; i < count; i++) {
    const { name, email } = resident(i, tag)
    const result = await registerParticipant(db, webinarId, {
      name,
      email,
      whatsapp: `0812${String(10_000_000 + i)}`,
      regencyCode: '33.10',
      occupation: 'pelajar',
      ageRange: '17-24',
      gender: null,
      lang: 'id',
    })
    if (!result.ok || result.status !== 'registered') throw new Error(`bench: resident ${i} was not seated: ${JSON.stringify(result)}`)
    tokens.push(result.token)
  }
  return tokens
}

// --- zoom-import -----------------------------------------------------------------------------

const ATTENDEES = 10_000

/**
 * The Zoom report for the 10,000 registrants of `tag`: 80% joined once, 15% twice and 5% three
 * times (a dropped connection); one in ten renamed themselves in the meeting; 50 walked in as
 * guests without an e-mail; 500 joined with an e-mail we do not know, half of them under their
 * registered name. A host and two panelists as Zoom lists them.
 */
function zoomPeople(tag: string): ZoomReportPerson[] {
  const people: ZoomReportPerson[] = [
    { name: 'Organiser Literasi', email: 'organiser@example.org', joins: [{ minutes: 200 }], role: 'host' },
    { name: 'Dannys Citra', email: 'dannys.citra@example.org', joins: [{ minutes: 185 }], role: 'panelist' },
    { name: 'Edy Budiyarso', email: 'edy.budiyarso@example.org', joins: [{ minutes: 95 }, { minutes: 60 }], role: 'panelist' },
  ]
  for (let i = 0; i < ATTENDEES; i++) {
    const { first, name, email } = resident(i, tag)
    const total = 60 + ((i * 37) % 121) // 60–180 minutes of a 180-minute webinar
    const slot = i % 20
    const joins =
      slot < 16
        ? [{ minutes: total }]
        : slot < 19
          ? [{ minutes: Math.ceil(total / 2) }, { minutes: Math.floor(total / 2) }]
          : [{ minutes: Math.ceil(total / 3) }, { minutes: Math.ceil(total / 3) }, { minutes: total - 2 * Math.ceil(total / 3) }]
    const person: ZoomReportPerson = { name, email, joins }
    if (i % 200 === 101) Object.assign(person, { name: `Tamu ${i}`, email: null })
    else if (i % 40 === 7) person.email = `${first.toLowerCase()}.${i}@gmail.test`
    else if (i % 40 === 27) Object.assign(person, { name: `Pengguna Zoom ${i}`, email: `pengguna.${i}@yahoo.test` })
    else if (i % 50 === 9) person.email = email.toUpperCase()
    if (i % 10 === 3) person.renamedTo = `HP ${first}`
    people.push(person)
  }
  return people
}

type ImportRun = { parseMs: number; previewMs: number; commitMs: number; totalMs: number; peakRss: number; rows: number; counts: Record<string, number>; presentByZoom: number; zoomEnough: number }

async function importOnce(kit: BenchKit, bytes: Uint8Array, tag: string, run: number): Promise<ImportRun> {
  const { db, dir } = await kit.freshDatabase(`zoom-import-${run}`)
  try {
    const webinarId = await kit.publishedDemoWebinar(db)
    const organiser = await getUserByEmail(db, 'organiser@example.org')
    if (!organiser) throw new Error('bench: no organiser')
    await registerResidents(db, webinarId, ATTENDEES, tag)

    const rss = kit.sampleRss()
    let started = performance.now()
    const parsed = parseZoomReport(bytes)
    const parseMs = performance.now() - started
    if (!parsed.ok) throw new Error(`bench: the report did not parse: ${JSON.stringify(parsed.error)}`)

    started = performance.now()
    const preview = await previewZoomImport(db, webinarId, { name: 'zoom-attendee-report.csv', bytes, report: parsed.report }, organiser.id)
    const previewMs = performance.now() - started

    started = performance.now()
    const commit = await commitZoomImport(db, webinarId, preview.importId, organiser.id)
    const commitMs = performance.now() - started
    const peakRss = rss.stop()
    if (!commit.ok || !commit.changed) throw new Error(`bench: the commit was refused: ${JSON.stringify(commit)}`)

    // What the import made of it, read back through the console's own queries (not timed).
    const slug = (await getWebinarSnapshot(db, webinarId))!.slug
    const webinar = (await getAttendanceWebinar(db, slug, { id: organiser.id, role: 'organiser' }))!
    const summary = (await getZoomImport(db, webinar, preview.importId))!
    const attendance = await countAttendance(db, webinar)
    return {
      parseMs,
      previewMs,
      commitMs,
      totalMs: parseMs + previewMs + commitMs,
      peakRss,
      rows: parsed.report.rows.length,
      counts: summary.counts,
      presentByZoom: summary.presentByZoom,
      zoomEnough: attendance.zoomEnough,
    }
  } finally {
    await db.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export async function benchZoomImport(kit: BenchKit) {
  const tag = 'zoom'
  const people = zoomPeople(tag)
  const csv = buildZoomReport({ topic: 'Tata Kelola Pelayanan Publik Berbasis Digital', startAt: new Date(Date.UTC(2030, 8, 1, 8, 55)), people })
  const bytes = new Uint8Array(Buffer.from(csv))
  const runs: ImportRun[] = []
  for (let run = 1; run <= 3; run++) runs.push(await importOnce(kit, bytes, tag, run))

  const phases = (r: Pick<ImportRun, 'parseMs' | 'previewMs' | 'commitMs' | 'totalMs'>) =>
    `${ms(r.parseMs)} / ${ms(r.previewMs)} / ${ms(r.commitMs)} / ${ms(r.totalMs)}`
  const first = runs[0]!
  kit.report(
    `Zoom import: a ${thousands(ATTENDEES)}-attendee report for ${thousands(ATTENDEES)} registrants, 3 runs on fresh webinars (node ${process.version}, ${os.cpus().length} CPUs; target parse + preview + commit ≤ 2 s)`,
    [
      ['report: rows (host, panelists, attendees)', thousands(first.rows)],
      ['report: bytes', `${thousands(bytes.byteLength)}  (${kit.mb(bytes.byteLength)})`],
      ['people by match', Object.entries(first.counts).map(([match, n]) => `${match} ${thousands(n)}`).join(', ')],
      ['present by Zoom (preview / after commit)', `${thousands(first.presentByZoom)} / ${thousands(first.zoomEnough)}`],
      ...runs.map((r, i): [string, string] => [`run ${i + 1}: parse / preview / commit / total`, phases(r)]),
      ['median: parse / preview / commit / total', phases({ parseMs: median(runs.map((r) => r.parseMs)), previewMs: median(runs.map((r) => r.previewMs)), commitMs: median(runs.map((r) => r.commitMs)), totalMs: median(runs.map((r) => r.totalMs)) })],
      ['peak RSS during the import, per run', runs.map((r) => kit.mb(r.peakRss)).join(' / ')],
    ],
  )
}

// --- checkin ---------------------------------------------------------------------------------

const WARM = 1_000
const RUSH = 15_000
const OFFERED_RATE = 1_000
const OFFERED_MS = 10_000
const RESIDENTS = WARM + RUSH + (OFFERED_RATE * OFFERED_MS) / 1000

/**
 * A resident's check-in from their personal page, each request with the next resident's token.
 * No X-Forwarded-For: every request comes from 127.0.0.1, as a hall full of residents behind one
 * address.
 */
function checkinPost(url: string, tokens: string[], from: number, code: string) {
  const origin = new URL(url).origin
  return (i: number): LoadRequest => {
    const token = tokens[from + i]
    if (!token) throw new Error(`bench: ran out of residents at ${from + i}`)
    return {
      method: 'POST',
      path: `/r/${token}`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin },
      body: `intent=checkin&code=${code}`,
    }
  }
}

/**
 * CPU time (user + system) of a process and its children, the cluster's workers, from /proc:
 * what a check-in costs the server whatever else the machine is running. Null off Linux.
 */
function treeCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime, fields 14 and 15 of proc(5), in USER_HZ ticks (100 a second on Linux).
    let cpuMs = (Number(fields[11]) + Number(fields[12])) * 10
    const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()
    for (const child of children ? children.split(' ') : []) cpuMs += treeCpuMs(Number(child)) ?? 0
    return cpuMs
  } catch {
    return null
  }
}

/** A load run with the CPU it cost the server and this process (the load generator), per request. */
async function measured(pid: number | undefined, run: () => Promise<LoadResult>) {
  const serverBefore = treeCpuMs(pid)
  const generatorBefore = process.cpuUsage()
  const result = await run()
  const generator = process.cpuUsage(generatorBefore)
  const serverAfter = treeCpuMs(pid)
  const perRequest = (cpuMs: number) => `${(cpuMs / result.count).toFixed(2)} ms`
  return {
    result,
    cpu: `${serverBefore === null || serverAfter === null ? 'n/a' : perRequest(serverAfter - serverBefore)} / ${perRequest((generator.user + generator.system) / 1000)}`,
  }
}

/** Every answer must be the redirect back to the personal page; anything else is listed. */
const others = (r: LoadResult) =>
  Object.entries(r.statuses)
    .filter(([status]) => status !== '303')
    .map(([status, n]) => `${status}×${n}`)
    .join(' ') || 'none'

export async function benchCheckin(report: Report) {
  const { buildIfNeeded } = await import('../serve-build')
  buildIfNeeded()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-bench-checkin-'))
  try {
    const file = path.join(dir, 'checkin.sqlite')
    const db = createDb(file)
    let webinarId: string
    let tokens: string[]
    let code: string
    let registerMs: number
    try {
      await prepareDatabase(db)
      const { userId } = await createStaffUser(db, { email: 'organiser@example.org', name: 'Organiser', role: 'organiser', password: 'bench-password-123' })
      webinarId = await publishedBenchWebinar(db, userId, { slug: 'checkin-rush', topic: 'Literasi Digital: check-in', capacity: RESIDENTS })
      const started = performance.now()
      tokens = await registerResidents(db, webinarId, RESIDENTS, 'checkin')
      registerMs = performance.now() - started
      const opened = await openCheckinWindow(db, webinarId, userId, 60)
      if (!opened.ok) throw new Error(`bench: the window did not open: ${opened.reason}`)
      const organiser: Actor = { id: userId, role: 'organiser' }
      code = (await getAttendanceWebinar(db, 'checkin-rush', organiser))?.checkin_code ?? ''
      if (!code) throw new Error('bench: no check-in code')
    } finally {
      await db.destroy()
    }

    const env = productionEnv(file, os.availableParallelism())
    const concurrency = 64
    const app = await startServer('scripts/serve.ts', [], env)
    let warm: LoadResult
    let rush: Awaited<ReturnType<typeof measured>>
    let offered: Awaited<ReturnType<typeof measured>>
    try {
      warm = await closedLoop(app.url, { concurrency: 16, total: WARM, request: checkinPost(app.url, tokens, 0, code) })
      rush = await measured(app.child.pid, () => closedLoop(app.url, { concurrency, total: RUSH, request: checkinPost(app.url, tokens, WARM, code) }))
      offered = await measured(app.child.pid, () =>
        openLoop(app.url, { ratePerSec: OFFERED_RATE, durationMs: OFFERED_MS, request: checkinPost(app.url, tokens, WARM + RUSH, code) }),
      )
    } finally {
      await stop(app.child)
    }

    const after = createDb(file)
    const checkedIn = await countCheckins(after, webinarId)
    await after.destroy()
    const runs = [warm, rush.result, offered.result]
    const redirects = runs.reduce((sum, r) => sum + (r.statuses[303] ?? 0), 0)
    const limited = runs.reduce((sum, r) => sum + (r.statuses[429] ?? 0), 0)

    report(
      `Check-in rush: ${thousands(RESIDENTS)} registered residents, one POST per token with the right code, all from 127.0.0.1, WEB_CONCURRENCY=${env.WEB_CONCURRENCY}, load generator on the same ${os.availableParallelism()} cores`,
      [
        ['setup: registerParticipant × residents', `${(registerMs / 1000).toFixed(1)} s  (${Math.round(RESIDENTS / (registerMs / 1000))}/s, not part of the figures)`],
        ['warm-up: responses', `${statuses(warm)}  (${thousands(WARM)} POSTs, 16 connections)`],
        [`max rate, ${concurrency} connections: check-ins/s`, perSecond(rush.result)],
        ['max rate: responses', statuses(rush.result)],
        ['max rate: other than 303', others(rush.result)],
        ['max rate: p50 / p95 / p99', latencies(rush.result)],
        ['max rate: CPU per check-in, server / load generator', rush.cpu],
        ['machine load average (1 min) after', os.loadavg()[0]!.toFixed(1)],
      ],
    )
    report(`Check-in at ${thousands(OFFERED_RATE)}/s offered for ${OFFERED_MS / 1000} s, distinct tokens (targets ≥ 1,000/s, p99 ≤ 50 ms)`, [
      ['requests', offered.result.count],
      ['responses', statuses(offered.result)],
      ['other than 303', others(offered.result)],
      ['achieved /s', perSecond(offered.result)],
      ['p50 / p95 / p99', latencies(offered.result)],
      ['CPU per check-in, server / load generator', offered.cpu],
    ])
    report('Check-in: writes and limits', [
      ['429 responses, all runs', limited],
      ['303 responses, all runs', thousands(redirects)],
      ['checked-in rows afterwards (countCheckins)', `${thousands(checkedIn)}  (${checkedIn === redirects ? 'one per 303' : `≠ ${thousands(redirects)} redirects`})`],
    ])
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
