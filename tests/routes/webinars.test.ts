import { formatNumber, translate } from '#app/i18n'
import { getDb } from '#app/utils/db.server'
import { loader as listLoader } from '#app/routes/admin.webinars._index'
import { action as newAction, loader as newLoader } from '#app/routes/admin.webinars.new'
import { action as editAction, loader as editLoader } from '#app/routes/admin.webinars.$slug.edit'
import { action as pageAction, loader as pageLoader } from '#app/routes/admin.webinars.$slug._index'
import { loader as meLoader } from '#app/routes/me'
import { call, createPersonFor, createWebinar, getRequest, postRequest, signedInAs } from '#tests/setup/factories'

const db = getDb()

/** A complete, valid webinar form as the organiser's browser posts it. */
function formFields(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    topic: 'Cerdas Bermedia Sosial',
    description: 'Untuk warga Klaten',
    pillars: ['cakap', 'etika'],
    segment: 'umum',
    regency: '33.10',
    date: '2030-09-01',
    startTime: '09:00',
    endTime: '12:00',
    platformUrl: 'https://zoom.us/j/987654321',
    meetingId: '987 654 321',
    passcode: 'literasi',
    livestreamUrl: '',
    capacity: '300',
    attendanceThreshold: '70',
    slug: '',
    ...overrides,
  }
}

async function errorsOf(response: Response): Promise<Record<string, string[]>> {
  return ((await response.json()) as { errors: Record<string, string[]> }).errors
}

async function webinarCount() {
  return Number((await db.selectFrom('webinars').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
}

describe('who may call the webinar routes', () => {
  test('an anonymous visitor is sent to /login and comes back afterwards', async () => {
    const response = await call(listLoader, getRequest('/admin/webinars?status=draft'))
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/login?redirectTo=%2Fadmin%2Fwebinars%3Fstatus%3Ddraft')
  })

  test.each(['moderator', 'speaker'] as const)('a %s can neither read nor change webinars', async (role) => {
    const organiser = await signedInAs('organiser')
    const other = await signedInAs(role)
    const webinar = await createWebinar(organiser.id)
    const cookie = other.cookie
    const before = await webinarCount()
    for (const [fn, request, params] of [
      [listLoader, getRequest('/admin/webinars', { cookie }), {}],
      [newLoader, getRequest('/admin/webinars/new', { cookie }), {}],
      [newAction, postRequest('/admin/webinars/new', formFields(), { cookie }), {}],
      [editLoader, getRequest(`/admin/webinars/${webinar.slug}/edit`, { cookie }), { slug: webinar.slug }],
      [editAction, postRequest(`/admin/webinars/${webinar.slug}/edit`, formFields({ topic: 'Hacked' }), { cookie }), { slug: webinar.slug }],
      [pageLoader, getRequest(`/admin/webinars/${webinar.slug}`, { cookie }), { slug: webinar.slug }],
      [pageAction, postRequest(`/admin/webinars/${webinar.slug}`, { intent: 'publish' }, { cookie }), { slug: webinar.slug }],
    ] as const) {
      const response = await call(fn as never, request, params)
      expect(response.status, request.url).toBe(403)
    }
    expect(await webinarCount()).toBe(before)
    const row = await db.selectFrom('webinars').select(['topic', 'status']).where('id', '=', webinar.id).executeTakeFirstOrThrow()
    expect(row).toEqual({ topic: 'Literasi Digital untuk Warga', status: 'draft' })
  })

  test('an unknown webinar is a 404', async () => {
    const { cookie } = await signedInAs('organiser')
    expect((await call(pageLoader, getRequest('/admin/webinars/nope', { cookie }), { slug: 'nope' })).status).toBe(404)
    expect((await call(editLoader, getRequest('/admin/webinars/nope/edit', { cookie }), { slug: 'nope' })).status).toBe(404)
  })
})

describe('creating a webinar', () => {
  test('stores local times in UTC and gives the webinar a readable slug', async () => {
    const { cookie } = await signedInAs('organiser')
    const response = await call(newAction, postRequest('/admin/webinars/new', formFields(), { cookie }))
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/admin/webinars/cerdas-bermedia-sosial-klaten-2030-09-01?done=created')
    const row = await db
      .selectFrom('webinars')
      .selectAll()
      .where('slug', '=', 'cerdas-bermedia-sosial-klaten-2030-09-01')
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      status: 'draft',
      start_at: '2030-09-01T02:00:00.000Z',
      end_at: '2030-09-01T05:00:00.000Z',
      pillars: 'cakap,etika',
      capacity: 300,
      regency_code: '33.10',
      calendar_sequence: 0,
    })
    expect(row.calendar_uid).toMatch(/@literasi-webinar$/)
  })

  test('times follow the regency: 09:00 in Jayapura (WIT) is 00:00 UTC', async () => {
    const { cookie } = await signedInAs('organiser')
    await call(newAction, postRequest('/admin/webinars/new', formFields({ regency: '91.71', slug: 'papua-wit' }), { cookie }))
    const row = await db.selectFrom('webinars').select(['start_at']).where('slug', '=', 'papua-wit').executeTakeFirstOrThrow()
    expect(row.start_at).toBe('2030-09-01T00:00:00.000Z')
  })

  test('a second webinar with the same topic, place and date gets its own slug', async () => {
    const { cookie } = await signedInAs('organiser')
    const fields = formFields({ topic: 'Slug Kembar' })
    await call(newAction, postRequest('/admin/webinars/new', fields, { cookie }))
    const second = await call(newAction, postRequest('/admin/webinars/new', fields, { cookie }))
    expect(second.headers.get('Location')).toBe('/admin/webinars/slug-kembar-klaten-2030-09-01-2?done=created')
  })

  test.each([
    ['an end time before the start time', { endTime: '08:00' }, 'endTime', 'webinar.endBeforeStart'],
    ['an unknown regency', { regency: '99.99' }, 'regency', 'webinar.unknownRegency'],
    ['a capacity of 0', { capacity: '0' }, 'capacity', 'webinar.capacityPositive'],
    ['a negative capacity', { capacity: '-5' }, 'capacity', 'webinar.capacityPositive'],
    [
      'a registration window ending after the webinar',
      { registrationClosesDate: '2030-09-01', registrationClosesTime: '13:00' },
      'registrationClosesDate',
      'webinar.registrationClosesAfterEnd',
    ],
    ['a malformed platform URL', { platformUrl: 'zoom dot us' }, 'platformUrl', 'form.invalidUrl'],
    ['a javascript: URL', { livestreamUrl: 'javascript:alert(1)' }, 'livestreamUrl', 'form.invalidUrl'],
    ['a join link with a space', { platformUrl: 'https://zoom.us/j/123 456' }, 'platformUrl', 'form.urlWhitespace'],
    ['a join link with a line break', { platformUrl: 'https://zoom.us/j/123\r\n456' }, 'platformUrl', 'form.urlWhitespace'],
    ['a join link with a no-break space', { platformUrl: 'https://zoom.us/j/123\u00a0456' }, 'platformUrl', 'form.urlWhitespace'],
    ['a join link with a zero-width space', { platformUrl: 'https://zoom.us/j/123\u200b456' }, 'platformUrl', 'form.urlWhitespace'],
    ['a live-stream link with a NUL', { livestreamUrl: 'https://youtu.be/abc\u0000' }, 'livestreamUrl', 'form.urlWhitespace'],
    ['a live-stream link with a control character', { livestreamUrl: 'https://youtu.be/abc\u0001' }, 'livestreamUrl', 'form.urlWhitespace'],
    ['a join link with backslashes for slashes', { platformUrl: 'https:\\\\zoom.us\\j\\1' }, 'platformUrl', 'form.invalidUrl'],
    ['a join link a browser would rewrite', { platformUrl: 'https://zoom.us/j/ñ' }, 'platformUrl', 'form.urlRewritten?url=https%3A%2F%2Fzoom.us%2Fj%2F%25C3%25B1'],
    ['a join link naming a user and password', { platformUrl: 'https://zoom.us@evil.example/j/1' }, 'platformUrl', 'form.invalidUrl'],
    ['a join link whose host a calendar cannot name', { platformUrl: 'https://meet_room.example.org/j/1' }, 'platformUrl', 'form.invalidUrl'],
    ['a missing topic', { topic: '   ' }, 'topic', 'form.required'],
    ['a malformed date', { date: '2030-02-30' }, 'date', 'form.invalidDate'],
    ['a 1 MB topic', { topic: 'x'.repeat(1024 * 1024) }, 'topic', 'form.tooLong?max=200'],
  ])('%s is refused beside its field, and nothing is saved', async (_name, overrides, field, error) => {
    const { cookie } = await signedInAs('organiser')
    const before = await webinarCount()
    const response = await call(newAction, postRequest('/admin/webinars/new', formFields(overrides as Record<string, string>), { cookie }))
    expect(response.status).toBe(400)
    expect((await errorsOf(response))[field]).toContain(error)
    expect(await webinarCount()).toBe(before)
  })

  test('links are stored as a browser writes them: scheme and host in lower case, an empty path as /', async () => {
    const { cookie } = await signedInAs('organiser')
    const fields = formFields({ topic: 'Tautan Rapi', platformUrl: 'HTTPS://Zoom.US/j/987654321?pwd=AbC', livestreamUrl: 'https://YouTube.com' })
    const response = await call(newAction, postRequest('/admin/webinars/new', fields, { cookie }))
    expect(response.status).toBe(302)
    const row = await db.selectFrom('webinars').select(['platform_url', 'livestream_url']).where('topic', '=', 'Tautan Rapi').executeTakeFirstOrThrow()
    expect(row).toEqual({ platform_url: 'https://zoom.us/j/987654321?pwd=AbC', livestream_url: 'https://youtube.com/' })
  })

  test('a duplicate slug is refused beside the slug field', async () => {
    const { cookie, id } = await signedInAs('organiser')
    await createWebinar(id, { form: { slug: 'sudah-dipakai' } })
    const before = await webinarCount()
    const response = await call(newAction, postRequest('/admin/webinars/new', formFields({ slug: 'sudah-dipakai' }), { cookie }))
    expect(response.status).toBe(400)
    expect((await errorsOf(response)).slug).toEqual(['webinar.slugTaken'])
    expect(await webinarCount()).toBe(before)
  })

  test('what the organiser typed comes back with the errors, pillars included', async () => {
    const { cookie } = await signedInAs('organiser')
    const response = await call(newAction, postRequest('/admin/webinars/new', formFields({ capacity: '0' }), { cookie }))
    const body = (await response.json()) as { values: Record<string, string> }
    expect(body.values).toMatchObject({ topic: 'Cerdas Bermedia Sosial', pillars: 'cakap,etika', capacity: '0' })
  })
})

describe('the lifecycle', () => {
  test('publishing an incomplete webinar is refused with the list of what is missing', async () => {
    const { cookie, id } = await signedInAs('organiser')
    const webinar = await createWebinar(id, { form: { platformUrl: null, date: null, startTime: null, endTime: null } })
    const response = await call(pageAction, postRequest(`/admin/webinars/${webinar.slug}`, { intent: 'publish' }, { cookie }), { slug: webinar.slug })
    expect(response.status).toBe(409)
    expect(((await response.json()) as { missing: string[] }).missing).toEqual(['schedule', 'platformUrl', 'moderator', 'speaker'])
    const row = await db.selectFrom('webinars').select('status').where('id', '=', webinar.id).executeTakeFirstOrThrow()
    expect(row.status).toBe('draft')
  })

  test('a complete webinar publishes; a reschedule raises the calendar SEQUENCE; cancelling raises it again', async () => {
    const { cookie, id } = await signedInAs('organiser')
    const webinar = await createWebinar(id, { complete: true })
    const publish = await call(pageAction, postRequest(`/admin/webinars/${webinar.slug}`, { intent: 'publish' }, { cookie }), { slug: webinar.slug })
    expect(publish.headers.get('Location')).toBe(`/admin/webinars/${webinar.slug}?done=published`)

    const edit = await call(
      editAction,
      postRequest(`/admin/webinars/${webinar.slug}/edit`, formFields({ date: '2030-03-05', slug: webinar.slug }), { cookie }),
      { slug: webinar.slug },
    )
    expect(edit.status).toBe(302)
    const rescheduled = await db.selectFrom('webinars').select(['status', 'calendar_sequence', 'start_at']).where('id', '=', webinar.id).executeTakeFirstOrThrow()
    expect(rescheduled).toEqual({ status: 'published', calendar_sequence: 1, start_at: '2030-03-05T02:00:00.000Z' })

    // Saving without a time change does not count as a reschedule.
    await call(editAction, postRequest(`/admin/webinars/${webinar.slug}/edit`, formFields({ date: '2030-03-05', slug: webinar.slug, topic: 'Baru' }), { cookie }), {
      slug: webinar.slug,
    })
    expect((await db.selectFrom('webinars').select('calendar_sequence').where('id', '=', webinar.id).executeTakeFirstOrThrow()).calendar_sequence).toBe(1)

    const cancel = await call(pageAction, postRequest(`/admin/webinars/${webinar.slug}`, { intent: 'cancel' }, { cookie }), { slug: webinar.slug })
    expect(cancel.headers.get('Location')).toBe(`/admin/webinars/${webinar.slug}?done=cancelled`)
    const cancelled = await db.selectFrom('webinars').select(['status', 'calendar_sequence']).where('id', '=', webinar.id).executeTakeFirstOrThrow()
    expect(cancelled).toEqual({ status: 'cancelled', calendar_sequence: 2 })

    // A cancelled webinar can no longer be edited.
    const late = await call(editAction, postRequest(`/admin/webinars/${webinar.slug}/edit`, formFields({ slug: webinar.slug }), { cookie }), { slug: webinar.slug })
    expect(late.status).toBe(400)
    expect((await errorsOf(late))['']).toEqual(['webinar.notEditable'])
  })

  test('a webinar is finished only after it ends, and cannot be cancelled then', async () => {
    const { cookie, id } = await signedInAs('organiser')
    const future = await createWebinar(id, { complete: true })
    await call(pageAction, postRequest(`/admin/webinars/${future.slug}`, { intent: 'publish' }, { cookie }), { slug: future.slug })
    const early = await call(pageAction, postRequest(`/admin/webinars/${future.slug}`, { intent: 'finish' }, { cookie }), { slug: future.slug })
    expect(early.status).toBe(400)

    const past = await createWebinar(id, { complete: true, form: { date: '2021-09-01' } })
    await call(pageAction, postRequest(`/admin/webinars/${past.slug}`, { intent: 'publish' }, { cookie }), { slug: past.slug })
    const cancel = await call(pageAction, postRequest(`/admin/webinars/${past.slug}`, { intent: 'cancel' }, { cookie }), { slug: past.slug })
    expect(cancel.status).toBe(400)
    const finish = await call(pageAction, postRequest(`/admin/webinars/${past.slug}`, { intent: 'finish' }, { cookie }), { slug: past.slug })
    expect(finish.status).toBe(302)
    expect((await db.selectFrom('webinars').select('status').where('id', '=', past.id).executeTakeFirstOrThrow()).status).toBe('finished')
  })

  test('an unknown intent is a 400', async () => {
    const { cookie, id } = await signedInAs('organiser')
    const webinar = await createWebinar(id)
    const response = await call(pageAction, postRequest(`/admin/webinars/${webinar.slug}`, { intent: 'explode' }, { cookie }), { slug: webinar.slug })
    expect(response.status).toBe(400)
  })
})

describe('roles and the run-down', () => {
  test('a speaker needs a talk title and pillar; a second moderator replaces the first', async () => {
    const { cookie, id } = await signedInAs('organiser')
    const webinar = await createWebinar(id)
    const url = `/admin/webinars/${webinar.slug}`
    const speaker = await createPersonFor('Siti Narasumber')
    const bad = await call(pageAction, postRequest(url, { intent: 'assignRole', personId: speaker, role: 'speaker', talkTitle: '', pillar: '' }, { cookie }), {
      slug: webinar.slug,
    })
    expect(bad.status).toBe(400)
    expect(await errorsOf(bad)).toMatchObject({ talkTitle: ['roles.speakerNeedsTalk'], pillar: ['roles.speakerNeedsTalk'] })

    const ok = await call(pageAction, postRequest(url, { intent: 'assignRole', personId: speaker, role: 'speaker', talkTitle: 'Hoaks', pillar: 'etika' }, { cookie }), {
      slug: webinar.slug,
    })
    expect(ok.status).toBe(302)

    const first = await createPersonFor('Moderator Pertama')
    const second = await createPersonFor('Moderator Kedua')
    for (const personId of [first, second]) {
      await call(pageAction, postRequest(url, { intent: 'assignRole', personId, role: 'moderator' }, { cookie }), { slug: webinar.slug })
    }
    const roles = await db.selectFrom('webinar_roles').select(['person_id', 'role', 'talk_title', 'pillar']).where('webinar_id', '=', webinar.id).execute()
    expect(roles).toEqual(
      expect.arrayContaining([
        { person_id: speaker, role: 'speaker', talk_title: 'Hoaks', pillar: 'etika' },
        { person_id: second, role: 'moderator', talk_title: null, pillar: null },
      ]),
    )
    expect(roles).toHaveLength(2)
  })

  test('run-down times are local, stored as minutes after the start, and must fall inside the webinar', async () => {
    const { cookie, id } = await signedInAs('organiser')
    const webinar = await createWebinar(id, { form: { regency: '51.03' } }) // Badung, WITA
    const url = `/admin/webinars/${webinar.slug}`
    const outside = await call(pageAction, postRequest(url, { intent: 'addRundown', time: '08:30', title: 'Terlalu pagi' }, { cookie }), { slug: webinar.slug })
    expect(outside.status).toBe(400)
    expect((await errorsOf(outside)).time).toEqual(['rundown.outsideSchedule'])

    await call(pageAction, postRequest(url, { intent: 'addRundown', time: '10.30', title: 'Materi 1' }, { cookie }), { slug: webinar.slug })
    const item = await db.selectFrom('rundown_items').select(['id', 'offset_minutes', 'title']).where('webinar_id', '=', webinar.id).executeTakeFirstOrThrow()
    expect(item).toMatchObject({ offset_minutes: 90, title: 'Materi 1' })

    await call(pageAction, postRequest(url, { intent: 'updateRundown', itemId: item.id, time: '11:00', title: 'Materi 1 (geser)' }, { cookie }), { slug: webinar.slug })
    expect(await db.selectFrom('rundown_items').select(['offset_minutes', 'title']).where('id', '=', item.id).executeTakeFirstOrThrow()).toEqual({
      offset_minutes: 120,
      title: 'Materi 1 (geser)',
    })

    // Another webinar's item cannot be removed through this webinar's page.
    const other = await createWebinar(id)
    const wrong = await call(pageAction, postRequest(`/admin/webinars/${other.slug}`, { intent: 'removeRundown', itemId: item.id }, { cookie }), { slug: other.slug })
    expect(wrong.status).toBe(400)
    await call(pageAction, postRequest(url, { intent: 'removeRundown', itemId: item.id }, { cookie }), { slug: webinar.slug })
    expect(await db.selectFrom('rundown_items').select('id').where('id', '=', item.id).executeTakeFirst()).toBeUndefined()
  })
})

describe("the organiser's list", () => {
  test('filters by status, province, pillar and date', async () => {
    const { cookie, id } = await signedInAs('organiser')
    const bali = await createWebinar(id, { form: { topic: 'Filter Bali', regency: '51.03', pillars: ['budaya'], date: '2031-05-10' } })
    await createWebinar(id, { form: { topic: 'Filter Klaten', regency: '33.10', pillars: ['aman'], date: '2031-05-20' } })
    const topics = async (query: string) => {
      const response = await call(listLoader, getRequest(`/admin/webinars?${query}`, { cookie }))
      expect(response.status).toBe(200)
      return ((await response.json()) as { rows: Array<{ topic: string }> }).rows.map((r) => r.topic).filter((t) => t.startsWith('Filter'))
    }
    expect(await topics('province=51')).toEqual(['Filter Bali'])
    expect(await topics('pillar=aman')).toEqual(['Filter Klaten'])
    expect(await topics('from=2031-05-15&to=2031-05-31')).toEqual(['Filter Klaten'])
    expect(await topics('from=2031-05-10&to=2031-05-10')).toEqual(['Filter Bali'])
    expect(await topics('status=draft&province=51')).toEqual(['Filter Bali'])
    expect(await topics('status=published&province=51')).toEqual([])
    expect(bali.slug).toBe('filter-bali-badung-2031-05-10')
  })

  test('lists the nearest first: upcoming soonest first, then the past latest first; each with its seats taken', async () => {
    const { cookie, id } = await signedInAs('organiser')
    // Ternate (WIT), a place no other test uses, so the page holds only these.
    const form = (topic: string, date: string) => ({ form: { topic, regency: '82.71', date } })
    await createWebinar(id, form('Urut Lalu Lama', '2019-02-01'))
    await createWebinar(id, form('Urut Depan Jauh', '2041-06-01'))
    await createWebinar(id, form('Urut Lalu Baru', '2020-03-01'))
    const near = await createWebinar(id, form('Urut Depan Dekat', '2040-01-15'))
    await db.updateTable('webinars').set({ registered_count: 1234, capacity: 2000 }).where('id', '=', near.id).execute()
    const response = await call(listLoader, getRequest('/admin/webinars?province=82', { cookie }))
    const { rows } = (await response.json()) as { rows: Array<{ topic: string; registered_count: number; capacity: number }> }
    const mine = rows.filter((r) => r.topic.startsWith('Urut'))
    expect(mine.map((r) => r.topic)).toEqual(['Urut Depan Dekat', 'Urut Depan Jauh', 'Urut Lalu Baru', 'Urut Lalu Lama'])
    expect(mine[0]).toMatchObject({ registered_count: 1234, capacity: 2000 })
    expect(translate('id', 'webinar.list.seats', { registered: formatNumber(1234, 'id'), capacity: formatNumber(2000, 'id') })).toBe('1.234 / 2.000 kursi terisi')
  })

  test('a malformed filter is a 400 with the error beside the field', async () => {
    const { cookie } = await signedInAs('organiser')
    const response = await call(listLoader, getRequest('/admin/webinars?status=bogus&from=yesterday', { cookie }))
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toMatchObject({ status: ['form.invalidChoice'], from: ['form.invalidDate'] })
  })

  test('a date far outside the programme (year 9999) is a 400 beside the field, not a crash', async () => {
    const { cookie } = await signedInAs('organiser')
    const response = await call(listLoader, getRequest('/admin/webinars?to=9999-12-31', { cookie }))
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toMatchObject({ to: ['form.invalidDate'] })
  })
})

test("a speaker's assignments page lists only their own published webinars", async () => {
  const organiser = await signedInAs('organiser')
  const speaker = await signedInAs('speaker')
  const personId = await createPersonFor('Speaker Sendiri', { userId: speaker.id })
  const mine = await createWebinar(organiser.id, { complete: true, form: { topic: 'Milik saya' } })
  const { assignRole } = await import('#app/models/webinar-role.server')
  await assignRole(db, mine.id, { personId, role: 'speaker', talkTitle: 'Judul', pillar: 'aman' })
  await call(pageAction, postRequest(`/admin/webinars/${mine.slug}`, { intent: 'publish' }, { cookie: organiser.cookie }), { slug: mine.slug })
  await createWebinar(organiser.id, { complete: true, form: { topic: 'Bukan milik saya' } })
  const response = await call(meLoader, getRequest('/me', { cookie: speaker.cookie }))
  const { assignments } = (await response.json()) as { assignments: Array<{ topic: string; role: string }> }
  expect(assignments).toEqual([expect.objectContaining({ topic: 'Milik saya', role: 'speaker' })])
})
