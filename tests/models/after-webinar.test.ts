// After the webinar, in the models: the "thank you" mail (due at the organiser's time, queued once
// however many workers ask), erasure and the retention purge making evaluations anonymous (the
// means stay, the comments go), and submissions racing each other.
import { enqueueDueThankYous } from '#app/mail/notify.server'
import { renderMail } from '#app/mail/templates.server'
import type { MailPayload } from '#app/mail/payload'
import { getEvaluationForm, getEvaluationReport, ratingFields, submitEvaluation } from '#app/models/evaluation.server'
import { eraseRegistrationByToken, purgeExpiredPersonalData, setRetentionMonths } from '#app/models/personal-data.server'
import { getDb } from '#app/utils/db.server'
import { publishedWebinar, register } from '#tests/setup/factories'

const db = getDb()

// The factory's webinar on 2030-03-04 ends at 12:00 WIB.
const END = '2030-03-04T05:00:00.000Z'
const minutesAfterEnd = (minutes: number) => new Date(Date.parse(END) + minutes * 60_000)

async function thankYous(webinarId: string) {
  return db.selectFrom('outbox').select(['recipient_email', 'payload', 'lang']).where('webinar_id', '=', webinarId).where('kind', '=', 'thank_you').execute()
}

describe('the thank-you mail', () => {
  test('goes to every seat holder once, at the organiser\'s time (default an hour after the end), with the evaluation link', async () => {
    const webinar = await publishedWebinar()
    const a = await register(webinar.id)
    const b = await register(webinar.id, { lang: 'en' })
    await db.updateTable('webinars').set({ recording_url: 'https://www.youtube.com/watch?v=rekaman' }).where('id', '=', webinar.id).execute()

    await enqueueDueThankYous(db, minutesAfterEnd(59))
    expect(await thankYous(webinar.id)).toEqual([])
    // Two workers (or machines) asking at once, and later again: one mail each.
    await Promise.all([enqueueDueThankYous(db, minutesAfterEnd(61)), enqueueDueThankYous(db, minutesAfterEnd(61))])
    await enqueueDueThankYous(db, minutesAfterEnd(120))
    const sent = await thankYous(webinar.id)
    expect(sent.map((m) => m.recipient_email).sort()).toEqual([a.email, b.email].sort())

    const payload = JSON.parse(sent.find((m) => m.recipient_email === a.email)!.payload) as Extract<MailPayload, { kind: 'thank_you' }>
    expect(payload.evaluationUrl).toMatch(new RegExp(`/r/${a.token}/evaluation$`))
    expect(payload.recordingUrl).toBe('https://www.youtube.com/watch?v=rekaman')
    const rendered = renderMail(payload, { name: a.name, email: a.email, lang: 'id' }, { name: 'Literasi', email: 'literasi@example.org' })
    expect(rendered.text).toContain(payload.evaluationUrl)
    expect(rendered.text).toContain('https://www.youtube.com/watch?v=rekaman')
    expect(rendered.calendar).toBeNull()
  })

  test('follows the organiser\'s delay, and skips the waitlist, the cancelled and cancelled webinars', async () => {
    const webinar = await publishedWebinar({ capacity: 1 })
    const seated = await register(webinar.id)
    await register(webinar.id) // waitlisted
    await db.updateTable('webinars').set({ thank_you_delay_minutes: 180 }).where('id', '=', webinar.id).execute()
    await enqueueDueThankYous(db, minutesAfterEnd(120))
    expect(await thankYous(webinar.id)).toEqual([])
    await enqueueDueThankYous(db, minutesAfterEnd(181))
    expect((await thankYous(webinar.id)).map((m) => m.recipient_email)).toEqual([seated.email])

    const cancelled = await publishedWebinar()
    await register(cancelled.id)
    await db.updateTable('webinars').set({ status: 'cancelled' }).where('id', '=', cancelled.id).execute()
    await enqueueDueThankYous(db, minutesAfterEnd(61))
    expect(await thankYous(cancelled.id)).toEqual([])
  })

  test('is not sent more than a week late (after downtime, or for webinars from before this feature)', async () => {
    const webinar = await publishedWebinar()
    await register(webinar.id)
    await enqueueDueThankYous(db, minutesAfterEnd(60 + 8 * 24 * 60))
    expect(await thankYous(webinar.id)).toEqual([])
  })
})

describe('evaluations and personal data', () => {
  async function evaluatedWebinar() {
    const webinar = await publishedWebinar({ date: '2021-09-01' })
    const people = [await register(webinar.id, {}, '2021-08-01T00:00:00.000Z'), await register(webinar.id, {}, '2021-08-01T00:00:00.000Z')]
    for (const [i, person] of people.entries()) {
      const form = (await getEvaluationForm(db, person.token))!
      const ratings = ratingFields(form).map((f) => ({ item: f.item, subject: f.subject, rating: i === 0 ? 5 : 3 }))
      expect(await submitEvaluation(db, person.token, { ratings, comment: `Saya ${person.name}, nomor WA ${person.whatsapp}` })).toEqual({ ok: true })
    }
    return { webinar, people }
  }

  test('erasure makes the evaluation anonymous and removes its comment; the means stay', async () => {
    const { webinar, people } = await evaluatedWebinar()
    const before = await getEvaluationReport(db, webinar.id)
    expect(await eraseRegistrationByToken(db, people[0]!.token)).not.toBeNull()
    const rows = await db.selectFrom('evaluations').select(['registration_id', 'comment', 'anonymised_at']).where('webinar_id', '=', webinar.id).orderBy('submitted_at').execute()
    const erased = rows.filter((r) => r.registration_id === null)
    expect(erased).toHaveLength(1)
    expect(erased[0]).toMatchObject({ comment: null, anonymised_at: expect.any(String) })
    expect(rows.find((r) => r.registration_id === people[1]!.id)!.comment).toContain(people[1]!.name)
    const after = await getEvaluationReport(db, webinar.id)
    expect(after.means).toEqual(before.means)
    expect(after.evaluations).toBe(2)
    expect(after.comments.map((c) => c.text).join(' ')).not.toContain(people[0]!.name)
    const purge = await db.selectFrom('data_purges').select('detail').where('webinar_id', '=', webinar.id).executeTakeFirstOrThrow()
    expect(JSON.parse(purge.detail)).toMatchObject({ evaluations: 1 })
  })

  test('the retention purge does the same for every registrant of the webinar', async () => {
    const { webinar } = await evaluatedWebinar()
    const before = await getEvaluationReport(db, webinar.id)
    await setRetentionMonths(db, 1, webinar.organiser.id)
    try {
      await purgeExpiredPersonalData(db, null)
    } finally {
      await setRetentionMonths(db, null, webinar.organiser.id)
    }
    const rows = await db.selectFrom('evaluations').select(['registration_id', 'comment']).where('webinar_id', '=', webinar.id).execute()
    expect(rows).toEqual([
      { registration_id: null, comment: null },
      { registration_id: null, comment: null },
    ])
    const after = await getEvaluationReport(db, webinar.id)
    expect(after.means).toEqual(before.means)
    expect(after.comments).toEqual([])
  })

  test('two submissions of one registration at once: one is saved, the other finds it', async () => {
    const webinar = await publishedWebinar({ date: '2021-09-01' })
    const person = await register(webinar.id, {}, '2021-08-01T00:00:00.000Z')
    const form = (await getEvaluationForm(db, person.token))!
    const ratings = ratingFields(form).map((f) => ({ item: f.item, subject: f.subject, rating: 4 }))
    const results = await Promise.all([submitEvaluation(db, person.token, { ratings, comment: null }), submitEvaluation(db, person.token, { ratings, comment: null })])
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'already' }])
    expect(await db.selectFrom('evaluations').select('id').where('registration_id', '=', person.id).execute()).toHaveLength(1)
  })
})
