import { enqueueDueReminders } from '#app/mail/notify.server'
import { cancelWebinar, publishWebinar } from '#app/models/webinar.server'
import { getDb } from '#app/utils/db.server'
import { createUser, createWebinar } from '#tests/setup/factories'

// Reminders go out one day and one hour before the start, each once, whenever the worker
// happens to look: twice in a minute, or for the first time after hours of downtime.

const HOUR = 3_600_000
const MINUTE = 60_000

/** A webinar at 09:00 WIB on `date`, published unless told otherwise; returns its id and start. */
async function webinarOn(date: string, options: { publish?: boolean } = {}) {
  const organiser = await createUser('organiser', { password: 'organiser-password-123' })
  const { id } = await createWebinar(organiser.id, { complete: true, form: { date, startTime: '09:00', endTime: '11:00' } })
  if (options.publish ?? true) expect(await publishWebinar(getDb(), id)).toEqual({ ok: true })
  const { start_at } = await getDb().selectFrom('webinars').select('start_at').where('id', '=', id).executeTakeFirstOrThrow()
  return { id, start: new Date(start_at!).getTime() }
}

async function remindersFor(webinarId: string) {
  const rows = await getDb()
    .selectFrom('outbox')
    .select(['kind', 'recipient_email', 'payload'])
    .where('webinar_id', '=', webinarId)
    .where('kind', 'in', ['reminder_day', 'reminder_hour'])
    .execute()
  return { day: rows.filter((r) => r.kind === 'reminder_day'), hour: rows.filter((r) => r.kind === 'reminder_hour') }
}

const at = (ms: number) => new Date(ms)

test('the day reminder and the hour reminder are each queued once, however often the worker looks', async () => {
  const { id, start } = await webinarOn('2031-01-10')
  expect(start).toBe(Date.parse('2031-01-10T02:00:00.000Z'))

  await enqueueDueReminders(getDb(), at(start - 25 * HOUR))
  expect(await remindersFor(id)).toEqual({ day: [], hour: [] })

  await enqueueDueReminders(getDb(), at(start - 23 * HOUR))
  const afterDay = await remindersFor(id)
  // The moderator and the speaker, each once.
  expect(afterDay.day).toHaveLength(2)
  expect(new Set(afterDay.day.map((r) => r.recipient_email)).size).toBe(2)
  expect(afterDay.hour).toHaveLength(0)
  const payload = JSON.parse(afterDay.day[0]!.payload) as { kind: string; webinar: { platformUrl: string } }
  expect(payload.webinar.platformUrl).toBe('https://zoom.us/j/123456789')

  await enqueueDueReminders(getDb(), at(start - 23 * HOUR))
  await enqueueDueReminders(getDb(), at(start - 2 * HOUR))
  expect((await remindersFor(id)).day).toHaveLength(2)
  expect((await remindersFor(id)).hour).toHaveLength(0)

  await enqueueDueReminders(getDb(), at(start - 59 * MINUTE))
  expect((await remindersFor(id)).hour).toHaveLength(2)
  await enqueueDueReminders(getDb(), at(start - 59 * MINUTE))
  await enqueueDueReminders(getDb(), at(start - 5 * MINUTE))
  await enqueueDueReminders(getDb(), at(start + 5 * MINUTE))
  const final = await remindersFor(id)
  expect(final.day).toHaveLength(2)
  expect(final.hour).toHaveLength(2)
})

test('after downtime that spans the day reminder, only the hour reminder goes out', async () => {
  const { id, start } = await webinarOn('2031-02-10')
  await enqueueDueReminders(getDb(), at(start - 30 * MINUTE))
  const reminders = await remindersFor(id)
  expect(reminders.day).toHaveLength(0)
  expect(reminders.hour).toHaveLength(2)
  await enqueueDueReminders(getDb(), at(start - 20 * MINUTE))
  expect(await remindersFor(id)).toEqual(reminders)
})

test('a webinar that has started, is a draft, or was cancelled gets no reminder', async () => {
  const started = await webinarOn('2031-03-10')
  const draft = await webinarOn('2031-03-11', { publish: false })
  const cancelled = await webinarOn('2031-03-12')
  expect(await cancelWebinar(getDb(), cancelled.id, new Date(cancelled.start - 48 * HOUR).toISOString())).toEqual({ ok: true })

  // The worker was down until five minutes after the first one started.
  await enqueueDueReminders(getDb(), at(started.start + 5 * MINUTE))
  for (const moment of [draft.start - 23 * HOUR, draft.start - 30 * MINUTE]) await enqueueDueReminders(getDb(), at(moment))
  for (const moment of [cancelled.start - 23 * HOUR, cancelled.start - 30 * MINUTE]) await enqueueDueReminders(getDb(), at(moment))

  for (const webinar of [started, draft, cancelled]) expect(await remindersFor(webinar.id)).toEqual({ day: [], hour: [] })
})

test('with a pre-test on, the hour reminder invites the residents to it, and only them', async () => {
  const { saveWebinarTests } = await import('#app/models/learning-test.server')
  const { createQuestion } = await import('#app/models/question.server')
  const { renderMail } = await import('#app/mail/templates.server')
  const { register } = await import('#tests/setup/factories')
  const organiser = await createUser('organiser')
  await createQuestion(getDb(), { pillar: 'cakap', difficulty: 'easy', prompt: 'Apa itu peramban?', options: ['a', 'b'], correctOption: 0, explanation: null }, organiser.id)
  const { id, start } = await webinarOn('2031-02-10')
  const resident = await register(id)
  expect(await saveWebinarTests(getDb(), id, { pre: true, post: false, postOpenDays: 7, questionsPerPillar: 1 }, organiser.id)).toMatchObject({ ok: true })

  await enqueueDueReminders(getDb(), at(start - 23 * HOUR))
  const day = (await remindersFor(id)).day.map((r) => JSON.parse(r.payload) as { preTest?: unknown })
  expect(day.every((p) => p.preTest === undefined)).toBe(true)

  await enqueueDueReminders(getDb(), at(start - 59 * MINUTE))
  const hour = (await remindersFor(id)).hour
  const toResident = hour.find((r) => r.recipient_email === resident.email)!
  const payload = JSON.parse(toResident.payload)
  expect(payload.preTest).toEqual({ url: expect.stringMatching(new RegExp(`/r/${resident.token}/test/pre$`)), questions: 1 })
  for (const staff of hour.filter((r) => r.recipient_email !== resident.email)) expect(JSON.parse(staff.payload).preTest).toBeNull()
  const mail = renderMail(payload, { name: resident.name, email: resident.email, lang: 'id' }, { name: 'Literasi', email: 'literasi@example.org' })
  expect(mail.text).toContain('kerjakan pre-test singkat (1 soal)')
  expect(mail.text).toContain(`/r/${resident.token}/test/pre`)
})
