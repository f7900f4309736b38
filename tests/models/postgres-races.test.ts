// The races that SQLite's single write lock hid and PostgreSQL shows (the PostgreSQL run only).
// Two connection pools stand in for two app processes or two mail workers. Each race is forced:
// the first transaction to reach the point that matters waits there for the second. With the
// lock rule, the second cannot get there until the first has committed; the control run turns
// the rule off and must break the invariant, or the test would prove nothing.
import { claimDueMail } from '#app/models/outbox.server'
import { cancelRegistration, registerParticipant } from '#app/models/registration.server'
import { cancelWebinar, saveWebinar } from '#app/models/webinar.server'
import { getDb } from '#app/utils/db.server'
import { onRacePoint, setLockRuleForTests } from '#app/utils/race-points.server'
import { nowIso } from '#app/utils/time'
import { publishedWebinar, register, resident, webinarForm } from '#tests/setup/factories'
import { TEST_ENGINE } from '#tests/setup/paths'
import { race, readDuring, twoProcesses } from './__helpers/race'

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

/**
 * Runs `change` to its commit, on the second pool, while `run` waits at `point`; then lets `run`
 * go on. With the lock rule off (the control run), `run` does not see the change.
 */
async function during<T>(point: Parameters<typeof onRacePoint>[0], lockRule: boolean, change: () => Promise<unknown>, run: () => Promise<T>): Promise<T> {
  setLockRuleForTests(lockRule)
  let changed = false
  const stop = onRacePoint(point, async () => {
    if (changed) return
    changed = true
    await change()
  })
  try {
    return await run()
  } finally {
    stop()
    setLockRuleForTests(true)
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

    test('the same address registering again while its registration is cancelled: a fresh link and its seat, no invitation with the dead link', async () => {
      const webinar = await publishedWebinar({ capacity: 10 })
      const person = resident()
      const firstTime = await registerParticipant(getDb(), webinar.id, person)
      if (!firstTime.ok) throw new Error(firstTime.reason)
      // The registration reads the address as registered while the cancel has read but not committed;
      // in the control it goes on only once the cancel has committed.
      const [cancelled, again] = await readDuring(
        lockRule,
        { point: 'cancel:after-read', run: () => cancelRegistration(pools.first, firstTime.token) },
        { point: 'register:after-read', run: () => registerParticipant(pools.second, webinar.id, person) },
      )
      expect(cancelled).toBe(true)
      const row = await getDb().selectFrom('registrations').select(['token', 'status']).where('webinar_id', '=', webinar.id).where('email', '=', person.email).executeTakeFirstOrThrow()
      const mails = await getDb().selectFrom('outbox').select(['kind', 'payload']).where('webinar_id', '=', webinar.id).where('recipient_email', '=', person.email).execute()
      const invitationsTo = (token: string) => mails.filter((mail) => mail.kind === 'participant_invitation' && mail.payload.includes(`/r/${token}"`)).length
      const after = await seats(webinar.id)
      const holds =
        again.ok &&
        !again.repeated &&
        again.status === 'registered' &&
        again.token === row.token &&
        row.token !== firstTime.token &&
        row.status === 'registered' &&
        after.registered === 1 &&
        after.counted === 1 &&
        invitationsTo(firstTime.token) === 1 &&
        invitationsTo(row.token) === 1 &&
        mails.filter((mail) => mail.kind === 'registration_cancelled').length === 1
      expect(holds).toBe(lockRule)
      // Without the lock the repeat answers the link the cancel just killed, and mails it again.
      if (!lockRule) expect(again).toMatchObject({ ok: true, repeated: true, token: firstTime.token })
    })

    test('two processes registering for the last seats at once: each seat once, every place its own number', async () => {
      const webinar = await publishedWebinar({ capacity: 3 })
      await register(webinar.id)
      const [first, second] = [[resident(), resident()], [resident(), resident()]]
      // Two registrations in each process's group: the seats are read before the webinar is locked.
      const answers = await race('register:after-read', lockRule, [
        () => Promise.all(first.map((person) => registerParticipant(pools.first, webinar.id, person).catch(() => null))),
        () => Promise.all(second.map((person) => registerParticipant(pools.second, webinar.id, person).catch(() => null))),
      ])
      const after = await seats(webinar.id)
      const places = await getDb().selectFrom('registrations').select('position').where('webinar_id', '=', webinar.id).execute()
      const registered = answers.flat().filter((answer) => answer?.ok && answer.status === 'registered').length
      const holds =
        after.registered === 3 &&
        after.counted === 3 &&
        registered === 2 &&
        answers.flat().every((answer) => answer?.ok) &&
        new Set(places.map((row) => row.position)).size === 5
      expect(holds).toBe(lockRule)
    })

    test('a webinar cancelled while a registration was being read: the registration is refused, not seated in a called-off webinar', async () => {
      const webinar = await publishedWebinar({ capacity: 10 })
      const answer = await during('register:after-read', lockRule, () => cancelWebinar(pools.second, webinar.id), () => registerParticipant(pools.first, webinar.id, resident()))
      const after = await seats(webinar.id)
      const holds = !answer.ok && answer.reason === 'cancelled' && after.registered === 0 && after.counted === 0
      expect(holds).toBe(lockRule)
    })

    test('capacity lowered to the seats taken while a registration was being read: the newcomer waits', async () => {
      const form = webinarForm({ capacity: 10 })
      const webinar = await publishedWebinar(form)
      await register(webinar.id)
      await register(webinar.id)
      const answer = await during(
        'register:after-read',
        lockRule,
        async () => {
          const saved = await saveWebinar(pools.second, { ...form, capacity: 2 }, { webinarId: webinar.id, userId: webinar.organiser.id })
          if (!saved.ok) throw new Error(JSON.stringify(saved))
        },
        () => registerParticipant(pools.first, webinar.id, resident()),
      )
      const after = await seats(webinar.id)
      const holds = answer.ok && answer.status === 'waitlisted' && after.registered === 2 && after.counted === 2
      expect(holds).toBe(lockRule)
    })

    test('a webinar rescheduled while a registration was being read: the invitation carries the new time', async () => {
      const form = webinarForm({ capacity: 10 })
      const webinar = await publishedWebinar(form)
      const person = resident()
      const answer = await during(
        'register:after-read',
        lockRule,
        async () => {
          const saved = await saveWebinar(pools.second, { ...form, date: '2030-03-05', startTime: '13:00', endTime: '15:00' }, { webinarId: webinar.id, userId: webinar.organiser.id })
          if (!saved.ok) throw new Error(JSON.stringify(saved))
        },
        () => registerParticipant(pools.first, webinar.id, person),
      )
      const invitation = await getDb().selectFrom('outbox').select('payload').where('recipient_email', '=', person.email).executeTakeFirstOrThrow()
      const current = await getDb().selectFrom('webinars').select(['start_at', 'calendar_sequence']).where('id', '=', webinar.id).executeTakeFirstOrThrow()
      const sent = JSON.parse(invitation.payload) as { webinar: { startAt: string; sequence: number } }
      const holds = answer.ok && sent.webinar.startAt === current.start_at && sent.webinar.sequence === current.calendar_sequence
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

  test('the same new address from two processes at once: one registration, and both get its answer', async () => {
    const webinar = await publishedWebinar({ capacity: 10 })
    const person = resident()
    // Both read the address as new before either has written it: the second's insert meets the
    // first's row, and its transaction runs again and finds the address known.
    const answers = await race('register:after-read', true, [() => registerParticipant(pools.first, webinar.id, person), () => registerParticipant(pools.second, webinar.id, person)])
    const after = await seats(webinar.id)
    expect(after).toMatchObject({ registered: 1, counted: 1 })
    expect(answers.map((answer) => answer.ok && answer.status)).toEqual(['registered', 'registered'])
    expect(new Set(answers.map((answer) => answer.ok && answer.token)).size).toBe(1)
    expect(answers.filter((answer) => answer.ok && answer.repeated)).toHaveLength(1)
  })
})
