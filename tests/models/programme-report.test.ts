import { finaliseAttendance, markAttendance, reopenAttendance } from '#app/models/attendance.server'
import {
  buildWebinarReach,
  getProgrammeReport,
  insertBenchRegistrations,
  insertBenchWebinars,
  type BenchRegistration,
  type BenchWebinar,
  type ProgrammeFilters,
  type ReachFigures,
} from '#app/models/programme-report.server'
import { cancelRegistration, getRegistrationByToken, registerParticipant } from '#app/models/registration.server'
import { cancelWebinar, finishWebinar, publishWebinar } from '#app/models/webinar.server'
import { PILLARS, splitPillars, type Pillar } from '#app/utils/catalog'
import { getDb } from '#app/utils/db.server'
import { utcToLocal } from '#app/utils/time'
import { createUser, createWebinar, resident } from '#tests/setup/factories'

const db = getDb()

// Residents register the day before their webinar; attendance is finalised long after.
const AFTERWARDS = '2022-01-15T00:00:00.000Z'
const ALL: ProgrammeFilters = { from: '2021-01-01', to: '2021-12-31', province: null }

type Person = { email: string; present?: boolean; cancels?: boolean }

/**
 * A webinar through the real paths: created, published, registered for, then finished and
 * (unless `finalise` is false) finalised with `present` people marked present.
 */
async function webinar(organiserId: string, options: { regency: string; date: string; startTime: string; endTime: string; pillars: Pillar[]; capacity?: number; people: Person[]; end?: 'finalised' | 'finished' | 'open' | 'cancelled' }) {
  const saved = await createWebinar(organiserId, {
    form: { regency: options.regency, date: options.date, startTime: options.startTime, endTime: options.endTime, pillars: options.pillars, capacity: options.capacity ?? 500 },
    complete: true,
  })
  expect(await publishWebinar(db, saved.id)).toEqual({ ok: true })
  const dayBefore = new Date(Date.parse(`${options.date}T00:00:00Z`) - 86_400_000).toISOString()
  const tokens = new Map<string, string>()
  for (const person of options.people) {
    const result = await registerParticipant(db, saved.id, resident({ name: person.email, email: person.email, regencyCode: options.regency }), dayBefore)
    if (!result.ok) throw new Error(result.reason)
    tokens.set(person.email, result.token)
    if (person.cancels) expect(await cancelRegistration(db, result.token, dayBefore)).toBe(true)
  }
  const end = options.end ?? 'finalised'
  if (end === 'cancelled') expect(await cancelWebinar(db, saved.id, dayBefore)).toEqual({ ok: true })
  if (end === 'finished') expect(await finishWebinar(db, saved.id, AFTERWARDS)).toEqual({ ok: true })
  if (end === 'finalised') {
    for (const person of options.people.filter((p) => p.present)) {
      const registration = (await getRegistrationByToken(db, tokens.get(person.email)!))!
      expect(await markAttendance(db, saved.id, registration.id, { present: true, reason: 'seenInMeeting', note: null }, organiserId, dayBefore)).toEqual({ ok: true })
    }
    const finalised = await finaliseAttendance(db, saved.id, organiserId, AFTERWARDS)
    expect(finalised.ok).toBe(true)
  }
  return saved.id
}

const figures = (held: number, registrations: number, present: number, residents: number): ReachFigures => ({ held, registrations, present, residents })

describe('the programme report over a known programme', () => {
  // Residents a…h. Four held webinars in three provinces (one per zone); a is everywhere, b and g
  // come back in another province, so unique residents (6) < registrations (10).
  let ids: Record<string, string>
  beforeAll(async () => {
    const organiser = await createUser('organiser')
    const make = (options: Parameters<typeof webinar>[1]) => webinar(organiser.id, options)
    ids = {
      // Klaten, Jawa Tengah (WIB). Three seats: d ends up on the waitlist, which does not count.
      klaten: await make({
        regency: '33.10',
        date: '2021-09-01',
        startTime: '09:00',
        endTime: '12:00',
        pillars: ['cakap', 'etika'],
        capacity: 3,
        people: [{ email: 'a@example.org', present: true }, { email: 'b@example.org', present: true }, { email: 'c@example.org' }, { email: 'd@example.org' }],
      }),
      // Kota Semarang, Jawa Tengah: 23:30 WIB on 30 September (16:30Z) is September. f cancels.
      semarang: await make({
        regency: '33.74',
        date: '2021-09-30',
        startTime: '23:30',
        endTime: '23:59',
        pillars: ['aman'],
        people: [{ email: 'a@example.org', present: true }, { email: 'd@example.org' }, { email: 'f@example.org', cancels: true }],
      }),
      // Kota Denpasar, Bali (WITA): 07:00 WITA on 1 October is 23:00Z on 30 September, yet October.
      // Finished but never finalised: attendance is null, so nobody counts as present.
      denpasar: await make({
        regency: '51.71',
        date: '2021-10-01',
        startTime: '07:00',
        endTime: '09:00',
        pillars: ['budaya'],
        people: [{ email: 'b@example.org' }, { email: 'g@example.org' }, { email: 'h@example.org' }],
        end: 'finished',
      }),
      // Kota Jayapura, Papua (WIT).
      jayapura: await make({
        regency: '91.71',
        date: '2021-11-10',
        startTime: '09:00',
        endTime: '11:00',
        pillars: ['etika'],
        people: [{ email: 'a@example.org', present: true }, { email: 'g@example.org' }],
      }),
      // Not held, so not counted: one still open, one cancelled, one a draft.
      open: await make({ regency: '33.10', date: '2021-12-20', startTime: '09:00', endTime: '11:00', pillars: ['cakap'], people: [{ email: 'a@example.org' }, { email: 'x@example.org' }], end: 'open' }),
      cancelled: await make({ regency: '51.71', date: '2021-10-20', startTime: '09:00', endTime: '11:00', pillars: ['cakap'], people: [{ email: 'y@example.org' }], end: 'cancelled' }),
    }
    await createWebinar(organiser.id, { form: { regency: '91.71', date: '2021-11-11', pillars: ['aman'] } })
  })

  test('webinars held, registrations, present and unique residents, in total and by province', async () => {
    const report = await getProgrammeReport(db, ALL)
    expect(report.totals).toEqual(figures(4, 10, 4, 6))
    expect(report.byProvince).toEqual([
      { code: '33', name: 'Jawa Tengah', ...figures(2, 5, 3, 4) },
      { code: '51', name: 'Bali', ...figures(1, 3, 0, 3) },
      { code: '91', name: 'Papua', ...figures(1, 2, 1, 2) },
    ])
  })

  test('by regency: most residents first, and how many regencies held a webinar', async () => {
    const report = await getProgrammeReport(db, ALL)
    expect(report.byRegency.reached).toBe(4)
    expect(report.byRegency.top).toEqual([
      { code: '33.10', name: 'Kabupaten Klaten', provinceName: 'Jawa Tengah', ...figures(1, 3, 2, 3) },
      { code: '51.71', name: 'Kota Denpasar', provinceName: 'Bali', ...figures(1, 3, 0, 3) },
      { code: '91.71', name: 'Kota Jayapura', provinceName: 'Papua', ...figures(1, 2, 1, 2) },
      { code: '33.74', name: 'Kota Semarang', provinceName: 'Jawa Tengah', ...figures(1, 2, 1, 2) },
    ])
    const top2 = await getProgrammeReport(db, ALL, { regencyLimit: 2 })
    expect(top2.byRegency.top.map((r) => r.code)).toEqual(['33.10', '51.71'])
    expect(top2.byRegency.reached).toBe(4)
  })

  test('by pillar: a webinar counts under each of its pillars, a resident once per pillar', async () => {
    const report = await getProgrammeReport(db, ALL)
    expect(report.byPillar).toEqual([
      { code: 'cakap', ...figures(1, 3, 2, 3) },
      // Klaten and Jayapura: a is in both.
      { code: 'etika', ...figures(2, 5, 3, 4) },
      { code: 'aman', ...figures(1, 2, 1, 2) },
      { code: 'budaya', ...figures(1, 3, 0, 3) },
    ])
  })

  test('by month of the local start date, in the webinar’s own zone', async () => {
    const report = await getProgrammeReport(db, ALL)
    expect(report.byMonth).toEqual([
      { month: '2021-09', ...figures(2, 5, 3, 4) },
      { month: '2021-10', ...figures(1, 3, 0, 3) },
      { month: '2021-11', ...figures(1, 2, 1, 2) },
    ])
  })

  test('a province filter keeps its webinars, and counts its residents once', async () => {
    const report = await getProgrammeReport(db, { ...ALL, province: '33' })
    expect(report.totals).toEqual(figures(2, 5, 3, 4))
    expect(report.byProvince.map((p) => p.code)).toEqual(['33'])
    expect(report.byRegency.top.map((r) => r.code)).toEqual(['33.10', '33.74'])
    expect(report.byMonth).toEqual([{ month: '2021-09', ...figures(2, 5, 3, 4) }])
    expect((await getProgrammeReport(db, { ...ALL, province: '52' })).totals).toEqual(figures(0, 0, 0, 0))
  })

  test('the date range is inclusive and compares local dates', async () => {
    // 30 September: Semarang (23:30 WIB), not Denpasar (1 October WITA, though 30 September in UTC).
    expect((await getProgrammeReport(db, { from: '2021-09-30', to: '2021-09-30', province: null })).byRegency.top.map((r) => r.code)).toEqual(['33.74'])
    const october = await getProgrammeReport(db, { from: '2021-10-01', to: '2021-10-31', province: null })
    expect(october.totals).toEqual(figures(1, 3, 0, 3))
    expect(october.byRegency.top.map((r) => r.code)).toEqual(['51.71'])
    // a, b and g each come twice between September and November; counted once.
    const autumn = await getProgrammeReport(db, { from: '2021-09-01', to: '2021-11-10', province: null })
    expect(autumn.totals).toEqual(figures(4, 10, 4, 6))
    expect((await getProgrammeReport(db, { from: '2021-09-02', to: '2021-11-09', province: null })).totals).toEqual(figures(2, 5, 1, 5))
    expect((await getProgrammeReport(db, { from: '2021-09-01', to: '2021-09-30', province: '33' })).totals).toEqual(figures(2, 5, 3, 4))
  })

  test('with nothing held, every figure is zero and the lists are empty', async () => {
    const report = await getProgrammeReport(db, { from: '2015-01-01', to: '2015-12-31', province: null })
    expect(report.totals).toEqual(figures(0, 0, 0, 0))
    expect(report.byProvince).toEqual([])
    expect(report.byRegency).toEqual({ top: [], reached: 0 })
    expect(report.byMonth).toEqual([])
    expect(report.byPillar.map((p) => p.held)).toEqual([0, 0, 0, 0])
  })
})

describe('the reach snapshots follow the registrations', () => {
  const SPRING: ProgrammeFilters = { from: '2019-03-01', to: '2019-05-31', province: null }

  test('reopening, finalising again, deleting and erasing registrations change the figures at once', async () => {
    const organiser = await createUser('organiser')
    const first = await webinar(organiser.id, {
      regency: '33.10',
      date: '2019-03-05',
      startTime: '09:00',
      endTime: '11:00',
      pillars: ['cakap'],
      people: [{ email: 'p@example.org', present: true }, { email: 'q@example.org', present: true }, { email: 'r@example.org' }],
    })
    await webinar(organiser.id, { regency: '51.71', date: '2019-04-05', startTime: '09:00', endTime: '11:00', pillars: ['aman'], people: [{ email: 'p@example.org', present: true }] })
    expect((await getProgrammeReport(db, SPRING)).totals).toEqual(figures(2, 4, 3, 3))
    expect(await db.selectFrom('webinar_reach').select('webinar_id').where('webinar_id', '=', first).executeTakeFirst()).toBeTruthy()

    // Reopened: attendance is open again, so nobody in the first webinar counts as present.
    await reopenAttendance(db, first, organiser.id, 'koreksi', AFTERWARDS)
    expect(await db.selectFrom('webinar_reach').select('webinar_id').where('webinar_id', '=', first).executeTakeFirst()).toBeUndefined()
    expect((await getProgrammeReport(db, SPRING)).totals).toEqual(figures(2, 4, 1, 3))
    // The marks stand, so finalising again brings them back, and builds the snapshot then and there.
    await finaliseAttendance(db, first, organiser.id, AFTERWARDS)
    expect(await db.selectFrom('webinar_reach').select(['registered', 'present']).where('webinar_id', '=', first).executeTakeFirst()).toEqual({ registered: 3, present: 2 })
    expect((await getProgrammeReport(db, SPRING)).totals).toEqual(figures(2, 4, 3, 3))

    // A registration deleted by any code: r leaves the figures, and the list of e-mails.
    expect(await db.selectFrom('residents').select('id').where('email', '=', 'r@example.org').executeTakeFirst()).toBeTruthy()
    await db.deleteFrom('registrations').where('webinar_id', '=', first).where('email', '=', 'r@example.org').execute()
    expect((await getProgrammeReport(db, SPRING)).totals).toEqual(figures(2, 3, 3, 2))
    expect(await db.selectFrom('residents').select('id').where('email', '=', 'r@example.org').executeTakeFirst()).toBeUndefined()

    // An erased address (a pseudonym instead of the e-mail) is another person; the old address is gone.
    await db.updateTable('registrations').set({ email: 'erased-1@erased.invalid' }).where('webinar_id', '=', first).where('email', '=', 'q@example.org').execute()
    expect((await getProgrammeReport(db, SPRING)).totals).toEqual(figures(2, 3, 3, 2))
    expect(await db.selectFrom('residents').select('id').where('email', '=', 'q@example.org').executeTakeFirst()).toBeUndefined()
    // p is still registered elsewhere, so p keeps their number.
    await db.updateTable('registrations').set({ email: 'erased-2@erased.invalid' }).where('webinar_id', '=', first).where('email', '=', 'p@example.org').execute()
    expect((await getProgrammeReport(db, SPRING)).totals).toEqual(figures(2, 3, 3, 3))
    expect(await db.selectFrom('residents').select('id').where('email', '=', 'p@example.org').executeTakeFirst()).toBeTruthy()
  })

  test('a snapshot built inside the caller’s transaction is the one the report reads', async () => {
    const organiser = await createUser('organiser')
    const id = await webinar(organiser.id, { regency: '33.10', date: '2019-06-05', startTime: '09:00', endTime: '11:00', pillars: ['etika'], people: [{ email: 's@example.org' }], end: 'finished' })
    const registration = await db.selectFrom('registrations').select('id').where('webinar_id', '=', id).executeTakeFirstOrThrow()
    await markAttendance(db, id, registration.id, { present: true, reason: 'seenInMeeting', note: null }, organiser.id, AFTERWARDS)
    await finaliseAttendance(db, id, organiser.id, AFTERWARDS)
    await db.transaction().execute((trx) => buildWebinarReach(trx, [id]))
    const snapshot = await db.selectFrom('webinar_reach').select(['registered', 'present', 'built_at']).where('webinar_id', '=', id).executeTakeFirstOrThrow()
    expect(snapshot).toMatchObject({ registered: 1, present: 1 })
    expect((await getProgrammeReport(db, { from: '2019-06-01', to: '2019-06-30', province: null })).totals).toEqual(figures(1, 1, 1, 1))
    expect((await db.selectFrom('webinar_reach').select('built_at').where('webinar_id', '=', id).executeTakeFirstOrThrow()).built_at).toBe(snapshot.built_at)
  })
})

describe('the report agrees with counting every registration directly', () => {
  test('on a generated programme with returning residents across provinces, pillars and months', async () => {
    // 60 finished webinars in 2018 over regencies of the three zones, 40 seats each, residents
    // drawn from a pool of 300 so many come back; a few waitlisted, cancelled or not finalised.
    const regencies = [
      { code: '33.10', zone: 7 },
      { code: '33.74', zone: 7 },
      { code: '51.71', zone: 8 },
      { code: '91.71', zone: 9 },
    ]
    let seed = 7
    const rnd = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
    const webinars: BenchWebinar[] = []
    const registrations: BenchRegistration[] = []
    for (let w = 0; w < 60; w++) {
      const regency = regencies[w % regencies.length]!
      // Around midnight local time on month ends, where UTC and local months differ.
      const startAt = new Date(Date.UTC(2018, w % 12, 1, -regency.zone + Math.floor(rnd() * 4) - 2, 0)).toISOString()
      const pillars = PILLARS.filter(() => rnd() < 0.5)
      const id = `generated-${w}`
      const emails = new Set<string>()
      while (emails.size < 40) emails.add(`pool-${Math.floor(rnd() * 300)}@example.org`)
      let registered = 0
      for (const email of emails) {
        const roll = rnd()
        const status = roll < 0.1 ? 'waitlisted' : roll < 0.2 ? 'cancelled' : 'registered'
        if (status === 'registered') registered++
        const attended = status !== 'registered' || w % 7 === 0 ? null : rnd() < 0.7 ? 1 : 0
        registrations.push({ id: `${id}-${registrations.length}`, webinarId: id, token: `${id}-token-${registrations.length}`, email, regencyCode: regency.code, status, position: registrations.length, attended, at: startAt })
      }
      webinars.push({ id, slug: id, regencyCode: regency.code, pillars: pillars.length ? pillars : ['budaya'], startAt, endAt: new Date(Date.parse(startAt) + 7_200_000).toISOString(), registered, total: emails.size })
    }
    await insertBenchWebinars(db, webinars)
    await insertBenchRegistrations(db, registrations)

    // The same figures, counted from every row with sets.
    const rows = await db
      .selectFrom('registrations')
      .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
      .innerJoin('regencies', 'regencies.code', 'webinars.regency_code')
      .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
      .select(['webinars.id', 'webinars.pillars', 'webinars.start_at', 'regencies.code as regency', 'provinces.code as province', 'provinces.time_zone', 'registrations.email', 'registrations.status', 'registrations.attended'])
      .where('webinars.id', 'like', 'generated-%')
      .execute()
    const expected = (filter: (row: (typeof rows)[number]) => boolean, key: (row: (typeof rows)[number]) => string[]) => {
      const groups = new Map<string, { held: Set<string>; registrations: number; present: number; residents: Set<string> }>()
      for (const row of rows.filter(filter)) {
        for (const k of key(row)) {
          const group = groups.get(k) ?? { held: new Set<string>(), registrations: 0, present: 0, residents: new Set<string>() }
          groups.set(k, group)
          group.held.add(row.id)
          if (row.status !== 'registered') continue
          group.registrations++
          if (row.attended === 1) group.present++
          group.residents.add(row.email)
        }
      }
      return new Map([...groups].map(([k, g]) => [k, figures(g.held.size, g.registrations, g.present, g.residents.size)]))
    }
    const localDate = (row: (typeof rows)[number]) => utcToLocal(row.start_at!, row.time_zone).date
    const pick = ({ held, registrations, present, residents }: ReachFigures) => ({ held, registrations, present, residents })

    for (const filters of [
      { from: '2018-01-01', to: '2018-12-31', province: null },
      { from: '2018-03-01', to: '2018-05-31', province: null },
      { from: '2018-01-01', to: '2018-12-31', province: '51' },
      { from: '2018-02-01', to: '2018-08-31', province: '33' },
    ] satisfies ProgrammeFilters[]) {
      const inFilter = (row: (typeof rows)[number]) => localDate(row) >= filters.from && localDate(row) <= filters.to && (!filters.province || row.province === filters.province)
      const report = await getProgrammeReport(db, filters, { regencyLimit: 100 })
      expect(pick(report.totals), JSON.stringify(filters)).toEqual(expected(inFilter, () => ['all']).get('all'))
      expect(new Map(report.byProvince.map((p) => [p.code, pick(p)]))).toEqual(expected(inFilter, (row) => [row.province]))
      expect(new Map(report.byRegency.top.map((r) => [r.code, pick(r)]))).toEqual(expected(inFilter, (row) => [row.regency]))
      expect(new Map(report.byPillar.filter((p) => p.held > 0).map((p) => [p.code, pick(p)]))).toEqual(expected(inFilter, (row) => splitPillars(row.pillars)))
      expect(new Map(report.byMonth.filter((m) => m.held > 0).map((m) => [m.month, pick(m)]))).toEqual(expected(inFilter, (row) => [localDate(row).slice(0, 7)]))
    }
  })
})
