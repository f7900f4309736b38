// Work that must happen once across machines, on PostgreSQL (the PostgreSQL run only): two
// connection pools stand in for two machines, each running the same job at the same moment.
import { purgeExpiredPersonalData, setRetentionMonths } from '#app/models/personal-data.server'
import { buildWebinarReach, insertBenchRegistrations, insertBenchWebinars, type BenchRegistration, type BenchWebinar } from '#app/models/programme-report.server'
import { getDb } from '#app/utils/db.server'
import { race, twoProcesses } from '#tests/models/__helpers/race'
import { signedInAs } from '#tests/setup/factories'
import { TEST_ENGINE } from '#tests/setup/paths'

const pools = twoProcesses()

/** Finished webinars whose registrants share e-mail addresses across webinars. */
async function finishedWebinars(tag: string, count: number, endAt: string) {
  const webinars: BenchWebinar[] = []
  const registrations: BenchRegistration[] = []
  for (let w = 0; w < count; w++) {
    const id = `${tag}-${w}`
    for (let r = 0; r < 30; r++) {
      registrations.push({ id: `${id}-${r}`, webinarId: id, token: `${id}-token-${r}`, email: `${tag}-${(w * 7 + r) % 45}@example.org`, regencyCode: '33.10', status: 'registered', position: r, attended: r % 2, at: endAt })
    }
    webinars.push({ id, slug: id, regencyCode: '33.10', pillars: ['cakap'], startAt: new Date(Date.parse(endAt) - 7_200_000).toISOString(), endAt, registered: 30, total: 30 })
  }
  await insertBenchWebinars(getDb(), webinars)
  await insertBenchRegistrations(getDb(), registrations)
  return webinars.map((webinar) => webinar.id)
}

describe.skipIf(TEST_ENGINE !== 'postgres').each([
  { lockRule: true, run: 'with the lock rule' },
  { lockRule: false, run: 'control: without it, the race shows' },
])('on PostgreSQL, two machines at once, $run', ({ lockRule }) => {
  test('the hourly retention purge purges each webinar once', async () => {
    const organiser = await signedInAs('organiser')
    const ids = await finishedWebinars(`purge${lockRule}`, 6, '2020-01-01T05:00:00.000Z')
    await setRetentionMonths(getDb(), 6, organiser.id)
    const now = '2021-01-01T00:00:00.000Z'
    // Without the rule the second machine's claim waits for the first's row lock, then claims again.
    const [a, b] = await race('purge:after-claim', lockRule, [() => purgeExpiredPersonalData(pools.first, null, now), () => purgeExpiredPersonalData(pools.second, null, now)], { controlPatienceMs: 400 })
    const log = await getDb().selectFrom('data_purges').select('webinar_id').where('webinar_id', 'in', ids).execute()
    const once = a!.webinars + b!.webinars === ids.length && log.length === ids.length
    expect(once).toBe(lockRule)
  })

  test('two dashboards building the same snapshots at once give each resident one small, dense id', async () => {
    const ids = await finishedWebinars(`reach${lockRule}`, 8, '2021-06-01T05:00:00.000Z')
    const [a, b] = await race('reach:before-insert', lockRule, [() => buildWebinarReach(pools.first, ids), () => buildWebinarReach(pools.second, ids)])
    expect([...a!.keys()].sort()).toEqual([...ids].sort())
    expect([...b!.values()].map((reach) => reach.registered)).toEqual(ids.map(() => 30))
    // A resident added afterwards gets the next id, not one after those a conflict used up.
    const later = await finishedWebinars(`reach${lockRule}-later`, 1, '2021-07-01T05:00:00.000Z')
    await buildWebinarReach(getDb(), later)
    const residents = await getDb()
      .selectFrom('residents')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('id').as('low'), eb.fn.max('id').as('high')])
      .where('email', 'like', `reach${lockRule}-%`)
      .executeTakeFirstOrThrow()
    expect(residents.n).toBe(45 + 30)
    const dense = Number(residents.high) - Number(residents.low) + 1 === 45 + 30
    expect(dense).toBe(lockRule)
  })
})
