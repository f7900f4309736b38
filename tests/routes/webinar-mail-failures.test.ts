import { resendMail } from '#app/models/outbox.server'
import { loader as pageLoader } from '#app/routes/admin.webinars.$slug._index'
import { getDb } from '#app/utils/db.server'
import { call, getRequest, publishedWebinar, register, signedInAs } from '#tests/setup/factories'
import { deliverAll, smtpWorker } from '#tests/mail/__helpers/mail'
import { startSmtpSink } from '#tests/mail/__helpers/smtp-sink'

// Mail that could not be made or sent for a webinar is the organiser's to see on that webinar's
// page, not only in the Outbox: a participant without an invitation has no personal link.

type FailedMail = { count: number; reasons: Array<{ error: string; count: number }> }

async function failedMailOn(slug: string, cookie: string): Promise<FailedMail> {
  const response = await call(pageLoader, getRequest(`/admin/webinars/${slug}`, { cookie }), { slug })
  expect(response.status).toBe(200)
  return ((await response.json()) as { failedMail: FailedMail }).failedMail
}

/** The worker's `now` option: real time, plus however far the test has moved it forward. */
function manualClock() {
  let offset = 0
  return { now: () => new Date(Date.now() + offset), advance: (ms: number) => (offset += ms) }
}

test("a webinar's page counts its mail that failed, for good, with each reason; mail still being retried is not counted", async () => {
  const db = getDb()
  const organiser = await signedInAs('organiser')
  const webinar = await publishedWebinar({ topic: 'Surat Gagal' }, organiser)
  const resident = await register(webinar.id)
  expect(await failedMailOn(webinar.slug, organiser.cookie)).toEqual({ count: 0, reasons: [] })

  // A stored message that cannot be rendered (here: its payload is damaged) fails at once.
  const invitation = await db
    .selectFrom('outbox')
    .select('id')
    .where('webinar_id', '=', webinar.id)
    .where('recipient_email', '=', resident.email)
    .executeTakeFirstOrThrow()
  await db.updateTable('outbox').set({ payload: '{"kind":"participant_invitation"}' }).where('id', '=', invitation.id).execute()

  // The relay refuses the two briefs: they are retried on the schedule before they fail.
  const sink = await startSmtpSink({ reply: { code: 550, message: '5.1.1 Mailbox does not exist' } })
  const clock = manualClock()
  const { transport, worker } = smtpWorker(sink.url, { now: clock.now })
  try {
    // (The organiser's own account invitation is refused too; it belongs to no webinar.)
    expect((await deliverAll(worker)).sent).toBe(0)
    const afterFirst = await failedMailOn(webinar.slug, organiser.cookie)
    expect(afterFirst.count).toBe(1)
    expect(afterFirst.reasons).toEqual([{ error: expect.stringMatching(/^render: /), count: 1 }])

    for (let attempt = 2; attempt <= 6; attempt++) {
      clock.advance(3_600_000)
      expect((await deliverAll(worker)).sent, `attempt ${attempt}`).toBe(0)
    }
  } finally {
    transport.close()
    await sink.stop()
  }

  const failed = await failedMailOn(webinar.slug, organiser.cookie)
  expect(failed.count).toBe(3)
  expect(failed.reasons).toEqual([
    { error: expect.stringMatching(/^550 5\.1\.1 Mailbox does not exist/), count: 2 },
    { error: expect.stringMatching(/^render: /), count: 1 },
  ])

  // Another webinar's page shows none of it.
  const other = await publishedWebinar({ topic: 'Surat Lancar' }, organiser)
  expect(await failedMailOn(other.slug, organiser.cookie)).toEqual({ count: 0, reasons: [] })

  // A message the organiser sends again is no longer counted as failed.
  expect(await resendMail(db, invitation.id)).toBe(true)
  expect((await failedMailOn(webinar.slug, organiser.cookie)).count).toBe(2)
})
