import { finaliseAttendance, listAttendance, listAttendanceEvents } from '#app/models/attendance.server'
import { eraseRegistrationByToken } from '#app/models/personal-data.server'
import { commitZoomImport, getZoomImport, linkZoomPerson, listZoomImportPeople, listZoomImports, previewZoomImport } from '#app/models/zoom-import.server'
import { listWebinarRoles } from '#app/models/webinar-role.server'
import { getDb } from '#app/utils/db.server'
import { parseZoomReport } from '#app/utils/zoom-report.server'
import { buildZoomReport, type ZoomReportPerson } from '../../scripts/demo/zoom-report'
import { afterEnd, attendanceWebinar, consoleWebinar, stay, zoomUpload } from '#tests/setup/attendance'
import { createPersonFor, createUser, moderatorOf, register } from '#tests/setup/factories'
import { assignRole } from '#app/models/webinar-role.server'

const db = getDb()

/** Zoom writes the host's local clock: 09:00 WIB, carried in the UTC fields. */
const REPORT_START = new Date(Date.UTC(2030, 2, 4, 9, 0, 0))
const UPLOADED = '2030-03-04T06:00:00.000Z'

function report(people: ZoomReportPerson[], style: 'current' | 'older' = 'current') {
  return zoomUpload(buildZoomReport({ topic: 'Literasi Digital untuk Warga', startAt: REPORT_START, people, style }))
}

async function zoomMinutes(registrationId: string) {
  const row = await db.selectFrom('registrations').select('zoom_minutes').where('id', '=', registrationId).executeTakeFirstOrThrow()
  return row.zoom_minutes
}

async function importPeople(importId: string) {
  const rows = await db.selectFrom('zoom_import_people').selectAll().where('import_id', '=', importId).orderBy('first_line').execute()
  return rows.map((row) => ({ ...row, names: JSON.parse(row.names) as string[] }))
}

async function personByName(importId: string, name: string) {
  const found = (await importPeople(importId)).find((p) => p.names.includes(name))
  if (!found) throw new Error(`${name} is not in the import`)
  return found
}

async function tableCounts(webinarId: string) {
  const imports = await db.selectFrom('zoom_imports').select('id').where('webinar_id', '=', webinarId).execute()
  const people = imports.length
    ? await db.selectFrom('zoom_import_people').select((eb) => eb.fn.countAll<number>().as('count')).where('import_id', 'in', imports.map((i) => i.id)).executeTakeFirstOrThrow()
    : { count: 0 }
  return { imports: imports.length, people: Number(people.count) }
}

// --- Preview ---------------------------------------------------------------------------------

test('a preview matches each person of the report and changes nobody’s attendance', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const ani = await register(webinar.id, { name: 'Ani Lestari', email: 'ani@example.org' })
  const maya = await register(webinar.id, { name: 'Maya Saputra', email: 'maya@example.org' })
  const budi = await register(webinar.id, { name: 'Budi Santoso', email: 'budi@example.org' })
  const siti1 = await register(webinar.id, { name: 'Siti Aminah', email: 'siti.1@example.org' })
  const siti2 = await register(webinar.id, { name: 'Siti Aminah', email: 'siti.2@example.org' })
  const absent = await register(webinar.id, { name: 'Tidak Datang', email: 'absen@example.org' })

  const file = report([
    { name: 'Host Kominfo', email: 'host@komdigi.go.id', joins: stay(190), role: 'host' },
    { name: 'Narasumber Satu', email: 'narasumber@kampus.ac.id', joins: stay(120), role: 'panelist' },
    // Dropped out once and came back: 60 + 70 minutes.
    { name: 'Ani Lestari', email: 'ani@example.org', joins: stay(60, 70) },
    // Renamed in the meeting, no e-mail: found by the name registered with.
    { name: 'Maya Saputra', email: null, renamedTo: 'HP Maya', joins: stay(126) },
    // A Zoom e-mail we do not know, but the name is a registrant's.
    { name: 'Budi Santoso', email: 'budi.pribadi@gmail.com', joins: stay(100) },
    // Two registrants have this name: the moderator decides.
    { name: 'Siti Aminah', email: null, joins: stay(150) },
    { name: 'Orang Lain', email: 'orang.lain@gmail.com', joins: stay(170) },
    { name: 'Tamu Desa', email: null, joins: stay(175) },
  ])
  const preview = await previewZoomImport(db, webinar.id, file, organiser.id, UPLOADED)
  expect(preview.reused).toBe(false)

  for (const person of [ani, maya, budi, siti1, siti2, absent]) expect(await zoomMinutes(person.id)).toBeNull()
  expect((await listAttendance(db, webinar, { filter: 'present' })).total).toBe(0)
  expect((await attendanceWebinar(webinar.slug, organiser.id)).zoom_import_id).toBeNull()

  const summary = await getZoomImport(db, webinar, preview.importId)
  expect(summary).toMatchObject({
    id: preview.importId,
    file_name: 'participants_91234567890.csv',
    file_bytes: file.bytes.byteLength,
    topic: 'Literasi Digital untuk Warga',
    rows: 9,
    uploaded_at: UPLOADED,
    committed_at: null,
    uploaded_by_name: 'Organiser Ani',
    current: false,
  })
  expect(summary!.counts).toEqual({ email: 1, link: 0, name: 2, ambiguous: 1, unmatched: 1, guest: 1, staff: 2 })
  // Ani (60 + 70 = 130) and Maya (126) reach 126 minutes; Budi (100) does not.
  expect(summary!.presentByZoom).toBe(2)

  const people = await importPeople(preview.importId)
  const byName = (name: string) => people.find((p) => p.names.includes(name))!
  expect(byName('Ani Lestari')).toMatchObject({ match: 'email', registration_id: ani.id, minutes: 130, joins: 2 })
  expect(byName('HP Maya')).toMatchObject({ match: 'name', registration_id: maya.id, minutes: 126, names: ['Maya Saputra', 'HP Maya'] })
  expect(byName('Budi Santoso')).toMatchObject({ match: 'name', registration_id: budi.id, email: 'budi.pribadi@gmail.com' })
  expect(byName('Siti Aminah')).toMatchObject({ match: 'ambiguous', registration_id: null })
  expect((JSON.parse(byName('Siti Aminah').candidates!) as string[]).sort()).toEqual([siti1.id, siti2.id].sort())
  expect(byName('Orang Lain')).toMatchObject({ match: 'unmatched', registration_id: null })
  expect(byName('Tamu Desa')).toMatchObject({ match: 'guest', registration_id: null })
  expect(byName('Host Kominfo')).toMatchObject({ match: 'staff', role: 'host', registration_id: null })
  expect(byName('Narasumber Satu')).toMatchObject({ match: 'staff', role: 'panelist', registration_id: null })

  // The console's "needs attention" list offers the ambiguous row's candidates by name and e-mail.
  const attention = await listZoomImportPeople(db, preview.importId, 'attention')
  expect(attention.total).toBe(3)
  const ambiguous = attention.rows.find((r) => r.match === 'ambiguous')!
  expect(ambiguous.candidates.map((c) => c.email).sort()).toEqual(['siti.1@example.org', 'siti.2@example.org'])
  expect((await listZoomImportPeople(db, preview.importId, 'matched')).rows.map((r) => r.registrant_email)).toEqual(['ani@example.org', 'maya@example.org', 'budi@example.org'])
  expect((await listZoomImportPeople(db, preview.importId, 'staff')).total).toBe(2)
})

test('a hand-written report: rejoins are summed and e-mails match whatever their case', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const dewi = await register(webinar.id, { name: 'Dewi Kartika', email: 'dewi.kartika@example.org' })
  const eko = await register(webinar.id, { name: 'Eko Prasetyo', email: 'eko@example.org' })
  const csv = [
    'Attendee Details,',
    'User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Is Guest',
    'Moderator Satu,moderator@komdigi.go.id,03/04/2030 08:50:00 AM,03/04/2030 12:05:00 PM,195,No',
    'Dewi Kartika,Dewi.Kartika@Example.ORG,03/04/2030 09:00:00 AM,03/04/2030 10:00:00 AM,60,Yes',
    'Dewi Kartika,dewi.kartika@example.org,03/04/2030 10:05:00 AM,03/04/2030 11:10:00 AM,65,Yes',
    'Dewi Kartika,dewi.kartika@example.org,03/04/2030 11:15:00 AM,03/04/2030 11:16:00 AM,1,Yes',
    '"Prasetyo, Eko",,03/04/2030 09:30:00 AM,03/04/2030 10:30:00 AM,60,Yes',
    '',
  ].join('\n')
  const file = zoomUpload(csv, 'laporan-manual.csv')
  const { importId } = await previewZoomImport(db, webinar.id, file, organiser.id, UPLOADED)
  const summary = await getZoomImport(db, webinar, importId)
  // The older export has no sections: everyone is an attendee, the moderator included.
  expect(summary).toMatchObject({ rows: 5, file_name: 'laporan-manual.csv', topic: null })
  expect((await personByName(importId, 'Dewi Kartika')).minutes).toBe(126)
  expect(await personByName(importId, 'Dewi Kartika')).toMatchObject({ match: 'email', registration_id: dewi.id, joins: 3 })
  // "Prasetyo, Eko" is not "Eko Prasetyo": a walk-in until someone links it.
  expect(await personByName(importId, 'Prasetyo, Eko')).toMatchObject({ match: 'guest', registration_id: null })
  expect(summary!.counts).toEqual({ email: 1, link: 0, name: 0, ambiguous: 0, unmatched: 1, guest: 1, staff: 0 })
  expect(summary!.presentByZoom).toBe(1)

  expect(await commitZoomImport(db, webinar.id, importId, organiser.id, afterEnd(60))).toEqual({ ok: true, changed: true })
  expect(await zoomMinutes(dewi.id)).toBe(126)
  expect(await zoomMinutes(eko.id)).toBeNull()
})

test('a waitlisted person in the report is unmatched: only registered people are matched', async () => {
  const { webinar, organiser } = await consoleWebinar({ capacity: 1 })
  const seated = await register(webinar.id, { name: 'Rudi Hartono', email: 'rudi@example.org' })
  const waiting = await register(webinar.id, { name: 'Wulan Sari', email: 'wulan@example.org' })
  expect(waiting.status).toBe('waitlisted')
  const { importId } = await previewZoomImport(
    db,
    webinar.id,
    report([
      { name: 'Rudi Hartono', email: 'rudi@example.org', joins: stay(150) },
      { name: 'Wulan Sari', email: 'wulan@example.org', joins: stay(150) },
    ]),
    organiser.id,
    UPLOADED,
  )
  expect(await personByName(importId, 'Wulan Sari')).toMatchObject({ match: 'unmatched', registration_id: null })
  expect(await personByName(importId, 'Rudi Hartono')).toMatchObject({ match: 'email', registration_id: seated.id })
  await commitZoomImport(db, webinar.id, importId, organiser.id, afterEnd(60))
  expect(await zoomMinutes(waiting.id)).toBeNull()
  expect(await zoomMinutes(seated.id)).toBe(150)
})

test('names are tried in order of trust: the name registered in Zoom before the name shown in the meeting', async () => {
  // matchZoomPerson's contract: "the name they registered in Zoom with, first + last, then the name shown in the meeting".
  // ZoomPerson.names comes as [display, original, first + last] (see groupZoomPeople and the schema), so the model has to
  // try them in its own order; it tries them as given, and the nickname "Putri" picks another registrant.
  const { webinar, organiser } = await consoleWebinar()
  await register(webinar.id, { name: 'Putri', email: 'putri@example.org' })
  const putriAyu = await register(webinar.id, { name: 'Putri Ayu Lestari', email: 'putri.ayu@example.org' })
  const { importId } = await previewZoomImport(
    db,
    webinar.id,
    report([{ name: 'Putri Ayu Lestari', email: null, renamedTo: 'Putri', joins: stay(150) }]),
    organiser.id,
    UPLOADED,
  )
  expect(await personByName(importId, 'Putri Ayu Lestari')).toMatchObject({ match: 'name', registration_id: putriAyu.id })
})

// --- Commit ----------------------------------------------------------------------------------

test('committing applies the minutes, summed over every row that is the same registrant; committing again changes nothing', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const dewi = await register(webinar.id, { name: 'Dewi Lestari', email: 'dewi@example.org' })
  const fajar = await register(webinar.id, { name: 'Fajar Nugroho', email: 'fajar@example.org' })
  const absent = await register(webinar.id, { name: 'Gita Permata', email: 'gita@example.org' })
  const { importId } = await previewZoomImport(
    db,
    webinar.id,
    report([
      // The laptop with her e-mail, then the phone without: one registrant, 60 + 70 minutes.
      { name: 'Dewi Lestari', email: 'dewi@example.org', joins: stay(60) },
      { name: 'Dewi Lestari', email: null, renamedTo: 'Galaxy A12', joins: stay(70) },
      { name: 'Fajar Nugroho', email: 'fajar@example.org', joins: stay(125) },
    ]),
    organiser.id,
    UPLOADED,
  )
  const before = await getZoomImport(db, webinar, importId)
  expect(before!.counts).toMatchObject({ email: 2, name: 1 })
  expect(before!.presentByZoom).toBe(1)

  expect(await commitZoomImport(db, webinar.id, importId, organiser.id, afterEnd(60))).toEqual({ ok: true, changed: true })
  expect(await zoomMinutes(dewi.id)).toBe(130)
  expect(await zoomMinutes(fajar.id)).toBe(125)
  expect(await zoomMinutes(absent.id)).toBeNull()
  const current = await attendanceWebinar(webinar.slug, organiser.id)
  expect(current.zoom_import_id).toBe(importId)
  expect(await getZoomImport(db, current, importId)).toMatchObject({ current: true, committed_at: afterEnd(60) })
  const present = await listAttendance(db, current, { filter: 'zoom' })
  expect(present.rows.map((r) => r.name)).toEqual(['Dewi Lestari'])

  expect(await commitZoomImport(db, webinar.id, importId, organiser.id, afterEnd(70))).toEqual({ ok: true, changed: false })
  const commits = (await listAttendanceEvents(db, webinar.id)).filter((e) => e.action === 'zoomCommitted')
  expect(commits).toHaveLength(1)
  expect(commits[0]).toMatchObject({ actor_name: 'Organiser Ani', at: afterEnd(60), detail: { file: 'participants_91234567890.csv', matched: 3, replaced: null } })
  expect(await getZoomImport(db, current, importId)).toMatchObject({ committed_at: afterEnd(60) })
})

test('the same file uploaded again is the same import, and writes nothing new', async () => {
  const { webinar, organiser } = await consoleWebinar()
  await register(webinar.id, { name: 'Hadi Wibowo', email: 'hadi@example.org' })
  const people = [{ name: 'Hadi Wibowo', email: 'hadi@example.org', joins: stay(140) }]
  const first = await previewZoomImport(db, webinar.id, report(people), organiser.id, UPLOADED)
  const counts = await tableCounts(webinar.id)
  expect(counts).toEqual({ imports: 1, people: 1 })

  // Byte for byte the same file, under another name.
  const again = await previewZoomImport(db, webinar.id, { ...report(people), name: 'salinan.csv' }, organiser.id, afterEnd(30))
  expect(again).toEqual({ importId: first.importId, reused: true })
  expect(await tableCounts(webinar.id)).toEqual(counts)

  await commitZoomImport(db, webinar.id, first.importId, organiser.id, afterEnd(60))
  expect(await previewZoomImport(db, webinar.id, report(people), organiser.id, afterEnd(90))).toEqual({ importId: first.importId, reused: true })
  expect(await tableCounts(webinar.id)).toEqual(counts)
  expect(await commitZoomImport(db, webinar.id, first.importId, organiser.id, afterEnd(91))).toEqual({ ok: true, changed: false })
})

test('a second, different report replaces the first one’s minutes when committed', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const indah = await register(webinar.id, { name: 'Indah Permatasari', email: 'indah@example.org' })
  const joko = await register(webinar.id, { name: 'Joko Susilo', email: 'joko@example.org' })
  const kartini = await register(webinar.id, { name: 'Kartini Putri', email: 'kartini@example.org' })
  const first = await previewZoomImport(
    db,
    webinar.id,
    report([
      { name: 'Indah Permatasari', email: 'indah@example.org', joins: stay(50) },
      { name: 'Joko Susilo', email: 'joko@example.org', joins: stay(160) },
    ]),
    organiser.id,
    UPLOADED,
  )
  await commitZoomImport(db, webinar.id, first.importId, organiser.id, afterEnd(60))
  expect([await zoomMinutes(indah.id), await zoomMinutes(joko.id), await zoomMinutes(kartini.id)]).toEqual([50, 160, null])

  // The complete report, downloaded later: Joko is not in it (he was in the first by mistake).
  const second = await previewZoomImport(
    db,
    webinar.id,
    report([
      { name: 'Indah Permatasari', email: 'indah@example.org', joins: stay(50, 100) },
      { name: 'Kartini Putri', email: 'kartini@example.org', joins: stay(130) },
    ]),
    organiser.id,
    afterEnd(120),
  )
  expect(second.reused).toBe(false)
  expect(second.importId).not.toBe(first.importId)
  // The preview alone changes nothing.
  expect([await zoomMinutes(indah.id), await zoomMinutes(joko.id), await zoomMinutes(kartini.id)]).toEqual([50, 160, null])

  expect(await commitZoomImport(db, webinar.id, second.importId, organiser.id, afterEnd(130))).toEqual({ ok: true, changed: true })
  expect([await zoomMinutes(indah.id), await zoomMinutes(joko.id), await zoomMinutes(kartini.id)]).toEqual([150, null, 130])
  const current = await attendanceWebinar(webinar.slug, organiser.id)
  expect(current.zoom_import_id).toBe(second.importId)
  // The first stays as history.
  expect((await listZoomImports(db, webinar.id)).map((i) => [i.id, i.committed_at])).toEqual([
    [second.importId, afterEnd(130)],
    [first.importId, afterEnd(60)],
  ])
  const commits = (await listAttendanceEvents(db, webinar.id)).filter((e) => e.action === 'zoomCommitted')
  expect(commits[0]!.detail).toMatchObject({ replaced: first.importId })
})

test('committing on a finalised list is refused and changes nothing', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const lina = await register(webinar.id, { name: 'Lina Marlina', email: 'lina@example.org' })
  const first = await previewZoomImport(db, webinar.id, report([{ name: 'Lina Marlina', email: 'lina@example.org', joins: stay(100) }]), organiser.id, UPLOADED)
  await commitZoomImport(db, webinar.id, first.importId, organiser.id, afterEnd(60))
  const second = await previewZoomImport(db, webinar.id, report([{ name: 'Lina Marlina', email: 'lina@example.org', joins: stay(170) }]), organiser.id, afterEnd(70))
  expect(await finaliseAttendance(db, webinar.id, organiser.id, afterEnd(80))).toEqual({ ok: true, present: 0, registered: 1 })
  const eventsBefore = await listAttendanceEvents(db, webinar.id)

  expect(await commitZoomImport(db, webinar.id, second.importId, organiser.id, afterEnd(90))).toEqual({ ok: false, reason: 'finalised' })
  expect(await zoomMinutes(lina.id)).toBe(100)
  const current = await attendanceWebinar(webinar.slug, organiser.id)
  expect(current.zoom_import_id).toBe(first.importId)
  expect(await getZoomImport(db, current, second.importId)).toMatchObject({ committed_at: null, current: false })
  expect(await listAttendanceEvents(db, webinar.id)).toEqual(eventsBefore)
  const row = await db.selectFrom('registrations').select('attended').where('id', '=', lina.id).executeTakeFirstOrThrow()
  expect(row.attended).toBe(0)
})

// --- Linking by hand -------------------------------------------------------------------------

test('an unmatched person linked to a registrant counts on commit, and the link holds for the next report', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const moderator = await createUser('moderator', { name: 'Moderator Maria' })
  const eko = await register(webinar.id, { name: 'Eko Prasetyo', email: 'eko@example.org' })
  const first = await previewZoomImport(
    db,
    webinar.id,
    report([
      // Joined with a family member's Zoom account.
      { name: 'Ortu Eko', email: 'keluarga.prasetyo@gmail.com', joins: stay(140) },
    ]),
    organiser.id,
    UPLOADED,
  )
  const row = await personByName(first.importId, 'Ortu Eko')
  expect(row.match).toBe('unmatched')

  expect(await linkZoomPerson(db, webinar.id, first.importId, row.id, eko.id, moderator.id, afterEnd(10))).toEqual({ ok: true, changed: true })
  expect(await personByName(first.importId, 'Ortu Eko')).toMatchObject({ match: 'link', registration_id: eko.id })
  // Not committed yet: nothing moves.
  expect(await zoomMinutes(eko.id)).toBeNull()
  expect(await getZoomImport(db, webinar, first.importId)).toMatchObject({ counts: { link: 1, unmatched: 0 }, presentByZoom: 1 })
  expect(await db.selectFrom('zoom_links').selectAll().where('webinar_id', '=', webinar.id).execute()).toEqual([
    { webinar_id: webinar.id, person_key: 'keluarga.prasetyo@gmail.com', registration_id: eko.id, linked_by: moderator.id, linked_at: afterEnd(10) },
  ])
  const linked = (await listAttendanceEvents(db, webinar.id)).filter((e) => e.action === 'zoomLinked')
  expect(linked.map((e) => ({ actor: e.actor_name, registrant: e.registrant_name, detail: e.detail, at: e.at }))).toEqual([
    { actor: 'Moderator Maria', registrant: 'Eko Prasetyo', detail: { names: 'Ortu Eko', minutes: 140 }, at: afterEnd(10) },
  ])

  expect(await commitZoomImport(db, webinar.id, first.importId, organiser.id, afterEnd(20))).toEqual({ ok: true, changed: true })
  expect(await zoomMinutes(eko.id)).toBe(140)

  // A later report with the same account: matched by the link, without asking again.
  const second = await previewZoomImport(
    db,
    webinar.id,
    report([
      { name: 'Ortu Eko', email: 'keluarga.prasetyo@gmail.com', joins: stay(90, 10) },
      { name: 'Orang Lain', email: 'lain@gmail.com', joins: stay(10) },
    ]),
    organiser.id,
    afterEnd(30),
  )
  expect(await personByName(second.importId, 'Ortu Eko')).toMatchObject({ match: 'link', registration_id: eko.id, minutes: 100 })
  expect(await personByName(second.importId, 'Orang Lain')).toMatchObject({ match: 'unmatched' })
  await commitZoomImport(db, webinar.id, second.importId, organiser.id, afterEnd(40))
  expect(await zoomMinutes(eko.id)).toBe(100)
})

test('linking a person of the report in force moves the minutes at once; a walk-in’s link holds by name', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const nanda = await register(webinar.id, { name: 'Ananda Rizki', email: 'nanda@example.org' })
  const first = await previewZoomImport(db, webinar.id, report([{ name: 'Nanda R', email: null, joins: stay(135) }]), organiser.id, UPLOADED)
  await commitZoomImport(db, webinar.id, first.importId, organiser.id, afterEnd(10))
  const guest = await personByName(first.importId, 'Nanda R')
  expect(guest.match).toBe('guest')
  expect(await zoomMinutes(nanda.id)).toBeNull()

  expect(await linkZoomPerson(db, webinar.id, first.importId, guest.id, nanda.id, organiser.id, afterEnd(20))).toEqual({ ok: true, changed: true })
  expect(await zoomMinutes(nanda.id)).toBe(135)
  const current = await attendanceWebinar(webinar.slug, organiser.id)
  expect((await listAttendance(db, current, { filter: 'zoom' })).rows.map((r) => r.id)).toEqual([nanda.id])

  const second = await previewZoomImport(db, webinar.id, report([{ name: 'Nanda R', email: null, joins: stay(60) }]), organiser.id, afterEnd(30))
  expect(await personByName(second.importId, 'Nanda R')).toMatchObject({ match: 'link', registration_id: nanda.id })
})

test('a person can be linked only to a registered person of this webinar', async () => {
  const { webinar, organiser } = await consoleWebinar({ capacity: 1 })
  const { webinar: otherWebinar } = await consoleWebinar()
  await register(webinar.id, { name: 'Oki Setiawan', email: 'oki@example.org' })
  const waiting = await register(webinar.id, { name: 'Prita Ayu', email: 'prita@example.org' })
  const elsewhere = await register(otherWebinar.id, { name: 'Qori Amalia', email: 'qori@example.org' })
  expect(waiting.status).toBe('waitlisted')
  const { importId } = await previewZoomImport(
    db,
    webinar.id,
    report([
      { name: 'Seseorang', email: 'seseorang@gmail.com', joins: stay(150) },
      { name: 'Host Kominfo', email: 'host@komdigi.go.id', joins: stay(190), role: 'host' },
    ]),
    organiser.id,
    UPLOADED,
  )
  const row = await personByName(importId, 'Seseorang')
  expect(await linkZoomPerson(db, webinar.id, importId, row.id, waiting.id, organiser.id, afterEnd(10))).toEqual({ ok: false, reason: 'notRegistrant' })
  expect(await linkZoomPerson(db, webinar.id, importId, row.id, elsewhere.id, organiser.id, afterEnd(10))).toEqual({ ok: false, reason: 'notRegistrant' })
  // Staff are not residents to link.
  const host = await personByName(importId, 'Host Kominfo')
  expect(await linkZoomPerson(db, webinar.id, importId, host.id, waiting.id, organiser.id, afterEnd(10))).toEqual({ ok: false, reason: 'notFound' })
  // Another webinar's console cannot reach this import.
  expect(await linkZoomPerson(db, otherWebinar.id, importId, row.id, elsewhere.id, organiser.id, afterEnd(10))).toEqual({ ok: false, reason: 'notFound' })

  expect(await personByName(importId, 'Seseorang')).toMatchObject({ match: 'unmatched', registration_id: null })
  expect(await db.selectFrom('zoom_links').selectAll().where('webinar_id', 'in', [webinar.id, otherWebinar.id]).execute()).toEqual([])
  expect((await listAttendanceEvents(db, webinar.id)).filter((e) => e.action === 'zoomLinked')).toEqual([])
})

test("a Zoom row is not linked to an erased registration: its names would name the person again", async () => {
  const { webinar, organiser } = await consoleWebinar()
  const erased = await register(webinar.id, { name: 'Rudi Hartono', email: 'rudi@example.org' })
  const { importId } = await previewZoomImport(db, webinar.id, report([{ name: 'Rudi H (HP)', email: 'rudi.hp@gmail.com', joins: stay(150) }]), organiser.id, UPLOADED)
  // He erased his data after the webinar: his row stays (registered) for the counts.
  expect(await eraseRegistrationByToken(db, erased.token, afterEnd(5))).toEqual({ slug: webinar.slug })
  const row = await personByName(importId, 'Rudi H (HP)')
  expect(await linkZoomPerson(db, webinar.id, importId, row.id, erased.id, organiser.id, afterEnd(10))).toEqual({ ok: false, reason: 'erased' })
  expect(await personByName(importId, 'Rudi H (HP)')).toMatchObject({ match: 'unmatched', registration_id: null })
  expect(await db.selectFrom('zoom_links').selectAll().where('webinar_id', '=', webinar.id).execute()).toEqual([])
  expect((await listAttendanceEvents(db, webinar.id)).filter((e) => e.action === 'zoomLinked')).toEqual([])
})

// --- Zoom reports as they really come ----------------------------------------------------------

/** A 2020-style webinar attendee report: "User Name" without "(Original Name)", 12-hour times without seconds. */
const REPORT_2020 = [
  'Attendee Report',
  'Report Generated:,"Mar 4, 2030 12:40 PM"',
  'Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registered,# Cancelled,Unique Viewers,Max Concurrent Views',
  'Literasi Digital untuk Warga,123 456 789,"Mar 4, 2030 08:55 AM",186,120,2,98,95',
  'Host Details',
  'Attended,User Name,Email,Join Time,Leave Time,Time in Session (minutes),Country/Region Name',
  'Yes,Tim Literasi Digital,zoom.literasi@example.org,"Mar 4, 2030 08:55 AM","Mar 4, 2030 12:01 PM",186,Indonesia',
  'Attendee Details',
  'Attended,User Name,First Name,Last Name,Email,Registration Time,Approval Status,Join Time,Leave Time,Time in Session (minutes),Country/Region Name',
  'Yes,iPhone Rina (Rina Susanti),,,,,,"Mar 4, 2030 09:00 AM","Mar 4, 2030 11:30 AM",150,Indonesia',
  'Yes,Tamu Desa,,,,,,"Mar 4, 2030 09:10 AM","Mar 4, 2030 09:40 AM",30,Indonesia',
  'Yes,Ortu Eko,,,keluarga.prasetyo@example.org,"Mar 3, 2030 08:00 PM",approved,"Mar 4, 2030 09:00 AM","Mar 4, 2030 11:20 AM",140,Indonesia',
  '',
].join('\r\n')

test('a 2020-style report: a renamed attendee without e-mail is found by the name in parentheses, whatever the column is called', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const rina = await register(webinar.id, { name: 'Rina Susanti', email: 'rina@example.org' })
  const { importId } = await previewZoomImport(db, webinar.id, zoomUpload(REPORT_2020), organiser.id, UPLOADED)
  expect(await personByName(importId, 'iPhone Rina')).toMatchObject({ match: 'name', registration_id: rina.id, minutes: 150, names: ['Rina Susanti', 'iPhone Rina'] })
  // Zoom's host section: staff, whatever the e-mail.
  expect(await personByName(importId, 'Tim Literasi Digital')).toMatchObject({ match: 'staff', role: 'host' })
})

test('still unmatched, a row without e-mail is "no e-mail, name not found", and it and an unknown e-mail are offered the closest registered names', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const typo = await register(webinar.id, { name: 'Rina Susanty', email: 'rina@example.org' })
  const otherRina = await register(webinar.id, { name: 'Rina Wati', email: 'rina.wati@example.org' })
  const eko = await register(webinar.id, { name: 'Eko Prasetyo', email: 'eko@example.org' })
  await register(webinar.id, { name: 'Dewi Setiawan', email: 'dewi@example.org' })
  await register(webinar.id, { name: 'Budi Kurniawan', email: 'budi@example.org' })
  const { importId } = await previewZoomImport(db, webinar.id, zoomUpload(REPORT_2020), organiser.id, UPLOADED)

  const rinaRow = await personByName(importId, 'iPhone Rina')
  expect(rinaRow).toMatchObject({ match: 'guest', registration_id: null })
  // Closest first: the same first name and a near-identical last name, then the same first name alone.
  expect(JSON.parse(rinaRow.candidates!)).toEqual([typo.id, otherRina.id])
  expect(JSON.parse((await personByName(importId, 'Ortu Eko')).candidates!)).toEqual([eko.id])
  // Nobody's name is close to "Tamu Desa": nothing to offer.
  expect((await personByName(importId, 'Tamu Desa')).candidates).toBeNull()

  const attention = await listZoomImportPeople(db, importId, 'attention')
  expect(attention.rows.map((row) => [row.names[0], row.match, row.candidates.map((c) => c.name)])).toEqual([
    ['Rina Susanti', 'guest', ['Rina Susanty', 'Rina Wati']],
    ['Tamu Desa', 'guest', []],
    ['Ortu Eko', 'unmatched', ['Eko Prasetyo']],
  ])
  // Picking one links the row as any link does.
  expect(await linkZoomPerson(db, webinar.id, importId, rinaRow.id, typo.id, organiser.id, afterEnd(5))).toEqual({ ok: true, changed: true })
  expect(await personByName(importId, 'iPhone Rina')).toMatchObject({ match: 'link', registration_id: typo.id, candidates: null })
})

test('a registrant who erased their data is not offered as a candidate', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const typo = await register(webinar.id, { name: 'Rina Susanty', email: 'rina@example.org' })
  const { importId } = await previewZoomImport(db, webinar.id, zoomUpload(REPORT_2020), organiser.id, UPLOADED)
  await db.updateTable('registrations').set({ name: '', email: `erased-${typo.id}@pseudonym.invalid`, data_deleted_at: afterEnd(1) }).where('id', '=', typo.id).execute()
  const attention = await listZoomImportPeople(db, importId, 'attention')
  expect(attention.rows.find((row) => row.names[0] === 'Rina Susanti')!.candidates).toEqual([])
})

/** A meeting participants report (Usage → Meeting → Participants): no host section, a waiting room, the host account in the metadata. */
function participantsReport(rows: string[]) {
  return [
    'Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants',
    '123 456 789,Literasi Digital untuk Warga,03/04/2030 08:50:00 AM,03/04/2030 12:05:00 PM,Zoom.Kominfo@example.org,195,9',
    '',
    'Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,In Waiting Room',
    'Zoom Kominfo,zoom.kominfo@example.org,03/04/2030 08:50:00 AM,03/04/2030 12:05:00 PM,195,No,No',
    ...rows,
    '',
  ].join('\r\n')
}

test('waiting-room time does not count: 70 minutes waiting and 20 attending are 20 minutes', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const ani = await register(webinar.id, { name: 'Ani Lestari', email: 'ani@example.org' })
  const budi = await register(webinar.id, { name: 'Budi Santoso', email: 'budi@example.org' })
  const csv = participantsReport([
    'Ani Lestari,ani@example.org,03/04/2030 07:50:00 AM,03/04/2030 09:00:00 AM,70,Yes,Yes',
    'Ani Lestari,ani@example.org,03/04/2030 09:00:00 AM,03/04/2030 09:20:00 AM,20,Yes,No',
    // Admitted, put back in the waiting room for 10 minutes, admitted again: 61 + 70.
    'Budi Santoso,budi@example.org,03/04/2030 08:59:00 AM,03/04/2030 10:00:00 AM,61,Yes,No',
    'Budi Santoso,budi@example.org,03/04/2030 10:00:00 AM,03/04/2030 10:10:00 AM,10,Yes,Yes',
    'Budi Santoso,budi@example.org,03/04/2030 10:10:00 AM,03/04/2030 11:20:00 AM,70,Yes,No',
  ])
  const { importId } = await previewZoomImport(db, webinar.id, zoomUpload(csv), organiser.id, UPLOADED)
  expect(await personByName(importId, 'Ani Lestari')).toMatchObject({ match: 'email', minutes: 20, joins: 1 })
  expect(await personByName(importId, 'Budi Santoso')).toMatchObject({ match: 'email', minutes: 131, joins: 2 })
  expect((await getZoomImport(db, webinar, importId))!.presentByZoom).toBe(1)
  await commitZoomImport(db, webinar.id, importId, organiser.id, afterEnd(10))
  expect([await zoomMinutes(ani.id), await zoomMinutes(budi.id)]).toEqual([20, 131])
})

test('staff are recognised by the e-mails of the webinar’s own people and of the report’s host account, and never counted', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const moderator = await moderatorOf(webinar.id)
  const kolEmail = 'qausar@example.org'
  const keynoteEmail = 'bupati@example.org'
  await assignRole(db, webinar.id, { personId: await createPersonFor('Qausar Harta Yudana', { email: kolEmail }), role: 'kol', talkTitle: null, pillar: null })
  await assignRole(db, webinar.id, { personId: await createPersonFor('Bupati Klaten', { email: keynoteEmail }), role: 'keynote', talkTitle: null, pillar: null })
  const roles = await listWebinarRoles(db, webinar.id)
  const speakerEmail = roles.find((role) => role.role === 'speaker')!.email!
  const moderatorPersonEmail = roles.find((role) => role.role === 'moderator')!.email!
  const organiserEmail = (await db.selectFrom('users').select('email').where('id', '=', organiser.id).executeTakeFirstOrThrow()).email
  // The speaker also registered as a participant: still staff.
  const speakerAsResident = await register(webinar.id, { name: 'Narasumber Satu', email: speakerEmail })
  const warga = await register(webinar.id, { name: 'Warga Biasa', email: 'warga.biasa@example.org' })

  const at = (from: string, to: string, minutes: number) => `03/04/2030 ${from},03/04/2030 ${to},${minutes}`
  const csv = participantsReport([
    `Moderator Webinar,${moderator.email.toUpperCase()},${at('08:55:00 AM', '12:00:00 PM', 185)},No,No`,
    `HP Moderator (Moderator Webinar),${moderatorPersonEmail},${at('12:00:00 PM', '12:01:00 PM', 1)},No,No`,
    `Narasumber Satu,${speakerEmail},${at('09:00:00 AM', '11:30:00 AM', 150)},No,No`,
    `Qausar Harta Yudana,${kolEmail},${at('11:00:00 AM', '12:00:00 PM', 60)},No,No`,
    `Bupati Klaten,${keynoteEmail},${at('09:00:00 AM', '09:30:00 AM', 30)},No,No`,
    `Organiser Ani,${organiserEmail},${at('08:50:00 AM', '12:05:00 PM', 195)},No,No`,
    `Warga Biasa,warga.biasa@example.org,${at('09:00:00 AM', '11:40:00 AM', 160)},Yes,No`,
  ])
  const { importId } = await previewZoomImport(db, webinar.id, zoomUpload(csv), organiser.id, UPLOADED)
  const people = await importPeople(importId)
  expect(people.map((p) => [p.names[0], p.match])).toEqual([
    ['Zoom Kominfo', 'staff'],
    ['Moderator Webinar', 'staff'],
    ['Moderator Webinar', 'staff'],
    ['Narasumber Satu', 'staff'],
    ['Qausar Harta Yudana', 'staff'],
    ['Bupati Klaten', 'staff'],
    ['Organiser Ani', 'staff'],
    ['Warga Biasa', 'email'],
  ])
  // The role stays what the report said: an attendee the webinar knows as staff.
  expect(people.every((p) => p.role === 'attendee')).toBe(true)
  expect((await getZoomImport(db, webinar, importId))!.counts).toMatchObject({ staff: 7, email: 1, unmatched: 0, guest: 0 })
  await commitZoomImport(db, webinar.id, importId, organiser.id, afterEnd(10))
  expect([await zoomMinutes(speakerAsResident.id), await zoomMinutes(warga.id)]).toEqual([null, 160])
  // Staff are not residents to link.
  const speakerRow = people.find((p) => p.email === speakerEmail)!
  expect(await linkZoomPerson(db, webinar.id, importId, speakerRow.id, warga.id, organiser.id, afterEnd(11))).toEqual({ ok: false, reason: 'notFound' })
})

test('an import keeps the report’s topic, meeting ID, date and day/month order, and says whether they are this webinar’s', async () => {
  const { webinar, organiser } = await consoleWebinar()
  const preview = async (csv: string, options?: { expectedDate?: string }) => {
    const bytes = new TextEncoder().encode(csv)
    const parsed = parseZoomReport(bytes, options)
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error))
    const { importId } = await previewZoomImport(db, webinar.id, { name: 'r.csv', bytes, report: parsed.report }, organiser.id, UPLOADED)
    return (await getZoomImport(db, webinar, importId))!
  }
  // The factory's webinar: "Literasi Digital untuk Warga", meeting ID 123 456 789, 4 March 2030 (WIB).
  const own = await preview(buildZoomReport({ topic: 'LITERASI DIGITAL untuk Warga!', startAt: REPORT_START, people: [{ name: 'A', email: 'a@example.org', joins: stay(10) }] }))
  expect(own.report).toEqual({ topic: 'LITERASI DIGITAL untuk Warga!', meetingId: '912 3456 7890', date: '2030-03-04', dateOrder: null })
  expect(own.identity).toEqual({ topic: 'same', date: 'same' })

  const other = await preview(
    buildZoomReport({ topic: 'Rapat Evaluasi Bulanan', meetingId: '812 0000 1111', startAt: new Date(Date.UTC(2030, 2, 5, 9)), people: [{ name: 'B', email: 'b@example.org', joins: stay(10) }] }),
  )
  expect(other.report).toMatchObject({ topic: 'Rapat Evaluasi Bulanan', meetingId: '812 0000 1111', date: '2030-03-05' })
  expect(other.identity).toEqual({ topic: 'different', date: 'different' })

  // Another Zoom topic, but the webinar's own meeting ID.
  const byId = await preview(participantsReport(['C,c@example.org,03/04/2030 09:00:00 AM,03/04/2030 10:00:00 AM,60,Yes,No']).replace('Literasi Digital untuk Warga', 'Ruang Zoom Kominfo 3'))
  expect(byId.identity).toEqual({ topic: 'same', date: 'same' })

  // Day first, 4 March: nothing in the file settles the order; the webinar's date does, and the import says which order it used.
  const dayFirst = 'User Name,Email,Join Time,Leave Time,Duration\nD,d@example.org,04/03/2030 09:00,04/03/2030 10:00,60\n'
  expect(await preview(dayFirst, { expectedDate: '2030-03-04' })).toMatchObject({ report: { date: '2030-03-04', dateOrder: 'dmy' }, identity: { date: 'same' } })
  // An older export without metadata: no topic to compare.
  expect((await preview(dayFirst.replace('D,', 'E,'))).identity).toEqual({ topic: 'unknown', date: 'different' })
})
