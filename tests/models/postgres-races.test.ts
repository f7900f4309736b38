// The races that SQLite's single write lock hid and PostgreSQL shows (the PostgreSQL run only).
// Two connection pools stand in for two app processes or two mail workers. Each race is forced:
// the first transaction to reach the point that matters waits there for the second. With the
// lock rule, the second cannot get there until the first has committed; the control run turns
// the rule off and must break the invariant, or the test would prove nothing.
import { claimDueMail } from '#app/models/outbox.server'
import { cancelRegistration, registerParticipant } from '#app/models/registration.server'
import { getDb } from '#app/utils/db.server'
import { nowIso } from '#app/utils/time'
import { publishedWebinar, register, resident } from '#tests/setup/factories'
import { TEST_ENGINE } from '#tests/setup/paths'
import { race, twoProcesses } from './__helpers/race'

const pools = twoProcesses()

async function seats(webinarId: string) {
  const db = getDb()
  const webinar = await db.selectFrom('webinars').select(['registered_count', 'capacity']).where('id', '=', webinarId).executeTakeFirstOrThrow()
  const rows = await db.selectFrom('registrations').select('status').where('webinar_id', '=', webinarId).execute()
  return {
    counted: webinar.registered_count,
    registered: rows.filter((row) => row.status === 'registered').length,
    capacity: webinar.capacity,
  }
}

describe.skipIf(TEST_ENGINE !== 'postgres')('on PostgreSQL', () => {
  describe.each([
    { lockRule: true, run: 'with the lock rule' },
    { lockRule: false, run: 'control: without it, the race shows' },
  ])('$run', ({ lockRule }) => {
    test('the same cancel link clicked twice hands on one seat', async () => {
      const webinar = await publishedWebinar({ capacity: 2 })
      const leaving = await register(webinar.id)
      await register(webinar.id)
      await register(webinar.id)
      await register(webinar.id)
      const answers = await race('cancel:after-read', lockRule, [() => cancelRegistration(pools.first, leaving.token), () => cancelRegistration(pools.second, leaving.token)])
      const after = await seats(webinar.id)
      const holds = after.registered === 2 && after.counted === 2 && answers.filter(Boolean).length === 1
      expect(holds).toBe(lockRule)
    })

    test('registering again after cancelling, in two tabs at once, takes one seat', async () => {
      const webinar = await publishedWebinar({ capacity: 10 })
      const person = resident()
      const firstTime = await registerParticipant(getDb(), webinar.id, person)
      if (!firstTime.ok) throw new Error(firstTime.reason)
      expect(await cancelRegistration(getDb(), firstTime.token)).toBe(true)
      const now = nowIso()
      // Without the lock the second tab either leaks a seat or, caught by the seat count's own
      // guard, fails with an error: both are the race showing.
      const answers = await race('register:after-read', lockRule, [
        () => registerParticipant(pools.first, webinar.id, person, now).catch(() => null),
        () => registerParticipant(pools.second, webinar.id, person, now).catch(() => null),
      ])
      const after = await seats(webinar.id)
      const holds = after.registered === 1 && after.counted === 1 && answers.every((answer) => answer?.ok)
      expect(holds).toBe(lockRule)
    })

    test('two mail workers claiming at once never claim the same message', async () => {
      const webinar = await publishedWebinar()
      for (let i = 0; i < 6; i++) await register(webinar.id)
      const options = (workerId: string) => ({ workerId, limit: 50, now: new Date(Date.now() + 60_000).toISOString(), leaseMs: 120_000 })
      const [a, b] = await race('outbox:after-select', lockRule, [() => claimDueMail(pools.first, options('worker-a')), () => claimDueMail(pools.second, options('worker-b'))])
      const claimedByA = new Set(a!.map((row) => row.id))
      const twice = b!.filter((row) => claimedByA.has(row.id))
      expect(a!.length + b!.length).toBeGreaterThanOrEqual(6)
      expect(twice.length === 0).toBe(lockRule)
    })
  })
})
