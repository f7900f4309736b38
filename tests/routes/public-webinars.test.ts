import { loader as homeLoader } from '#app/routes/_index'
import { loader as apiLoader } from '#app/routes/api.webinars'
import { loader as catalogueLoader } from '#app/routes/webinars._index'
import { loader as webinarLoader } from '#app/routes/webinars.$slug._index'
import { loader as registeredLoader } from '#app/routes/webinars.$slug.registered'
import { registerParticipant } from '#app/models/registration.server'
import { cancelWebinar, finishWebinar, publishWebinar } from '#app/models/webinar.server'
import { assignRole } from '#app/models/webinar-role.server'
import { getDb } from '#app/utils/db.server'
import type { WebinarForm } from '#app/utils/webinar-schema.server'
import { call, createPersonFor, createWebinar, getRequest, signedInAs } from '#tests/setup/factories'

const db = getDb()
let organiserId: string

beforeAll(async () => {
  organiserId = (await signedInAs('organiser')).id
})

async function draftWebinar(form: Partial<WebinarForm> = {}) {
  return createWebinar(organiserId, { complete: true, form })
}

async function publishedWebinar(form: Partial<WebinarForm> = {}) {
  const webinar = await draftWebinar(form)
  const published = await publishWebinar(db, webinar.id)
  if (!published.ok) throw new Error(`not published: ${JSON.stringify(published)}`)
  return webinar
}

type CatalogueRow = { slug: string; topic: string; start_at: string; capacity: number; registered_count: number; regency_name: string; province_name: string; time_zone: string; pillars: string }
type CatalogueData = { rows: CatalogueRow[]; total: number; page: number; errors: Record<string, string[]> | null; regencies: Array<[string, string, string]> }

async function catalogue(query = ''): Promise<{ status: number; data: CatalogueData }> {
  const response = await call(catalogueLoader, getRequest(`/webinars${query}`))
  return { status: response.status, data: (await response.json()) as CatalogueData }
}

function resident(n: string | number) {
  return {
    name: `Warga ${n}`,
    email: `warga-${n}-${Math.random().toString(36).slice(2)}@example.org`,
    whatsapp: '+6281234567890',
    regencyCode: '33.10',
    occupation: 'pelajar',
    ageRange: '17-24',
    gender: null,
    lang: 'id' as const,
  }
}

test('/ leads to the catalogue', async () => {
  const response = await call(homeLoader, getRequest('/'))
  expect(response.status).toBe(302)
  expect(response.headers.get('Location')).toBe('/webinars')
})

describe('the catalogue', () => {
  test('lists upcoming published webinars soonest first; drafts, past, finished and cancelled ones are hidden', async () => {
    const regency = '11.01'
    const later = await publishedWebinar({ regency, date: '2031-05-02', topic: 'Later' })
    const sooner = await publishedWebinar({ regency, date: '2031-05-01', topic: 'Sooner' })
    await draftWebinar({ regency, date: '2031-05-01', topic: 'Draft' })
    await publishedWebinar({ regency, date: '2020-05-01', topic: 'Past' })
    const finished = await publishedWebinar({ regency, date: '2020-06-01', topic: 'Finished' })
    expect((await finishWebinar(db, finished.id)).ok).toBe(true)
    const cancelled = await publishedWebinar({ regency, date: '2031-05-01', topic: 'Cancelled' })
    expect((await cancelWebinar(db, cancelled.id)).ok).toBe(true)

    const { status, data } = await catalogue(`?regency=${regency}`)
    expect(status).toBe(200)
    expect(data.rows.map((r) => r.slug)).toEqual([sooner.slug, later.slug])
    expect(data.total).toBe(2)
    expect(data.rows[0]).toMatchObject({
      topic: 'Sooner',
      start_at: '2031-05-01T02:00:00.000Z',
      time_zone: 'WIB',
      regency_name: 'Kabupaten Aceh Selatan',
      province_name: 'Aceh',
      pillars: 'cakap',
      capacity: 500,
      registered_count: 0,
    })
    // The regency filter offers the regencies that have something coming up.
    expect(data.regencies).toContainEqual(['11.01', 'Kabupaten Aceh Selatan', 'Aceh'])
  })

  test('an ongoing webinar (started, not yet ended) is still listed', async () => {
    const ongoing = await publishedWebinar({ regency: '11.02' })
    const startAt = new Date(Date.now() - 30 * 60_000).toISOString()
    const endAt = new Date(Date.now() + 60 * 60_000).toISOString()
    await db.updateTable('webinars').set({ start_at: startAt, end_at: endAt }).where('id', '=', ongoing.id).execute()
    expect((await catalogue('?regency=11.02')).data.rows.map((r) => r.slug)).toEqual([ongoing.slug])
  })

  test('filters by province, regency and pillar', async () => {
    const bali = await publishedWebinar({ regency: '51.71', date: '2031-06-01', pillars: ['aman'] })
    const makassar = await publishedWebinar({ regency: '73.71', date: '2031-06-01', pillars: ['etika', 'budaya'] })
    expect((await catalogue('?province=51')).data.rows.map((r) => r.slug)).toEqual([bali.slug])
    expect((await catalogue('?regency=73.71')).data.rows.map((r) => r.slug)).toEqual([makassar.slug])
    const budaya = (await catalogue('?pillar=budaya')).data.rows.map((r) => r.slug)
    expect(budaya).toContain(makassar.slug)
    expect(budaya).not.toContain(bali.slug)
    expect((await catalogue('?province=73&pillar=aman')).data.rows).toEqual([])
  })

  test("filters by date as it is where the webinar is held, in that regency's zone", async () => {
    // 07:00 WIT on 10 July is still 9 July in UTC: a UTC date filter would miss it.
    const jayapura = await publishedWebinar({ regency: '91.71', date: '2031-07-10', startTime: '07:00', endTime: '09:00' })
    const klaten = await publishedWebinar({ regency: '33.10', date: '2031-07-11', startTime: '09:00', endTime: '11:00' })
    const day10 = (await catalogue('?from=2031-07-10&to=2031-07-10')).data.rows.map((r) => r.slug)
    expect(day10).toEqual([jayapura.slug])
    const from11 = (await catalogue('?from=2031-07-11&to=2031-07-11')).data.rows.map((r) => r.slug)
    expect(from11).toEqual([klaten.slug])
  })

  test('pages hold 20 webinars; page 2 has the rest', async () => {
    for (let day = 1; day <= 21; day++) {
      await publishedWebinar({ regency: '32.73', date: `2031-08-${String(day).padStart(2, '0')}`, topic: `Bandung ${day}` })
    }
    const first = await catalogue('?regency=32.73')
    expect(first.data.rows).toHaveLength(20)
    expect(first.data.total).toBe(21)
    expect(first.data.rows[0]!.topic).toBe('Bandung 1')
    const second = await catalogue('?regency=32.73&page=2')
    expect(second.data.page).toBe(2)
    expect(second.data.rows.map((r) => r.topic)).toEqual(['Bandung 21'])
  })

  test.each([
    ['?province=jawa', 'province', 'form.invalidChoice'],
    ['?regency=33-10', 'regency', 'form.invalidChoice'],
    ['?pillar=unknown', 'pillar', 'form.invalidChoice'],
    ['?from=2031-02-30', 'from', 'form.invalidDate'],
    ['?from=2031-02-10&to=2031-02-01', 'to', 'catalogue.toBeforeFrom'],
    ['?page=0', 'page', 'form.invalidNumber'],
  ])('a bad filter %s is a 400 with the error beside its field', async (query, field, error) => {
    const { status, data } = await catalogue(query)
    expect(status).toBe(400)
    expect(data.errors?.[field]).toEqual([error])
    expect(data.rows).toEqual([])
  })

  test('seats left follow the registrations', async () => {
    const webinar = await publishedWebinar({ regency: '11.03', capacity: 2 })
    await registerParticipant(db, webinar.id, resident('a'))
    const { data } = await catalogue('?regency=11.03')
    expect(data.rows[0]).toMatchObject({ capacity: 2, registered_count: 1 })
  })
})

describe("a webinar's public page", () => {
  test('shows the topic, time, place, pillars, segment, speakers and seats, but no join details or contacts', async () => {
    const webinar = await publishedWebinar({ topic: 'Tata Kelola Pelayanan Publik Berbasis Digital', date: '2031-09-01', pillars: ['cakap', 'aman'] })
    await assignRole(db, webinar.id, { personId: await createPersonFor('Qausar Harta Yudana'), role: 'kol', talkTitle: null, pillar: null })
    const response = await call(webinarLoader, getRequest(`/webinars/${webinar.slug}`), { slug: webinar.slug })
    expect(response.status).toBe(200)
    const text = await response.text()
    const data = JSON.parse(text) as {
      webinar: Record<string, unknown>
      roles: Array<Record<string, unknown>>
      refusal: string | null
      provinces: unknown[]
      residence: { province: string; regencies: Array<[string, string]> } | null
    }
    expect(data.webinar).toMatchObject({
      topic: 'Tata Kelola Pelayanan Publik Berbasis Digital',
      start_at: '2031-09-01T02:00:00.000Z',
      end_at: '2031-09-01T05:00:00.000Z',
      time_zone: 'WIB',
      regency_code: '33.10',
      regency_name: 'Kabupaten Klaten',
      province_name: 'Jawa Tengah',
      pillars: 'cakap,aman',
      segment: 'umum',
      capacity: 500,
      registered_count: 0,
    })
    expect(data.roles.map((r) => [r.role, r.name])).toEqual([
      ['moderator', 'Moderator Satu'],
      ['speaker', 'Narasumber Satu'],
      ['kol', 'Qausar Harta Yudana'],
    ])
    expect(data.roles[1]).toMatchObject({ talk_title: 'Materi', pillar: 'cakap', title: 'Title', organisation: 'Organisation' })
    expect(data.refusal).toBeNull()
    // The provinces, and the regencies of the webinar's own province only (not all 514).
    expect(data.provinces).toHaveLength(38)
    expect(data.residence?.province).toBe('33')
    expect(data.residence?.regencies).toHaveLength(35)
    expect(data.residence?.regencies).toContainEqual(['33.10', 'Kabupaten Klaten'])
    // factories.webinarForm: https://zoom.us/j/123456789, meeting ID "123 456 789", passcode "rahasia".
    for (const secret of ['zoom.us', '123 456 789', 'rahasia', 'platform_url', 'meeting_id', 'passcode', '@example.org', 'whatsapp']) {
      expect(text).not.toContain(secret)
    }
  })

  test('a speaker who declined is not listed', async () => {
    const webinar = await publishedWebinar()
    await db.updateTable('webinar_roles').set({ confirmation: 'declined' }).where('webinar_id', '=', webinar.id).where('role', '=', 'speaker').execute()
    const data = (await (await call(webinarLoader, getRequest(`/webinars/${webinar.slug}`), { slug: webinar.slug })).json()) as {
      roles: Array<{ role: string }>
    }
    expect(data.roles.map((r) => r.role)).toEqual(['moderator'])
  })

  test('an unknown slug and a draft are 404s', async () => {
    const draft = await draftWebinar()
    for (const slug of ['no-such-webinar', draft.slug]) {
      expect((await call(webinarLoader, getRequest(`/webinars/${slug}`), { slug })).status).toBe(404)
      expect((await call(registeredLoader, getRequest(`/webinars/${slug}/registered`), { slug })).status).toBe(404)
    }
  })

  test('a draft that was cancelled was never announced: still a 404', async () => {
    const draft = await draftWebinar()
    expect((await cancelWebinar(db, draft.id)).ok).toBe(true)
    expect((await call(webinarLoader, getRequest(`/webinars/${draft.slug}`), { slug: draft.slug })).status).toBe(404)
  })

  test('cancelled and finished webinars still have a page that says so, without the region lists', async () => {
    const cancelled = await publishedWebinar()
    await cancelWebinar(db, cancelled.id)
    const finished = await publishedWebinar({ date: '2020-01-01' })
    await finishWebinar(db, finished.id)
    for (const [webinar, refusal] of [
      [cancelled, 'cancelled'],
      [finished, 'finished'],
    ] as const) {
      const response = await call(webinarLoader, getRequest(`/webinars/${webinar.slug}`), { slug: webinar.slug })
      expect(response.status).toBe(200)
      const data = (await response.json()) as { refusal: string; provinces: unknown[]; residence: unknown; webinar: { status: string } }
      expect(data.refusal).toBe(refusal)
      expect(data.provinces).toEqual([])
      expect(data.residence).toBeNull()
    }
  })

  test('the confirmation page names the webinar and its time (for the calendar link), and nothing about any person', async () => {
    const webinar = await publishedWebinar({ topic: 'Cerdas Bermedia Sosial' })
    const response = await call(registeredLoader, getRequest(`/webinars/${webinar.slug}/registered`), { slug: webinar.slug })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      slug: webinar.slug,
      topic: 'Cerdas Bermedia Sosial',
      startAt: '2030-03-04T02:00:00.000Z',
      endAt: '2030-03-04T05:00:00.000Z',
      zone: 'WIB',
    })
  })
})

describe('GET /api/webinars', () => {
  type ApiWebinar = Record<string, unknown>
  type ApiBody = { webinars: ApiWebinar[]; page: number; pageSize: number; total: number }

  test('lists upcoming published webinars with public fields only, cacheable for a minute', async () => {
    const webinar = await publishedWebinar({ regency: '75.71', date: '2031-10-01', startTime: '09:00', endTime: '11:30', pillars: ['aman', 'budaya'], capacity: 3 })
    const registrant = resident('api')
    await registerParticipant(db, webinar.id, { ...registrant, regencyCode: '75.71' })
    await draftWebinar({ regency: '75.71', date: '2031-10-01' })

    const response = await call(apiLoader, getRequest('/api/webinars?regency=75.71'))
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=60')
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
    const text = await response.text()
    const body = JSON.parse(text) as ApiBody
    expect(body.total).toBe(1)
    expect(body.webinars).toEqual([
      {
        id: webinar.id,
        slug: webinar.slug,
        url: `http://localhost:3000/webinars/${webinar.slug}`,
        topic: 'Literasi Digital untuk Warga',
        pillars: ['aman', 'budaya'],
        segment: 'umum',
        regencyCode: '75.71',
        regencyName: 'Kota Gorontalo',
        provinceCode: '75',
        provinceName: 'Gorontalo',
        // 09:00 WITA is 01:00 UTC.
        startAt: '2031-10-01T01:00:00.000Z',
        endAt: '2031-10-01T03:30:00.000Z',
        timeZone: 'WITA',
        timeZoneIana: 'Asia/Makassar',
        capacity: 3,
        seatsLeft: 2,
      },
    ])
    for (const secret of [registrant.email, registrant.name, '+62', 'zoom.us', '123 456 789', 'rahasia']) {
      expect(text).not.toContain(secret)
    }
  })

  test('filters by province and pillar, and hides past and cancelled webinars', async () => {
    const jayapura = await publishedWebinar({ regency: '91.71', date: '2031-11-01', pillars: ['etika'] })
    await publishedWebinar({ regency: '91.71', date: '2020-11-01', pillars: ['etika'] })
    const cancelled = await publishedWebinar({ regency: '91.71', date: '2031-11-02', pillars: ['etika'] })
    await cancelWebinar(db, cancelled.id)
    const body = (await (await call(apiLoader, getRequest('/api/webinars?province=91&pillar=etika'))).json()) as ApiBody
    expect(body.webinars.map((w) => w.slug)).toContain(jayapura.slug)
    expect(body.webinars.every((w) => w.provinceCode === '91' && (w.pillars as string[]).includes('etika'))).toBe(true)
    expect(body.webinars.map((w) => w.slug)).not.toContain(cancelled.slug)
    expect(body.webinars.every((w) => (w.endAt as string) > new Date().toISOString())).toBe(true)
  })

  test.each(['?province=xx', '?regency=3310', '?pillar=CAKAP', '?page=-1', '?from=tomorrow'])('a bad filter %s is a 400 JSON error', async (query) => {
    const response = await call(apiLoader, getRequest(`/api/webinars${query}`))
    expect(response.status).toBe(400)
    const body = (await response.json()) as { error: string; fields: Record<string, string[]> }
    expect(body.error).toBe('invalid_query')
    expect(Object.keys(body.fields)).toHaveLength(1)
    expect(Object.values(body.fields)[0]![0]).toMatch(/^[A-Z]/)
  })
})
