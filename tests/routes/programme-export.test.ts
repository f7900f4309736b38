// The programme dashboard's CSV exports (/admin/reports/<table>.csv): organisers only, the page's
// filters, every table, and cells a spreadsheet would run as a formula neutralised.
import { parse } from 'csv-parse/sync'
import { submitEvaluation } from '#app/models/evaluation.server'
import { insertBenchAttempts, insertBenchRegistrations, insertBenchWebinars } from '#app/models/programme-report.server'
import { loader as pageLoader } from '#app/routes/admin.reports'
import { loader } from '#app/routes/admin.reports_.$table[.]csv'
import { getDb } from '#app/utils/db.server'
import { PROGRAMME_CSV_TABLES } from '#app/utils/programme-csv.server'
import { call, getRequest, signedInAs } from '#tests/setup/factories'

const db = getDb()
const BOM = '\uFEFF'

async function csv(path: string, cookie: string) {
  const table = path.slice('/admin/reports/'.length).split('.csv')[0]!
  const response = await call(loader, getRequest(path, { cookie }), { table })
  // Response.text() drops a BOM; the file's bytes keep it.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer())
  return { response, text, rows: response.status === 200 ? (parse(text.replace(BOM, ''), { relax_column_count: true }) as string[][]) : [] }
}

beforeAll(async () => {
  // Klaten (Jawa Tengah) in September 2021 and Denpasar (Bali) in October; two residents each.
  await insertBenchWebinars(db, [
    { id: 'csv-klaten', slug: 'csv-klaten', regencyCode: '33.10', pillars: ['cakap'], segment: 'guru', startAt: '2021-09-01T02:00:00.000Z', endAt: '2021-09-01T05:00:00.000Z', registered: 2, total: 2 },
    { id: 'csv-denpasar', slug: 'csv-denpasar', regencyCode: '51.71', pillars: ['aman'], startAt: '2021-10-05T02:00:00.000Z', endAt: '2021-10-05T04:00:00.000Z', registered: 2, total: 2 },
  ])
  await insertBenchRegistrations(
    db,
    ['csv-klaten', 'csv-denpasar'].flatMap((webinarId) =>
      ['a', 'b'].map((person, i) => ({
        id: `${webinarId}-${person}`,
        webinarId,
        token: `${webinarId}-${person}-token`,
        email: `${person}@example.org`,
        regencyCode: webinarId === 'csv-klaten' ? '33.10' : '51.71',
        status: 'registered' as const,
        position: i + 1,
        attended: 1,
        at: '2021-08-01T00:00:00.000Z',
      })),
    ),
  )
  for (const [webinarId, person, content] of [
    ['csv-klaten', 'a', 5],
    ['csv-klaten', 'b', 4],
    ['csv-denpasar', 'a', 2],
  ] as const) {
    const answers = { ratings: [{ item: 'content' as const, subject: '', rating: content }, { item: 'platform' as const, subject: '', rating: 3 }], comment: null }
    expect(await submitEvaluation(db, `${webinarId}-${person}-token`, answers)).toEqual({ ok: true })
  }
  await insertBenchAttempts(
    db,
    (['pre', 'post'] as const).map((kind) => ({
      id: `csv-klaten-a-${kind}`,
      webinarId: 'csv-klaten',
      registrationId: 'csv-klaten-a',
      kind,
      startedAt: '2021-09-01T01:00:00.000Z',
      finishedAt: '2021-09-01T01:10:00.000Z',
      paired: 1,
      pillars: { cakap: { total: 3, correct: kind === 'pre' ? 1 : 2 } },
    })),
  )
})

describe('/admin/reports/<table>.csv', () => {
  test('an anonymous visitor is sent to sign in, and comes back to the file', async () => {
    const response = await call(loader, getRequest('/admin/reports/by-province.csv?province=33'), { table: 'by-province' })
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/login?redirectTo=%2Fadmin%2Freports%2Fby-province.csv%3Fprovince%3D33')
  })

  test.each(['moderator', 'speaker'] as const)('a %s may not download any table', async (role) => {
    const { cookie } = await signedInAs(role)
    for (const table of PROGRAMME_CSV_TABLES) expect((await call(loader, getRequest(`/admin/reports/${table}.csv`, { cookie }), { table })).status).toBe(403)
  })

  test('an organiser gets every table as a CSV file with a BOM, and an unknown table is a 404', async () => {
    const { cookie } = await signedInAs('organiser')
    for (const table of PROGRAMME_CSV_TABLES) {
      const { response, text, rows } = await csv(`/admin/reports/${table}.csv`, cookie)
      expect(response.status, table).toBe(200)
      expect(response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
      expect(response.headers.get('Content-Disposition')).toBe(`attachment; filename="laporan-program-${table}.csv"`)
      expect(response.headers.get('Cache-Control')).toBe('private, no-store')
      expect(text.startsWith(BOM)).toBe(true)
      expect(rows.length, table).toBeGreaterThan(1)
    }
    expect((await call(loader, getRequest('/admin/reports/passwords.csv', { cookie }), { table: 'passwords' }).catch((e: Response) => e)).status).toBe(404)
  })

  test('the rows are the page’s figures: reach, the paired gain and the mean ratings', async () => {
    const { cookie } = await signedInAs('organiser')
    expect((await csv('/admin/reports/by-province.csv', cookie)).rows).toEqual([
      ['Provinsi', 'Webinar terselenggara', 'Pendaftar', 'Hadir', 'Warga unik terjangkau'],
      ['Bali', '1', '2', '2', '2'],
      ['Jawa Tengah', '1', '2', '2', '2'],
    ])
    expect((await csv('/admin/reports/gain-pillar.csv', cookie)).rows).toEqual([
      ['Pilar', 'Berpasangan', 'Pre (berpasangan)', 'Post (berpasangan)', 'Peningkatan'],
      ['Cakap Digital', '1', '33.3', '66.7', '33.3'],
    ])
    expect((await csv('/admin/reports/satisfaction-pillar.csv', cookie)).rows).toEqual([
      ['Pilar', 'Webinar', 'Evaluasi', 'Isi materi', 'Narasumber', 'Moderator', 'Platform'],
      ['Cakap Digital', '1', '2', '4.5', '', '', '3'],
      ['Etika Digital', '0', '0', '', '', '', ''],
      ['Aman Digital', '1', '1', '2', '', '', '3'],
      ['Budaya Digital', '0', '0', '', '', '', ''],
    ])
    expect((await csv('/admin/reports/satisfaction-segment.csv', cookie)).rows.slice(1).map((r) => r.slice(0, 3))).toEqual([
      ['Guru dan pendidik', '1', '2'],
      ['Masyarakat umum', '1', '1'],
    ])
    expect((await csv('/admin/reports/satisfaction-month.csv', cookie)).rows.slice(1).map((r) => r[0])).toEqual(['2021-09', '2021-10'])
  })

  test('the page’s filters apply, and name the file; bad filters are a 400 that says so', async () => {
    const { cookie } = await signedInAs('organiser')
    const bali = await csv('/admin/reports/satisfaction-province.csv?from=2021-10-01&to=2021-10-31&province=51', cookie)
    expect(bali.response.headers.get('Content-Disposition')).toBe('attachment; filename="laporan-program-satisfaction-province-2021-10-01-2021-10-31-51.csv"')
    expect(bali.rows.slice(1)).toEqual([['Bali', '1', '1', '2', '', '', '3']])
    const nothing = await csv('/admin/reports/gain-province.csv?province=35', cookie)
    expect(nothing.rows).toHaveLength(1)

    const bad = await call(loader, getRequest('/admin/reports/by-month.csv?from=2021-02-30', { cookie }), { table: 'by-month' })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('Filter laporan tidak valid')
  })

  test('every region name is written so a spreadsheet cannot run it as a formula', async () => {
    const { cookie } = await signedInAs('organiser')
    const original = await db.selectFrom('regencies').select('name').where('code', '=', '51.71').executeTakeFirstOrThrow()
    await db.updateTable('regencies').set({ name: '=HYPERLINK("http://evil.example","Denpasar")' }).where('code', '=', '51.71').execute()
    try {
      const { text, rows } = await csv('/admin/reports/by-regency.csv', cookie)
      expect(rows.map((r) => r[0])).toContain(`'=HYPERLINK("http://evil.example","Denpasar")`)
      expect(text).not.toMatch(/(^|,|\r\n)=HYPERLINK/)
    } finally {
      await db.updateTable('regencies').set({ name: original.name }).where('code', '=', '51.71').execute()
    }
  })

  test('the page links each table’s CSV with its filters', async () => {
    const { cookie } = await signedInAs('organiser')
    const data = (await (await call(pageLoader, getRequest('/admin/reports?from=2021-09-01&to=&province=33', { cookie }))).json()) as { exportQuery: string }
    expect(data.exportQuery).toBe('?from=2021-09-01&province=33')
  })
})
