import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { verifyLogin } from '#app/models/user.server'
import { getWebinarBySlug } from '#app/models/webinar.server'
import { listWebinarRoles } from '#app/models/webinar-role.server'
import { splitPillars } from '#app/utils/catalog'
import { createDb, getDb } from '#app/utils/db.server'
import { minutesBetween, nowIso, utcToLocal } from '#app/utils/time'
import { TEST_POSTGRES_URL } from '#tests/setup/paths'
import { runScript, stderrLines } from '#tests/setup/run-script'
import { DEMO_ACCOUNTS, demoPasswordFile, demoPasswordFor, seedDemo } from '../../scripts/seed'
import { adminQuery } from '../../scripts/test-postgres'

const PASSWORD = 'demo-password-for-tests'
const KLATEN_SLUG = 'tata-kelola-pelayanan-publik-berbasis-digital-klaten-2021-09-01'

async function tableCounts(): Promise<Record<string, number>> {
  const db = getDb()
  const tables = (await db.introspection.getTables()).filter(({ name }) => !name.startsWith('kysely_'))
  const counts: Record<string, number> = {}
  for (const { name } of tables) {
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(name)}`.execute(db)
    counts[name] = rows[0]!.n
  }
  return counts
}

async function dump() {
  const db = getDb()
  return {
    users: await db.selectFrom('users').selectAll().orderBy('id').execute(),
    people: await db.selectFrom('people').selectAll().orderBy('id').execute(),
    webinars: await db.selectFrom('webinars').selectAll().orderBy('id').execute(),
    webinar_roles: await db.selectFrom('webinar_roles').selectAll().orderBy('id').execute(),
    rundown_items: await db.selectFrom('rundown_items').selectAll().orderBy('id').execute(),
  }
}

beforeAll(async () => {
  await seedDemo(getDb(), { password: PASSWORD })
}, 60_000)

test('the three demo accounts sign in with the demo password', async () => {
  expect(DEMO_ACCOUNTS.map((account) => account.email)).toEqual(['organiser@example.org', 'moderator@example.org', 'speaker@example.org'])
  for (const account of DEMO_ACCOUNTS) {
    expect(await verifyLogin(getDb(), account.email, PASSWORD), account.email).toMatchObject({ role: account.role })
    expect(await verifyLogin(getDb(), account.email, 'not-the-password'), account.email).toBeNull()
  }
})

test('the finished Klaten webinar from PRODUCT.md is there, at 09:00 WIB on 1 September 2021', async () => {
  const webinar = await getWebinarBySlug(getDb(), KLATEN_SLUG)
  expect(webinar).toMatchObject({
    topic: 'Tata Kelola Pelayanan Publik Berbasis Digital',
    regency_code: '33.10',
    regency_name: 'Kabupaten Klaten',
    province_name: 'Jawa Tengah',
    time_zone: 'WIB',
    status: 'finished',
    start_at: '2021-09-01T02:00:00.000Z',
  })
  expect(utcToLocal(webinar!.start_at!, 'WIB')).toEqual({ date: '2021-09-01', time: '09:00' })

  const roles = await listWebinarRoles(getDb(), webinar!.id)
  const named = (role: string) => roles.filter((r) => r.role === role).map((r) => r.name)
  expect(named('moderator')).toEqual(['Dannys Citra'])
  expect(named('speaker').sort()).toEqual(['Ahmad Muhlisin', 'Edy Budiyarso', 'Jota Eko Hapsoro', 'Ronny Rukminto'])
  expect(named('kol')).toEqual(['Qausar Harta Yudana'])
})

test('upcoming published webinars span provinces, all three zones and all four pillars', async () => {
  const upcoming = await getDb()
    .selectFrom('webinars')
    .innerJoin('regencies', 'regencies.code', 'webinars.regency_code')
    .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select(['webinars.slug', 'webinars.pillars', 'provinces.code as province', 'provinces.time_zone'])
    .where('webinars.status', '=', 'published')
    .where('webinars.start_at', '>', nowIso())
    .execute()
  expect(upcoming.length).toBeGreaterThanOrEqual(6)
  expect(new Set(upcoming.map((w) => w.province)).size).toBeGreaterThanOrEqual(3)
  expect(new Set(upcoming.map((w) => w.time_zone))).toEqual(new Set(['WIB', 'WITA', 'WIT']))
  expect(new Set(upcoming.flatMap((w) => splitPillars(w.pillars)))).toEqual(new Set(['cakap', 'etika', 'aman', 'budaya']))
})

test('every run-down item falls within its webinar', async () => {
  const items = await getDb()
    .selectFrom('rundown_items')
    .innerJoin('webinars', 'webinars.id', 'rundown_items.webinar_id')
    .select(['webinars.slug', 'webinars.start_at', 'webinars.end_at', 'rundown_items.offset_minutes', 'rundown_items.title'])
    .execute()
  expect(items.length).toBeGreaterThan(0)
  for (const item of items) {
    const where = `${item.slug}: ${item.title} at +${item.offset_minutes} min`
    expect(item.offset_minutes, where).toBeGreaterThanOrEqual(0)
    expect(item.offset_minutes, where).toBeLessThan(minutesBetween(item.start_at!, item.end_at!))
  }
})

test('Klaten has its 211 registrants; upcoming webinars have registrations, and one is full with a waitlist', async () => {
  const db = getDb()
  const counts = await db
    .selectFrom('registrations')
    .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
    .select(['webinars.slug', 'webinars.capacity', 'webinars.registered_count', 'registrations.status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['webinars.slug', 'webinars.capacity', 'webinars.registered_count', 'registrations.status'])
    .execute()
  const of = (slug: string, status: string) => Number(counts.find((c) => c.slug === slug && c.status === status)?.n ?? 0)
  expect(of('tata-kelola-pelayanan-publik-berbasis-digital-klaten-2021-09-01', 'registered')).toBe(211)
  const full = counts.filter((c) => c.status === 'waitlisted' && c.registered_count === c.capacity)
  expect(full.length).toBeGreaterThanOrEqual(1)
  const withRegistrations = new Set(counts.filter((c) => c.status === 'registered').map((c) => c.slug))
  expect(withRegistrations.size).toBeGreaterThanOrEqual(6)
  // Each registrant got their invitation (or waitlist notice) through the outbox.
  const invitations = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', 'in', ['participant_invitation', 'waitlist_joined']).executeTakeFirstOrThrow()
  expect(Number(invitations.n)).toBe(counts.reduce((sum, c) => sum + Number(c.n), 0))
})

test('running seedDemo a second time changes nothing', async () => {
  const counts = await tableCounts()
  const rows = await dump()
  await seedDemo(getDb(), { password: PASSWORD })
  expect(await tableCounts()).toEqual(counts)
  expect(await dump()).toEqual(rows)
}, 60_000)

describe('scripts/seed.ts', () => {
  let dir: string
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-seed-'))
  })
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  test('refuses in production, in one line, without touching the database', async () => {
    const file = path.join(dir, 'production.sqlite')
    const result = await runScript('scripts/seed.ts', {
      env: { NODE_ENV: 'production', SESSION_SECRET: 'production-session-secret-long-enough-0123456789', DATABASE_URL: file },
    })
    expect(result.status).not.toBe(0)
    expect(stderrLines(result)).toEqual([expect.stringMatching(/NODE_ENV=production/)])
    expect(fs.existsSync(file)).toBe(false)
  }, 60_000)

  // `npm start` and `npm run db:seed` in development print the generated password; on PostgreSQL
  // there is no database file to keep it beside.
  test('without DEMO_PASSWORD, a generated password is kept for the database and is the same on every run', async () => {
    let url = path.join(dir, 'generated.sqlite')
    if (TEST_POSTGRES_URL) {
      const database = `seed_generated_${process.pid}`
      await adminQuery(TEST_POSTGRES_URL, `drop database if exists "${database}"`)
      await adminQuery(TEST_POSTGRES_URL, `create database "${database}"`)
      url = `${TEST_POSTGRES_URL}${database}`
    }
    const file = demoPasswordFile(url)
    try {
      const passwords: string[] = []
      for (let run = 0; run < 2; run++) {
        const result = await runScript('scripts/seed.ts', { env: { NODE_ENV: 'development', DATABASE_URL: url } })
        expect(result.stderr).toBe('')
        expect(result.status).toBe(0)
        passwords.push(/\(password: (\S+)\)/.exec(result.stdout)?.[1] ?? '')
      }
      expect(passwords[0]).toMatch(/^\S{12,}$/)
      expect(passwords[1]).toBe(passwords[0])
      expect(fs.statSync(file).mode & 0o077).toBe(0)
      const db = createDb(url)
      try {
        expect(await verifyLogin(db, DEMO_ACCOUNTS[0].email, passwords[0]!)).toMatchObject({ role: 'organiser' })
      } finally {
        await db.destroy()
      }
      if (TEST_POSTGRES_URL) {
        // The database's password is not part of the key (nor written anywhere): the same database
        // reached with another password, or through the query string, has the same demo password.
        const server = new URL(TEST_POSTGRES_URL)
        const withPassword = `postgres://${server.username}:rahasia-basis-data@${server.host}${new URL(url).pathname}`
        expect(demoPasswordFor({ DEMO_PASSWORD: undefined, DATABASE_URL: withPassword })).toBe(passwords[0])
        expect(demoPasswordFor({ DEMO_PASSWORD: undefined, DATABASE_URL: `${url}?password=lain` })).toBe(passwords[0])
        expect(fs.readFileSync(file, 'utf8')).not.toContain('rahasia')
        expect(path.basename(file)).not.toContain('rahasia')
        // Another database on the same server has its own.
        expect(demoPasswordFile(`${TEST_POSTGRES_URL}lain`)).not.toBe(file)
      }
    } finally {
      fs.rmSync(file, { force: true })
    }
  }, 120_000)

  test('loads the demo data outside production', async () => {
    const file = path.join(dir, 'development.sqlite')
    const result = await runScript('scripts/seed.ts', { env: { NODE_ENV: 'development', SESSION_SECRET: 'development-session-secret-long-enough-0123', DEMO_PASSWORD: PASSWORD, DATABASE_URL: file } })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/organiser@example\.org/)
  }, 60_000)
})

test('the demo history is recorded as already delivered: after seeding, no message is waiting to be sent', async () => {
  const db = getDb()
  const byState = await db.selectFrom('outbox').select(['state', 'transport', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['state', 'transport']).execute()
  // The demo does queue mail (briefs, invitations, certificates), all of it marked as the seed's.
  expect(byState.map((row) => [row.state, row.transport])).toEqual([['sent', 'seed']])
  expect(Number(byState[0]!.n)).toBeGreaterThan(0)
  // Seeding again (it is idempotent) still leaves nothing for a worker to claim.
  await seedDemo(db, { password: PASSWORD })
  const waiting = await db.selectFrom('outbox').select('id').where('state', 'in', ['queued', 'retrying', 'sending']).execute()
  expect(waiting).toEqual([])
}, 60_000)

test('Klaten has a pre- and post-test on its four pillars, taken by most registrants, with an uneven gain over paired residents', async () => {
  const { getWebinarLearning } = await import('#app/models/test-report.server')
  const { webinarTests } = await import('#app/models/learning-test.server')
  const klaten = (await getWebinarBySlug(getDb(), KLATEN_SLUG))!
  expect(await webinarTests(getDb(), klaten.id)).toMatchObject({ pre: true, post: true })
  const learning = await getWebinarLearning(getDb(), klaten.id)
  expect(learning.took.pre).toBeGreaterThan(211 / 2)
  expect(learning.took.post).toBeGreaterThan(211 / 3)
  expect(learning.pairedResidents).toBeGreaterThan(50)
  expect(learning.pillars.map((p) => p.pillar)).toEqual(['cakap', 'etika', 'aman', 'budaya'])
  const gains = learning.pillars.map((p) => p.gain!)
  expect(Math.min(...gains)).toBeGreaterThan(-5)
  // Not uniform: the pillars' gains differ by more than noise.
  expect(Math.max(...gains) - Math.min(...gains)).toBeGreaterThan(5)
})

test('Klaten has evaluations with comments in Indonesian, slides from two speakers on disk, and a public recording link', async () => {
  const db = getDb()
  const klaten = (await getWebinarBySlug(db, 'tata-kelola-pelayanan-publik-berbasis-digital-klaten-2021-09-01'))!
  const { getEvaluationReport } = await import('#app/models/evaluation.server')
  const { listWebinarMaterials, getWebinarMaterialFile, getPublicRecording } = await import('#app/models/material.server')
  const report = await getEvaluationReport(db, klaten.id)
  const present = await db.selectFrom('registrations').select(sql<number>`count(*)`.as('n')).where('webinar_id', '=', klaten.id).where('attended', '=', 1).executeTakeFirstOrThrow()
  expect(report.evaluations).toBeGreaterThan(Number(present.n) / 2)
  expect(report.evaluations).toBeLessThan(Number(present.n))
  expect(report.comments.length).toBeGreaterThan(10)
  expect(report.comments.some((c) => c.text.includes('Materinya'))).toBe(true)
  // Content, four speakers and the KOL, the moderator, the platform, the organiser's own question.
  expect(report.means.map((m) => m.item)).toEqual(['content', 'speaker', 'speaker', 'speaker', 'speaker', 'speaker', 'moderator', 'platform', 'own'])
  for (const m of report.means) expect(m.mean).toBeGreaterThan(3)
  const materials = await listWebinarMaterials(db, klaten.id)
  expect(materials).toHaveLength(2)
  for (const m of materials) {
    const file = (await getWebinarMaterialFile(db, klaten.id, m.id))!
    expect(fs.readFileSync(file.path).subarray(0, 5).toString()).toBe('%PDF-')
  }
  expect(await getPublicRecording(db, klaten.id)).toMatch(/^https:\/\/www\.youtube\.com\//)
  expect((await db.selectFrom('outbox').select('id').where('kind', '=', 'thank_you').execute()).length).toBe(0)
})

test('the programme dashboard’s learning gain counts Klaten’s paired residents by pillar, province, segment and month', async () => {
  const { getWebinarLearning } = await import('#app/models/test-report.server')
  const { getProgrammeOutcomes } = await import('#app/models/programme-report.server')
  const getProgrammeLearning = async (filters: { from: string | null; to: string | null; province: string | null }) => (await getProgrammeOutcomes(getDb(), filters)).learning
  const klaten = (await getWebinarBySlug(getDb(), KLATEN_SLUG))!
  const own = await getWebinarLearning(getDb(), klaten.id)
  const programme = await getProgrammeLearning({ from: null, to: null, province: null })
  expect(programme.overall.pairedResidents).toBe(own.pairedResidents)
  expect(programme.overall.pillars.map((p) => [p.pillar, p.gain])).toEqual(own.pillars.map((p) => [p.pillar, p.gain]))
  expect(programme.byProvince).toEqual([expect.objectContaining({ key: '33', summary: expect.objectContaining({ pairedResidents: own.pairedResidents }) })])
  expect(programme.bySegment.map((c) => c.key)).toEqual(['umum'])
  expect(programme.byMonth.map((c) => c.key)).toEqual(['2021-09'])
  // Outside the filter, nothing.
  expect((await getProgrammeLearning({ from: '2022-01-01', to: null, province: null })).overall.pairedResidents).toBe(0)
  expect((await getProgrammeLearning({ from: null, to: null, province: '35' })).byProvince).toEqual([])
})
