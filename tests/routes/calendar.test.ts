import ICAL from 'ical.js'
import { cancelWebinar, finishWebinar, publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { loader as calendarLoader } from '#app/routes/webinars.$slug.calendar[.]ics'
import { loader as publicPageLoader } from '#app/routes/webinars.$slug._index'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { call, createWebinar, getRequest, signedInAs, webinarForm } from '#tests/setup/factories'

const db = getDb()

function download(slug: string) {
  return call(calendarLoader, getRequest(`/webinars/${slug}/calendar.ics`), { slug })
}

/** Tests unfold before they assert, as a calendar client does. */
function unfolded(text: string): string {
  return text.replace(/\r\n[ \t]/g, '')
}

async function stored(webinarId: string) {
  return db.selectFrom('webinars').select(['calendar_uid', 'calendar_sequence']).where('id', '=', webinarId).executeTakeFirstOrThrow()
}

async function publishedWebinar(topic: string) {
  const organiser = await signedInAs('organiser')
  const webinar = await createWebinar(organiser.id, { complete: true, form: { topic } })
  expect((await publishWebinar(db, webinar.id)).ok).toBe(true)
  return { ...webinar, organiser }
}

describe('the public calendar file', () => {
  test('is METHOD:PUBLISH with the stored UID and SEQUENCE, in UTC, linking to the public page', async () => {
    const webinar = await publishedWebinar('Tata Kelola Pelayanan Publik Berbasis Digital')
    const response = await download(webinar.slug)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('text/calendar; charset=utf-8; method=PUBLISH')
    expect(response.headers.get('Content-Disposition')).toBe(`attachment; filename="${webinar.slug}.ics"`)
    const text = await response.text()
    const calendar = new ICAL.Component(ICAL.parse(text))
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH')
    const event = calendar.getFirstSubcomponent('vevent')!
    const { calendar_uid, calendar_sequence } = await stored(webinar.id)
    expect(event.getFirstPropertyValue('uid')).toBe(calendar_uid)
    expect(event.getFirstPropertyValue('sequence')).toBe(calendar_sequence)
    expect(event.getFirstPropertyValue('summary')).toBe('Tata Kelola Pelayanan Publik Berbasis Digital')
    // 09.00–12.00 WIB on 4 March 2030.
    expect(unfolded(text)).toContain('DTSTART:20300304T020000Z')
    expect(unfolded(text)).toContain('DTEND:20300304T050000Z')
    expect(event.getFirstPropertyValue('url')).toBe(`${getEnv().APP_URL}/webinars/${webinar.slug}`)
  })

  test('names no attendee, no person, and not the join link, meeting ID or passcode', async () => {
    const webinar = await publishedWebinar('Cerdas Bermedia Sosial')
    const text = unfolded(await (await download(webinar.slug)).text())
    const event = new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent')!
    expect(event.getFirstProperty('attendee')).toBeNull()
    expect(text).not.toMatch(/^ATTENDEE/m)
    const people = await db
      .selectFrom('webinar_roles')
      .innerJoin('people', 'people.id', 'webinar_roles.person_id')
      .select(['people.name', 'people.email'])
      .where('webinar_roles.webinar_id', '=', webinar.id)
      .execute()
    expect(people.length).toBe(2)
    for (const person of people) {
      expect(text).not.toContain(person.name)
      expect(text).not.toContain(person.email!)
    }
    for (const secret of ['zoom.us', '123456789', '123 456 789', 'rahasia']) expect(text).not.toContain(secret)
  })

  test('carries the current SEQUENCE after a reschedule', async () => {
    const webinar = await publishedWebinar('Aman Bertransaksi Digital')
    const moved = await saveWebinar(db, webinarForm({ topic: 'Aman Bertransaksi Digital', startTime: '13:00', endTime: '15:00' }), {
      webinarId: webinar.id,
      userId: webinar.organiser.id,
    })
    expect(moved.ok).toBe(true)
    const text = await (await download(webinar.slug)).text()
    const event = new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent')!
    expect(event.getFirstPropertyValue('sequence')).toBe(1)
    expect(unfolded(text)).toContain('DTSTART:20300304T060000Z')
  })

  test('is offered for a finished webinar too', async () => {
    const webinar = await publishedWebinar('Budaya Digital Nusantara')
    expect((await finishWebinar(db, webinar.id, '2030-03-05T00:00:00.000Z')).ok).toBe(true)
    expect((await download(webinar.slug)).status).toBe(200)
  })

  test('after a cancellation is a PUBLISH with STATUS:CANCELLED and a higher SEQUENCE, and the public page still says so', async () => {
    const webinar = await publishedWebinar('Dibatalkan Setelah Diumumkan')
    const before = new ICAL.Component(ICAL.parse(await (await download(webinar.slug)).text())).getFirstSubcomponent('vevent')!
    expect(before.getFirstPropertyValue('status')).toBe('CONFIRMED')
    expect((await cancelWebinar(db, webinar.id)).ok).toBe(true)

    const response = await download(webinar.slug)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('text/calendar; charset=utf-8; method=PUBLISH')
    const calendar = new ICAL.Component(ICAL.parse(await response.text()))
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH')
    const event = calendar.getFirstSubcomponent('vevent')!
    expect(event.getFirstPropertyValue('status')).toBe('CANCELLED')
    expect(event.getFirstPropertyValue('uid')).toBe(before.getFirstPropertyValue('uid'))
    expect(event.getFirstPropertyValue('sequence')).toBeGreaterThan(Number(before.getFirstPropertyValue('sequence')))
    expect(event.getFirstPropertyValue('sequence')).toBe((await stored(webinar.id)).calendar_sequence)

    const page = await call(publicPageLoader, getRequest(`/webinars/${webinar.slug}`), { slug: webinar.slug })
    expect(page.status).toBe(200)
    const data = await page.json()
    expect(data.webinar.status).toBe('cancelled')
    expect(data.refusal).toBe('cancelled')
  })

  test('is a 404 for a draft, a draft cancelled before it was announced, and an unknown address', async () => {
    const organiser = await signedInAs('organiser')
    const draft = await createWebinar(organiser.id, { complete: true, form: { topic: 'Masih Draf' } })
    const cancelledDraft = await createWebinar(organiser.id, { complete: true, form: { topic: 'Draf Dibatalkan' } })
    expect((await cancelWebinar(db, cancelledDraft.id)).ok).toBe(true)
    for (const slug of [draft.slug, cancelledDraft.slug, 'no-such-webinar']) {
      const response = await download(slug)
      expect(response.status, slug).toBe(404)
      expect(await response.text()).toBe('Not found')
    }
  })
})
