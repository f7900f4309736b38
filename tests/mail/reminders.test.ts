import { dayReminderIsTrue, enqueueDueReminders } from '#app/mail/notify.server'
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

// Reminders only when their wording is true: "tomorrow" only the day before, where the webinar
// is held; never two reminders to one person within an hour.

test('a webinar published on its own day: no "tomorrow" to anyone registered on the day; the hour reminder alone, once', async () => {
  const { id, start } = await webinarOn('2031-04-10')
  // The worker first sees it due 66 minutes before the start (09:00 WIB, so 07:54 that morning).
  await enqueueDueReminders(getDb(), at(start - 66 * MINUTE))
  expect(await remindersFor(id)).toEqual({ day: [], hour: [] })
  await enqueueDueReminders(getDb(), at(start - 60 * MINUTE))
  const reminders = await remindersFor(id)
  expect(reminders.day).toHaveLength(0)
  expect(reminders.hour).toHaveLength(2)
  // The skipped "tomorrow" does not come back later either.
  await enqueueDueReminders(getDb(), at(start - 30 * MINUTE))
  expect(await remindersFor(id)).toEqual(reminders)
})

test('after downtime until the early hours of the day itself, "tomorrow" is no longer true and is skipped', async () => {
  const { id, start } = await webinarOn('2031-04-11')
  // 01:00 WIB on the day: eight hours ahead, but today, not tomorrow.
  await enqueueDueReminders(getDb(), at(start - 8 * HOUR))
  expect((await remindersFor(id)).day).toHaveLength(0)
  await enqueueDueReminders(getDb(), at(start - 59 * MINUTE))
  expect(await remindersFor(id)).toMatchObject({ day: [], hour: [{}, {}] })
})

test('a day reminder queued late is still at least an hour before the hour reminder', async () => {
  const organiser = await createUser('organiser', { password: 'organiser-password-123' })
  // 00:30 WIB: "tomorrow" is still true at 23:00 the evening before, but the hour reminder follows at 23:30.
  const { id } = await createWebinar(organiser.id, { complete: true, form: { date: '2031-04-12', startTime: '00:30', endTime: '02:00' } })
  expect(await publishWebinar(getDb(), id)).toEqual({ ok: true })
  const start = Date.parse('2031-04-11T17:30:00.000Z')
  await enqueueDueReminders(getDb(), at(start - 90 * MINUTE))
  expect((await remindersFor(id)).day).toHaveLength(0)
  await enqueueDueReminders(getDb(), at(start - 60 * MINUTE))
  expect((await remindersFor(id)).hour).toHaveLength(2)

  // Two hours ahead, the evening before, it is still true: sent, then the hour reminder an hour later.
  const { id: later } = await createWebinar(organiser.id, { complete: true, form: { date: '2031-04-13', startTime: '00:30', endTime: '02:00' } })
  expect(await publishWebinar(getDb(), later)).toEqual({ ok: true })
  const laterStart = Date.parse('2031-04-12T17:30:00.000Z')
  await enqueueDueReminders(getDb(), at(laterStart - 120 * MINUTE))
  expect((await remindersFor(later)).day).toHaveLength(2)
})

test('"tomorrow" is judged on the calendar where the webinar is held (WIT, not the server\'s UTC)', () => {
  // 09:00 WIT on 20 May is 00:00 UTC that day; at 10:00 WIT on 19 May (01:00 UTC) it is tomorrow there.
  const webinar = { startAt: '2031-05-20T00:00:00.000Z', timeZone: 'WIT' as const }
  expect(dayReminderIsTrue(webinar, '2031-05-19T01:00:00.000Z')).toBe(true)
  // At 00:30 WIT on 20 May (15:30 UTC on the 19th, still "the day before" in UTC) it is today in Papua.
  expect(dayReminderIsTrue(webinar, '2031-05-19T15:30:00.000Z')).toBe(false)
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

test('the hour reminder invites only the residents who have not finished the pre-test; through a real SMTP server each reads what is true for them', async () => {
  const { finishAttempt, getAttemptView, saveAnswers, saveWebinarTests, startAttempt } = await import('#app/models/learning-test.server')
  const { createQuestion } = await import('#app/models/question.server')
  const { register } = await import('#tests/setup/factories')
  const { deliverAll, parseMessage, smtpWorker } = await import('./__helpers/mail')
  const { startSmtpSink } = await import('./__helpers/smtp-sink')
  const organiser = await createUser('organiser')
  await createQuestion(getDb(), { pillar: 'cakap', difficulty: 'easy', prompt: 'Apa itu tautan?', options: ['a', 'b'], correctOption: 1, explanation: null }, organiser.id)
  const { id, start } = await webinarOn('2031-02-11')
  expect(await saveWebinarTests(getDb(), id, { pre: true, post: false, postOpenDays: 7, questionsPerPillar: 1 }, organiser.id)).toMatchObject({ ok: true })
  const done = await register(id, { name: 'Sudah Selesai' })
  const halfway = await register(id, { name: 'Baru Mulai' })
  const fresh = await register(id, { name: 'Belum Mulai' })
  // One finished the pre-test; one began it and stopped before finishing; one never opened it.
  for (const token of [done.token, halfway.token]) expect(await startAttempt(getDb(), token, 'pre')).toMatchObject({ ok: true })
  const question = (await getAttemptView(getDb(), done.token, 'pre'))!.attempt!.questions[0]!
  expect(await saveAnswers(getDb(), done.token, 'pre', [{ questionId: question.id, option: 1 }])).toEqual({ ok: true })
  expect(await finishAttempt(getDb(), done.token, 'pre')).toMatchObject({ ok: true })

  const sink = await startSmtpSink()
  const mailer = smtpWorker(sink.url)
  try {
    // The invitations first, so that what arrives next is the reminder alone.
    await deliverAll(mailer.worker)
    const from = sink.messages.length
    await enqueueDueReminders(getDb(), at(start - 59 * MINUTE))
    await deliverAll(mailer.worker)
    const received = async (email: string) => {
      const mine = sink.messages.slice(from).filter((m) => m.envelope.rcptTo.includes(email))
      expect(mine, email).toHaveLength(1)
      return (await parseMessage(mine[0]!.raw)).mail
    }
    // Finished: still reminded of the webinar, but not asked to take a test already taken.
    const toDone = await received(done.email)
    expect(toDone.subject).toContain('Satu jam lagi')
    expect(toDone.text).not.toContain('pre-test')
    expect(toDone.html).not.toContain('/test/pre')
    for (const resident of [halfway, fresh]) {
      const mail = await received(resident.email)
      expect(mail.text).toContain('kerjakan pre-test singkat (1 soal)')
      expect(mail.text).toContain(`/r/${resident.token}/test/pre`)
    }
  } finally {
    mailer.transport.close()
    await sink.stop()
  }
})
