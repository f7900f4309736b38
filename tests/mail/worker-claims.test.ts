// The mail worker's jobs list what is due, then claim each item with a conditional UPDATE. What
// made it due can change in between (an organiser cancels, moves the webinar, changes the "thank
// you" delay): each claim re-checks it, so a change that lands between the list and the claim is
// obeyed. Both engines, two connections standing in for the app and a worker on another machine;
// each case also runs with the re-check off (the lock rule's control run), which must break.
import { enqueueDueReminders, enqueueDueThankYous } from '#app/mail/notify.server'
import { getAfterWebinarSettings, saveAfterWebinarSettings } from '#app/models/after-webinar.server'
import { cancelWebinar } from '#app/models/webinar.server'
import { createDb, getDb, type DB } from '#app/utils/db.server'
import { onRacePoint, setLockRuleForTests } from '#app/utils/race-points.server'
import { readDuring } from '#tests/models/__helpers/race'
import { publishedWebinar, register } from '#tests/setup/factories'

const MINUTE = 60_000

const pools = {} as { app: DB; worker: DB }
beforeAll(() => {
  pools.app = createDb(process.env.DATABASE_URL!)
  pools.worker = createDb(process.env.DATABASE_URL!)
})
afterAll(async () => {
  setLockRuleForTests(true)
  await pools.app.destroy()
  await pools.worker.destroy()
})

async function mailsOf(webinarId: string) {
  const rows = await getDb().selectFrom('outbox').select('kind').where('webinar_id', '=', webinarId).execute()
  const count: Record<string, number> = {}
  for (const row of rows) count[row.kind] = (count[row.kind] ?? 0) + 1
  return count
}

async function startOf(webinarId: string): Promise<number> {
  const row = await getDb().selectFrom('webinars').select('start_at').where('id', '=', webinarId).executeTakeFirstOrThrow()
  return Date.parse(row.start_at!)
}

/** Runs `run` with the lock rule as given, restoring it afterwards. */
async function withLockRule<T>(lockRule: boolean, run: () => Promise<T>): Promise<T> {
  setLockRuleForTests(lockRule)
  try {
    return await run()
  } finally {
    setLockRuleForTests(true)
  }
}

describe.each([
  { lockRule: true, run: 'with the claim re-checking' },
  { lockRule: false, run: 'control: a claim on the sent mark alone, the race shows' },
])('$run', ({ lockRule }) => {
  // Each webinar on a day of its own, so one test's worker pass does not meet another's webinars.
  const day = lockRule ? 10 : 20

  test('an organiser cancels while the worker lists the due reminders: the registrants get the cancellation, and no reminder', async () => {
    const webinar = await publishedWebinar({ date: `2031-06-${day}` })
    for (let i = 0; i < 3; i++) await register(webinar.id)
    const now = new Date((await startOf(webinar.id)) - 30 * MINUTE)
    // The cancel has read the webinar (and holds its lock) when the worker lists it as due; the
    // worker's claim comes after the cancel has committed.
    const [cancelled, queued] = await readDuring(
      lockRule,
      { point: 'cancel-webinar:after-read', run: () => cancelWebinar(pools.app, webinar.id, now.toISOString()) },
      { point: 'reminder:after-list', run: () => enqueueDueReminders(pools.worker, now) },
    )
    expect(cancelled).toEqual({ ok: true })
    const mails = await mailsOf(webinar.id)
    // The moderator, the speaker and three residents hear of the cancellation.
    expect(mails.cancellation).toBe(5)
    const reminded = queued > 0 || (mails.reminder_hour ?? 0) + (mails.reminder_day ?? 0) > 0
    expect(reminded).toBe(!lockRule)
  })

  test('the webinar moved a week later between the list and the claim: no reminder now; the hour reminder comes an hour before the new start', async () => {
    const webinar = await publishedWebinar({ date: `2031-07-${day}` })
    await register(webinar.id)
    const start = await startOf(webinar.id)
    const week = 7 * 24 * 60 * MINUTE
    const moved = onRacePoint('reminder:after-list', async () => {
      await getDb()
        .updateTable('webinars')
        .set((eb) => ({ start_at: new Date(start + week).toISOString(), end_at: new Date(start + week + 180 * MINUTE).toISOString(), calendar_sequence: eb('calendar_sequence', '+', 1) }))
        .where('id', '=', webinar.id)
        .execute()
    })
    try {
      await withLockRule(lockRule, () => enqueueDueReminders(pools.worker, new Date(start - 30 * MINUTE)))
    } finally {
      moved()
    }
    expect((await mailsOf(webinar.id)).reminder_hour === undefined).toBe(lockRule)
    if (!lockRule) return
    await enqueueDueReminders(pools.worker, new Date(start + week - 30 * MINUTE))
    expect((await mailsOf(webinar.id)).reminder_hour).toBe(3)
  })

  test('the organiser lengthens the "thank you" delay between the list and the claim: it waits for the new time', async () => {
    const webinar = await publishedWebinar({ date: `2031-08-${day}` })
    const seated = await register(webinar.id)
    const end = Date.parse((await getDb().selectFrom('webinars').select('end_at').where('id', '=', webinar.id).executeTakeFirstOrThrow()).end_at!)
    const settings = await getAfterWebinarSettings(getDb(), webinar.id)
    const changed = onRacePoint('thank-you:after-list', () =>
      saveAfterWebinarSettings(pools.app, webinar.id, { ...settings, thankYouDelayHours: 48 }),
    )
    try {
      // Due at the default delay of an hour, as the worker lists it.
      await withLockRule(lockRule, () => enqueueDueThankYous(pools.worker, new Date(end + 61 * MINUTE)))
    } finally {
      changed()
    }
    const early = (await mailsOf(webinar.id)).thank_you
    expect(early === undefined).toBe(lockRule)
    if (!lockRule) return
    await enqueueDueThankYous(pools.worker, new Date(end + 47 * 60 * MINUTE))
    expect((await mailsOf(webinar.id)).thank_you).toBeUndefined()
    await enqueueDueThankYous(pools.worker, new Date(end + 48 * 60 * MINUTE + MINUTE))
    const sent = await getDb().selectFrom('outbox').select('recipient_email').where('webinar_id', '=', webinar.id).where('kind', '=', 'thank_you').execute()
    expect(sent.map((m) => m.recipient_email)).toEqual([seated.email])
  })
})
