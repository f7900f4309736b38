import { loader as consoleLoader } from '#app/routes/attendance.$slug._index'
import { action as previewAction, loader as previewLoader } from '#app/routes/attendance.$slug.import.$importId'
import { action as uploadAction, loader as importLoader } from '#app/routes/attendance.$slug.import._index'
import { translate } from '#app/i18n'
import { eraseRegistrationByToken } from '#app/models/personal-data.server'
import { getDb } from '#app/utils/db.server'
import { message } from '#app/utils/messages'
import { buildZoomReport, type ZoomReportPerson } from '../../scripts/demo/zoom-report'
import { BASE_URL, call, getRequest, moderatorOf, postRequest, publishedWebinar, register, signedInAs } from '#tests/setup/factories'

const db = getDb()
let scenes = 0

// The factory's webinar runs 09:00–12:00 with a 70% threshold: 126 of 180 minutes count as present.

/** A webinar with its moderator and three seat holders; only Budi and Sari are in the reports below. */
async function scene() {
  const webinar = await publishedWebinar()
  const moderator = await moderatorOf(webinar.id)
  const tag = ++scenes
  const budi = await register(webinar.id, { name: 'Budi Santoso', email: `budi.${tag}@example.org` })
  const sari = await register(webinar.id, { name: 'Sari Rahayu', email: `sari.${tag}@example.org` })
  const dewi = await register(webinar.id, { name: 'Dewi Lestari', email: `dewi.${tag}@example.org` })
  return { webinar, moderator, budi, sari, dewi }
}

type Scene = Awaited<ReturnType<typeof scene>>

/**
 * The current Zoom export: a host; Budi by e-mail (typed in another case) over two joins, 130 minutes;
 * Sari without e-mail, renamed to "HP Sari", 100 minutes; someone who registered with Zoom only; a walk-in.
 */
function currentReport(s: Scene, minutes: { budi?: number[]; sari?: number[] } = {}) {
  const people: ZoomReportPerson[] = [
    { name: 'Moderator Satu', email: 'host@kominfo.example', joins: [{ minutes: 185 }], role: 'host' },
    { name: 'Budi Santoso', email: s.budi.email.toUpperCase(), joins: (minutes.budi ?? [60, 70]).map((m) => ({ minutes: m })) },
    { name: 'Sari Rahayu', email: null, renamedTo: 'HP Sari', joins: (minutes.sari ?? [100]).map((m) => ({ minutes: m })) },
    { name: 'Tamu Zoom', email: 'tamu.zoom@example.org', joins: [{ minutes: 45 }] },
    { name: 'iPhone', email: null, joins: [{ minutes: 20 }] },
  ]
  return buildZoomReport({ topic: 'Literasi Digital untuk Warga', startAt: new Date('2030-03-04T08:55:00Z'), people })
}

/**
 * An older export, written by hand: no sections above the attendees, US dates, LF, no BOM.
 * Budi renamed himself and dropped out once (59 + 70 = 129 minutes); Sari's name is quoted with a comma.
 */
function handReport(s: Scene): string {
  return [
    'Attendee Details,',
    'User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Is Guest',
    'HP Budi (Budi Santoso),,03/04/2030 09:01:00 AM,03/04/2030 10:00:00 AM,59,Yes',
    'HP Budi (Budi Santoso),,03/04/2030 10:05:00 AM,03/04/2030 11:15:00 AM,70,Yes',
    `"Rahayu, Sari",${s.sari.email},03/04/2030 09:00:00 AM,03/04/2030 10:30:00 AM,90,Yes`,
    '',
  ].join('\n')
}

function uploadRequest(slug: string, file: File | null, cookie?: string) {
  const form = new FormData()
  if (file) form.append('report', file)
  const headers = new Headers()
  if (cookie) headers.set('Cookie', cookie)
  return new Request(new URL(`/attendance/${slug}/import`, BASE_URL), { method: 'POST', body: form, headers })
}

const csvFile = (bytes: Uint8Array | string, name = 'report.csv') =>
  new File([typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : new Uint8Array(bytes)], name, { type: 'text/csv' })

function upload(s: Scene, file: File | null, cookie = s.moderator.cookie) {
  return call(uploadAction, uploadRequest(s.webinar.slug, file, cookie), { slug: s.webinar.slug })
}

/** Uploads and follows the redirect to the preview's id. */
async function uploaded(s: Scene, csv: string | Uint8Array) {
  const response = await upload(s, csvFile(csv))
  expect(response.status).toBe(303)
  const location = response.headers.get('Location')!
  const match = new RegExp(`^/attendance/${s.webinar.slug}/import/([^/?]+)$`).exec(location)
  expect(match).not.toBeNull()
  return match![1]!
}

function getPreview(s: Scene, importId: string, slug = s.webinar.slug) {
  return call(previewLoader, getRequest(`/attendance/${slug}/import/${importId}`, { cookie: s.moderator.cookie }), { slug, importId })
}

function postPreview(s: Scene, importId: string, fields: Record<string, string>, options: { slug?: string; search?: string } = {}) {
  const slug = options.slug ?? s.webinar.slug
  return call(previewAction, postRequest(`/attendance/${slug}/import/${importId}${options.search ?? ''}`, fields, { cookie: s.moderator.cookie }), {
    slug,
    importId,
  })
}

async function minutesOf(s: Scene) {
  const rows = await db.selectFrom('registrations').select(['id', 'zoom_minutes']).where('webinar_id', '=', s.webinar.id).execute()
  const byId = Object.fromEntries(rows.map((r) => [r.id, r.zoom_minutes]))
  return { budi: byId[s.budi.id], sari: byId[s.sari.id], dewi: byId[s.dewi.id] }
}

async function importsOf(webinarId: string) {
  return db.selectFrom('zoom_imports').select(['id', 'committed_at', 'uploaded_by', 'file_name']).where('webinar_id', '=', webinarId).execute()
}

async function personByEmail(importId: string, email: string) {
  return db
    .selectFrom('zoom_import_people')
    .select(['id', 'match', 'registration_id', 'minutes'])
    .where('import_id', '=', importId)
    .where('email', '=', email)
    .executeTakeFirstOrThrow()
}

async function errorsOf(response: Response) {
  return ((await response.json()) as { errors: Record<string, string[]> }).errors
}

type PreviewData = {
  zoomImport: {
    id: string
    current: boolean
    committed_at: string | null
    counts: Record<string, number>
    presentByZoom: number
    rows: number
    file_name: string
    report: { topic: string | null; meetingId: string | null; date: string | null; dateOrder: 'mdy' | 'dmy' | null }
    identity: { topic: 'same' | 'different' | 'unknown'; date: 'same' | 'different' | 'unknown' }
  }
  people: {
    rows: Array<{ id: string; match: string; names: string[]; minutes: number; joins: number; registrant_email: string | null; candidates: Array<{ id: string; name: string; email: string }> }>
    total: number
  }
}

async function preview(s: Scene, importId: string, search = ''): Promise<PreviewData> {
  const response = await call(previewLoader, getRequest(`/attendance/${s.webinar.slug}/import/${importId}${search}`, { cookie: s.moderator.cookie }), {
    slug: s.webinar.slug,
    importId,
  })
  expect(response.status).toBe(200)
  return (await response.json()) as PreviewData
}

// --- Uploading and committing ----------------------------------------------------------------

describe('uploading a report', () => {
  test('a good report is a 303 to its preview; attendance does not change before the commit', async () => {
    const s = await scene()
    const importId = await uploaded(s, currentReport(s))
    expect(await importsOf(s.webinar.id)).toEqual([{ id: importId, committed_at: null, uploaded_by: s.moderator.id, file_name: 'report.csv' }])
    expect(await minutesOf(s)).toEqual({ budi: null, sari: null, dewi: null })
    expect((await db.selectFrom('webinars').select('zoom_import_id').where('id', '=', s.webinar.id).executeTakeFirstOrThrow()).zoom_import_id).toBeNull()

    const data = await preview(s, importId)
    expect(data.zoomImport).toMatchObject({
      current: false,
      committed_at: null,
      counts: { email: 1, name: 1, link: 0, ambiguous: 0, unmatched: 1, guest: 1, staff: 1 },
      presentByZoom: 1,
    })
    // The preview opens on the rows that need a moderator's attention.
    expect(data.people.rows.map((p) => p.match).sort()).toEqual(['guest', 'unmatched'])
    const matched = await preview(s, importId, '?show=matched')
    expect(matched.people.rows.map((p) => [p.registrant_email, p.minutes, p.joins])).toEqual([
      [s.budi.email, 130, 2],
      [s.sari.email, 100, 1],
    ])
    // The import page lists the waiting preview.
    const page = await call(importLoader, getRequest(`/attendance/${s.webinar.slug}/import`, { cookie: s.moderator.cookie }), { slug: s.webinar.slug })
    expect(((await page.json()) as { imports: Array<{ id: string }> }).imports.map((i) => i.id)).toEqual([importId])
  })

  test('committing applies the minutes, summed over rejoins, to the registrants the report matched', async () => {
    const s = await scene()
    const importId = await uploaded(s, currentReport(s))
    const response = await postPreview(s, importId, { intent: 'commit' })
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/attendance/${s.webinar.slug}/import/${importId}?done=committed`)
    expect(await minutesOf(s)).toEqual({ budi: 130, sari: 100, dewi: null })
    expect((await db.selectFrom('webinars').select('zoom_import_id').where('id', '=', s.webinar.id).executeTakeFirstOrThrow()).zoom_import_id).toBe(importId)
    expect((await importsOf(s.webinar.id))[0]!.committed_at).not.toBeNull()
    const events = await db.selectFrom('attendance_events').select(['action', 'actor_id']).where('webinar_id', '=', s.webinar.id).execute()
    expect(events).toEqual([{ action: 'zoomCommitted', actor_id: s.moderator.id }])

    // Budi's 130 minutes reach the 126 needed; Sari's 100 do not.
    const consoleResponse = await call(consoleLoader, getRequest(`/attendance/${s.webinar.slug}`, { cookie: s.moderator.cookie }), { slug: s.webinar.slug })
    const console = (await consoleResponse.json()) as {
      counts: Record<string, number>
      list: { rows: Array<{ id: string; present: number; source: string | null }> }
    }
    expect(console.counts).toMatchObject({ registered: 3, zoomEnough: 1, present: 1 })
    expect(console.list.rows.find((r) => r.id === s.budi.id)).toMatchObject({ present: 1, source: 'zoom' })
    expect(console.list.rows.find((r) => r.id === s.sari.id)).toMatchObject({ present: 0, source: null })

    // Committing again changes nothing.
    const again = await postPreview(s, importId, { intent: 'commit' })
    expect(again.headers.get('Location')).toBe(`/attendance/${s.webinar.slug}/import/${importId}?done=current`)
    expect(await minutesOf(s)).toEqual({ budi: 130, sari: 100, dewi: null })
  })

  test("a registrant's minutes stop at a day, summed over rejoins and over every row that is them", async () => {
    const s = await scene()
    // Budi by e-mail (two joins of 1,000 minutes: a day at most is 1,440), and again by his name alone from another device.
    const people: ZoomReportPerson[] = [
      { name: 'Budi Santoso', email: s.budi.email, joins: [{ minutes: 1000 }, { minutes: 1000 }] },
      { name: 'Budi Santoso', email: null, renamedTo: 'HP Budi', joins: [{ minutes: 1000 }] },
      { name: 'Sari Rahayu', email: s.sari.email, joins: [{ minutes: 1440 }] },
    ]
    const importId = await uploaded(s, buildZoomReport({ topic: 'Literasi Digital untuk Warga', startAt: new Date('2030-03-04T01:55:00Z'), people }))
    const matched = await preview(s, importId, '?show=matched')
    expect(matched.people.rows.map((p) => [p.registrant_email, p.minutes, p.joins])).toEqual([
      [s.budi.email, 1440, 2],
      [s.budi.email, 1000, 1],
      [s.sari.email, 1440, 1],
    ])
    expect((await postPreview(s, importId, { intent: 'commit' })).status).toBe(303)
    expect(await minutesOf(s)).toEqual({ budi: 1440, sari: 1440, dewi: null })
  })

  test('a hand-written older export (renamed rejoins, a quoted comma, LF, no BOM) previews and commits', async () => {
    const s = await scene()
    const importId = await uploaded(s, handReport(s))
    expect((await preview(s, importId)).zoomImport.counts).toMatchObject({ email: 1, name: 1, unmatched: 0, guest: 0 })
    expect(await minutesOf(s)).toEqual({ budi: null, sari: null, dewi: null })
    expect((await postPreview(s, importId, { intent: 'commit' })).status).toBe(303)
    expect(await minutesOf(s)).toEqual({ budi: 129, sari: 90, dewi: null })
  })

  test('a new report waits in preview while the committed one stays in force, until it is committed itself', async () => {
    const s = await scene()
    const first = await uploaded(s, currentReport(s))
    expect((await postPreview(s, first, { intent: 'commit' })).status).toBe(303)
    const second = await uploaded(s, currentReport(s, { budi: [20], sari: [150] }))
    expect(second).not.toBe(first)
    expect(await minutesOf(s)).toEqual({ budi: 130, sari: 100, dewi: null })
    expect((await postPreview(s, second, { intent: 'commit' })).status).toBe(303)
    expect(await minutesOf(s)).toEqual({ budi: 20, sari: 150, dewi: null })
  })

  test('the same file again leads to the same import with ?done=reused, and makes no new row', async () => {
    const s = await scene()
    const csv = currentReport(s)
    const importId = await uploaded(s, csv)
    expect((await postPreview(s, importId, { intent: 'commit' })).status).toBe(303)
    const before = await importsOf(s.webinar.id)
    const peopleBefore = await db.selectFrom('zoom_import_people').select('id').where('import_id', '=', importId).execute()

    const again = await upload(s, csvFile(csv, 'salinan.csv'))
    expect(again.status).toBe(303)
    expect(again.headers.get('Location')).toBe(`/attendance/${s.webinar.slug}/import/${importId}?done=reused`)
    expect(await importsOf(s.webinar.id)).toEqual(before)
    expect(await db.selectFrom('zoom_import_people').select('id').where('import_id', '=', importId).execute()).toEqual(peopleBefore)
    expect(await minutesOf(s)).toEqual({ budi: 130, sari: 100, dewi: null })
  })

  test('the same file for another webinar is a new import there', async () => {
    const s = await scene()
    const other = await scene()
    const csv = currentReport(s)
    const mine = await uploaded(s, csv)
    const theirs = await uploaded(other, csv)
    expect(theirs).not.toBe(mine)
    expect((await importsOf(other.webinar.id)).map((i) => i.id)).toEqual([theirs])
  })
})

describe('a file that is not a usable report', () => {
  /** What Excel's "Save" leaves when the moderator picks the workbook format: a ZIP archive. */
  const workbook = () => Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x06\x00\x08\x00', 'latin1'), Buffer.from('[Content_Types].xml'), Buffer.alloc(64)])
  /** The hand-written report cut off inside Sari's quoted name, on line 5. */
  const truncated = (s: Scene) => {
    const text = handReport(s)
    return text.slice(0, text.indexOf('"Rahayu, Sa') + '"Rahayu, Sa'.length)
  }
  /** 20 MB and one byte of CSV-looking text. */
  const oversized = () => {
    const bytes = Buffer.alloc(20 * 1024 * 1024 + 1, 'Budi,budi@example.org,60\n')
    return bytes
  }

  test.each<[string, (s: Scene) => File | null, number, string]>([
    ['an empty file', () => csvFile(new Uint8Array(0)), 400, 'import.error.empty'],
    ['a file of blank lines', () => csvFile('\r\n\r\n  \r\n'), 422, 'import.error.empty'],
    [
      'a CSV that is not a Zoom report (a registrant list): the message names the separator it was read with',
      (s) => csvFile(`Nama,Email,WhatsApp\nBudi Santoso,${s.budi.email},0812\n`),
      422,
      message('import.error.notZoom', { separator: ',' }),
    ],
    ['a semicolon file that is no Zoom report either', () => csvFile('Nama;Kota\nBudi;Klaten\n'), 422, message('import.error.notZoom', { separator: ';' })],
    ['a file without any column separator', () => csvFile('Budi Santoso\nSari Rahayu\n'), 422, 'import.error.noSeparator'],
    [
      'a participant list without a time column: the message names the column and the line',
      () => csvFile('Meeting ID,Topic\n123 456 789,Literasi\n\nName (Original Name),User Email,Guest\nBudi,budi@example.org,Yes\n'),
      422,
      message('import.error.noTimeColumn', { line: 4 }),
    ],
    ['a participant list without a name column', () => csvFile('Nama Peserta,Email,Join Time,Leave Time\nBudi,budi@example.org,,\n'), 422, message('import.error.noNameColumn', { line: 1 })],
    ['a file cut off inside a quoted field', (s) => csvFile(truncated(s)), 422, 'import.error.truncated?line=5'],
    ['an Excel workbook saved as .xlsx', () => csvFile(workbook(), 'laporan.xlsx'), 422, 'import.error.workbook'],
    ['bytes that are no text', () => csvFile(Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256))), 422, 'import.error.encoding'],
    ['a Zoom report without a single attendee', (s) => csvFile(handReport(s).split('\n').slice(0, 2).join('\n')), 422, 'import.error.noRows'],
    // PostgreSQL refuses U+0000 in text: stored as the topic or an address, it was a 500 there.
    ['a report whose topic holds a NUL', (s) => csvFile(currentReport(s).replace('Literasi Digital untuk Warga', 'Literasi\u0000Digital')), 422, 'import.error.encoding'],
    ['a report whose address holds a NUL', (s) => csvFile(currentReport(s).replace('tamu.zoom@example.org', 'tamu.zoom\u0000@example.org')), 422, 'import.error.encoding'],
    ['a report whose name holds a NUL', (s) => csvFile(currentReport(s).replace('Tamu Zoom', 'Tamu\u0000Zoom')), 422, 'import.error.encoding'],
    ['no file at all', () => null, 400, 'import.error.required'],
    ['a file input left empty (no name, no bytes)', () => new File([], '', { type: 'application/octet-stream' }), 400, 'import.error.required'],
    ['a file over 20 MB', () => csvFile(oversized()), 413, 'import.error.tooLarge'],
  ])('%s is refused beside the report field, and no import is made', async (_, makeFile, status, error) => {
    const s = await scene()
    const response = await upload(s, makeFile(s))
    expect(response.status).toBe(status)
    expect(await errorsOf(response)).toEqual({ report: [error] })
    expect(await importsOf(s.webinar.id)).toEqual([])
    expect(await minutesOf(s)).toEqual({ budi: null, sari: null, dewi: null })
  })

  test('a leave time with a mistyped year is refused beside the field, naming the row and its times as written; nothing is saved', async () => {
    const s = await scene()
    const csv = [
      'User Name (Original Name),Email,Join Time,Leave Time',
      `Budi Santoso,${s.budi.email},03/04/2030 09:00:00 AM,03/04/2030 11:00:00 AM`,
      `Sari Rahayu,${s.sari.email},03/04/2030 09:05:00 AM,03/04/9030 11:00:00 AM`,
      '',
    ].join('\n')
    // Before: 3,681,643,795 minutes, which PostgreSQL refused with a raw 22003 (a 500) and SQLite stored.
    const response = await upload(s, csvFile(csv))
    expect(response.status).toBe(422)
    expect(await errorsOf(response)).toEqual({
      report: ['import.error.implausibleRows', message('import.problem.leaveTooLate', { line: 3, join: '03/04/2030 09:05:00 AM', leave: '03/04/9030 11:00:00 AM' })],
    })
    expect(await importsOf(s.webinar.id)).toEqual([])
    expect(await minutesOf(s)).toEqual({ budi: null, sari: null, dewi: null })
  })

  test('durations with digits too many (22 joins of 99,999,999 minutes) are refused: the first 20 rows named, the rest counted', async () => {
    const s = await scene()
    const csv = currentReport(s, { budi: Array.from({ length: 22 }, () => 99_999_999) })
    const lines = csv.split(/\r\n|\n/)
    const budiLines = lines.flatMap((line, index) => (line.includes(s.budi.email.toUpperCase()) ? [index + 1] : []))
    expect(budiLines).toHaveLength(22)
    const response = await upload(s, csvFile(csv))
    expect(response.status).toBe(422)
    expect(await errorsOf(response)).toEqual({
      report: [
        'import.error.implausibleRows',
        ...budiLines.slice(0, 20).map((line) => message('import.problem.minutesTooMany', { line, minutes: '99999999' })),
        message('import.problem.more', { count: 2 }),
      ],
    })
    expect(await importsOf(s.webinar.id)).toEqual([])
  })

  test('a file name holding a NUL is a 400 before the file is read, and no import is made', async () => {
    const s = await scene()
    const response = await upload(s, csvFile(currentReport(s), 'laporan\u0000.csv'))
    expect(response.status).toBe(400)
    expect(await importsOf(s.webinar.id)).toEqual([])
  })

  test('a form posted without multipart encoding is refused beside the report field', async () => {
    const s = await scene()
    const response = await call(
      uploadAction,
      postRequest(`/attendance/${s.webinar.slug}/import`, { report: 'Attendee Details,' }, { cookie: s.moderator.cookie }),
      { slug: s.webinar.slug },
    )
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual({ report: ['import.error.required'] })
    expect(await importsOf(s.webinar.id)).toEqual([])
  })

  test('a bad file does not throw away the preview waiting before it', async () => {
    const s = await scene()
    const importId = await uploaded(s, currentReport(s))
    expect((await upload(s, csvFile(workbook(), 'laporan.xlsx'))).status).toBe(422)
    expect((await importsOf(s.webinar.id)).map((i) => i.id)).toEqual([importId])
  })

  test('every refusal has a message in both languages that tells what to do', () => {
    for (const lang of ['id', 'en'] as const) {
      expect(translate(lang, 'import.error.workbook')).toMatch(/CSV UTF-8/)
      expect(translate(lang, 'import.error.encoding')).toMatch(/CSV UTF-8/)
      expect(translate(lang, 'import.error.noTimeColumn', { line: 4 })).toMatch(/4.*Join Time.*Duration/)
      expect(translate(lang, 'import.error.noNameColumn', { line: 1 })).toMatch(/1.*User Name/)
      expect(translate(lang, 'import.error.notZoom', { separator: ';' })).toContain('“;”')
      expect(translate(lang, 'import.problem.leaveTooLate', { line: 3, join: '03/04/2030 09:05:00 AM', leave: '03/04/9030 11:00:00 AM' })).toMatch(/3.*03\/04\/2030 09:05:00 AM.*03\/04\/9030 11:00:00 AM/)
      expect(translate(lang, 'import.error.implausibleRows')).toMatch(lang === 'id' ? /sehari.*unggah lagi/ : /a day.*upload it again/)
    }
  })
})

// --- Zoom reports as they really come --------------------------------------------------------

describe('Zoom reports as they really come', () => {
  /** The hand-written report as Excel in a European locale saves it: semicolons, day first, padded rows. */
  const semicolons = (s: Scene) =>
    [
      'Attendee Details;;;;;',
      'User Name (Original Name);Email;Join Time;Leave Time;Time in Session (minutes);Is Guest',
      'HP Budi (Budi Santoso);;04/03/2030 09:01;04/03/2030 10:00;59;Yes',
      'HP Budi (Budi Santoso);;04/03/2030 10:05;04/03/2030 11:15;70;Yes',
      `"Rahayu; Sari";${s.sari.email};04/03/2030 09:00;04/03/2030 10:30;90;Yes`,
      '',
    ].join('\r\n')

  test('a semicolon file with day-first dates previews and commits; nothing in it settles the order, the webinar’s date does, and the preview says so', async () => {
    const s = await scene()
    const importId = await uploaded(s, semicolons(s))
    const data = await preview(s, importId)
    expect(data.zoomImport.counts).toMatchObject({ email: 1, name: 1, unmatched: 0, guest: 0 })
    expect(data.zoomImport.report).toEqual({ topic: null, meetingId: null, date: '2030-03-04', dateOrder: 'dmy' })
    expect(data.zoomImport.identity).toEqual({ topic: 'unknown', date: 'same' })
    expect((await postPreview(s, importId, { intent: 'commit' })).status).toBe(303)
    expect(await minutesOf(s)).toEqual({ budi: 129, sari: 90, dewi: null })
  })

  test('Windows-1252 and UTF-16 files (Excel on Windows) are decoded, their accented names intact', async () => {
    const s = await scene()
    const andre = await register(s.webinar.id, { name: 'André Wijaya', email: `andre.${s.webinar.id}@example.org` })
    const extra = `André Wijaya,,03/04/2030 09:00:00 AM,03/04/2030 12:00:00 PM,180,Yes\n`
    const windows1252 = Buffer.from(handReport(s) + extra, 'latin1')
    const importId = await uploaded(s, windows1252)
    expect((await preview(s, importId, '?show=matched')).people.rows.find((row) => row.names.includes('André Wijaya'))).toMatchObject({ registrant_email: andre.email, minutes: 180 })

    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from((handReport(s) + extra).replaceAll(',', '\t').replace('"Rahayu\t Sari"', 'Rahayu Sari'), 'utf16le')])
    const second = await uploaded(s, utf16)
    expect((await preview(s, second, '?show=matched')).people.rows.map((row) => [row.registrant_email, row.minutes])).toEqual([
      [s.budi.email, 129],
      [s.sari.email, 90],
      [andre.email, 180],
    ])
  })

  test('a 2020-style report: the renamed attendee not found by name is "no e-mail; name not found", with the closest registered names to pick from', async () => {
    const s = await scene()
    const susanty = await register(s.webinar.id, { name: 'Rina Susanty', email: `rina.${s.webinar.id}@example.org` })
    const csv = [
      'Attendee Report',
      'Topic,Webinar ID,Actual Start Time,Actual Duration (minutes)',
      'Literasi Digital untuk Warga,123 456 789,"Mar 4, 2030 08:55 AM",186',
      'Attendee Details',
      'Attended,User Name,First Name,Last Name,Email,Registration Time,Approval Status,Join Time,Leave Time,Time in Session (minutes),Country/Region Name',
      'Yes,iPhone Rina (Rina Susanti),,,,,,"Mar 4, 2030 09:00 AM","Mar 4, 2030 11:30 AM",150,Indonesia',
      '',
    ].join('\r\n')
    const importId = await uploaded(s, csv)
    const data = await preview(s, importId)
    expect(data.zoomImport.identity).toEqual({ topic: 'same', date: 'same' })
    const [rina] = data.people.rows
    expect(rina).toMatchObject({ match: 'guest', names: ['Rina Susanti', 'iPhone Rina'] })
    expect(rina!.candidates.map((c) => c.email)).toEqual([susanty.email])
    expect(translate('en', 'import.count.guest')).toBe('No e-mail; name not found')
    expect(translate('id', 'import.count.guest')).not.toMatch(/tamu/i)

    const response = await postPreview(s, importId, { intent: 'link', personId: rina!.id, registrationId: susanty.id })
    expect(response.status).toBe(303)
    expect((await preview(s, importId, '?show=matched')).people.rows.map((row) => [row.registrant_email, row.minutes])).toEqual([[susanty.email, 150]])
  })

  test('a report from another meeting shows its own topic and date, and says they are not this webinar’s', async () => {
    const s = await scene()
    const csv = buildZoomReport({
      topic: 'Rapat Evaluasi Bulanan',
      meetingId: '812 0000 1111',
      startAt: new Date('2030-03-11T08:55:00Z'),
      people: [{ name: 'Budi Santoso', email: s.budi.email, joins: [{ minutes: 150 }] }],
    })
    const data = await preview(s, await uploaded(s, csv))
    expect(data.zoomImport.report).toEqual({ topic: 'Rapat Evaluasi Bulanan', meetingId: '812 0000 1111', date: '2030-03-11', dateOrder: null })
    expect(data.zoomImport.identity).toEqual({ topic: 'different', date: 'different' })
    // Its own report: the same.
    const own = await preview(s, await uploaded(s, currentReport(s)))
    expect(own.zoomImport.identity).toEqual({ topic: 'same', date: 'same' })
  })

  test('saving a report from another meeting takes a deliberate tick; without it nothing counts', async () => {
    const s = await scene()
    const csv = buildZoomReport({
      topic: 'Rapat Evaluasi Bulanan',
      startAt: new Date('2030-03-11T08:55:00Z'),
      people: [{ name: 'Budi Santoso', email: s.budi.email, joins: [{ minutes: 150 }] }],
    })
    const importId = await uploaded(s, csv)
    const refused = await postPreview(s, importId, { intent: 'commit' })
    expect(refused.status).toBe(400)
    expect(((await refused.json()) as { errors: Record<string, string[]> }).errors).toEqual({ mismatchChecked: ['import.mismatch.required'] })
    expect(await minutesOf(s)).toEqual({ budi: null, sari: null, dewi: null })
    expect((await postPreview(s, importId, { intent: 'commit', mismatchChecked: 'yes' })).status).toBe(303)
    expect(await minutesOf(s)).toEqual({ budi: 150, sari: null, dewi: null })
  })

  test('a meeting participants report: the webinar’s moderator is staff, waiting-room minutes do not count', async () => {
    const s = await scene()
    const csv = [
      'Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants',
      '123 456 789,Literasi Digital untuk Warga,03/04/2030 08:50:00 AM,03/04/2030 12:05:00 PM,zoom.kominfo@example.org,195,3',
      '',
      'Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,In Waiting Room',
      `Moderator Webinar,${s.moderator.email},03/04/2030 08:50:00 AM,03/04/2030 12:05:00 PM,195,No,No`,
      `Budi Santoso,${s.budi.email},03/04/2030 07:50:00 AM,03/04/2030 09:00:00 AM,70,Yes,Yes`,
      `Budi Santoso,${s.budi.email},03/04/2030 09:00:00 AM,03/04/2030 09:20:00 AM,20,Yes,No`,
      '',
    ].join('\r\n')
    const importId = await uploaded(s, csv)
    expect((await preview(s, importId)).zoomImport).toMatchObject({ counts: { staff: 1, email: 1, unmatched: 0, guest: 0 }, presentByZoom: 0 })
    expect((await postPreview(s, importId, { intent: 'commit' })).status).toBe(303)
    expect(await minutesOf(s)).toEqual({ budi: 20, sari: null, dewi: null })
  })
})

// --- Linking rows by hand --------------------------------------------------------------------

describe('linking a row of the report to a registrant', () => {
  test('by e-mail, in any case: a 303 back to the preview, and the row becomes a link; minutes wait for the commit', async () => {
    const s = await scene()
    const importId = await uploaded(s, currentReport(s))
    const row = await personByEmail(importId, 'tamu.zoom@example.org')
    expect(row.match).toBe('unmatched')
    const response = await postPreview(
      s,
      importId,
      { intent: 'link', personId: row.id, email: `  ${s.dewi.email.toUpperCase()} ` },
      { search: '?show=attention' },
    )
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/attendance/${s.webinar.slug}/import/${importId}?show=attention&done=linked`)
    expect(await personByEmail(importId, 'tamu.zoom@example.org')).toMatchObject({ match: 'link', registration_id: s.dewi.id, minutes: 45 })
    expect((await preview(s, importId)).zoomImport.counts).toMatchObject({ link: 1, unmatched: 0 })
    expect(await minutesOf(s)).toEqual({ budi: null, sari: null, dewi: null })

    expect((await postPreview(s, importId, { intent: 'commit' })).status).toBe(303)
    expect(await minutesOf(s)).toEqual({ budi: 130, sari: 100, dewi: 45 })
  })

  test('on the report in force, a link moves the minutes at once, and the next report remembers it', async () => {
    const s = await scene()
    const importId = await uploaded(s, currentReport(s))
    expect((await postPreview(s, importId, { intent: 'commit' })).status).toBe(303)
    const guest = (await preview(s, importId)).people.rows.find((p) => p.match === 'guest')!
    expect(guest.names).toEqual(['iPhone'])
    expect((await postPreview(s, importId, { intent: 'link', personId: guest.id, email: s.dewi.email })).status).toBe(303)
    expect(await minutesOf(s)).toEqual({ budi: 130, sari: 100, dewi: 20 })

    const next = await uploaded(s, currentReport(s, { budi: [130] }))
    expect((await preview(s, next)).zoomImport.counts).toMatchObject({ link: 1, guest: 0 })
  })

  test('an e-mail that is no registrant of this webinar is a 400 beside the e-mail field, and the row stays as it was', async () => {
    const s = await scene()
    const other = await scene()
    const importId = await uploaded(s, currentReport(s))
    const row = await personByEmail(importId, 'tamu.zoom@example.org')
    for (const email of ['orang.lain@example.org', other.budi.email]) {
      const response = await postPreview(s, importId, { intent: 'link', personId: row.id, email })
      expect(response.status).toBe(400)
      const body = (await response.json()) as { personId: string; errors: Record<string, string[]> }
      expect(body).toEqual({ personId: row.id, errors: { email: ['import.link.notRegistrant'] } })
    }
    expect(await personByEmail(importId, 'tamu.zoom@example.org')).toMatchObject({ match: 'unmatched', registration_id: null })
    expect(await db.selectFrom('zoom_links').select('person_key').where('webinar_id', '=', s.webinar.id).execute()).toEqual([])
  })

  test('a registrant who erased their data is refused (409) beside the e-mail field, and the row stays as it was', async () => {
    const s = await scene()
    const importId = await uploaded(s, currentReport(s))
    const row = await personByEmail(importId, 'tamu.zoom@example.org')
    // After the webinar, so the erasure keeps the seat (registered) for the counts.
    expect(await eraseRegistrationByToken(db, s.dewi.token, '2030-03-05T00:00:00.000Z')).toEqual({ slug: s.webinar.slug })
    const response = await postPreview(s, importId, { intent: 'link', personId: row.id, registrationId: s.dewi.id })
    expect(response.status).toBe(409)
    expect(await response.json()).toEqual({ personId: row.id, errors: { email: ['import.link.erased'] } })
    expect(await personByEmail(importId, 'tamu.zoom@example.org')).toMatchObject({ match: 'unmatched', registration_id: null })
    expect(await db.selectFrom('zoom_links').select('person_key').where('webinar_id', '=', s.webinar.id).execute()).toEqual([])
  })

  test('a link without an e-mail or a chosen registrant is a 400 beside the e-mail field', async () => {
    const s = await scene()
    const importId = await uploaded(s, currentReport(s))
    const row = await personByEmail(importId, 'tamu.zoom@example.org')
    const response = await postPreview(s, importId, { intent: 'link', personId: row.id, email: '' })
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual({ email: ['import.link.required'] })
    expect((await personByEmail(importId, 'tamu.zoom@example.org')).match).toBe('unmatched')
  })
})

// --- Security --------------------------------------------------------------------------------

describe("another webinar's import", () => {
  test("is a 404 under this webinar's slug, for viewing, committing and linking, and stays untouched", async () => {
    const s = await scene()
    const other = await scene()
    const foreignId = await uploaded(other, currentReport(other))
    const foreignRow = await personByEmail(foreignId, 'tamu.zoom@example.org')
    // An organiser can see every webinar, so only the slug–import mismatch can refuse them.
    const organiser = await signedInAs('organiser')
    for (const cookie of [s.moderator.cookie, organiser.cookie]) {
      const view = await call(previewLoader, getRequest(`/attendance/${s.webinar.slug}/import/${foreignId}`, { cookie }), {
        slug: s.webinar.slug,
        importId: foreignId,
      })
      expect(view.status).toBe(404)
      const commit = await call(previewAction, postRequest(`/attendance/${s.webinar.slug}/import/${foreignId}`, { intent: 'commit' }, { cookie }), {
        slug: s.webinar.slug,
        importId: foreignId,
      })
      expect(commit.status).toBe(404)
      const link = await call(
        previewAction,
        postRequest(`/attendance/${s.webinar.slug}/import/${foreignId}`, { intent: 'link', personId: foreignRow.id, email: s.dewi.email }, { cookie }),
        { slug: s.webinar.slug, importId: foreignId },
      )
      expect(link.status).toBe(404)
    }
    expect(await importsOf(other.webinar.id)).toMatchObject([{ id: foreignId, committed_at: null }])
    expect(await personByEmail(foreignId, 'tamu.zoom@example.org')).toMatchObject({ match: 'unmatched', registration_id: null })
    for (const webinarId of [s.webinar.id, other.webinar.id]) {
      const row = await db.selectFrom('webinars').select('zoom_import_id').where('id', '=', webinarId).executeTakeFirstOrThrow()
      expect(row.zoom_import_id).toBeNull()
    }
    expect(await minutesOf(s)).toEqual({ budi: null, sari: null, dewi: null })
  })

  test("a row of another webinar's import cannot be linked through this webinar's import", async () => {
    const s = await scene()
    const other = await scene()
    const mine = await uploaded(s, currentReport(s))
    const foreignId = await uploaded(other, currentReport(other))
    const foreignRow = await personByEmail(foreignId, 'tamu.zoom@example.org')
    const response = await postPreview(s, mine, { intent: 'link', personId: foreignRow.id, email: s.dewi.email })
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual({ email: ['attendance.notFound'] })
    expect(await personByEmail(foreignId, 'tamu.zoom@example.org')).toMatchObject({ match: 'unmatched', registration_id: null })
  })

  test('an unknown import id is a 404', async () => {
    const s = await scene()
    expect((await getPreview(s, 'no-such-import')).status).toBe(404)
  })
})
