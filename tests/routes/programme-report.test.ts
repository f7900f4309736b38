import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { BarChart, fitLabel } from '#app/components/charts'
import { insertBenchEvaluations, insertBenchRegistrations, insertBenchWebinars, type BenchRegistration, type ProgrammeReport } from '#app/models/programme-report.server'
import { loader } from '#app/routes/admin.reports'
import type { DB } from '#app/utils/db.server'
import { getDb } from '#app/utils/db.server'
import { call, getRequest, signedInAs } from '#tests/setup/factories'
import { createStaff, get, launchBrowser, signIn, startTestServer, type TestServer } from '#tests/e2e/harness'

type LoaderData = { report: ProgrammeReport | null; errors: Record<string, string[]> | null; provinces: Array<{ code: string }> }

/**
 * Two finished webinars: Klaten (Jawa Tengah) in September 2021 and Denpasar (Bali) in October.
 * a comes to both; c waits and e cancels, so neither counts; d's attendance is not final.
 */
async function loadProgramme(db: DB) {
  await insertBenchWebinars(db, [
    { id: 'route-klaten', slug: 'route-klaten', regencyCode: '33.10', pillars: ['cakap'], startAt: '2021-09-01T02:00:00.000Z', endAt: '2021-09-01T05:00:00.000Z', registered: 2, total: 3 },
    { id: 'route-denpasar', slug: 'route-denpasar', regencyCode: '51.71', pillars: ['aman', 'etika'], startAt: '2021-10-05T02:00:00.000Z', endAt: '2021-10-05T04:00:00.000Z', registered: 2, total: 3 },
  ])
  const row = (webinarId: string, email: string, status: BenchRegistration['status'], attended: number | null, position: number): BenchRegistration => ({
    id: `${webinarId}-${email}`,
    webinarId,
    token: `${webinarId}-${email}-token`,
    email,
    regencyCode: webinarId === 'route-klaten' ? '33.10' : '51.71',
    status,
    position,
    attended,
    at: '2021-08-01T00:00:00.000Z',
  })
  await insertBenchRegistrations(db, [
    row('route-klaten', 'a@example.org', 'registered', 1, 1),
    row('route-klaten', 'b@example.org', 'registered', 0, 2),
    row('route-klaten', 'c@example.org', 'waitlisted', null, 3),
    row('route-denpasar', 'a@example.org', 'registered', 1, 1),
    row('route-denpasar', 'd@example.org', 'registered', null, 2),
    row('route-denpasar', 'e@example.org', 'cancelled', null, 3),
  ])
}

describe('/admin/reports', () => {
  beforeAll(() => loadProgramme(getDb()))

  test('an anonymous visitor is sent to /login and comes back afterwards', async () => {
    const response = await call(loader, getRequest('/admin/reports?province=33'))
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/login?redirectTo=%2Fadmin%2Freports%3Fprovince%3D33')
  })

  test.each(['moderator', 'speaker'] as const)('a %s may not read it', async (role) => {
    const { cookie } = await signedInAs(role)
    expect((await call(loader, getRequest('/admin/reports', { cookie }))).status).toBe(403)
  })

  test('an organiser gets the figures: total, by province, regency, pillar and month', async () => {
    const { cookie } = await signedInAs('organiser')
    const response = await call(loader, getRequest('/admin/reports', { cookie }))
    expect(response.status).toBe(200)
    const { report, errors } = (await response.json()) as LoaderData
    expect(errors).toBeNull()
    expect(report!.totals).toEqual({ held: 2, registrations: 4, present: 2, residents: 3 })
    // Equal reach: by name.
    expect(report!.byProvince).toEqual([
      { code: '51', name: 'Bali', held: 1, registrations: 2, present: 1, residents: 2 },
      { code: '33', name: 'Jawa Tengah', held: 1, registrations: 2, present: 1, residents: 2 },
    ])
    expect(report!.byRegency).toEqual({
      top: [
        { code: '33.10', name: 'Kabupaten Klaten', provinceName: 'Jawa Tengah', held: 1, registrations: 2, present: 1, residents: 2 },
        { code: '51.71', name: 'Kota Denpasar', provinceName: 'Bali', held: 1, registrations: 2, present: 1, residents: 2 },
      ],
      reached: 2,
    })
    expect(report!.byPillar.map((p) => [p.code, p.residents])).toEqual([
      ['cakap', 2],
      ['etika', 2],
      ['aman', 2],
      ['budaya', 0],
    ])
    expect(report!.byMonth.map((m) => [m.month, m.held, m.registrations])).toEqual([
      ['2021-09', 1, 2],
      ['2021-10', 1, 2],
    ])
  })

  test('the filters narrow the figures: a province, a date range', async () => {
    const { cookie } = await signedInAs('organiser')
    const byProvince = (await (await call(loader, getRequest('/admin/reports?province=51', { cookie }))).json()) as LoaderData
    expect(byProvince.report!.totals).toEqual({ held: 1, registrations: 2, present: 1, residents: 2 })
    const october = (await (await call(loader, getRequest('/admin/reports?from=2021-10-01&to=2021-10-31&province=', { cookie }))).json()) as LoaderData
    expect(october.report!.byRegency.top.map((r) => r.code)).toEqual(['51.71'])
  })

  test('bad filters are a 400 with the message beside each field, and the form still has its provinces', async () => {
    const { cookie } = await signedInAs('organiser')
    const response = await call(loader, getRequest('/admin/reports?from=2021-02-30&province=99', { cookie }))
    expect(response.status).toBe(400)
    const data = (await response.json()) as LoaderData
    expect(data.errors).toEqual({ from: ['form.invalidDate'], province: ['form.invalidChoice'] })
    expect(data.report).toBeNull()
    expect(data.provinces).toHaveLength(38)

    const reversed = await call(loader, getRequest('/admin/reports?from=2021-10-01&to=2021-09-01', { cookie }))
    expect(reversed.status).toBe(400)
    expect(((await reversed.json()) as LoaderData).errors).toEqual({ to: ['programme.toBeforeFrom'] })

    const garbage = await call(loader, getRequest(`/admin/reports?from=${'9'.repeat(5000)}&to=%00&province=%27%3B--`, { cookie }))
    expect(garbage.status).toBe(400)
    // Dates the programme cannot hold (outside 1900–2999) are refused beside their fields, not a crash.
    const farEnds = await call(loader, getRequest('/admin/reports?from=0100-01-01&to=9999-12-31', { cookie }))
    expect(farEnds.status).toBe(400)
    expect(((await farEnds.json()) as { errors: Record<string, string[]> }).errors).toMatchObject({ from: ['form.invalidDate'], to: ['form.invalidDate'] })
    const wide = await call(loader, getRequest('/admin/reports?from=1900-01-01&to=2999-12-31', { cookie }))
    expect(wide.status).toBe(200)
    expect(((await wide.json()) as LoaderData).report!.totals.held).toBe(2)
  })
})

describe('BarChart', () => {
  test('is an image with a title and a description, scales to its box, and cuts long labels', () => {
    const html = renderToStaticMarkup(
      createElement(BarChart, {
        id: 'regencies',
        title: 'Warga unik per kabupaten/kota',
        description: 'Angka yang sama ada di tabel.',
        bars: [
          { key: '71.09', label: 'Kabupaten Kepulauan Siau Tagulandang Biaro', value: 1200 },
          { key: '33.10', label: 'Kabupaten Klaten', value: 300 },
        ],
      }),
    )
    expect(html).toMatch(/^<svg role="img" aria-labelledby="regencies-title" aria-describedby="regencies-desc" viewBox="0 0 360 48" width="100%"/)
    expect(html).toContain('<title id="regencies-title">Warga unik per kabupaten/kota</title>')
    expect(html).toContain('<desc id="regencies-desc">Angka yang sama ada di tabel.</desc>')
    expect(html).toContain(`>${fitLabel('Kabupaten Kepulauan Siau Tagulandang Biaro')}</text>`)
    expect(html).toContain('<title>Kabupaten Kepulauan Siau Tagulandang Biaro: 1200</title>')
    expect(html).toContain('>Kabupaten Klaten</text>')
  })

  test('labels are cut with an ellipsis only when they would not fit', () => {
    expect(fitLabel('Kabupaten Klaten')).toBe('Kabupaten Klaten')
    expect(fitLabel('Nusa Tenggara Timur')).toBe('Nusa Tenggara Timur')
    const cut = fitLabel('Kabupaten Kepulauan Siau Tagulandang Biaro')
    expect(cut).toMatch(/^Kabupaten Kepulau\S*…$/)
    expect(fitLabel('Daerah Khusus Ibukota Jakarta', 60)).toMatch(/^Daerah…$/)
  })
})

describe('the page, from the production build', () => {
  let server: TestServer
  let cookie: string
  beforeAll(async () => {
    server = await startTestServer()
    await loadProgramme(server.db)
    // The longest names of the official list, for the 360 px check.
    await insertBenchWebinars(server.db, [
      { id: 'route-siau', slug: 'route-siau', regencyCode: '71.09', pillars: ['budaya'], startAt: '2021-10-07T01:00:00.000Z', endAt: '2021-10-07T03:00:00.000Z', registered: 1, total: 1 },
      { id: 'route-seribu', slug: 'route-seribu', regencyCode: '31.01', pillars: ['budaya'], startAt: '2021-10-08T02:00:00.000Z', endAt: '2021-10-08T04:00:00.000Z', registered: 1, total: 1 },
    ])
    await insertBenchRegistrations(server.db, [
      { id: 'route-siau-f', webinarId: 'route-siau', token: 'route-siau-f-token', email: 'f@example.org', regencyCode: '71.09', status: 'registered', position: 1, attended: 1, at: '2021-10-01T00:00:00.000Z' },
      { id: 'route-seribu-g', webinarId: 'route-seribu', token: 'route-seribu-g-token', email: 'g@example.org', regencyCode: '31.01', status: 'registered', position: 1, attended: 1, at: '2021-10-01T00:00:00.000Z' },
    ])
    // Satisfaction: Klaten rated 4 and 5 for its content, Denpasar 3; Siau and Kepulauan Seribu not at all.
    await insertBenchEvaluations(
      server.db,
      [
        ['route-klaten', 4],
        ['route-klaten', 5],
        ['route-denpasar', 3],
      ].map(([webinarId, content], i) => ({ id: `route-evaluation-${i}`, webinarId: webinarId as string, registrationId: null, submittedAt: '2021-10-10T00:00:00.000Z', ratings: { content: content as number, speakers: [4], moderator: 5, platform: 3 } })),
    )
    const organiser = await createStaff(server.db, 'organiser', { password: 'a-good-password' })
    cookie = await signIn(server, organiser)
  })
  afterAll(() => server?.stop())

  test('draws each chart as an image with a title, beside a table with the same numbers', async () => {
    const response = await get(server, '/admin/reports', { cookie })
    expect(response.status).toBe(200)
    const html = await response.text()
    const charts = [...html.matchAll(/<svg role="img" aria-labelledby="([^"]+)"[^>]*>\s*<title id="([^"]+)">([^<]+)<\/title>/g)]
    expect(charts.map((m) => m[3])).toEqual([
      'Grafik batang: warga unik terjangkau per provinsi',
      'Grafik batang: warga unik terjangkau per kabupaten/kota, 4 teratas',
      'Grafik batang: warga unik terjangkau per pilar',
      'Grafik batang: warga unik terjangkau per bulan',
      'Grafik rata-rata nilai isi materi (1–5): Kepuasan per pilar',
      'Grafik rata-rata nilai isi materi (1–5): Kepuasan per provinsi',
      'Grafik rata-rata nilai isi materi (1–5): Kepuasan per segmen',
      'Grafik rata-rata nilai isi materi (1–5): Kepuasan per bulan',
    ])
    for (const m of charts) expect(m[1]).toBe(m[2])
    expect(html.match(/<table/g)).toHaveLength(8)
    // Satisfaction, the Indonesian way; a province nobody evaluated has a dash, in the table and the chart, and no bar.
    expect(html).toContain('3 evaluasi dari 4 webinar; rata-rata nilai isi materi 4,00.')
    expect(html).toContain('<th scope="row">Jawa Tengah</th><td>1</td><td>2</td><td>4,50</td><td>4,00</td><td>5,00</td><td>3,00</td>')
    expect(html).toContain('<th scope="row">Sulawesi Utara</th><td>1</td><td>0</td><td>—</td><td>—</td><td>—</td><td>—</td>')
    expect(html).toContain('<title>Sulawesi Utara: —</title>')
    // Each table's CSV beside it.
    expect(html).toContain('href="/admin/reports/by-province.csv" download="">Unduh CSV: Per provinsi</a>')
    expect(html).toContain('href="/admin/reports/satisfaction-month.csv" download="">Unduh CSV: Kepuasan per bulan</a>')
    expect(html).toContain('<th scope="row">Jawa Tengah</th><td>1</td><td>2</td><td>1</td><td>2</td>')
    // Cut in the chart, whole in the table.
    expect(html).toContain(`>${fitLabel('Daerah Khusus Ibukota Jakarta')}</text>`)
    expect(html).toContain('<th scope="row">Daerah Khusus Ibukota Jakarta</th>')
    expect(html).toMatch(/<th scope="row">Kabupaten Kepulauan Siau Tagulandang Biaro<br\/><span class="muted">Sulawesi Utara<\/span><\/th>/)
    expect(html).toContain('September 2021')
    expect(html).toContain('Laporan program')
  })

  test('a bad date is shown beside its field with a 400', async () => {
    const response = await get(server, '/admin/reports?from=2021-13-01', { cookie })
    expect(response.status).toBe(400)
    const html = await response.text()
    expect(html).toMatch(/aria-invalid="true" aria-describedby="[^"]+-error"[^>]*name="from"/)
    expect(html).toContain('Tanggal tidak valid.')
  })

  test('fits a 360 px screen: nothing scrolls sideways but the tables, and the charts keep their labels inside', async () => {
    const browser = await launchBrowser({ baseURL: server.url, javaScriptEnabled: false })
    try {
      const [name, value] = cookie.split('=') as [string, string]
      await browser.context.addCookies([{ name, value, url: server.url }])
      await browser.page.goto('/admin/reports')
      const layout = await browser.page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        viewport: window.innerWidth,
        charts: [...document.querySelectorAll('svg[role="img"]')].map((svg) => {
          const box = svg.getBoundingClientRect()
          const texts = [...svg.querySelectorAll('text')].map((text) => text.getBoundingClientRect())
          return { left: box.left, right: box.right, textsInside: texts.every((t) => t.left >= box.left - 0.5 && t.right <= box.right + 0.5) }
        }),
      }))
      expect(layout.viewport).toBe(360)
      expect(layout.page).toBeLessThanOrEqual(360)
      expect(layout.charts).toHaveLength(8)
      for (const chart of layout.charts) {
        expect(chart.right).toBeLessThanOrEqual(360)
        expect(chart.textsInside).toBe(true)
      }
    } finally {
      await browser.close()
    }
  })
})
