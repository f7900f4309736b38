// Personal data care (UU 27/2022): a resident erasing their registration from the personal link,
// and the retention period purging a finished webinar's personal data. Both keep every count.
import { sql } from 'kysely'
import { finaliseAttendance } from '#app/models/attendance.server'
import { eraseRegistrationByToken, getRetentionMonths, listDataPurges, purgeExpiredPersonalData, setRetentionMonths } from '#app/models/personal-data.server'
import { cancelRegistration, getPersonalRegistration } from '#app/models/registration.server'
import { getWebinarReport } from '#app/models/webinar-report.server'
import { commitZoomImport, linkZoomPerson, previewZoomImport } from '#app/models/zoom-import.server'
import { loader as verifyLoader } from '#app/routes/certificates.$number'
import { getDb } from '#app/utils/db.server'
import { buildZoomReport, type ZoomReportPerson } from '../../scripts/demo/zoom-report'
import { afterEnd, attendanceWebinar, stay, zoomUpload } from '#tests/setup/attendance'
import { call, createUser, getRequest, publishedWebinar, register, registrationRow, webinarRow, type Registrant } from '#tests/setup/factories'

const db = getDb()

/** Before the factory's webinar: erasing then gives a seat up. */
const AHEAD = '2030-02-01T00:00:00.000Z'

const tag = Date.now().toString(36)

async function outboxOf(webinarId: string) {
  return db.selectFrom('outbox').selectAll().where('webinar_id', '=', webinarId).orderBy('created_at').execute()
}

async function mailsTo(email: string) {
  return db.selectFrom('outbox').select(['kind', 'webinar_id', 'recipient_email']).where('recipient_email', '=', email).orderBy('created_at').execute()
}

async function purgesOf(webinarId: string) {
  return db.selectFrom('data_purges').selectAll().where('webinar_id', '=', webinarId).orderBy('at').execute()
}

async function countRows(table: 'registrations' | 'outbox' | 'data_purges' | 'certificates' | 'zoom_links' | 'settings') {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/** Which of these strings (a name, an e-mail, a number…) still appear anywhere in the value, ignoring case. */
function leaks(value: unknown, secrets: string[]): string[] {
  const text = JSON.stringify(value).toLowerCase()
  return secrets.filter((secret) => secret !== '' && text.includes(secret.toLowerCase()))
}

const personalData = (p: Pick<Registrant, 'name' | 'email' | 'whatsapp'>) => [p.name, p.email, p.whatsapp]

/** A Zoom participants report of the factory's kind, for a webinar starting at `startAt` (local clock). */
function zoomFile(people: ZoomReportPerson[], startAt: Date) {
  return zoomUpload(buildZoomReport({ topic: 'Literasi Digital untuk Warga', startAt, people }))
}

async function zoomRowsOf(webinarId: string) {
  const rows = await db
    .selectFrom('zoom_import_people')
    .innerJoin('zoom_imports', 'zoom_imports.id', 'zoom_import_people.import_id')
    .selectAll('zoom_import_people')
    .where('zoom_imports.webinar_id', '=', webinarId)
    .orderBy('zoom_import_people.first_line')
    .execute()
  return rows.map((row) => ({ ...row, names: JSON.parse(row.names) as string[] }))
}

type Verification = {
  state: string
  certificate: { number: string; topic: string; startAt: string; holder: { name: string; role: string; place: string } | null }
}

async function verify(number: string): Promise<{ status: number; body: Verification }> {
  const response = await call(verifyLoader as never, getRequest(`/certificates/${number}`), { number })
  return { status: response.status, body: (await response.json()) as Verification }
}

/** The report's figures, counted with plain SQL: statuses, presence, and the breakdowns of the seated. */
async function plainCounts(webinarId: string) {
  const statuses = await sql<{ status: string; count: number }>`
    select status, count(*) as count from registrations where webinar_id = ${webinarId} group by status order by status`.execute(db)
  const present = await sql<{ present: number }>`
    select coalesce(sum(case when attended = 1 then 1 else 0 end), 0) as present from registrations where webinar_id = ${webinarId} and status = 'registered'`.execute(
    db,
  )
  const by = async (column: 'regency_code' | 'occupation' | 'age_range' | 'gender') =>
    (
      await sql<{ code: string | null; registered: number; present: number }>`
        select ${sql.ref(column)} as code, count(*) as registered, coalesce(sum(case when attended = 1 then 1 else 0 end), 0) as present
        from registrations where webinar_id = ${webinarId} and status = 'registered'
        group by ${sql.ref(column)} order by ${sql.ref(column)}`.execute(db)
    ).rows
  const webinar = await webinarRow(webinarId)
  return {
    statuses: statuses.rows,
    registeredCount: webinar.registered_count,
    present: present.rows[0]!.present,
    regency: await by('regency_code'),
    occupation: await by('occupation'),
    ageRange: await by('age_range'),
    gender: await by('gender'),
  }
}

async function report(webinarId: string, slug: string, organiserId: string) {
  return getWebinarReport(db, await attendanceWebinar(slug, organiserId))
}

async function distinctEmails(webinarIds: string[]) {
  const row = await db
    .selectFrom('registrations')
    .select(sql<number>`count(distinct email)`.as('count'))
    .where('webinar_id', 'in', webinarIds)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

// --- A resident erases their registration --------------------------------------------------------

describe('erasing a registration from the personal link', () => {
  test('a seat holder of a webinar still ahead: the seat goes to the first person waiting, the erased person gets no mail, and the row stays without their data', async () => {
    const webinar = await publishedWebinar({ capacity: 2 })
    const other = await publishedWebinar()
    const rina = await register(webinar.id, {
      name: 'Rina Wulandari',
      email: `rina.${tag}@example.org`,
      regencyCode: '34.71',
      occupation: 'guru',
      ageRange: '25-34',
      gender: 'perempuan',
    })
    const budi = await register(webinar.id)
    const citra = await register(webinar.id)
    const dedi = await register(webinar.id)
    expect([rina.status, budi.status, citra.status, dedi.status]).toEqual(['registered', 'registered', 'waitlisted', 'waitlisted'])
    // Rina also registered for another webinar: that registration is not hers to lose here.
    const rinaElsewhere = await register(other.id, { name: rina.name, email: rina.email, whatsapp: rina.whatsapp })
    expect((await mailsTo(rina.email)).map((m) => [m.kind, m.webinar_id])).toEqual([
      ['participant_invitation', webinar.id],
      ['participant_invitation', other.id],
    ])
    const before = await registrationRow(rina.id)

    expect(await eraseRegistrationByToken(db, rina.token, AHEAD)).toEqual({ slug: webinar.slug })

    // The seat went to Citra, the first in line, with her promotion mail; Dedi still waits.
    expect((await registrationRow(citra.id)).status).toBe('registered')
    expect((await registrationRow(citra.id)).promoted_at).toBe(AHEAD)
    expect((await registrationRow(dedi.id)).status).toBe('waitlisted')
    expect((await webinarRow(webinar.id)).registered_count).toBe(2)
    expect((await mailsTo(citra.email)).map((m) => m.kind)).toEqual(['waitlist_joined', 'waitlist_promotion'])

    // No mail to Rina, not even a cancellation, and her queued mail for this webinar is gone;
    // her invitation to the other webinar stays.
    expect((await mailsTo(rina.email)).map((m) => [m.kind, m.webinar_id])).toEqual([['participant_invitation', other.id]])
    const outbox = await outboxOf(webinar.id)
    expect(outbox.map((m) => m.kind)).not.toContain('registration_cancelled')
    expect(leaks(outbox, personalData(rina))).toEqual([])

    // The row stays, for the counts, with nothing that names her.
    const after = await registrationRow(rina.id)
    expect(after).toMatchObject({
      status: 'cancelled',
      cancelled_at: AHEAD,
      name: '',
      whatsapp: '',
      data_deleted_at: AHEAD,
      regency_code: '34.71',
      occupation: 'guru',
      age_range: '25-34',
      gender: 'perempuan',
      consent_at: before.consent_at,
      position: before.position,
    })
    expect(after.email).not.toBe(rina.email)
    expect(leaks(after, personalData(rina))).toEqual([])
    expect(after.token).not.toBe(rina.token)
    expect(await getPersonalRegistration(db, rina.token)).toBeNull()
    expect(await db.selectFrom('registrations').select('id').where('webinar_id', '=', webinar.id).execute()).toHaveLength(4)

    // The other webinar's registration is untouched.
    expect(await registrationRow(rinaElsewhere.id)).toMatchObject({
      name: rina.name,
      email: rina.email,
      whatsapp: rina.whatsapp,
      status: 'registered',
      data_deleted_at: null,
    })

    // Logged as a request, without the data.
    const purges = await purgesOf(webinar.id)
    expect(purges).toHaveLength(1)
    expect(purges[0]).toMatchObject({ scope: 'request', at: AHEAD, actor_id: null, registrations: 1 })
    expect(JSON.parse(purges[0]!.detail)).toEqual({ messages: 1, zoomRows: 0, certificates: 0, testAnswers: 0, evaluations: 0 })
    expect(leaks(purges[0], [...personalData(rina), rina.token])).toEqual([])
    expect(leaks(await listDataPurges(db), [...personalData(rina), rina.token])).toEqual([])
  })

  test('with nobody waiting, erasing a seat holder of a webinar still ahead gives the seat back', async () => {
    const webinar = await publishedWebinar({ capacity: 3 })
    const leaving = await register(webinar.id)
    const staying = await register(webinar.id)
    expect((await webinarRow(webinar.id)).registered_count).toBe(2)

    expect(await eraseRegistrationByToken(db, leaving.token, AHEAD)).toEqual({ slug: webinar.slug })
    expect((await webinarRow(webinar.id)).registered_count).toBe(1)
    expect((await registrationRow(staying.id)).status).toBe('registered')
    expect(await mailsTo(leaving.email)).toEqual([])
    // The freed seat can be taken again.
    expect((await register(webinar.id)).status).toBe('registered')
  })

  test('a waitlisted person who erases leaves the waitlist and nobody is promoted', async () => {
    const webinar = await publishedWebinar({ capacity: 1 })
    const seated = await register(webinar.id)
    const waiting = await register(webinar.id)
    const behind = await register(webinar.id)

    expect(await eraseRegistrationByToken(db, waiting.token, AHEAD)).toEqual({ slug: webinar.slug })
    expect(await registrationRow(waiting.id)).toMatchObject({ status: 'cancelled', name: '', whatsapp: '', data_deleted_at: AHEAD })
    expect((await registrationRow(behind.id)).status).toBe('waitlisted')
    expect((await registrationRow(seated.id)).status).toBe('registered')
    expect((await webinarRow(webinar.id)).registered_count).toBe(1)
    expect(await mailsTo(waiting.email)).toEqual([])
    expect((await mailsTo(behind.email)).map((m) => m.kind)).toEqual(['waitlist_joined'])
  })

  test('after a finished, finalised webinar: attendance and status stay, the certificate loses its name, and verification shows only number, topic and date', async () => {
    const { organiser, ...webinar } = await publishedWebinar()
    const rina = await register(webinar.id, { name: 'Rina Wulandari', email: `rina.zoom.${tag}@example.org` })
    const budi = await register(webinar.id, { name: 'Budi Santoso', email: `budi.zoom.${tag}@example.org` })
    const absent = await register(webinar.id, { name: 'Tidak Datang' })

    // Rina came twice: once under her registered e-mail, once as "HP Rina", linked by hand.
    const file = zoomFile(
      [
        { name: 'Host Kominfo', email: 'host@komdigi.go.id', joins: stay(190), role: 'host' },
        { name: 'Rina Wulandari', email: rina.email, joins: stay(100) },
        { name: 'HP Rina', email: null, joins: stay(50) },
        { name: 'Budi Santoso', email: budi.email, joins: stay(150) },
        { name: 'Tamu Desa', email: null, joins: stay(170) },
      ],
      new Date(Date.UTC(2030, 2, 4, 9, 0, 0)),
    )
    const { importId } = await previewZoomImport(db, webinar.id, file, organiser.id, afterEnd(30))
    const hpRina = (await zoomRowsOf(webinar.id)).find((p) => p.names.includes('HP Rina'))!
    expect(await linkZoomPerson(db, webinar.id, importId, hpRina.id, rina.id, organiser.id, afterEnd(31))).toEqual({ ok: true, changed: true })
    expect(await commitZoomImport(db, webinar.id, importId, organiser.id, afterEnd(32))).toEqual({ ok: true, changed: true })
    expect(await finaliseAttendance(db, webinar.id, organiser.id, afterEnd(40))).toEqual({ ok: true, present: 2, registered: 3 })

    const certificate = await db.selectFrom('certificates').selectAll().where('registration_id', '=', rina.id).executeTakeFirstOrThrow()
    const budiCertificate = await db.selectFrom('certificates').selectAll().where('registration_id', '=', budi.id).executeTakeFirstOrThrow()
    expect(certificate.name).toBe('Rina Wulandari')
    expect((await verify(certificate.number)).body.certificate.holder).toMatchObject({ name: 'Rina Wulandari', role: 'peserta' })
    const rinaRows = (await zoomRowsOf(webinar.id)).filter((p) => p.registration_id === rina.id)
    expect(rinaRows.map((p) => p.match).sort()).toEqual(['email', 'link'])
    expect(await db.selectFrom('zoom_links').select('registration_id').where('registration_id', '=', rina.id).execute()).toHaveLength(1)
    const countsBefore = await plainCounts(webinar.id)
    const reportBefore = await report(webinar.id, webinar.slug, organiser.id)
    const rinaMails = (await mailsTo(rina.email)).length
    expect(rinaMails).toBe(2) // the invitation and "certificate ready"
    const othersBefore = (await zoomRowsOf(webinar.id)).filter((p) => p.registration_id !== rina.id)

    expect(await eraseRegistrationByToken(db, rina.token, afterEnd(60))).toEqual({ slug: webinar.slug })

    // Still registered and present: nothing to hand on after the webinar, and the figures stay.
    expect(await registrationRow(rina.id)).toMatchObject({
      status: 'registered',
      attended: 1,
      zoom_minutes: 150,
      name: '',
      whatsapp: '',
      data_deleted_at: afterEnd(60),
      cancelled_at: null,
    })
    expect(leaks(await registrationRow(rina.id), personalData(rina))).toEqual([])
    expect(await plainCounts(webinar.id)).toEqual(countsBefore)
    expect(countsBefore).toMatchObject({ registeredCount: 3, present: 2 })
    expect(await report(webinar.id, webinar.slug, organiser.id)).toEqual(reportBefore)
    expect(await getPersonalRegistration(db, rina.token)).toBeNull()
    expect(await mailsTo(rina.email)).toEqual([])
    expect((await mailsTo(budi.email)).map((m) => m.kind)).toEqual(['participant_invitation', 'certificate_ready'])

    // The certificate stays valid without a holder; Budi's keeps his name.
    expect(await db.selectFrom('certificates').selectAll().where('id', '=', certificate.id).executeTakeFirstOrThrow()).toMatchObject({
      number: certificate.number,
      name: null,
      revoked_at: null,
      replaced_by_id: null,
    })
    expect((await db.selectFrom('certificates').select('name').where('id', '=', budiCertificate.id).executeTakeFirstOrThrow()).name).toBe('Budi Santoso')
    const verified = await verify(certificate.number)
    expect(verified.status).toBe(200)
    expect(verified.body.state).toBe('valid')
    expect(verified.body.certificate).toMatchObject({
      number: certificate.number,
      topic: 'Literasi Digital untuk Warga',
      startAt: '2030-03-04T02:00:00.000Z',
      holder: null,
    })
    expect(leaks(verified.body, personalData(rina))).toEqual([])
    expect((await verify(budiCertificate.number)).body.certificate.holder).toMatchObject({ name: 'Budi Santoso' })

    // Her Zoom rows lose name and e-mail, her hand-made link is gone, the link's audit event forgets the name.
    const after = await zoomRowsOf(webinar.id)
    for (const row of after.filter((p) => p.registration_id === rina.id)) expect(row).toMatchObject({ email: null, names: [] })
    expect(await db.selectFrom('zoom_links').select('registration_id').where('registration_id', '=', rina.id).execute()).toEqual([])
    const linked = await db.selectFrom('attendance_events').select('detail').where('registration_id', '=', rina.id).where('action', '=', 'zoomLinked').execute()
    expect(linked.map((e) => JSON.parse(e.detail))).toEqual([{}])
    // Everybody else's rows, the walk-in's too, are as they were.
    expect(after.filter((p) => p.registration_id !== rina.id)).toEqual(othersBefore)
    expect(absent.id).toBeTruthy()

    const purges = await purgesOf(webinar.id)
    expect(purges).toHaveLength(1)
    expect(purges[0]).toMatchObject({ scope: 'request', at: afterEnd(60), registrations: 1 })
    expect(JSON.parse(purges[0]!.detail)).toEqual({ messages: rinaMails, zoomRows: 2, certificates: 1, testAnswers: 0, evaluations: 0 })
    expect(leaks(purges[0], [...personalData(rina), 'HP Rina', rina.token])).toEqual([])
  })

  test('no column of an erased person’s Zoom rows still holds their e-mail or a name they used (person_key included)', async () => {
    const { organiser, ...webinar } = await publishedWebinar()
    const rina = await register(webinar.id, { name: 'Rina Kusuma', email: `rina.key.${tag}@example.org` })
    const file = zoomFile(
      [
        { name: 'Rina Kusuma', email: rina.email, joins: stay(100) },
        { name: 'Laptop Kantor Rina', email: null, joins: stay(50) },
      ],
      new Date(Date.UTC(2030, 2, 4, 9, 0, 0)),
    )
    const { importId } = await previewZoomImport(db, webinar.id, file, organiser.id, afterEnd(30))
    const laptop = (await zoomRowsOf(webinar.id)).find((p) => p.names.includes('Laptop Kantor Rina'))!
    await linkZoomPerson(db, webinar.id, importId, laptop.id, rina.id, organiser.id, afterEnd(31))
    await commitZoomImport(db, webinar.id, importId, organiser.id, afterEnd(32))
    await finaliseAttendance(db, webinar.id, organiser.id, afterEnd(40))
    const rows = (await zoomRowsOf(webinar.id)).filter((p) => p.registration_id === rina.id)
    expect(rows).toHaveLength(2)
    const usedNames = rows.flatMap((p) => p.names)

    await eraseRegistrationByToken(db, rina.token, afterEnd(60))
    const erased = await db.selectFrom('zoom_import_people').selectAll().where('registration_id', '=', rina.id).execute()
    expect(erased).toHaveLength(2)
    // Each row's columns, person_key included, hold neither: what is left is e-mail-less and nameless.
    expect(erased.map((row) => ({ person_key: row.person_key, leaks: leaks(row, [rina.email, ...usedNames]) }))).toEqual(
      erased.map((row) => ({ person_key: row.person_key, leaks: [] })),
    )
  })

  test('an unknown or malformed token erases nothing and changes nothing', async () => {
    const webinar = await publishedWebinar()
    const person = await register(webinar.id)
    const tables = async () => ({
      registrations: await countRows('registrations'),
      outbox: await countRows('outbox'),
      purges: await countRows('data_purges'),
      row: await registrationRow(person.id),
      webinar: await webinarRow(webinar.id),
    })
    const before = await tables()

    expect(await eraseRegistrationByToken(db, 'no-such-token-0000000000000000000000000000', AHEAD)).toBeNull()
    expect(await eraseRegistrationByToken(db, '', AHEAD)).toBeNull()
    expect(await eraseRegistrationByToken(db, person.token.slice(0, 20), AHEAD)).toBeNull()
    expect(await tables()).toEqual(before)
    expect(await getPersonalRegistration(db, person.token)).toMatchObject({ name: person.name, email: person.email })
  })

  test('an erased link cannot erase again: the second attempt finds nothing and logs nothing', async () => {
    const webinar = await publishedWebinar()
    const person = await register(webinar.id)
    expect(await eraseRegistrationByToken(db, person.token, AHEAD)).toEqual({ slug: webinar.slug })
    expect(await eraseRegistrationByToken(db, person.token, AHEAD)).toBeNull()
    expect(await purgesOf(webinar.id)).toHaveLength(1)
  })
})

// --- The retention period ------------------------------------------------------------------------

// Each test below uses its own, earlier year, and its purges look at that year only: a purge
// takes every webinar that ended before the cut-off, so later tests must not reach back into
// the webinars of earlier ones (which are still held for their own assertions).

describe('the retention period', () => {
  let organiserId: string
  beforeAll(async () => {
    organiserId = (await createUser('organiser', { name: 'Organiser Retensi' })).id
  })

  test('without a period nothing is purged, however old the webinar', async () => {
    const { organiser, ...webinar } = await publishedWebinar({ date: '2029-06-10' })
    const person = await register(webinar.id, {}, '2029-06-01T00:00:00.000Z')
    await finaliseAttendance(db, webinar.id, organiser.id, '2029-06-10T06:00:00.000Z')
    await setRetentionMonths(db, null, organiserId)
    expect(await getRetentionMonths(db)).toBeNull()
    const purgesBefore = await countRows('data_purges')

    expect(await purgeExpiredPersonalData(db, organiserId, '2100-01-01T00:00:00.000Z')).toEqual({ webinars: 0, registrations: 0 })
    expect(await registrationRow(person.id)).toMatchObject({ name: person.name, email: person.email, whatsapp: person.whatsapp, data_deleted_at: null })
    expect((await webinarRow(webinar.id)).personal_data_purged_at).toBeNull()
    expect(await countRows('data_purges')).toBe(purgesBefore)
  })

  test('with 6 months, a webinar that ended 7 months ago is purged and one that ended 5 months ago is not; counts stay, a second purge does nothing', async () => {
    // Ended 10 Jan 2029 and 10 Mar 2029, 12:00 WIB (05:00 UTC); "now" is 10 Aug 2029.
    const NOW = '2029-08-10T05:00:00.000Z'
    const { organiser, ...old } = await publishedWebinar({ date: '2029-01-10', capacity: 5 })
    const recent = await publishedWebinar({ date: '2029-03-10' })
    const before = (day: string) => `2029-01-0${day}T00:00:00.000Z`

    const people = [
      await register(old.id, { name: 'Ani Lestari', regencyCode: '33.10', occupation: 'guru', ageRange: '25-34', gender: 'perempuan' }, before('1')),
      await register(old.id, { name: 'Budi Santoso', regencyCode: '33.10', occupation: 'guru', ageRange: '35-44', gender: 'lakilaki' }, before('1')),
      await register(old.id, { name: 'Citra Dewi', regencyCode: '34.71', occupation: 'mahasiswa', ageRange: '17-24', gender: 'perempuan' }, before('2')),
      await register(old.id, { name: 'Dedi Kurniawan', regencyCode: '33.72', occupation: 'umkm', ageRange: '45-54', gender: null }, before('2')),
      await register(old.id, { name: 'Eka Putri', regencyCode: '33.10', occupation: 'pelajar', ageRange: '17-24', gender: 'perempuan' }, before('3')),
      await register(old.id, { name: 'Fajar Nugroho', regencyCode: '34.71', occupation: 'asn', ageRange: '35-44', gender: 'lakilaki' }, before('3')),
      await register(old.id, { name: 'Gilang Ramadhan', regencyCode: '33.10', occupation: 'guru', ageRange: '55plus', gender: null }, before('4')),
    ]
    const [ani, budi, citra, dedi, eka, fajar, gilang] = people as [Registrant, Registrant, Registrant, Registrant, Registrant, Registrant, Registrant]
    expect(people.map((p) => p.status)).toEqual(['registered', 'registered', 'registered', 'registered', 'registered', 'waitlisted', 'waitlisted'])
    // Budi cancels, so Fajar moves up; Gilang stays waiting.
    expect(await cancelRegistration(db, budi.token, before('5'))).toBe(true)
    const keep = await register(recent.id, { name: 'Hana Pertiwi' }, '2029-03-01T00:00:00.000Z')

    // Zoom: Ani and Citra stay long enough, Eka does not; a walk-in and the host matched nobody.
    const file = zoomFile(
      [
        { name: 'Host Kominfo', email: 'host.retensi@komdigi.go.id', joins: stay(190), role: 'host' },
        { name: ani.name, email: ani.email, joins: stay(150) },
        { name: citra.name, email: citra.email, joins: stay(60, 80) },
        { name: eka.name, email: eka.email, joins: stay(30) },
        { name: 'Tamu Desa Sukamaju', email: null, joins: stay(170) },
        { name: 'Orang Lain Sekali', email: `orang.lain.${tag}@gmail.com`, joins: stay(100) },
      ],
      new Date(Date.UTC(2029, 0, 10, 9, 0, 0)),
    )
    const { importId } = await previewZoomImport(db, old.id, file, organiser.id, '2029-01-10T06:00:00.000Z')
    await commitZoomImport(db, old.id, importId, organiser.id, '2029-01-10T06:01:00.000Z')
    expect(await finaliseAttendance(db, old.id, organiser.id, '2029-01-10T07:00:00.000Z')).toEqual({ ok: true, present: 2, registered: 5 })
    // Dedi erased his own registration already; the purge leaves him to that log line.
    await eraseRegistrationByToken(db, dedi.token, '2029-02-01T00:00:00.000Z')

    const zoomBefore = await zoomRowsOf(old.id)
    const unmatchedNames = zoomBefore.filter((p) => p.registration_id === null).flatMap((p) => p.names)
    expect(unmatchedNames).toEqual(expect.arrayContaining(['Host Kominfo', 'Tamu Desa Sukamaju', 'Orang Lain Sekali']))
    const remaining = people.filter((p) => p !== dedi)
    const remainingIds = remaining.map((p) => p.id)
    const messagesDue = (await outboxOf(old.id)).filter((m) => remaining.some((p) => p.email === m.recipient_email)).length
    const certificatesDue = await db.selectFrom('certificates').select('id').where('registration_id', 'in', remainingIds).execute()
    expect(certificatesDue).toHaveLength(2)
    const zoomDue = zoomBefore.filter((p) => p.registration_id === null || remainingIds.includes(p.registration_id)).length
    const countsBefore = await plainCounts(old.id)
    const reportBefore = await report(old.id, old.slug, organiser.id)
    const recentBefore = await db.selectFrom('registrations').selectAll().where('webinar_id', '=', recent.id).execute()
    const secrets = [...people.flatMap(personalData), ...unmatchedNames, `orang.lain.${tag}@gmail.com`, 'host.retensi@komdigi.go.id']

    await setRetentionMonths(db, 6, organiserId, '2029-08-01T00:00:00.000Z')
    expect(await getRetentionMonths(db)).toBe(6)
    expect(await purgeExpiredPersonalData(db, organiserId, NOW)).toEqual({ webinars: 1, registrations: remaining.length })

    // No names, e-mails or numbers left in the purged webinar's registrations.
    for (const person of remaining) {
      const row = await registrationRow(person.id)
      expect(row).toMatchObject({ name: '', whatsapp: '', data_deleted_at: NOW })
      expect(row.email).not.toBe(person.email)
      expect(await getPersonalRegistration(db, person.token)).toBeNull()
    }
    const purgedRows = await db.selectFrom('registrations').selectAll().where('webinar_id', '=', old.id).execute()
    expect(leaks(purgedRows, secrets)).toEqual([])
    expect((await registrationRow(dedi.id)).data_deleted_at).toBe('2029-02-01T00:00:00.000Z')
    expect((await webinarRow(old.id)).personal_data_purged_at).toBe(NOW)

    // The counts are what they were.
    expect(await plainCounts(old.id)).toEqual(countsBefore)
    expect(countsBefore).toMatchObject({ registeredCount: 5, present: 2 })
    expect(await report(old.id, old.slug, organiser.id)).toEqual(reportBefore)

    // Messages, certificate names and every Zoom row of the webinar, matched or not, are cleared.
    expect((await outboxOf(old.id)).filter((m) => people.some((p) => p.email === m.recipient_email))).toEqual([])
    expect(
      (await db.selectFrom('certificates').select('name').where('webinar_id', '=', old.id).where('registration_id', 'is not', null).execute()).map(
        (c) => c.name,
      ),
    ).toEqual([null, null])
    const zoomAfter = await zoomRowsOf(old.id)
    expect(zoomAfter).toHaveLength(zoomBefore.length)
    for (const row of zoomAfter) expect({ line: row.first_line, email: row.email, names: row.names }).toEqual({ line: row.first_line, email: null, names: [] })
    // Minutes and matches stay: they are figures, not names.
    expect(zoomAfter.map((p) => [p.minutes, p.match, p.registration_id])).toEqual(zoomBefore.map((p) => [p.minutes, p.match, p.registration_id]))

    // The log: one retention line with the counts, no data.
    const purges = (await purgesOf(old.id)).filter((p) => p.scope === 'retention')
    expect(purges).toHaveLength(1)
    expect(purges[0]).toMatchObject({ scope: 'retention', at: NOW, actor_id: organiserId, registrations: remaining.length })
    expect(JSON.parse(purges[0]!.detail)).toEqual({ messages: messagesDue, zoomRows: zoomDue, certificates: 2, testAnswers: 0, evaluations: 0 })
    expect(leaks(await db.selectFrom('data_purges').selectAll().execute(), secrets)).toEqual([])

    // The webinar that ended 5 months ago keeps everything.
    expect(await db.selectFrom('registrations').selectAll().where('webinar_id', '=', recent.id).execute()).toEqual(recentBefore)
    expect(await registrationRow(keep.id)).toMatchObject({ name: 'Hana Pertiwi', email: keep.email, data_deleted_at: null })
    expect((await webinarRow(recent.id)).personal_data_purged_at).toBeNull()
    expect(await purgesOf(recent.id)).toEqual([])

    // Purging again changes nothing and writes no new line.
    const logBefore = await countRows('data_purges')
    const rowsBefore = await db.selectFrom('registrations').selectAll().where('webinar_id', '=', old.id).execute()
    expect(await purgeExpiredPersonalData(db, organiserId, NOW)).toEqual({ webinars: 0, registrations: 0 })
    expect(await countRows('data_purges')).toBe(logBefore)
    expect(await db.selectFrom('registrations').selectAll().where('webinar_id', '=', old.id).execute()).toEqual(rowsBefore)
    expect(await plainCounts(old.id)).toEqual(countsBefore)
  })

  test('unique residents across two purged webinars stay the same: one person is one pseudonym, purge after purge', async () => {
    const { organiser, ...first } = await publishedWebinar({ date: '2028-01-10' })
    const second = await publishedWebinar({ date: '2028-03-10' })
    const shared = { name: 'Sari Wijaya', email: `sari.${tag}@example.org`, whatsapp: '+6281299990001' }
    const a = [
      await register(first.id, shared, '2028-01-01T00:00:00.000Z'),
      await register(first.id, {}, '2028-01-01T00:00:00.000Z'),
      await register(first.id, {}, '2028-01-01T00:00:00.000Z'),
    ]
    const b = [await register(second.id, shared, '2028-03-01T00:00:00.000Z'), await register(second.id, {}, '2028-03-01T00:00:00.000Z')]
    await finaliseAttendance(db, first.id, organiser.id, '2028-01-10T06:00:00.000Z')
    await finaliseAttendance(db, second.id, organiser.id, '2028-03-10T06:00:00.000Z')
    const ids = [first.id, second.id]
    expect(await distinctEmails(ids)).toBe(4)

    await setRetentionMonths(db, 6, organiserId)
    // First only the earlier webinar is due (cut-off 1 Feb 2028), then the later one too (1 Apr 2028).
    expect(await purgeExpiredPersonalData(db, organiserId, '2028-08-01T00:00:00.000Z')).toEqual({ webinars: 1, registrations: 3 })
    expect((await webinarRow(second.id)).personal_data_purged_at).toBeNull()
    expect(await distinctEmails(ids)).toBe(5) // the pseudonym and the live address, until the second purge
    expect(await purgeExpiredPersonalData(db, organiserId, '2028-10-01T00:00:00.000Z')).toEqual({ webinars: 1, registrations: 2 })

    expect(await distinctEmails(ids)).toBe(4)
    const sariFirst = await registrationRow(a[0]!.id)
    const sariSecond = await registrationRow(b[0]!.id)
    expect(sariFirst.email).toBe(sariSecond.email)
    expect(sariFirst.email).not.toBe(shared.email)
    const all = await db.selectFrom('registrations').selectAll().where('webinar_id', 'in', ids).execute()
    expect(leaks(all, [...a, ...b].flatMap(personalData))).toEqual([])
    // Different people stay different.
    expect(new Set(all.map((r) => r.email)).size).toBe(4)
  })

  test('after a retention purge, no column of the webinar’s Zoom rows still holds an e-mail or a name (person_key included)', async () => {
    const { organiser, ...webinar } = await publishedWebinar({ date: '2027-01-10' })
    const yuni = await register(webinar.id, { name: 'Yuni Astuti', email: `yuni.${tag}@example.org` }, '2027-01-01T00:00:00.000Z')
    const file = zoomFile(
      [
        { name: 'Yuni Astuti', email: yuni.email, joins: stay(150) },
        { name: 'Tamu Tanpa Surel', email: null, joins: stay(120) },
        { name: 'Tamu Bersurel', email: `tamu.${tag}@gmail.com`, joins: stay(120) },
      ],
      new Date(Date.UTC(2027, 0, 10, 9, 0, 0)),
    )
    const { importId } = await previewZoomImport(db, webinar.id, file, organiser.id, '2027-01-10T06:00:00.000Z')
    await commitZoomImport(db, webinar.id, importId, organiser.id, '2027-01-10T06:01:00.000Z')
    await finaliseAttendance(db, webinar.id, organiser.id, '2027-01-10T07:00:00.000Z')
    const before = await zoomRowsOf(webinar.id)
    const secrets = [yuni.email, `tamu.${tag}@gmail.com`, ...before.flatMap((p) => p.names)]

    await setRetentionMonths(db, 6, organiserId)
    expect(await purgeExpiredPersonalData(db, organiserId, '2027-08-10T05:00:00.000Z')).toEqual({ webinars: 1, registrations: 1 })
    const after = await db.selectFrom('zoom_import_people').selectAll().where('import_id', '=', importId).orderBy('first_line').execute()
    expect(after).toHaveLength(3)
    expect(after.map((row) => ({ person_key: row.person_key, leaks: leaks(row, secrets) }))).toEqual(
      after.map((row) => ({ person_key: row.person_key, leaks: [] })),
    )
  })
})
