import ICAL from 'ical.js'
import { createMailTransport } from '#app/mail/transport.server'
import { publishWebinar } from '#app/models/webinar.server'
import { loader as briefCalendarLoader } from '#app/routes/brief.$token.calendar[.]ics'
import { loader as personalCalendarLoader } from '#app/routes/r.$token.calendar[.]ics'
import { getDb } from '#app/utils/db.server'
import { call, createUser, createWebinar, getRequest, register } from '#tests/setup/factories'
import { createWorker, deliverAll, parseMessage } from './__helpers/mail'

// Rows saved before links were checked strictly may hold a link with a space or a control
// character. Their mail and calendar files still render: the link as a browser would send it
// (the WHATWG serialisation, a space as %20), or, when it is no web link at all, as plain text
// without a URL property.

async function webinarWithStoredLinks(platformUrl: string, livestreamUrl: string) {
  const db = getDb()
  const organiser = await createUser('organiser', { password: 'organiser-password-123' })
  const { id } = await createWebinar(organiser.id, { complete: true })
  await db.updateTable('webinars').set({ platform_url: platformUrl, livestream_url: livestreamUrl }).where('id', '=', id).execute()
  expect(await publishWebinar(db, id)).toEqual({ ok: true })
  const resident = await register(id)
  const transport = createMailTransport(undefined)
  try {
    expect(await deliverAll(createWorker(transport))).toEqual({ sent: 3, failed: 0 })
  } finally {
    transport.close()
  }
  const rows = await db.selectFrom('outbox').select(['kind', 'raw']).where('webinar_id', '=', id).execute()
  const brief = await db.selectFrom('webinar_roles').select('brief_token').where('webinar_id', '=', id).where('role', '=', 'moderator').executeTakeFirstOrThrow()
  const files = [
    await call(personalCalendarLoader, getRequest(`/r/${resident.token}/calendar.ics`), { token: resident.token }),
    await call(briefCalendarLoader, getRequest(`/brief/${brief.brief_token}/calendar.ics`), { token: brief.brief_token! }),
  ]
  return { rows, files }
}

test('a stored join link with a space still gives every invitation and calendar file, the space sent as %20', async () => {
  const { rows, files } = await webinarWithStoredLinks('https://zoom.us/j/123 456?pwd=a b', 'https://youtube.com/live/ab cd')
  expect(rows.map((r) => r.kind).sort()).toEqual(['moderator_assignment', 'participant_invitation', 'speaker_brief'])
  for (const row of rows) {
    const { mail, calendar } = await parseMessage(row.raw!)
    expect(mail.text).toContain('https://zoom.us/j/123%20456?pwd=a%20b')
    expect(mail.text).toContain('https://youtube.com/live/ab%20cd')
    expect(mail.text).not.toContain('j/123 456')
    expect(calendar!.event.getFirstPropertyValue('url')).toBe('https://zoom.us/j/123%20456?pwd=a%20b')
    expect(calendar!.event.getFirstPropertyValue('location')).toBe('https://zoom.us/j/123%20456?pwd=a%20b')
  }
  for (const file of files) {
    expect(file.status).toBe(200)
    const event = new ICAL.Component(ICAL.parse(await file.text())).getFirstSubcomponent('vevent')!
    expect(event.getFirstPropertyValue('url')).toBe('https://zoom.us/j/123%20456?pwd=a%20b')
  }
})

test('a stored join link that is no web link at all is shown as text, and the calendar files carry no URL', async () => {
  const { rows, files } = await webinarWithStoredLinks('https://zoom .us/j/1\r\nBcc: x@example.org', 'youtube dot com')
  for (const row of rows) {
    const { mail, calendar } = await parseMessage(row.raw!)
    expect(mail.text).toContain('https://zoom .us/j/1')
    expect(mail.headers.has('bcc')).toBe(false)
    expect(calendar!.event.getFirstProperty('url')).toBeNull()
    expect(calendar!.event.getFirstPropertyValue('summary')).toBe('Literasi Digital untuk Warga')
  }
  for (const file of files) {
    expect(file.status).toBe(200)
    const event = new ICAL.Component(ICAL.parse(await file.text())).getFirstSubcomponent('vevent')!
    expect(event.getFirstProperty('url')).toBeNull()
  }
})
