import { startMailWorker } from '#app/mail/run.server'
import { publishWebinar } from '#app/models/webinar.server'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { createUser, createWebinar } from '#tests/setup/factories'
import { parseMessage, waitUntil } from './__helpers/mail'

// The embedded default: no SMTP_URL, and every message is kept as raw MIME in the outbox, where
// someone trying the app can read it exactly as a mail client would have received it.

test('without SMTP_URL the running worker keeps each message as raw MIME that parses, calendar part included', async () => {
  const db = getDb()
  const env = getEnv()
  expect(env.SMTP_URL).toBeUndefined()
  const organiser = await createUser('organiser', { password: 'organiser-password-123' })
  const { id: webinarId } = await createWebinar(organiser.id, { complete: true })
  expect(await publishWebinar(db, webinarId)).toEqual({ ok: true })

  const logged: string[] = []
  const running = startMailWorker(db, env, (line) => logged.push(line))
  try {
    await waitUntil(
      async () => (await db.selectFrom('outbox').select('state').where('webinar_id', '=', webinarId).execute()).every((r) => r.state === 'sent'),
      10_000,
      'both briefs to be kept in the outbox',
    )
  } finally {
    await running.stop()
  }
  expect(logged).toEqual([])

  const rows = await db
    .selectFrom('outbox')
    .select(['state', 'transport', 'raw', 'message_id', 'recipient_email', 'kind', 'attempts'])
    .where('webinar_id', '=', webinarId)
    .execute()
  expect(rows.map((r) => r.kind).sort()).toEqual(['moderator_assignment', 'speaker_brief'])
  for (const row of rows) {
    expect(row).toMatchObject({ state: 'sent', transport: 'outbox', attempts: 1 })
    expect(row.raw).toBeTruthy()
    const { mail, calendar } = await parseMessage(row.raw!)
    expect(mail.messageId).toBe(row.message_id)
    const to = Array.isArray(mail.to) ? mail.to : [mail.to!]
    expect(to.flatMap((t) => t.value.map((v) => v.address))).toEqual([row.recipient_email])
    expect(mail.subject).toMatch(/^(Brief narasumber|Tugas moderator): /)
    expect(mail.text).toContain('https://zoom.us/j/123456789')
    expect(calendar).not.toBeNull()
    expect(calendar!.mimeMethod).toBe('REQUEST')
    expect(calendar!.calendar.getFirstPropertyValue('method')).toBe('REQUEST')
  }
})
