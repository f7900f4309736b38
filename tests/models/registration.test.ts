import { cancelRegistration, countRegistrations, getRegistrationByToken, registerParticipant } from '#app/models/registration.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { getDb } from '#app/utils/db.server'
import { createWebinar, resident, signedInAs, webinarForm } from '#tests/setup/factories'
import { scriptEnv, spawnScript, waitForExit } from '#tests/setup/run-script'

const db = getDb()

async function publishedWebinar(capacity: number, form: Parameters<typeof webinarForm>[0] = {}) {
  const organiser = await signedInAs('organiser')
  const webinar = await createWebinar(organiser.id, { complete: true, form: { capacity, ...form } })
  const published = await publishWebinar(db, webinar.id)
  if (!published.ok) throw new Error('not published')
  return { ...webinar, organiserId: organiser.id }
}

async function mailsTo(email: string) {
  return db.selectFrom('outbox').select(['kind', 'payload']).where('recipient_email', '=', email).orderBy('created_at').execute()
}

test('with N seats, the first N are registered and the rest wait, in order', async () => {
  const webinar = await publishedWebinar(3)
  const results = []
  for (let i = 0; i < 5; i++) results.push(await registerParticipant(db, webinar.id, resident()))
  expect(results.map((r) => (r.ok ? r.status : r.reason))).toEqual(['registered', 'registered', 'registered', 'waitlisted', 'waitlisted'])
  expect(await countRegistrations(db, webinar.id)).toEqual({ registered: 3, waitlisted: 2, cancelled: 0 })
})

test('the invitation goes to a seat holder, the waitlist notice to the others', async () => {
  const webinar = await publishedWebinar(1)
  const seated = resident()
  const waiting = resident()
  await registerParticipant(db, webinar.id, seated)
  await registerParticipant(db, webinar.id, waiting)
  expect((await mailsTo(seated.email)).map((m) => m.kind)).toEqual(['participant_invitation'])
  expect((await mailsTo(waiting.email)).map((m) => m.kind)).toEqual(['waitlist_joined'])
  const payload = JSON.parse((await mailsTo(seated.email))[0]!.payload) as { personalUrl: string }
  expect(payload.personalUrl).toMatch(/\/r\/[A-Za-z0-9_-]{43}$/)
})

test('the same e-mail again creates no second row, answers the same, and mails the link again', async () => {
  const webinar = await publishedWebinar(10)
  const person = resident()
  const first = await registerParticipant(db, webinar.id, person)
  const again = await registerParticipant(db, webinar.id, { ...person, name: 'Nama Lain' })
  expect(first).toMatchObject({ ok: true, status: 'registered', repeated: false })
  expect(again).toMatchObject({ ok: true, status: 'registered', repeated: true })
  expect(again.ok && first.ok && again.token === first.token).toBe(true)
  const rows = await db.selectFrom('registrations').select(['name']).where('webinar_id', '=', webinar.id).execute()
  expect(rows).toEqual([{ name: person.name }])
  expect((await mailsTo(person.email)).map((m) => m.kind)).toEqual(['participant_invitation', 'participant_invitation'])
})

test('registrations arriving together (one group commit) take seats in arrival order, each with its own mail', async () => {
  const webinar = await publishedWebinar(3)
  const people = Array.from({ length: 5 }, () => resident())
  const twice = people[1]!
  const results = await Promise.all([...people, { ...twice, name: 'Nama Lain' }].map((person) => registerParticipant(db, webinar.id, person)))
  expect(results.map((r) => (r.ok ? `${r.status}${r.repeated ? ' again' : ''}` : r.reason))).toEqual([
    'registered',
    'registered',
    'registered',
    'waitlisted',
    'waitlisted',
    'registered again',
  ])
  const rows = await db.selectFrom('registrations').select(['email', 'status', 'position']).where('webinar_id', '=', webinar.id).orderBy('position').execute()
  expect(rows).toEqual(people.map((p, i) => ({ email: p.email, status: i < 3 ? 'registered' : 'waitlisted', position: i + 1 })))
  expect(await countRegistrations(db, webinar.id)).toEqual({ registered: 3, waitlisted: 2, cancelled: 0 })
  for (const [i, person] of people.entries()) {
    const expected = i < 3 ? ['participant_invitation'] : ['waitlist_joined']
    expect((await mailsTo(person.email)).map((m) => m.kind)).toEqual(person === twice ? [...expected, ...expected] : expected)
  }
})

test('one group commit across two webinars, with someone registering again after cancelling, keeps every count exact', async () => {
  const small = await publishedWebinar(2)
  const large = await publishedWebinar(10)
  const returning = resident()
  const before = await registerParticipant(db, small.id, returning)
  if (!before.ok) throw new Error(before.reason)
  expect(await cancelRegistration(db, before.token)).toBe(true)
  const arrivals = [
    [small.id, resident()],
    [large.id, resident()],
    [small.id, returning],
    [small.id, resident()],
    [large.id, resident()],
  ] as const
  const results = await Promise.all(arrivals.map(([webinarId, person]) => registerParticipant(db, webinarId, person)))
  expect(results.map((r) => (r.ok ? `${r.status}${r.repeated ? ' again' : ''}` : r.reason))).toEqual(['registered', 'registered', 'registered', 'waitlisted', 'registered'])
  // The returning resident has a new link; the old one stays dead.
  expect(results[2]!.ok && results[2]!.token !== before.token).toBe(true)
  expect(await getRegistrationByToken(db, before.token)).toBeUndefined()
  for (const webinar of [small, large]) {
    const counted = await db.selectFrom('webinars').select(['registered_count', 'registrations_total']).where('id', '=', webinar.id).executeTakeFirstOrThrow()
    const rows = await db.selectFrom('registrations').select(['status', 'position']).where('webinar_id', '=', webinar.id).orderBy('position').execute()
    expect(counted.registered_count).toBe(rows.filter((row) => row.status === 'registered').length)
    expect(rows.map((row) => row.position)).toEqual(webinar === small ? [2, 3, 4] : [1, 2])
    expect(counted.registrations_total).toBe(rows.at(-1)!.position)
  }
})

test('in one group commit, the rate limits count each registration in arrival order', async () => {
  const webinar = await publishedWebinar(10)
  const people = Array.from({ length: 4 }, () => resident())
  const perAddress = { limit: 2, windowMs: 10 * 60_000 }
  const key = `register:ip:group-${webinar.id}`
  const results = await Promise.all(people.map((person) => registerParticipant(db, webinar.id, person, undefined, [[key, perAddress]])))
  expect(results.map((r) => (r.ok ? r.status : r.reason))).toEqual(['registered', 'registered', 'tooMany', 'tooMany'])
  expect(results[3]).toMatchObject({ ok: false, reason: 'tooMany', retryAfterSeconds: expect.any(Number) })
  // The refused ones were not registered and were sent nothing.
  expect(await countRegistrations(db, webinar.id)).toEqual({ registered: 2, waitlisted: 0, cancelled: 0 })
  expect(await mailsTo(people[2]!.email)).toEqual([])
  expect((await mailsTo(people[1]!.email)).map((m) => m.kind)).toEqual(['participant_invitation'])
})

test('cancelling frees the seat for the first person waiting, who is told; the canceller gets a CANCEL', async () => {
  const webinar = await publishedWebinar(1)
  const seated = resident()
  const firstWaiting = resident()
  const secondWaiting = resident()
  const seat = await registerParticipant(db, webinar.id, seated)
  await registerParticipant(db, webinar.id, firstWaiting)
  await registerParticipant(db, webinar.id, secondWaiting)
  expect(seat.ok).toBe(true)
  if (!seat.ok) return
  expect(await cancelRegistration(db, seat.token)).toBe(true)
  expect(await cancelRegistration(db, seat.token)).toBe(false)
  expect((await getRegistrationByToken(db, seat.token))?.status).toBe('cancelled')
  const statuses = await db.selectFrom('registrations').select(['email', 'status']).where('webinar_id', '=', webinar.id).orderBy('position').execute()
  expect(statuses.map((r) => r.status)).toEqual(['cancelled', 'registered', 'waitlisted'])
  const seatedMails = await mailsTo(seated.email)
  expect(seatedMails.map((m) => m.kind)).toEqual(['participant_invitation', 'registration_cancelled'])
  // The personal CANCEL outranks the invitation it cancels.
  const sequenceOf = (payload: string) => (JSON.parse(payload) as { webinar: { sequence: number } }).webinar.sequence
  expect(sequenceOf(seatedMails[1]!.payload)).toBe(sequenceOf(seatedMails[0]!.payload) + 1)
  expect((await mailsTo(firstWaiting.email)).map((m) => m.kind)).toEqual(['waitlist_joined', 'waitlist_promotion'])
  const row = await db.selectFrom('webinars').select('registered_count').where('id', '=', webinar.id).executeTakeFirstOrThrow()
  expect(row.registered_count).toBe(1)
})

test('the waitlist moves up in arrival order, even for arrivals within one millisecond', async () => {
  const webinar = await publishedWebinar(1)
  const seat = await registerParticipant(db, webinar.id, resident())
  const waiting = []
  for (let i = 0; i < 15; i++) waiting.push(resident())
  await Promise.all(waiting.map((person) => registerParticipant(db, webinar.id, person)))
  const arrival = await db.selectFrom('registrations').select(['email']).where('webinar_id', '=', webinar.id).where('status', '=', 'waitlisted').orderBy('position').execute()
  expect(arrival.map((r) => r.email)).toEqual(waiting.map((p) => p.email))
  // Each cancellation hands the seat to the next in line.
  let token = seat.ok ? seat.token : ''
  for (const next of waiting.slice(0, 5)) {
    await cancelRegistration(db, token)
    const promoted = await db.selectFrom('registrations').select(['email', 'token']).where('webinar_id', '=', webinar.id).where('status', '=', 'registered').executeTakeFirstOrThrow()
    expect(promoted.email).toBe(next.email)
    token = promoted.token
  }
})

test('lowering the capacity below the registered count is refused; raising it moves the waitlist up', async () => {
  const webinar = await publishedWebinar(2)
  for (let i = 0; i < 4; i++) await registerParticipant(db, webinar.id, resident())
  const lower = await saveWebinar(db, webinarForm({ capacity: 1, slug: webinar.slug }), { webinarId: webinar.id, userId: webinar.organiserId })
  expect(lower).toEqual({ ok: false, errors: { capacity: ['webinar.capacityBelowRegistered?count=2'] } })
  const raise = await saveWebinar(db, webinarForm({ capacity: 3, slug: webinar.slug }), { webinarId: webinar.id, userId: webinar.organiserId })
  expect(raise.ok).toBe(true)
  expect(await countRegistrations(db, webinar.id)).toEqual({ registered: 3, waitlisted: 1, cancelled: 0 })
})

test('drafts, cancelled and finished webinars, and a closed window, refuse registrations', async () => {
  const organiser = await signedInAs('organiser')
  const draft = await createWebinar(organiser.id, { complete: true })
  expect(await registerParticipant(db, draft.id, resident())).toEqual({ ok: false, reason: 'notPublished' })

  const windowed = await publishedWebinar(10, {
    registrationOpensDate: '2030-03-01',
    registrationOpensTime: '08:00',
    registrationClosesDate: '2030-03-03',
    registrationClosesTime: '20:00',
  })
  expect(await registerParticipant(db, windowed.id, resident(), '2030-02-28T00:00:00.000Z')).toEqual({ ok: false, reason: 'notOpenYet' })
  expect((await registerParticipant(db, windowed.id, resident(), '2030-03-02T00:00:00.000Z')).ok).toBe(true)
  expect(await registerParticipant(db, windowed.id, resident(), '2030-03-03T13:00:00.000Z')).toEqual({ ok: false, reason: 'closed' })
  expect(await registerParticipant(db, windowed.id, resident(), '2030-03-04T06:00:00.000Z')).toEqual({ ok: false, reason: 'finished' })

  const { cancelWebinar } = await import('#app/models/webinar.server')
  await cancelWebinar(db, windowed.id)
  expect(await registerParticipant(db, windowed.id, resident(), '2030-03-02T00:00:00.000Z')).toEqual({ ok: false, reason: 'cancelled' })
})

test('parallel registrations from three processes on one database file never oversell', { timeout: 120_000 }, async () => {
  const seats = 25
  const webinar = await publishedWebinar(seats)
  const env = scriptEnv({ DATABASE_URL: process.env.DATABASE_URL, NODE_ENV: 'test', SESSION_SECRET: process.env.SESSION_SECRET, APP_URL: 'http://localhost:3000' })
  const children = ['a', 'b', 'c'].map((prefix) => spawnScript('tests/models/__helpers/register-many.ts', [webinar.id, prefix, '20'], env))
  const results = children.map((child) => waitForExit(child, 100_000))
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve())
          child.on('close', () => reject(new Error('a registering process exited before it was ready')))
        }),
    ),
  )
  for (const child of children) child.stdin!.end('go\n')
  const outputs = await Promise.all(results)
  const statuses = outputs.flatMap((output) => {
    expect(output.status, output.stderr).toBe(0)
    return JSON.parse(output.stdout.trim().split('\n').at(-1)!) as string[]
  })
  expect(statuses.filter((s) => s === 'registered')).toHaveLength(seats)
  expect(statuses.filter((s) => s === 'waitlisted')).toHaveLength(60 - seats)
  expect(await countRegistrations(db, webinar.id)).toEqual({ registered: seats, waitlisted: 60 - seats, cancelled: 0 })
  const row = await db.selectFrom('webinars').select('registered_count').where('id', '=', webinar.id).executeTakeFirstOrThrow()
  expect(row.registered_count).toBe(seats)
})
