import { assignRole } from '#app/models/webinar-role.server'
import { action as consoleAction, loader as consoleLoader } from '#app/routes/attendance.$slug._index'
import { loader as countLoader } from '#app/routes/attendance.$slug.count'
import { action as previewAction, loader as previewLoader } from '#app/routes/attendance.$slug.import.$importId'
import { action as uploadAction, loader as importLoader } from '#app/routes/attendance.$slug.import._index'
import { action as personalAction } from '#app/routes/r.$token._index'
import { getDb } from '#app/utils/db.server'
import { buildZoomReport } from '../../scripts/demo/zoom-report'
import {
  BASE_URL,
  call,
  createPersonFor,
  createWebinar,
  getRequest,
  moderatorOf,
  postRequest,
  publishedWebinar,
  register,
  registrationRow,
  signedInAs,
  webinarRow,
} from '#tests/setup/factories'

const db = getDb()

// --- Helpers ---------------------------------------------------------------------------------

async function eventsOf(webinarId: string) {
  return db
    .selectFrom('attendance_events')
    .select(['action', 'actor_id', 'registration_id', 'reason'])
    .where('webinar_id', '=', webinarId)
    .orderBy('at')
    .execute()
}

async function importsOf(webinarId: string) {
  return db.selectFrom('zoom_imports').select(['id', 'committed_at']).where('webinar_id', '=', webinarId).execute()
}

const consolePath = (slug: string) => `/attendance/${slug}`

function getConsole(slug: string, cookie?: string, search = '') {
  return call(consoleLoader, getRequest(`${consolePath(slug)}${search}`, { cookie }), { slug })
}

function postConsole(slug: string, fields: Record<string, string>, cookie?: string) {
  return call(consoleAction, postRequest(consolePath(slug), fields, { cookie }), { slug })
}

function getCount(slug: string, cookie?: string) {
  return call(countLoader, getRequest(`/attendance/${slug}/count`, { cookie }), { slug })
}

function getImportPage(slug: string, cookie?: string) {
  return call(importLoader, getRequest(`/attendance/${slug}/import`, { cookie }), { slug })
}

function zoomCsv(people: Array<{ name: string; email: string | null; minutes: number[] }>) {
  return buildZoomReport({
    topic: 'Literasi Digital untuk Warga',
    startAt: new Date('2030-03-04T08:55:00Z'),
    people: people.map((p) => ({ name: p.name, email: p.email, joins: p.minutes.map((minutes) => ({ minutes })) })),
  })
}

function uploadRequest(slug: string, csv: string, cookie?: string) {
  const form = new FormData()
  form.append('report', new File([Buffer.from(csv, 'utf8')], 'report.csv', { type: 'text/csv' }))
  const headers = new Headers()
  if (cookie) headers.set('Cookie', cookie)
  return new Request(new URL(`/attendance/${slug}/import`, BASE_URL), { method: 'POST', body: form, headers })
}

/** Uploads a report as this user and returns the preview's import id. */
async function uploadAs(cookie: string, slug: string, csv: string): Promise<string> {
  const response = await call(uploadAction, uploadRequest(slug, csv, cookie), { slug })
  expect(response.status).toBe(303)
  const match = /\/import\/([^/?]+)/.exec(response.headers.get('Location') ?? '')
  if (!match) throw new Error(`no import id in ${response.headers.get('Location')}`)
  return match[1]!
}

function getPreview(slug: string, importId: string, cookie?: string) {
  return call(previewLoader, getRequest(`/attendance/${slug}/import/${importId}`, { cookie }), { slug, importId })
}

function postPreview(slug: string, importId: string, fields: Record<string, string>, cookie?: string) {
  return call(previewAction, postRequest(`/attendance/${slug}/import/${importId}`, fields, { cookie }), { slug, importId })
}

type ConsoleData = {
  webinar: { slug: string; finalisedAt: string | null; ended: boolean }
  window: { code: string | null; closesAt: string | null } | null
  counts: { registered: number; checkedIn: number; zoomEnough: number; manual: number; present: number }
  list: { rows: Array<{ id: string; name: string; email: string; present: number; source: string | null }>; total: number }
  query: { q: string; filter: string }
  canReopen: boolean
}

async function consoleData(slug: string, cookie: string, search = ''): Promise<ConsoleData> {
  const response = await getConsole(slug, cookie, search)
  expect(response.status).toBe(200)
  return (await response.json()) as ConsoleData
}

async function errorsOf(response: Response) {
  return ((await response.json()) as { errors: Record<string, string[]> }).errors
}

/** A webinar with a registrant, a moderator and a waiting preview, to knock on every door with. */
async function scene() {
  const webinar = await publishedWebinar()
  const moderator = await moderatorOf(webinar.id)
  const registrant = await register(webinar.id, { name: 'Budi Santoso' })
  const importId = await uploadAs(webinar.organiser.cookie, webinar.slug, zoomCsv([{ name: 'Budi Santoso', email: registrant.email, minutes: [150] }]))
  return { webinar, moderator, registrant, importId }
}

/** Every attendance door of a webinar, as one kind of caller sees it. */
async function everyDoor(slug: string, importId: string, registrationId: string, cookie?: string) {
  return {
    consoleLoader: (await getConsole(slug, cookie)).status,
    openWindow: (await postConsole(slug, { intent: 'openWindow', minutes: '15' }, cookie)).status,
    mark: (await postConsole(slug, { intent: 'mark', registrationId, mark: 'present', reason: 'seenInMeeting', note: '' }, cookie)).status,
    count: (await getCount(slug, cookie)).status,
    importLoader: (await getImportPage(slug, cookie)).status,
    upload: (await call(uploadAction, uploadRequest(slug, zoomCsv([{ name: 'Lain', email: 'lain@example.org', minutes: [10] }]), cookie), { slug })).status,
    previewLoader: (await getPreview(slug, importId, cookie)).status,
    commit: (await postPreview(slug, importId, { intent: 'commit' }, cookie)).status,
  }
}

/** Asserts that nothing the doors could change has changed. */
async function expectUntouched(webinarId: string, registrationId: string, importId: string) {
  const webinar = await webinarRow(webinarId)
  expect(webinar).toMatchObject({ checkin_code: null, checkin_opened_at: null, checkin_closes_at: null, zoom_import_id: null })
  expect(await registrationRow(registrationId)).toMatchObject({ manual_present: null, manual_reason: null, manual_by: null })
  expect(await importsOf(webinarId)).toEqual([{ id: importId, committed_at: null }])
  expect(await eventsOf(webinarId)).toEqual([])
}

// --- Authorisation ---------------------------------------------------------------------------

describe('who may use the attendance pages', () => {
  test('someone not signed in is sent to /login, coming back to the page afterwards, and nothing changes', async () => {
    const { webinar, registrant, importId } = await scene()
    const responses = {
      consoleLoader: await getConsole(webinar.slug, undefined, '?filter=present'),
      openWindow: await postConsole(webinar.slug, { intent: 'openWindow', minutes: '15' }),
      count: await getCount(webinar.slug),
      importLoader: await getImportPage(webinar.slug),
      upload: await call(uploadAction, uploadRequest(webinar.slug, zoomCsv([{ name: 'X', email: 'x@example.org', minutes: [1] }])), { slug: webinar.slug }),
      previewLoader: await getPreview(webinar.slug, importId),
      commit: await postPreview(webinar.slug, importId, { intent: 'commit' }),
    }
    for (const [door, response] of Object.entries(responses)) {
      expect([door, response.status]).toEqual([door, 302])
      expect(response.headers.get('Location')).toMatch(/^\/login\?redirectTo=/)
    }
    expect(responses.consoleLoader.headers.get('Location')).toBe(`/login?${new URLSearchParams({ redirectTo: `/attendance/${webinar.slug}?filter=present` })}`)
    expect(responses.previewLoader.headers.get('Location')).toBe(
      `/login?${new URLSearchParams({ redirectTo: `/attendance/${webinar.slug}/import/${importId}` })}`,
    )
    await expectUntouched(webinar.id, registrant.id, importId)
  })

  test('a speaker, even one speaking at this webinar, gets a 403 from every attendance page and changes nothing', async () => {
    const { webinar, registrant, importId } = await scene()
    const speaker = await signedInAs('speaker')
    const personId = await createPersonFor('Narasumber Dua', { userId: speaker.id })
    const assigned = await assignRole(db, webinar.id, { personId, role: 'speaker', talkTitle: 'Hoaks', pillar: 'cakap' })
    expect(assigned.ok).toBe(true)
    expect(await everyDoor(webinar.slug, importId, registrant.id, speaker.cookie)).toEqual({
      consoleLoader: 403,
      openWindow: 403,
      mark: 403,
      count: 403,
      importLoader: 403,
      upload: 403,
      previewLoader: 403,
      commit: 403,
    })
    await expectUntouched(webinar.id, registrant.id, importId)
  })

  test('the moderator of another webinar finds nothing here (404 everywhere) and changes nothing', async () => {
    const { webinar, registrant, importId } = await scene()
    const other = await publishedWebinar()
    const stranger = await moderatorOf(other.id)
    // They can use their own console, so the 404 is about this webinar, not their account.
    expect((await getConsole(other.slug, stranger.cookie)).status).toBe(200)
    expect(await everyDoor(webinar.slug, importId, registrant.id, stranger.cookie)).toEqual({
      consoleLoader: 404,
      openWindow: 404,
      mark: 404,
      count: 404,
      importLoader: 404,
      upload: 404,
      previewLoader: 404,
      commit: 404,
    })
    await expectUntouched(webinar.id, registrant.id, importId)
  })

  test("the webinar's own moderator may open every attendance page", async () => {
    const { webinar, moderator, importId } = await scene()
    expect((await getConsole(webinar.slug, moderator.cookie)).status).toBe(200)
    expect((await getCount(webinar.slug, moderator.cookie)).status).toBe(200)
    expect((await getImportPage(webinar.slug, moderator.cookie)).status).toBe(200)
    expect((await getPreview(webinar.slug, importId, moderator.cookie)).status).toBe(200)
    const data = await consoleData(webinar.slug, moderator.cookie)
    expect(data.webinar.slug).toBe(webinar.slug)
    expect(data.canReopen).toBe(false)
  })

  test('a moderator who was replaced on the webinar loses access to it', async () => {
    const { webinar, moderator } = await scene()
    expect((await getConsole(webinar.slug, moderator.cookie)).status).toBe(200)
    await moderatorOf(webinar.id) // assigning a new moderator replaces the old one
    expect((await getConsole(webinar.slug, moderator.cookie)).status).toBe(404)
  })

  test('any organiser may open every attendance page, not only the one who made the webinar', async () => {
    const { webinar, importId } = await scene()
    const organiser = await signedInAs('organiser')
    expect((await getConsole(webinar.slug, organiser.cookie)).status).toBe(200)
    expect((await getCount(webinar.slug, organiser.cookie)).status).toBe(200)
    expect((await getImportPage(webinar.slug, organiser.cookie)).status).toBe(200)
    expect((await getPreview(webinar.slug, importId, organiser.cookie)).status).toBe(200)
    expect((await consoleData(webinar.slug, organiser.cookie)).canReopen).toBe(true)
  })

  test('a draft webinar has no attendance: 404 for an organiser and for its moderator, and nothing changes', async () => {
    const organiser = await signedInAs('organiser')
    const draft = await createWebinar(organiser.id, { complete: true })
    const moderator = await moderatorOf(draft.id)
    for (const cookie of [organiser.cookie, moderator.cookie]) {
      expect((await getConsole(draft.slug, cookie)).status).toBe(404)
      expect((await postConsole(draft.slug, { intent: 'openWindow', minutes: '15' }, cookie)).status).toBe(404)
      expect((await getCount(draft.slug, cookie)).status).toBe(404)
      expect((await getImportPage(draft.slug, cookie)).status).toBe(404)
    }
    expect(await webinarRow(draft.id)).toMatchObject({ status: 'draft', checkin_opened_at: null, checkin_code: null })
  })

  test('an unknown slug is a 404', async () => {
    const organiser = await signedInAs('organiser')
    expect((await getConsole('tidak-ada', organiser.cookie)).status).toBe(404)
    expect((await getCount('tidak-ada', organiser.cookie)).status).toBe(404)
  })
})

describe('reopening a finalised list', () => {
  /** A webinar that has ended, with a seated registrant, finalised by its moderator. */
  async function finalised() {
    const webinar = await publishedWebinar({ date: '2020-01-02' })
    const moderator = await moderatorOf(webinar.id)
    await register(webinar.id, {}, '2019-12-01T00:00:00.000Z')
    const response = await postConsole(webinar.slug, { intent: 'finalise' }, moderator.cookie)
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/attendance/${webinar.slug}?done=finalised&present=0&registered=1`)
    const row = await webinarRow(webinar.id)
    expect(row.attendance_finalised_at).not.toBeNull()
    expect(row.attendance_finalised_by).toBe(moderator.id)
    return { webinar, moderator, finalisedAt: row.attendance_finalised_at }
  }

  test('the moderator cannot reopen (403), even with a reason, and the list stays locked', async () => {
    const { webinar, moderator, finalisedAt } = await finalised()
    const response = await postConsole(webinar.slug, { intent: 'reopen', reason: 'Salah tandai' }, moderator.cookie)
    expect(response.status).toBe(403)
    expect((await webinarRow(webinar.id)).attendance_finalised_at).toBe(finalisedAt)
    expect((await eventsOf(webinar.id)).map((e) => e.action)).toEqual(['finalised'])
  })

  test('an organiser without a reason gets a 400 beside the reason field, and the list stays locked', async () => {
    const { webinar, finalisedAt } = await finalised()
    const organiser = await signedInAs('organiser')
    const response = await postConsole(webinar.slug, { intent: 'reopen', reason: '   ' }, organiser.cookie)
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual({ reason: ['form.required'] })
    expect((await webinarRow(webinar.id)).attendance_finalised_at).toBe(finalisedAt)
  })

  test('an organiser with a reason reopens it; the reason is in the history', async () => {
    const { webinar } = await finalised()
    const organiser = await signedInAs('organiser')
    const response = await postConsole(webinar.slug, { intent: 'reopen', reason: 'Peserta terlewat' }, organiser.cookie)
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/attendance/${webinar.slug}?done=reopened`)
    expect(await webinarRow(webinar.id)).toMatchObject({ attendance_finalised_at: null, attendance_finalised_by: null })
    const events = await eventsOf(webinar.id)
    expect(events.map((e) => e.action)).toEqual(['finalised', 'reopened'])
    expect(events[1]).toMatchObject({ actor_id: organiser.id, reason: 'Peserta terlewat' })
  })
})

// --- The console -----------------------------------------------------------------------------

describe('the check-in window', () => {
  test('the code is shown only while the window is open', async () => {
    const webinar = await publishedWebinar()
    const moderator = await moderatorOf(webinar.id)
    expect((await consoleData(webinar.slug, moderator.cookie)).window).toBeNull()

    const opened = await postConsole(webinar.slug, { intent: 'openWindow', minutes: '15' }, moderator.cookie)
    expect(opened.status).toBe(303)
    expect(opened.headers.get('Location')).toBe(`/attendance/${webinar.slug}?done=opened#checkin-window`)
    const row = await webinarRow(webinar.id)
    expect(row.checkin_code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/)
    expect(Date.parse(row.checkin_closes_at!) - Date.parse(row.checkin_opened_at!)).toBe(15 * 60_000)
    expect((await consoleData(webinar.slug, moderator.cookie)).window).toEqual({ code: row.checkin_code, closesAt: row.checkin_closes_at })

    const closed = await postConsole(webinar.slug, { intent: 'closeWindow' }, moderator.cookie)
    expect(closed.status).toBe(303)
    expect(closed.headers.get('Location')).toBe(`/attendance/${webinar.slug}?done=closed`)
    const afterClose = await consoleData(webinar.slug, moderator.cookie)
    expect(afterClose.window).toBeNull()
    expect(JSON.stringify(afterClose)).not.toContain(row.checkin_code!)
    expect((await eventsOf(webinar.id)).map((e) => [e.action, e.actor_id])).toEqual([
      ['windowOpened', moderator.id],
      ['windowClosed', moderator.id],
    ])
  })

  test('a window whose time has run out shows no code', async () => {
    const webinar = await publishedWebinar()
    const moderator = await moderatorOf(webinar.id)
    await db
      .updateTable('webinars')
      .set({
        checkin_code: 'ABCDEF',
        checkin_opened_at: new Date(Date.now() - 20 * 60_000).toISOString(),
        checkin_closes_at: new Date(Date.now() - 5 * 60_000).toISOString(),
      })
      .where('id', '=', webinar.id)
      .execute()
    const data = await consoleData(webinar.slug, moderator.cookie)
    expect(data.window).toBeNull()
    expect(JSON.stringify(data)).not.toContain('ABCDEF')
  })

  test.each([['7'], ['0'], ['abc'], ['']])('opening with minutes=%j is a 400 beside the minutes field, and no window opens', async (minutes) => {
    const webinar = await publishedWebinar()
    const moderator = await moderatorOf(webinar.id)
    const response = await postConsole(webinar.slug, { intent: 'openWindow', minutes }, moderator.cookie)
    expect(response.status).toBe(400)
    expect(Object.keys(await errorsOf(response))).toEqual(['minutes'])
    expect(await webinarRow(webinar.id)).toMatchObject({ checkin_code: null, checkin_opened_at: null, checkin_closes_at: null })
    expect(await eventsOf(webinar.id)).toEqual([])
  })

  test('opening a window that is already open is a 409 and keeps the announced code', async () => {
    const webinar = await publishedWebinar()
    const moderator = await moderatorOf(webinar.id)
    expect((await postConsole(webinar.slug, { intent: 'openWindow', minutes: '30' }, moderator.cookie)).status).toBe(303)
    const code = (await webinarRow(webinar.id)).checkin_code
    const again = await postConsole(webinar.slug, { intent: 'openWindow', minutes: '5' }, moderator.cookie)
    expect(again.status).toBe(409)
    expect(await errorsOf(again)).toEqual({ '': ['attendance.window.alreadyOpen'] })
    expect((await webinarRow(webinar.id)).checkin_code).toBe(code)
  })
})

describe('marking by hand', () => {
  test('a mark without a reason is a 400 beside the reason field, and nothing is saved', async () => {
    const webinar = await publishedWebinar()
    const moderator = await moderatorOf(webinar.id)
    const registrant = await register(webinar.id)
    const response = await postConsole(webinar.slug, { intent: 'mark', registrationId: registrant.id, mark: 'present', reason: '', note: '' }, moderator.cookie)
    expect(response.status).toBe(400)
    const body = (await response.json()) as { registrationId: string; errors: Record<string, string[]> }
    expect(body.errors).toEqual({ reason: ['attendance.reason.required'] })
    expect(body.registrationId).toBe(registrant.id)
    expect(await registrationRow(registrant.id)).toMatchObject({ manual_present: null, manual_reason: null, manual_by: null, manual_at: null })
    expect(await eventsOf(webinar.id)).toEqual([])
  })

  test('a reason off the list is a 400 beside the reason field', async () => {
    const webinar = await publishedWebinar()
    const moderator = await moderatorOf(webinar.id)
    const registrant = await register(webinar.id)
    const response = await postConsole(
      webinar.slug,
      { intent: 'mark', registrationId: registrant.id, mark: 'present', reason: 'bribe', note: '' },
      moderator.cookie,
    )
    expect(response.status).toBe(400)
    expect(Object.keys(await errorsOf(response))).toEqual(['reason'])
    expect((await registrationRow(registrant.id)).manual_present).toBeNull()
  })

  test('the reason "other" without a note is a 400 beside the note field, and nothing is saved', async () => {
    const webinar = await publishedWebinar()
    const moderator = await moderatorOf(webinar.id)
    const registrant = await register(webinar.id)
    const response = await postConsole(
      webinar.slug,
      { intent: 'mark', registrationId: registrant.id, mark: 'absent', reason: 'other', note: '  ' },
      moderator.cookie,
    )
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual({ note: ['attendance.reason.noteRequired'] })
    expect(await registrationRow(registrant.id)).toMatchObject({ manual_present: null, manual_reason: null })
    expect(await eventsOf(webinar.id)).toEqual([])
  })

  test('a good mark is a 303 back to the console; the registrant is present by hand, and the history says who and why', async () => {
    const webinar = await publishedWebinar()
    const moderator = await moderatorOf(webinar.id)
    const registrant = await register(webinar.id)
    const response = await postConsole(
      webinar.slug,
      { intent: 'mark', registrationId: registrant.id, mark: 'present', reason: 'other', note: 'Ikut dari ruang kelas' },
      moderator.cookie,
    )
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/attendance/${webinar.slug}?done=marked`)
    const row = await registrationRow(registrant.id)
    expect(row).toMatchObject({ manual_present: 1, manual_reason: 'other', manual_note: 'Ikut dari ruang kelas', manual_by: moderator.id })
    expect(row.manual_at).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    expect(await eventsOf(webinar.id)).toEqual([{ action: 'marked', actor_id: moderator.id, registration_id: registrant.id, reason: 'Ikut dari ruang kelas' }])
    const data = await consoleData(webinar.slug, moderator.cookie)
    expect(data.counts).toMatchObject({ registered: 1, manual: 1, present: 1 })
    expect(data.list.rows.find((r) => r.id === registrant.id)).toMatchObject({ present: 1, source: 'manual' })

    // Clearing the mark needs no reason and hands the decision back to the evidence.
    const cleared = await postConsole(webinar.slug, { intent: 'mark', registrationId: registrant.id, mark: 'clear', reason: '', note: '' }, moderator.cookie)
    expect(cleared.status).toBe(303)
    expect(await registrationRow(registrant.id)).toMatchObject({ manual_present: null, manual_reason: null, manual_note: null, manual_by: null })
  })

  test('marking a registrant of another webinar is a 404, and neither registrant changes', async () => {
    const webinar = await publishedWebinar()
    const moderator = await moderatorOf(webinar.id)
    const own = await register(webinar.id)
    const other = await publishedWebinar()
    const foreign = await register(other.id)
    const response = await postConsole(
      webinar.slug,
      { intent: 'mark', registrationId: foreign.id, mark: 'present', reason: 'seenInMeeting', note: '' },
      moderator.cookie,
    )
    expect(response.status).toBe(404)
    expect(await errorsOf(response)).toEqual({ '': ['attendance.notFound'] })
    expect(await registrationRow(foreign.id)).toMatchObject({ manual_present: null, manual_by: null })
    expect(await registrationRow(own.id)).toMatchObject({ manual_present: null, manual_by: null })
    expect(await eventsOf(webinar.id)).toEqual([])
    expect(await eventsOf(other.id)).toEqual([])
  })

  test('marking someone on the waitlist is a 404: only seat holders have attendance', async () => {
    const webinar = await publishedWebinar({ capacity: 1 })
    const moderator = await moderatorOf(webinar.id)
    await register(webinar.id)
    const waiting = await register(webinar.id)
    expect(waiting.status).toBe('waitlisted')
    const response = await postConsole(
      webinar.slug,
      { intent: 'mark', registrationId: waiting.id, mark: 'present', reason: 'seenInMeeting', note: '' },
      moderator.cookie,
    )
    expect(response.status).toBe(404)
    expect((await registrationRow(waiting.id)).manual_present).toBeNull()
  })
})

describe('finalising', () => {
  test('finalising before the webinar has ended is a 409, and the list is not locked', async () => {
    const webinar = await publishedWebinar()
    const moderator = await moderatorOf(webinar.id)
    await register(webinar.id)
    const response = await postConsole(webinar.slug, { intent: 'finalise' }, moderator.cookie)
    expect(response.status).toBe(409)
    expect(await errorsOf(response)).toEqual({ '': ['attendance.finalise.notEnded'] })
    expect(await webinarRow(webinar.id)).toMatchObject({ attendance_finalised_at: null, status: 'published' })
    const attended = await db.selectFrom('registrations').select('attended').where('webinar_id', '=', webinar.id).execute()
    expect(attended).toEqual([{ attended: null }])
  })

  test('after the end, finalising writes each outcome and locks the list against marks', async () => {
    const webinar = await publishedWebinar({ date: '2020-01-03' })
    const moderator = await moderatorOf(webinar.id)
    const marked = await register(webinar.id, {}, '2019-12-01T00:00:00.000Z')
    const unmarked = await register(webinar.id, {}, '2019-12-01T00:00:01.000Z')
    expect(
      (await postConsole(webinar.slug, { intent: 'mark', registrationId: marked.id, mark: 'present', reason: 'livestream', note: '' }, moderator.cookie))
        .status,
    ).toBe(303)
    const response = await postConsole(webinar.slug, { intent: 'finalise' }, moderator.cookie)
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/attendance/${webinar.slug}?done=finalised&present=1&registered=2`)
    const rows = await db.selectFrom('registrations').select(['id', 'attended']).where('webinar_id', '=', webinar.id).execute()
    expect(Object.fromEntries(rows.map((r) => [r.id, r.attended]))).toEqual({ [marked.id]: 1, [unmarked.id]: 0 })
    expect((await webinarRow(webinar.id)).status).toBe('finished')
    // The console of a finished webinar still opens, and a late mark is refused.
    expect((await consoleData(webinar.slug, moderator.cookie)).webinar.finalisedAt).not.toBeNull()
    const late = await postConsole(
      webinar.slug,
      { intent: 'mark', registrationId: unmarked.id, mark: 'present', reason: 'livestream', note: '' },
      moderator.cookie,
    )
    expect(late.status).toBe(409)
    expect(await errorsOf(late)).toEqual({ '': ['attendance.locked'] })
    expect((await registrationRow(unmarked.id)).manual_present).toBeNull()
  })
})

describe('searching and filtering the list', () => {
  let lists = 0

  async function listed() {
    const webinar = await publishedWebinar()
    const moderator = await moderatorOf(webinar.id)
    const tag = ++lists
    const budi = await register(webinar.id, { name: 'Budi Santoso', email: `budi.${tag}@example.org` })
    const sari = await register(webinar.id, { name: 'Sari Rahayu', email: `sari.${tag}@contoh.id` })
    const agus = await register(webinar.id, { name: 'Agus Salim', email: `agus.${tag}@example.org` })
    await postConsole(webinar.slug, { intent: 'mark', registrationId: agus.id, mark: 'present', reason: 'seenInMeeting', note: '' }, moderator.cookie)
    const names = async (search: string) => (await consoleData(webinar.slug, moderator.cookie, search)).list.rows.map((r) => r.name)
    return { webinar, moderator, budi, sari, agus, names }
  }

  test('?q= finds by part of the name, in any case, and by e-mail', async () => {
    const { names } = await listed()
    expect(await names('?q=santoso')).toEqual(['Budi Santoso'])
    expect(await names('?q=SAL')).toEqual(['Agus Salim'])
    expect(await names('?q=CONTOH.ID')).toEqual(['Sari Rahayu'])
    expect(await names('?q=example.org')).toEqual(['Agus Salim', 'Budi Santoso'])
    expect(await names('?q=nobody')).toEqual([])
  })

  test('% and _ in a search are plain characters, not wildcards', async () => {
    const { names } = await listed()
    expect(await names(`?q=${encodeURIComponent('%')}`)).toEqual([])
    expect(await names('?q=_')).toEqual([])
  })

  test('?filter= narrows the list to present, absent or a source', async () => {
    const { names, webinar, moderator } = await listed()
    expect(await names('?filter=all')).toEqual(['Agus Salim', 'Budi Santoso', 'Sari Rahayu'])
    expect(await names('?filter=present')).toEqual(['Agus Salim'])
    expect(await names('?filter=absent')).toEqual(['Budi Santoso', 'Sari Rahayu'])
    expect(await names('?filter=manual')).toEqual(['Agus Salim'])
    expect(await names('?filter=checkin')).toEqual([])
    expect(await names('?q=sari&filter=absent')).toEqual(['Sari Rahayu'])
    expect(await names('?q=sari&filter=present')).toEqual([])
    const data = await consoleData(webinar.slug, moderator.cookie, '?q=sari&filter=absent')
    expect(data.query).toEqual({ q: 'sari', filter: 'absent' })
    expect(data.list.total).toBe(1)
  })

  test('an unknown filter value falls back to the whole list instead of failing', async () => {
    const { webinar, moderator } = await listed()
    const data = await consoleData(webinar.slug, moderator.cookie, '?filter=bogus')
    expect(data.query.filter).toBe('all')
    expect(data.list.total).toBe(3)
    expect(data.list.rows.map((r) => r.name)).toEqual(['Agus Salim', 'Budi Santoso', 'Sari Rahayu'])
    const page = await consoleData(webinar.slug, moderator.cookie, '?page=-3')
    expect(page.list.total).toBe(3)
  })

  test('the list holds seat holders only, not the waitlist or the cancelled', async () => {
    const webinar = await publishedWebinar({ capacity: 1 })
    const moderator = await moderatorOf(webinar.id)
    await register(webinar.id, { name: 'Duduk' })
    await register(webinar.id, { name: 'Menunggu' })
    const data = await consoleData(webinar.slug, moderator.cookie)
    expect(data.list.rows.map((r) => r.name)).toEqual(['Duduk'])
    expect(data.counts.registered).toBe(1)
  })
})

describe('the live count', () => {
  test('returns the number checked in right now, private and uncached', async () => {
    const webinar = await publishedWebinar()
    const moderator = await moderatorOf(webinar.id)
    const first = await register(webinar.id)
    const second = await register(webinar.id)
    await register(webinar.id)

    const before = await getCount(webinar.slug, moderator.cookie)
    expect(before.status).toBe(200)
    expect(await before.json()).toEqual({ checkedIn: 0 })

    expect((await postConsole(webinar.slug, { intent: 'openWindow', minutes: '15' }, moderator.cookie)).status).toBe(303)
    const code = (await webinarRow(webinar.id)).checkin_code!
    for (const person of [first, second]) {
      const checkedIn = await call(personalAction, postRequest(`/r/${person.token}`, { intent: 'checkin', code }), { token: person.token })
      expect(checkedIn.status).toBe(303)
    }

    const after = await getCount(webinar.slug, moderator.cookie)
    expect(after.status).toBe(200)
    expect(after.headers.get('Content-Type')).toMatch(/^application\/json/)
    expect(after.headers.get('Cache-Control')).toBe('private, no-store')
    expect(after.headers.get('Set-Cookie')).toBeNull()
    expect(await after.json()).toEqual({ checkedIn: 2 })
    expect((await consoleData(webinar.slug, moderator.cookie)).counts.checkedIn).toBe(2)
  })
})
