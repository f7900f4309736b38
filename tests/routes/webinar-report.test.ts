import { parse } from 'csv-parse/sync'
import { sql } from 'kysely'
import { langCookie } from '#app/i18n/lang.server'
import { checkIn, countAttendance, finaliseAttendance, markAttendance, openCheckinWindow } from '#app/models/attendance.server'
import { cancelRegistration, registerParticipant, type RegistrationInput } from '#app/models/registration.server'
import { commitZoomImport, previewZoomImport } from '#app/models/zoom-import.server'
import { loader as attendanceCsvLoader } from '#app/routes/attendance.$slug.attendance[.]csv'
import { loader as registrantsCsvLoader } from '#app/routes/attendance.$slug.registrants[.]csv'
import { loader as reportLoader } from '#app/routes/attendance.$slug.report'
import type { WebinarReport } from '#app/models/webinar-report.server'
import { getDb } from '#app/utils/db.server'
import { buildZoomReport } from '../../scripts/demo/zoom-report'
import { seedDemo } from '../../scripts/seed'
import { afterEnd, at, attendanceWebinar, zoomUpload } from '#tests/setup/attendance'
import { call, getRequest, moderatorOf, publishedWebinar, signedInAs } from '#tests/setup/factories'

const db = getDb()
const BOM = '\uFEFF'
const KLATEN_SLUG = 'tata-kelola-pelayanan-publik-berbasis-digital-klaten-2021-09-01'

/** Registrations arrive on 1 March 2030 from 09:01 WIB, one a minute. */
const registeredAt = (position: number) => new Date(Date.parse('2030-03-01T02:00:00.000Z') + position * 60_000).toISOString()

const EVIL_NAME = '=HYPERLINK("http://evil.example","klik")'

type Person = Omit<RegistrationInput, 'whatsapp' | 'lang'> & { key: string }

/**
 * Eleven residents for eight seats. What happens to each:
 *  ani, budi, evil, hana: check in · citra: marked present (livestream) · eka: 150 Zoom minutes ·
 *  dedi: checked in and 60 Zoom minutes but marked absent · fajar: nothing ·
 *  gilang: cancels, so hana moves up from the waitlist · irfan, joko: stay on the waitlist.
 */
function people(tag: string): Person[] {
  return [
    { key: 'ani', name: 'Ani Lestari', email: `ani.${tag}@example.org`, regencyCode: '33.10', occupation: 'guru', ageRange: '25-34', gender: 'perempuan' },
    { key: 'budi', name: 'Budi Santoso', email: `budi.${tag}@example.org`, regencyCode: '33.10', occupation: 'guru', ageRange: '35-44', gender: 'lakilaki' },
    { key: 'citra', name: 'Citra Dewi', email: `citra.${tag}@example.org`, regencyCode: '34.71', occupation: 'mahasiswa', ageRange: '17-24', gender: 'perempuan' },
    { key: 'dedi', name: 'Dedi Kurniawan', email: `dedi.${tag}@example.org`, regencyCode: '33.10', occupation: 'umkm', ageRange: '45-54', gender: null },
    { key: 'eka', name: 'Eka Putri', email: `eka.${tag}@example.org`, regencyCode: '33.72', occupation: 'guru', ageRange: '25-34', gender: null },
    { key: 'evil', name: EVIL_NAME, email: `evil.${tag}@example.org`, regencyCode: '33.10', occupation: 'pelajar', ageRange: 'u17', gender: 'perempuan' },
    { key: 'fajar', name: 'Fajar Nugroho', email: `+fajar.${tag}@example.org`, regencyCode: '33.10', occupation: 'asn', ageRange: '35-44', gender: 'lakilaki' },
    { key: 'gilang', name: 'Gilang Ramadhan', email: `gilang.${tag}@example.org`, regencyCode: '33.10', occupation: 'pelajar', ageRange: '17-24', gender: 'lakilaki' },
    { key: 'hana', name: 'Hana Pertiwi', email: `hana.${tag}@example.org`, regencyCode: '33.72', occupation: 'mahasiswa', ageRange: '17-24', gender: 'perempuan' },
    { key: 'irfan', name: 'Irfan Hakim', email: `irfan.${tag}@example.org`, regencyCode: '33.10', occupation: 'guru', ageRange: '25-34', gender: 'lakilaki' },
    { key: 'joko', name: 'Joko Susilo', email: `joko.${tag}@example.org`, regencyCode: '34.71', occupation: 'lainnya', ageRange: '55plus', gender: null },
  ]
}

let tagCount = 0

/** A published webinar with the residents above and their attendance recorded through the attendance model. */
async function webinarWithKnownAttendance(options: { finalise: boolean }) {
  const { organiser, ...saved } = await publishedWebinar({ capacity: 8 })
  const webinar = await attendanceWebinar(saved.slug, organiser.id)

  const tag = `${Date.now().toString(36)}${tagCount++}`
  const residents = people(tag)
  const tokens = new Map<string, string>()
  for (const [index, person] of residents.entries()) {
    const { key, ...input } = person
    const result = await registerParticipant(db, saved.id, { ...input, whatsapp: '+6281234567890', lang: 'id' }, registeredAt(index + 1))
    if (!result.ok) throw new Error(result.reason)
    tokens.set(key, result.token)
  }
  expect(await cancelRegistration(db, tokens.get('gilang')!, registeredAt(20))).toBe(true)
  const ids = new Map(
    (await db.selectFrom('registrations').select(['id', 'token']).where('webinar_id', '=', saved.id).execute()).map((row) => [
      [...tokens].find(([, token]) => token === row.token)![0],
      row.id,
    ]),
  )

  expect(await openCheckinWindow(db, saved.id, organiser.id, 15, at(30))).toEqual({ ok: true })
  const { checkin_code: code } = await db.selectFrom('webinars').select('checkin_code').where('id', '=', saved.id).executeTakeFirstOrThrow()
  for (const key of ['ani', 'budi', 'evil', 'hana', 'dedi']) {
    expect(await checkIn(db, tokens.get(key)!, code!, [], at(31))).toMatchObject({ ok: true })
  }
  const csv = buildZoomReport({
    topic: 'Literasi Digital untuk Warga',
    startAt: new Date('2030-03-04T08:55:00Z'),
    people: [
      { name: 'Eka Putri', email: residents.find((p) => p.key === 'eka')!.email, joins: [{ minutes: 100 }, { minutes: 50 }] },
      { name: 'Dedi Kurniawan', email: residents.find((p) => p.key === 'dedi')!.email, joins: [{ minutes: 60 }] },
    ],
  })
  const { importId } = await previewZoomImport(db, saved.id, zoomUpload(csv, 'zoom.csv'), organiser.id, afterEnd(10))
  expect(await commitZoomImport(db, saved.id, importId, organiser.id, afterEnd(11))).toMatchObject({ ok: true })
  expect(await markAttendance(db, saved.id, ids.get('citra')!, { present: true, reason: 'livestream', note: '-nonton lewat YouTube' }, organiser.id, afterEnd(20))).toEqual({ ok: true })
  expect(await markAttendance(db, saved.id, ids.get('dedi')!, { present: false, reason: 'notPresent', note: null }, organiser.id, afterEnd(21))).toEqual({ ok: true })
  if (options.finalise) expect(await finaliseAttendance(db, saved.id, organiser.id, afterEnd(60))).toMatchObject({ ok: true, present: 6, registered: 8 })

  return { webinar, slug: saved.slug, organiser, residents, ids }
}

const paths = (slug: string) => ({
  report: `/attendance/${slug}/report`,
  registrants: `/attendance/${slug}/registrants.csv`,
  attendance: `/attendance/${slug}/attendance.csv`,
})

function getReport(slug: string, cookie?: string) {
  return call(reportLoader, getRequest(paths(slug).report, { cookie }), { slug })
}
function getRegistrantsCsv(slug: string, cookie?: string) {
  return call(registrantsCsvLoader, getRequest(paths(slug).registrants, { cookie }), { slug })
}
function getAttendanceCsv(slug: string, cookie?: string) {
  return call(attendanceCsvLoader, getRequest(paths(slug).attendance, { cookie }), { slug })
}

async function reportData(slug: string, cookie: string): Promise<WebinarReport> {
  const response = await getReport(slug, cookie)
  expect(response.status).toBe(200)
  return ((await response.json()) as { report: WebinarReport }).report
}

/** The file as a spreadsheet sees it: checks the BOM and CRLF, then parses the records. */
async function csvRecords(response: Response): Promise<string[][]> {
  expect(response.status).toBe(200)
  expect(response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
  expect(response.headers.get('Cache-Control')).toBe('private, no-store')
  const bytes = Buffer.from(await response.arrayBuffer())
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
  const text = bytes.toString('utf8')
  expect(text.startsWith(BOM)).toBe(true)
  expect(text.endsWith('\r\n')).toBe(true)
  return parse(text, { bom: true, record_delimiter: '\r\n' })
}

async function englishCookie(sessionCookie: string) {
  return `${sessionCookie}; ${(await langCookie.serialize('en')).split(';')[0]}`
}

// seedDemo wants a database with nothing else in it, so it runs before every other test here.
beforeAll(async () => {
  await seedDemo(db, { password: 'demo-password-for-tests' })
}, 60_000)

describe('the report page', () => {
  test('counts registered, waitlisted, cancelled and present, and breaks the seated registrants down by regency, occupation, age and gender', async () => {
    const { slug, organiser } = await webinarWithKnownAttendance({ finalise: true })
    const report = await reportData(slug, organiser.cookie)
    expect(report.finalised).toBe(true)
    expect(report.counts).toEqual({ registered: 8, waitlisted: 2, cancelled: 1, present: 6 })
    expect(report.attendanceRate).toBe(0.75)
    expect(report.breakdowns.regency).toEqual([
      { code: '33.10', name: 'Kabupaten Klaten', registered: 5, present: 3 },
      { code: '33.72', name: 'Kota Surakarta', registered: 2, present: 2 },
      { code: '34.71', name: 'Kota Yogyakarta', registered: 1, present: 1 },
    ])
    expect(report.breakdowns.occupation).toEqual([
      { code: 'guru', registered: 3, present: 3 },
      { code: 'mahasiswa', registered: 2, present: 2 },
      { code: 'pelajar', registered: 1, present: 1 },
      { code: 'asn', registered: 1, present: 0 },
      { code: 'umkm', registered: 1, present: 0 },
    ])
    expect(report.breakdowns.ageRange).toEqual([
      { code: 'u17', registered: 1, present: 1 },
      { code: '17-24', registered: 2, present: 2 },
      { code: '25-34', registered: 2, present: 2 },
      { code: '35-44', registered: 2, present: 1 },
      { code: '45-54', registered: 1, present: 0 },
    ])
    expect(report.breakdowns.gender).toEqual([
      { code: 'perempuan', registered: 4, present: 4 },
      { code: 'lakilaki', registered: 2, present: 1 },
      { code: null, registered: 2, present: 1 },
    ])
  })

  test('before finalising, present follows the attendance rule live, in the headline and in every group', async () => {
    const { slug, organiser, webinar } = await webinarWithKnownAttendance({ finalise: false })
    const report = await reportData(slug, organiser.cookie)
    expect(report.finalised).toBe(false)
    expect(report.counts).toEqual({ registered: 8, waitlisted: 2, cancelled: 1, present: 6 })
    expect(report.counts.present).toBe((await countAttendance(db, webinar)).present)
    expect(report.breakdowns.regency.map((row) => [row.code, row.registered, row.present])).toEqual([
      ['33.10', 5, 3],
      ['33.72', 2, 2],
      ['34.71', 1, 1],
    ])
    expect(report.breakdowns.gender.map((row) => [row.code, row.present])).toEqual([
      ['perempuan', 4],
      ['lakilaki', 1],
      [null, 1],
    ])
  })

  test('a webinar nobody registered for has a rate of 0, not NaN', async () => {
    const { organiser, ...saved } = await publishedWebinar()
    const report = await reportData(saved.slug, organiser.cookie)
    expect(report.counts).toEqual({ registered: 0, waitlisted: 0, cancelled: 0, present: 0 })
    expect(report.attendanceRate).toBe(0)
    expect(report.breakdowns).toEqual({ regency: [], occupation: [], ageRange: [], gender: [] })
  })
})

describe('the registrants CSV', () => {
  test('lists every registration in arrival order, Indonesian by default, with formula-like cells neutralised', async () => {
    const { slug, organiser, residents } = await webinarWithKnownAttendance({ finalise: true })
    const response = await getRegistrantsCsv(slug, organiser.cookie)
    expect(response.headers.get('Content-Disposition')).toBe(`attachment; filename="${slug}-pendaftar.csv"`)
    const [header, ...rows] = await csvRecords(response)
    expect(header).toEqual(['Nama', 'E-mail', 'WhatsApp', 'Kode kabupaten/kota', 'Kabupaten/kota', 'Pekerjaan', 'Usia', 'Jenis kelamin', 'Status', 'Waktu daftar (WIB)', 'Urutan daftar'])
    expect(rows).toHaveLength(11)
    const email = (key: string) => residents.find((p) => p.key === key)!.email
    expect(rows[0]).toEqual(['Ani Lestari', email('ani'), "'+6281234567890", '33.10', 'Kabupaten Klaten', 'Guru/pendidik', '25–34 tahun', 'Perempuan', 'Terdaftar', '2030-03-01 09:01', '1'])
    expect(rows[3]).toEqual(['Dedi Kurniawan', email('dedi'), "'+6281234567890", '33.10', 'Kabupaten Klaten', 'Pelaku UMKM', '45–54 tahun', 'Tidak disebutkan', 'Terdaftar', '2030-03-01 09:04', '4'])
    expect(rows[5]![0]).toBe(`'${EVIL_NAME}`)
    expect(rows[6]![1]).toBe(`'${email('fajar')}`)
    expect(rows.map((row) => [row[0], row[8], row[10]])).toEqual([
      ['Ani Lestari', 'Terdaftar', '1'],
      ['Budi Santoso', 'Terdaftar', '2'],
      ['Citra Dewi', 'Terdaftar', '3'],
      ['Dedi Kurniawan', 'Terdaftar', '4'],
      ['Eka Putri', 'Terdaftar', '5'],
      [`'${EVIL_NAME}`, 'Terdaftar', '6'],
      ['Fajar Nugroho', 'Terdaftar', '7'],
      ['Gilang Ramadhan', 'Dibatalkan', '8'],
      ['Hana Pertiwi', 'Terdaftar', '9'],
      ['Irfan Hakim', 'Daftar tunggu', '10'],
      ['Joko Susilo', 'Daftar tunggu', '11'],
    ])
    // No cell of the file would be run as a formula by a spreadsheet.
    for (const cell of rows.flat()) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/)
  })

  test('speaks English when the reader chose English', async () => {
    const { slug, organiser } = await webinarWithKnownAttendance({ finalise: true })
    const response = await getRegistrantsCsv(slug, await englishCookie(organiser.cookie))
    expect(response.headers.get('Content-Disposition')).toBe(`attachment; filename="${slug}-registrants.csv"`)
    const [header, first, , , fourth] = await csvRecords(response)
    expect(header).toEqual(['Name', 'E-mail', 'WhatsApp', 'Regency/city code', 'Regency/city', 'Occupation', 'Age', 'Gender', 'Status', 'Registered at (WIB)', 'Arrival number'])
    expect(first!.slice(5, 9)).toEqual(['Teacher/educator', '25–34', 'Female', 'Registered'])
    expect(fourth![7]).toBe('Not given')
  })
})

describe('the attendance CSV', () => {
  test('lists the seated registrants by name with their evidence and final outcome, formula-like cells neutralised', async () => {
    const { slug, organiser, residents } = await webinarWithKnownAttendance({ finalise: true })
    const response = await getAttendanceCsv(slug, organiser.cookie)
    expect(response.headers.get('Content-Disposition')).toBe(`attachment; filename="${slug}-presensi.csv"`)
    const [header, ...rows] = await csvRecords(response)
    expect(header).toEqual(['Nama', 'E-mail', 'Kabupaten/kota', 'Waktu check-in (WIB)', 'Menit di Zoom', 'Tanda manual', 'Alasan tanda manual', 'Catatan tanda manual', 'Hadir', 'Status presensi'])
    const email = (key: string) => residents.find((p) => p.key === key)!.email
    expect(rows).toEqual([
      [`'${EVIL_NAME}`, email('evil'), 'Kabupaten Klaten', '2030-03-04 09:31', '', '', '', '', 'Ya', 'Final'],
      ['Ani Lestari', email('ani'), 'Kabupaten Klaten', '2030-03-04 09:31', '', '', '', '', 'Ya', 'Final'],
      ['Budi Santoso', email('budi'), 'Kabupaten Klaten', '2030-03-04 09:31', '', '', '', '', 'Ya', 'Final'],
      ['Citra Dewi', email('citra'), 'Kota Yogyakarta', '', '', 'Hadir', 'Mengikuti lewat siaran langsung', "'-nonton lewat YouTube", 'Ya', 'Final'],
      ['Dedi Kurniawan', email('dedi'), 'Kabupaten Klaten', '2030-03-04 09:31', '60', 'Tidak hadir', 'Ternyata tidak hadir', '', 'Tidak', 'Final'],
      ['Eka Putri', email('eka'), 'Kota Surakarta', '', '150', '', '', '', 'Ya', 'Final'],
      ['Fajar Nugroho', `'${email('fajar')}`, 'Kabupaten Klaten', '', '', '', '', '', 'Tidak', 'Final'],
      ['Hana Pertiwi', email('hana'), 'Kota Surakarta', '2030-03-04 09:31', '', '', '', '', 'Ya', 'Final'],
    ])
  })

  test('before finalising, the outcome is the console’s and says provisional; in English it says Yes/No', async () => {
    const { slug, organiser } = await webinarWithKnownAttendance({ finalise: false })
    const [header, ...rows] = await csvRecords(await getAttendanceCsv(slug, await englishCookie(organiser.cookie)))
    expect(header).toEqual(['Name', 'E-mail', 'Regency/city', 'Checked in at (WIB)', 'Minutes in Zoom', 'Manual mark', 'Manual mark reason', 'Manual mark note', 'Present', 'Attendance status'])
    expect(rows.map((row) => [row[0], row[8], row[9]])).toEqual([
      [`'${EVIL_NAME}`, 'Yes', 'Provisional'],
      ['Ani Lestari', 'Yes', 'Provisional'],
      ['Budi Santoso', 'Yes', 'Provisional'],
      ['Citra Dewi', 'Yes', 'Provisional'],
      ['Dedi Kurniawan', 'No', 'Provisional'],
      ['Eka Putri', 'Yes', 'Provisional'],
      ['Fajar Nugroho', 'No', 'Provisional'],
      ['Hana Pertiwi', 'Yes', 'Provisional'],
    ])
  })
})

describe('who may read the report and the exports', () => {
  test('someone not signed in is sent to /login, coming back afterwards', async () => {
    const { slug } = await webinarWithKnownAttendance({ finalise: false })
    for (const [path, response] of [
      [paths(slug).report, await getReport(slug)],
      [paths(slug).registrants, await getRegistrantsCsv(slug)],
      [paths(slug).attendance, await getAttendanceCsv(slug)],
    ] as const) {
      expect(response.status, path).toBe(302)
      expect(response.headers.get('Location'), path).toBe(`/login?${new URLSearchParams({ redirectTo: path })}`)
    }
  })

  test('a speaker gets 403, another webinar’s moderator 404; the webinar’s own moderator and an organiser get 200', async () => {
    // Not finalised: a finished webinar takes no new moderator.
    const { slug, webinar } = await webinarWithKnownAttendance({ finalise: false })
    const speaker = await signedInAs('speaker')
    const other = await webinarWithKnownAttendance({ finalise: false })
    const otherModerator = await moderatorOf(other.webinar.id)
    const ownModerator = await moderatorOf(webinar.id)
    const organiser = await signedInAs('organiser')
    const expected: Array<[string, string, number]> = [
      ['speaker', speaker.cookie, 403],
      ['another webinar’s moderator', otherModerator.cookie, 404],
      ['own moderator', ownModerator.cookie, 200],
      ['organiser', organiser.cookie, 200],
    ]
    for (const [who, cookie, status] of expected) {
      expect((await getReport(slug, cookie)).status, `${who}: report`).toBe(status)
      expect((await getRegistrantsCsv(slug, cookie)).status, `${who}: registrants.csv`).toBe(status)
      expect((await getAttendanceCsv(slug, cookie)).status, `${who}: attendance.csv`).toBe(status)
    }
  })
})

describe('the demo Klaten webinar', () => {
  test('has 211 registered, and present is the number of rows finalised as attended', async () => {
    const organiser = await signedInAs('organiser')
    const report = await reportData(KLATEN_SLUG, organiser.cookie)
    const { rows } = await sql<{ n: number }>`
      select count(*) as n from registrations r join webinars w on w.id = r.webinar_id
      where w.slug = ${KLATEN_SLUG} and r.attended = 1`.execute(db)
    expect(report.finalised).toBe(true)
    expect(report.counts.registered).toBe(211)
    expect(report.counts.present).toBe(rows[0]!.n)
    expect(report.counts.present).toBeGreaterThan(0)
    for (const breakdown of Object.values(report.breakdowns)) {
      expect(breakdown.reduce((sum, row) => sum + row.registered, 0)).toBe(211)
      expect(breakdown.reduce((sum, row) => sum + (row.present ?? 0), 0)).toBe(report.counts.present)
    }
    const [, ...attendanceRows] = await csvRecords(await getAttendanceCsv(KLATEN_SLUG, organiser.cookie))
    expect(attendanceRows).toHaveLength(211)
    expect(attendanceRows.filter((row) => row[8] === 'Ya')).toHaveLength(report.counts.present)
  })
})

describe('a webinar of 10,000 registrations', () => {
  test('exports every row of both files, in arrival and name order, without a quadratic slowdown', async () => {
    const { organiser, ...saved } = await publishedWebinar({ capacity: 10_000 })
    const now = new Date().toISOString()
    await db.transaction().execute(async (trx) => {
      for (let start = 0; start < 10_000; start += 500) {
        await trx
          .insertInto('registrations')
          .values(
            Array.from({ length: 500 }, (_, i) => {
              const n = start + i
              return {
                id: `bulk-${saved.id}-${n}`,
                webinar_id: saved.id,
                token: `bulk-token-${saved.id}-${n}`,
                name: `Warga ${String(n).padStart(5, '0')}`,
                email: `bulk${n}@example.org`,
                whatsapp: '+6281234567890',
                regency_code: n % 3 === 0 ? '33.72' : '33.10',
                occupation: 'guru',
                age_range: '25-34',
                gender: n % 2 === 0 ? 'perempuan' : null,
                status: 'registered' as const,
                consent_at: now,
                created_at: now,
                updated_at: now,
                position: n + 1,
                checked_in_at: n % 4 === 0 ? at(31) : null,
                zoom_minutes: n % 5 === 0 ? 150 : null,
              }
            }),
          )
          .execute()
      }
      await trx.updateTable('webinars').set({ registered_count: 10_000, registrations_total: 10_000 }).where('id', '=', saved.id).execute()
    })
    const finalised = await finaliseAttendance(db, saved.id, organiser.id, afterEnd(60))
    expect(finalised).toMatchObject({ ok: true, registered: 10_000 })

    const started = performance.now()
    const [registrantsRows, attendanceRows, report] = [
      await csvRecords(await getRegistrantsCsv(saved.slug, organiser.cookie)),
      await csvRecords(await getAttendanceCsv(saved.slug, organiser.cookie)),
      await reportData(saved.slug, organiser.cookie),
    ]
    const elapsed = performance.now() - started
    expect(registrantsRows).toHaveLength(10_001)
    expect(attendanceRows).toHaveLength(10_001)
    expect(new Set(registrantsRows.slice(1).map((row) => row[1])).size).toBe(10_000)
    expect(registrantsRows.slice(1).map((row) => Number(row[10]))).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1))
    expect(attendanceRows.slice(1).map((row) => row[0])).toEqual(Array.from({ length: 10_000 }, (_, i) => `Warga ${String(i).padStart(5, '0')}`))
    expect(attendanceRows.filter((row) => row[8] === 'Ya')).toHaveLength(finalised.ok ? finalised.present : -1)
    expect(report.counts.present).toBe(finalised.ok ? finalised.present : -1)
    expect(report.breakdowns.regency.map((row) => [row.code, row.registered])).toEqual([
      ['33.10', 6666],
      ['33.72', 3334],
    ])
    // The bound only catches a quadratic export: a busy shared machine takes a few seconds for all three.
    expect(elapsed).toBeLessThan(15_000)
  })
})
