// E-certificates in the model: their numbers, who gets one when attendance is finalised or the
// webinar is finished (once), and revoking and reissuing them.
import { finaliseAttendance, markAttendance, markStaffTookPart, reopenAttendance } from '#app/models/attendance.server'
import {
  countStaffCertificatesDue,
  createCertificateNumber,
  getCertificateByNumber,
  getResidentCertificate,
  normaliseCertificateNumber,
  reissueCertificate,
  revokeCertificate,
} from '#app/models/certificate.server'
import { eraseRegistrationByToken } from '#app/models/personal-data.server'
import { cancelRegistration } from '#app/models/registration.server'
import { finishWebinar, publishWebinar } from '#app/models/webinar.server'
import { assignRole, recordBriefAnswer } from '#app/models/webinar-role.server'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { afterEnd, setZoomMinutes } from '#tests/setup/attendance'
import { confirmRoles, createPersonFor, createUser, createWebinar, register } from '#tests/setup/factories'

const db = getDb()

/** Crockford's base 32: digits and letters without I, L, O and U. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const NUMBER_FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/

let n = 0

/** A published webinar with a moderator and a speaker, and the organiser who made it; `extraRoles` are cast before it is published. */
async function publishedWebinar(options: { capacity?: number; extraRoles?: Array<'kol' | 'keynote' | 'speaker'> } = {}) {
  const organiser = await createUser('organiser', { name: 'Organiser Sertifikat' })
  const saved = await createWebinar(organiser.id, { complete: true, form: { capacity: options.capacity ?? 500 } })
  const extra: Record<string, string> = {}
  for (const role of options.extraRoles ?? []) {
    const personId = await createPersonFor(`Orang ${role} ${++n}`)
    const assigned = await assignRole(db, saved.id, { personId, role, talkTitle: role === 'speaker' ? 'Materi Kedua' : null, pillar: role === 'speaker' ? 'etika' : null })
    if (!assigned.ok) throw new Error(JSON.stringify(assigned))
    extra[role] = personId
  }
  const published = await publishWebinar(db, saved.id)
  if (!published.ok) throw new Error(`not published: ${JSON.stringify(published)}`)
  return { id: saved.id, slug: saved.slug, organiser, extra }
}

async function markPresent(webinarId: string, registrationId: string, actorId: string) {
  const marked = await markAttendance(db, webinarId, registrationId, { present: true, reason: 'livestream', note: null }, actorId, afterEnd(1))
  expect(marked).toEqual({ ok: true })
}

function certificatesOf(webinarId: string) {
  return db.selectFrom('certificates').selectAll().where('webinar_id', '=', webinarId).orderBy('issued_at').orderBy('id').execute()
}

async function readyMailsOf(webinarId: string) {
  const rows = await db
    .selectFrom('outbox')
    .select(['recipient_email', 'recipient_name', 'payload'])
    .where('webinar_id', '=', webinarId)
    .where('kind', '=', 'certificate_ready')
    .execute()
  return rows.map((row) => ({ email: row.recipient_email, name: row.recipient_name, payload: JSON.parse(row.payload) as { kind: string; certificateUrl: string } }))
}

/** A finalised webinar with one resident holding a 'peserta' certificate. */
async function issuedCertificate() {
  const webinar = await publishedWebinar()
  const holder = await register(webinar.id, { name: 'Rina Kartika' })
  await setZoomMinutes(holder.id, 150)
  expect(await finaliseAttendance(db, webinar.id, webinar.organiser.id, afterEnd(10))).toMatchObject({ ok: true, present: 1 })
  // Finalising also finished the webinar, so the moderator and speaker have theirs too: take the resident's.
  const certificate = (await certificatesOf(webinar.id)).find((c) => c.registration_id === holder.id)
  if (!certificate) throw new Error('no certificate issued')
  return { webinar, holder, certificate }
}

// --- Numbers ---------------------------------------------------------------------------------

describe('certificate numbers', () => {
  test('a number is four groups of four Crockford base-32 characters', () => {
    for (let i = 0; i < 200; i++) expect(createCertificateNumber()).toMatch(NUMBER_FORMAT)
  })

  test('10,000 numbers are all distinct, and consecutive ones share no structure', () => {
    const numbers = Array.from({ length: 10_000 }, () => createCertificateNumber())
    expect(new Set(numbers).size).toBe(10_000)
    // Random bits, not a counter or a timestamp: the first and the last characters both spread out.
    const first = new Set(numbers.slice(0, 1_000).map((number) => number[0]))
    const last = new Set(numbers.slice(0, 1_000).map((number) => number.at(-1)))
    expect(first.size).toBeGreaterThan(20)
    expect(last.size).toBeGreaterThan(20)
    // Neighbours do not share a prefix: six equal leading characters (30 bits) would be a one in a billion chance.
    const sharedPrefix = numbers.slice(1).filter((number, i) => number.slice(0, 7) === numbers[i]!.slice(0, 7))
    expect(sharedPrefix).toEqual([])
    // Every character of the alphabet turns up, and nothing outside it.
    const characters = new Set(numbers.join('').replace(/-/g, ''))
    expect([...characters].sort().join('')).toBe(CROCKFORD)
  })

  test('normaliseCertificateNumber forgives lower case, spaces, missing dashes, O for 0 and I or L for 1', () => {
    expect(normaliseCertificateNumber('7K3M-9QXD-H2PF-W8RT')).toBe('7K3M-9QXD-H2PF-W8RT')
    expect(normaliseCertificateNumber('7k3m-9qxd-h2pf-w8rt')).toBe('7K3M-9QXD-H2PF-W8RT')
    expect(normaliseCertificateNumber('7k3m9qxdh2pfw8rt')).toBe('7K3M-9QXD-H2PF-W8RT')
    expect(normaliseCertificateNumber('  7K3M 9QXD  H2PF W8RT\n')).toBe('7K3M-9QXD-H2PF-W8RT')
    expect(normaliseCertificateNumber('7K3M-9QXDH2PF W8RT')).toBe('7K3M-9QXD-H2PF-W8RT')
    // Letters that look like digits become those digits.
    expect(normaliseCertificateNumber('OK3M-9QXD-H2PF-W8Ro')).toBe('0K3M-9QXD-H2PF-W8R0')
    expect(normaliseCertificateNumber('IK3M-9QXD-H2PF-W8Rl')).toBe('1K3M-9QXD-H2PF-W8R1')
    expect(normaliseCertificateNumber('LK3M-9QXD-H2PF-W8Ri')).toBe('1K3M-9QXD-H2PF-W8R1')
    // Every generated number is its own normal form.
    for (let i = 0; i < 100; i++) {
      const number = createCertificateNumber()
      expect(normaliseCertificateNumber(number)).toBe(number)
      expect(normaliseCertificateNumber(number.replace(/-/g, '').toLowerCase())).toBe(number)
    }
  })

  test('normaliseCertificateNumber rejects a wrong length or a character outside the alphabet', () => {
    expect(normaliseCertificateNumber('')).toBeNull()
    expect(normaliseCertificateNumber('   ')).toBeNull()
    expect(normaliseCertificateNumber('7K3M-9QXD-H2PF-W8R')).toBeNull() // 15
    expect(normaliseCertificateNumber('7K3M-9QXD-H2PF-W8RTX')).toBeNull() // 17
    expect(normaliseCertificateNumber('7K3M-9QXD-H2PF')).toBeNull()
    expect(normaliseCertificateNumber('7K3M-9QXD-H2PF-W8RU')).toBeNull() // U is not in Crockford's alphabet
    expect(normaliseCertificateNumber('UUUU-UUUU-UUUU-UUUU')).toBeNull()
    expect(normaliseCertificateNumber('7K3M-9QXD-H2PF-W8R*')).toBeNull()
    expect(normaliseCertificateNumber('7K3M-9QXD-H2PF-W8RÉ')).toBeNull()
    expect(normaliseCertificateNumber('7K3M-9QXD-H2PF-W8RT-7K3M-9QXD-H2PF-W8RT')).toBeNull()
  })
})

// --- Participants ----------------------------------------------------------------------------

describe('participant certificates', () => {
  test('finalising issues one peserta certificate per present registrant, none to the absent, waitlisted or cancelled', async () => {
    const webinar = await publishedWebinar({ capacity: 4 })
    const byZoom = await register(webinar.id, { name: 'Hadir Lewat Zoom' })
    const byMark = await register(webinar.id, { name: 'Hadir Ditandai' })
    const absent = await register(webinar.id, { name: 'Tidak Hadir' })
    const cancelled = await register(webinar.id, { name: 'Batal Datang' })
    const waiting = await register(webinar.id, { name: 'Masih Menunggu' })
    expect(waiting.status).toBe('waitlisted')
    expect(await cancelRegistration(db, cancelled.token)).toBe(true)
    // Promoted after the cancellation: now seated, but not present.
    const promoted = await db.selectFrom('registrations').select('status').where('id', '=', waiting.id).executeTakeFirstOrThrow()
    expect(promoted.status).toBe('registered')
    const stillWaiting = await register(webinar.id, { name: 'Tetap Menunggu' })
    expect(stillWaiting.status).toBe('waitlisted')
    await setZoomMinutes(byZoom.id, 150)
    await markPresent(webinar.id, byMark.id, webinar.organiser.id)
    // Evidence of people without a seat counts for nothing.
    await setZoomMinutes(cancelled.id, 180)
    await setZoomMinutes(stillWaiting.id, 180)
    await setZoomMinutes(absent.id, 125)

    expect(await finaliseAttendance(db, webinar.id, webinar.organiser.id, afterEnd(10))).toEqual({ ok: true, present: 2, registered: 4 })

    const participants = (await certificatesOf(webinar.id)).filter((c) => c.role === 'peserta')
    expect(participants.map((c) => c.registration_id).sort()).toEqual([byZoom.id, byMark.id].sort())
    const byId = new Map(participants.map((c) => [c.registration_id, c]))
    expect(byId.get(byZoom.id)).toMatchObject({ name: 'Hadir Lewat Zoom', holder_key: `r:${byZoom.id}`, issued_at: afterEnd(10), revoked_at: null, replaced_by_id: null })
    expect(byId.get(byMark.id)).toMatchObject({ name: 'Hadir Ditandai', holder_key: `r:${byMark.id}` })
    for (const c of participants) expect(c.number).toMatch(NUMBER_FORMAT)
    expect(await getResidentCertificate(db, byZoom.token)).toMatchObject({ number: byId.get(byZoom.id)!.number, role: 'peserta' })
    for (const person of [absent, cancelled, waiting, stillWaiting]) expect(await getResidentCertificate(db, person.token)).toBeNull()
  })

  test('each certificate queues one certificate_ready mail with the holder’s personal link', async () => {
    const webinar = await publishedWebinar()
    const first = await register(webinar.id, { name: 'Ayu Lestari' })
    const second = await register(webinar.id, { name: 'Budi Santoso' })
    const absent = await register(webinar.id, { name: 'Citra Absen' })
    await setZoomMinutes(first.id, 150)
    await setZoomMinutes(second.id, 180)
    expect(await readyMailsOf(webinar.id)).toEqual([])

    await finaliseAttendance(db, webinar.id, webinar.organiser.id, afterEnd(10))

    const participantMails = (await readyMailsOf(webinar.id)).filter((mail) => mail.payload.certificateUrl.includes('/r/'))
    expect(participantMails).toHaveLength(2)
    const appUrl = getEnv().APP_URL
    expect(participantMails.find((mail) => mail.email === first.email)).toMatchObject({
      name: 'Ayu Lestari',
      payload: { kind: 'certificate_ready', certificateUrl: `${appUrl}/r/${first.token}` },
    })
    expect(participantMails.find((mail) => mail.email === second.email)).toMatchObject({
      name: 'Budi Santoso',
      payload: { kind: 'certificate_ready', certificateUrl: `${appUrl}/r/${second.token}` },
    })
    expect(participantMails.find((mail) => mail.email === absent.email)).toBeUndefined()
    // One mail per certificate of any kind: the staff certificates issued on finishing have theirs.
    expect(await readyMailsOf(webinar.id)).toHaveLength((await certificatesOf(webinar.id)).length)
  })

  test('finalising again after a reopen issues nothing twice, but a newly present person gets one', async () => {
    const webinar = await publishedWebinar()
    const present = await register(webinar.id)
    const late = await register(webinar.id)
    await setZoomMinutes(present.id, 150)
    await finaliseAttendance(db, webinar.id, webinar.organiser.id, afterEnd(10))
    const before = await certificatesOf(webinar.id)
    const mailsBefore = await readyMailsOf(webinar.id)
    expect(before.filter((c) => c.registration_id === present.id)).toHaveLength(1)
    expect(before.filter((c) => c.registration_id === late.id)).toHaveLength(0)

    expect(await reopenAttendance(db, webinar.id, webinar.organiser.id, 'Ada warga yang menonton siaran ulang', afterEnd(20))).toEqual({ ok: true })
    await markAttendance(db, webinar.id, late.id, { present: true, reason: 'livestream', note: null }, webinar.organiser.id, afterEnd(21))
    expect(await finaliseAttendance(db, webinar.id, webinar.organiser.id, afterEnd(30))).toEqual({ ok: true, present: 2, registered: 2 })

    const after = await certificatesOf(webinar.id)
    expect(after).toHaveLength(before.length + 1)
    const kept = after.filter((c) => c.registration_id === present.id)
    expect(kept).toHaveLength(1)
    expect(kept[0]).toEqual(before.find((c) => c.registration_id === present.id))
    const added = after.filter((c) => c.registration_id === late.id)
    expect(added).toHaveLength(1)
    expect(added[0]).toMatchObject({ role: 'peserta', issued_at: afterEnd(30) })
    // Only the newcomer is mailed the second time.
    const mailsAfter = await readyMailsOf(webinar.id)
    expect(mailsAfter).toHaveLength(mailsBefore.length + 1)
    expect(mailsAfter.filter((mail) => mail.email === present.email)).toHaveLength(1)
    expect(mailsAfter.filter((mail) => mail.email === late.email)).toHaveLength(1)
  })

  test('finalising again revokes the certificate of someone the corrected attendance no longer counts as present', async () => {
    const webinar = await publishedWebinar()
    const wrong = await register(webinar.id)
    const right = await register(webinar.id)
    await setZoomMinutes(wrong.id, 150)
    await setZoomMinutes(right.id, 150)
    await finaliseAttendance(db, webinar.id, webinar.organiser.id, afterEnd(10))
    const issued = await certificatesOf(webinar.id)
    expect(issued.filter((c) => c.role === 'peserta' && c.revoked_at === null)).toHaveLength(2)

    await reopenAttendance(db, webinar.id, webinar.organiser.id, 'Akun Zoom dipakai orang lain', afterEnd(20))
    await markAttendance(db, webinar.id, wrong.id, { present: false, reason: 'notPresent', note: null }, webinar.organiser.id, afterEnd(21))
    expect(await finaliseAttendance(db, webinar.id, webinar.organiser.id, afterEnd(30))).toEqual({ ok: true, present: 1, registered: 2 })

    const after = await certificatesOf(webinar.id)
    expect(after.find((c) => c.registration_id === wrong.id)).toMatchObject({ revoked_at: afterEnd(30), revoked_reason: null })
    expect(after.find((c) => c.registration_id === right.id)).toMatchObject({ revoked_at: null })
    expect(await getResidentCertificate(db, wrong.token)).toBeNull()
  })
})

// --- Staff -----------------------------------------------------------------------------------

describe('staff certificates', () => {
  test('finishing a webinar issues moderator, narasumber and KOL certificates to the people assigned, none to the keynote, once', async () => {
    const webinar = await publishedWebinar({ extraRoles: ['kol', 'keynote', 'speaker'] })
    expect(await certificatesOf(webinar.id)).toEqual([])
    const roles = await db
      .selectFrom('webinar_roles')
      .innerJoin('people', 'people.id', 'webinar_roles.person_id')
      .select(['webinar_roles.id', 'webinar_roles.role', 'webinar_roles.brief_token', 'people.id as person_id', 'people.name', 'people.email'])
      .where('webinar_roles.webinar_id', '=', webinar.id)
      .execute()
    expect(roles.map((r) => r.role).sort()).toEqual(['keynote', 'kol', 'moderator', 'speaker', 'speaker'])
    for (const role of roles) expect(await recordBriefAnswer(db, role.brief_token!, 'confirmed', afterEnd(-200))).toEqual({ ok: true })

    // Not before its end.
    expect(await finishWebinar(db, webinar.id, afterEnd(-1))).toEqual({ ok: false, reason: 'notAllowed' })
    expect(await certificatesOf(webinar.id)).toEqual([])
    expect(await finishWebinar(db, webinar.id, afterEnd(1))).toEqual({ ok: true })

    const issued = await certificatesOf(webinar.id)
    const expected = { moderator: 'moderator', speaker: 'narasumber', kol: 'kol' } as Record<string, string>
    const staff = roles.filter((r) => r.role !== 'keynote')
    expect(issued).toHaveLength(staff.length)
    for (const role of staff) {
      const mine = issued.filter((c) => c.webinar_role_id === role.id)
      expect(mine, `${role.role} ${role.name}`).toHaveLength(1)
      expect(mine[0]).toMatchObject({ role: expected[role.role], person_id: role.person_id, name: role.name, registration_id: null, issued_at: afterEnd(1) })
    }
    const keynote = roles.find((r) => r.role === 'keynote')!
    expect(issued.filter((c) => c.person_id === keynote.person_id)).toEqual([])

    // Each is mailed, with the brief link where the person downloads it.
    const mails = await readyMailsOf(webinar.id)
    expect(mails).toHaveLength(staff.length)
    for (const role of staff) {
      expect(mails.find((mail) => mail.email === role.email)?.payload.certificateUrl).toBe(`${getEnv().APP_URL}/brief/${role.brief_token}`)
    }

    // Once: finishing again is refused, and finalising attendance afterwards adds no staff certificate.
    expect(await finishWebinar(db, webinar.id, afterEnd(5))).toEqual({ ok: false, reason: 'notAllowed' })
    expect(await finaliseAttendance(db, webinar.id, webinar.organiser.id, afterEnd(10))).toMatchObject({ ok: true })
    expect(await certificatesOf(webinar.id)).toEqual(issued)
    expect(await readyMailsOf(webinar.id)).toHaveLength(staff.length)
  })

  test('finalising a webinar still marked published finishes it and issues the staff certificates too', async () => {
    const webinar = await publishedWebinar()
    await confirmRoles(webinar.id)
    await finaliseAttendance(db, webinar.id, webinar.organiser.id, afterEnd(10))
    const issued = await certificatesOf(webinar.id)
    expect(issued.map((c) => c.role).sort()).toEqual(['moderator', 'narasumber'])
    expect(await reopenAttendance(db, webinar.id, webinar.organiser.id, 'Periksa lagi', afterEnd(20))).toEqual({ ok: true })
    await finaliseAttendance(db, webinar.id, webinar.organiser.id, afterEnd(30))
    expect(await certificatesOf(webinar.id)).toEqual(issued)
  })
})

describe('which of the webinar’s own people get a certificate', () => {
  /** Each staff role of the webinar by role and person name. */
  async function rolesOf(webinarId: string) {
    return db
      .selectFrom('webinar_roles')
      .select(['id', 'role', 'brief_token', 'person_id'])
      .where('webinar_id', '=', webinarId)
      .orderBy('position')
      .execute()
  }

  test('a speaker who declined or never answered gets none; one who confirmed, or whom the console records as taking part, gets one', async () => {
    const webinar = await publishedWebinar({ extraRoles: ['speaker', 'speaker', 'kol'] })
    const roles = await rolesOf(webinar.id)
    const [moderator, confirmed, declined, silent, kol] = [
      roles.find((r) => r.role === 'moderator')!,
      ...roles.filter((r) => r.role === 'speaker'),
      roles.find((r) => r.role === 'kol')!,
    ]
    expect(await recordBriefAnswer(db, confirmed!.brief_token!, 'confirmed', afterEnd(-200))).toEqual({ ok: true })
    expect(await recordBriefAnswer(db, declined!.brief_token!, 'declined', afterEnd(-200))).toEqual({ ok: true })
    expect(await recordBriefAnswer(db, moderator.brief_token!, 'confirmed', afterEnd(-200))).toEqual({ ok: true })
    // The KOL never answered, but the moderator saw them close the session.
    expect(await markStaffTookPart(db, webinar.id, kol.id, true, webinar.organiser.id, afterEnd(-10))).toEqual({ ok: true })
    // The confirmed moderator in the end did not turn up.
    expect(await markStaffTookPart(db, webinar.id, moderator.id, false, webinar.organiser.id, afterEnd(-10))).toEqual({ ok: true })
    expect(await countStaffCertificatesDue(db, webinar.id)).toBe(2)

    expect(await finishWebinar(db, webinar.id, afterEnd(1))).toEqual({ ok: true })
    const holders = (await certificatesOf(webinar.id)).map((c) => c.webinar_role_id).sort()
    expect(holders).toEqual([confirmed!.id, kol.id].sort())
    expect(silent).toBeDefined()

    // Recorded later (before the list is final): the declined speaker did speak after all, and the
    // confirmed one did not. The first gets one now, the second's is revoked.
    expect(await markStaffTookPart(db, webinar.id, declined!.id, true, webinar.organiser.id, afterEnd(5))).toEqual({ ok: true })
    expect(await markStaffTookPart(db, webinar.id, confirmed!.id, false, webinar.organiser.id, afterEnd(5))).toEqual({ ok: true })
    const after = await certificatesOf(webinar.id)
    expect(after.filter((c) => c.revoked_at === null).map((c) => c.webinar_role_id).sort()).toEqual([declined!.id, kol.id].sort())
    expect(after.find((c) => c.webinar_role_id === confirmed!.id)).toMatchObject({ revoked_at: afterEnd(5) })

    // Once final, the record is locked, and finalising changed nothing more.
    await finaliseAttendance(db, webinar.id, webinar.organiser.id, afterEnd(10))
    expect(await certificatesOf(webinar.id)).toEqual(after)
    expect(await markStaffTookPart(db, webinar.id, silent!.id, true, webinar.organiser.id, afterEnd(11))).toEqual({ ok: false, reason: 'finalised' })
  })

  test("another webinar's role cannot be recorded through this one", async () => {
    const mine = await publishedWebinar()
    const other = await publishedWebinar()
    const [theirs] = await rolesOf(other.id)
    expect(await markStaffTookPart(db, mine.id, theirs!.id, true, mine.organiser.id)).toEqual({ ok: false, reason: 'notFound' })
    expect((await rolesOf(other.id)).find((r) => r.id === theirs!.id)).toBeDefined()
    const row = await db.selectFrom('webinar_roles').select('spoke').where('id', '=', theirs!.id).executeTakeFirstOrThrow()
    expect(row.spoke).toBeNull()
  })
})

// --- Revoking and reissuing ------------------------------------------------------------------

describe('revoking and reissuing', () => {
  test('a revoked certificate is no longer the resident’s; revoking it twice is refused', async () => {
    const { webinar, holder, certificate } = await issuedCertificate()
    expect(await getResidentCertificate(db, holder.token)).toMatchObject({ number: certificate.number })

    expect(await revokeCertificate(db, webinar.id, certificate.id, webinar.organiser.id, 'Kehadiran dipalsukan', afterEnd(60))).toEqual({ ok: true })
    expect(await getResidentCertificate(db, holder.token)).toBeNull()
    const row = await db.selectFrom('certificates').selectAll().where('id', '=', certificate.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ revoked_at: afterEnd(60), revoked_by: webinar.organiser.id, revoked_reason: 'Kehadiran dipalsukan' })

    expect(await revokeCertificate(db, webinar.id, certificate.id, webinar.organiser.id, 'Lagi', afterEnd(61))).toEqual({ ok: false, reason: 'revoked' })
    const again = await db.selectFrom('certificates').selectAll().where('id', '=', certificate.id).executeTakeFirstOrThrow()
    expect(again).toEqual(row)
    // The verification still finds it, as revoked.
    expect(await getCertificateByNumber(db, certificate.number)).toMatchObject({ number: certificate.number, revoked_at: afterEnd(60) })
  })

  test('a certificate of another webinar is not found for revoking or reissuing', async () => {
    const { certificate } = await issuedCertificate()
    const other = await publishedWebinar()
    expect(await revokeCertificate(db, other.id, certificate.id, other.organiser.id, 'Salah webinar')).toEqual({ ok: false, reason: 'notFound' })
    expect(await reissueCertificate(db, other.id, certificate.id, 'Nama Lain')).toEqual({ ok: false, reason: 'notFound' })
    expect(await db.selectFrom('certificates').select(['revoked_at', 'replaced_by_id']).where('id', '=', certificate.id).executeTakeFirstOrThrow()).toEqual({
      revoked_at: null,
      replaced_by_id: null,
    })
  })

  test('reissuing gives a new number with the corrected name; the old one points at it and verifies as replaced', async () => {
    const { webinar, holder, certificate } = await issuedCertificate()
    const mailsBefore = await readyMailsOf(webinar.id)

    const result = await reissueCertificate(db, webinar.id, certificate.id, 'Rina Kartika, S.Pd.', afterEnd(90))
    if (!result.ok) throw new Error(`not reissued: ${result.reason}`)
    expect(result.number).toMatch(NUMBER_FORMAT)
    expect(result.number).not.toBe(certificate.number)

    const old = await db.selectFrom('certificates').selectAll().where('id', '=', certificate.id).executeTakeFirstOrThrow()
    const fresh = await db.selectFrom('certificates').selectAll().where('number', '=', result.number!).executeTakeFirstOrThrow()
    expect(old.replaced_by_id).toBe(fresh.id)
    expect(old.name).toBe('Rina Kartika')
    expect(fresh).toMatchObject({
      name: 'Rina Kartika, S.Pd.',
      role: 'peserta',
      registration_id: holder.id,
      holder_key: certificate.holder_key,
      replaces_id: certificate.id,
      replaced_by_id: null,
      revoked_at: null,
      issued_at: afterEnd(90),
    })

    // The resident's link now gives the new one; the old number verifies as replaced by it.
    expect(await getResidentCertificate(db, holder.token)).toMatchObject({ number: result.number, name: 'Rina Kartika, S.Pd.' })
    expect(await getCertificateByNumber(db, certificate.number)).toMatchObject({ replaced_by_id: fresh.id, replaced_by_number: result.number })
    expect(await getCertificateByNumber(db, result.number!)).toMatchObject({ replaced_by_id: null, replaced_by_number: null, name: 'Rina Kartika, S.Pd.' })

    // The holder is told, with their personal link.
    const mailsAfter = await readyMailsOf(webinar.id)
    expect(mailsAfter).toHaveLength(mailsBefore.length + 1)
    expect(mailsAfter.filter((mail) => mail.email === holder.email)).toHaveLength(2)

    // The replaced one cannot be reissued or revoked again: only the current one can change.
    expect(await reissueCertificate(db, webinar.id, certificate.id, 'Nama Ketiga')).toEqual({ ok: false, reason: 'notCurrent' })
    expect(await revokeCertificate(db, webinar.id, certificate.id, webinar.organiser.id, 'Lama')).toEqual({ ok: false, reason: 'notCurrent' })
    expect(await certificatesOf(webinar.id).then((rows) => rows.filter((c) => c.holder_key === certificate.holder_key))).toHaveLength(2)
  })

  test("an erased resident's certificate is not reissued: no new name is written for them", async () => {
    const { webinar, holder, certificate } = await issuedCertificate()
    expect(await eraseRegistrationByToken(db, holder.token, afterEnd(60))).toEqual({ slug: webinar.slug })
    expect(await reissueCertificate(db, webinar.id, certificate.id, 'Rina Kartika, S.Pd.', afterEnd(61))).toEqual({ ok: false, reason: 'erased' })
    // The erasure's certificate stays the only one, and names nobody.
    expect(await certificatesOf(webinar.id).then((rows) => rows.filter((c) => c.holder_key === certificate.holder_key).map((c) => ({ id: c.id, name: c.name, replaced_by_id: c.replaced_by_id })))).toEqual([
      { id: certificate.id, name: null, replaced_by_id: null },
    ])
  })

  test('a revoked certificate can be reissued: the new one is valid again', async () => {
    const { webinar, holder, certificate } = await issuedCertificate()
    await revokeCertificate(db, webinar.id, certificate.id, webinar.organiser.id, 'Nama salah ketik', afterEnd(60))
    const result = await reissueCertificate(db, webinar.id, certificate.id, 'Rina Kartika Dewi', afterEnd(61))
    expect(result).toMatchObject({ ok: true })
    expect(await getResidentCertificate(db, holder.token)).toMatchObject({ number: result.ok ? result.number : '', name: 'Rina Kartika Dewi', revoked_at: null })
  })
})
