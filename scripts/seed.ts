// npm run db:seed — the demo data from PRODUCT.md. Idempotent: every row is looked up by a
// natural key (e-mail, slug) first, so loading it twice changes nothing. Never in production.
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { AssignmentRole } from '#db/schema'
import { finaliseAttendance, markAttendance, type ManualMark } from '#app/models/attendance.server'
import { listRegistrantRecipients } from '#app/models/mail-recipients.server'
import { markMailDeliveredWithoutSending } from '#app/models/outbox.server'
import { createPerson, getPersonByEmail } from '#app/models/person.server'
import { registerParticipant } from '#app/models/registration.server'
import { addRundownItem } from '#app/models/rundown.server'
import { createStaffUser, getUserByEmail, setUserPassword } from '#app/models/user.server'
import { finishWebinar, getWebinarBySlug, publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { assignRole } from '#app/models/webinar-role.server'
import { AGE_RANGES, GENDERS, OCCUPATIONS, type Pillar, type Segment } from '#app/utils/catalog'
import { verifyPassword } from '#app/utils/crypto.server'
import { databaseUrlWithoutPasswords, defaultDatabaseUrl, isPostgresUrl, sqliteFileFromUrl, type DB } from '#app/utils/db.server'
import type { Env } from '#app/utils/env.server'
import { nowIso, utcToLocal } from '#app/utils/time'
import { parseZoomReport } from '#app/utils/zoom-report.server'
import { commitZoomImport, findRegistrantByEmail, previewZoomImport } from '#app/models/zoom-import.server'
import { seedKlatenAfterWebinar } from './demo/after-webinar'
import { seedKlatenLearningTests, seedQuestionBank } from './demo/learning-tests'
import { buildZoomReport, type ZoomReportPerson } from './demo/zoom-report'

export const DEMO_ACCOUNTS = [
  { email: 'organiser@example.org', name: 'Rina Organiser', role: 'organiser' },
  { email: 'moderator@example.org', name: 'Dannys Citra', role: 'moderator' },
  { email: 'speaker@example.org', name: 'Edy Budiyarso', role: 'speaker' },
] as const

/**
 * Where the generated demo password of a database is kept: beside a SQLite file; for a PostgreSQL
 * database, which has no file here, under db/ (git-ignored), named by a hash of its URL without
 * any password, so the same database gets the same file however its password is given.
 */
export function demoPasswordFile(databaseUrl: string): string {
  if (!isPostgresUrl(databaseUrl)) return `${sqliteFileFromUrl(databaseUrl)}.demo-password`
  const key = createHash('sha256').update(databaseUrlWithoutPasswords(databaseUrl) ?? databaseUrl).digest('hex').slice(0, 16)
  return path.resolve('db', `.demo-password-${key}`)
}

/** DEMO_PASSWORD, or a random one generated once per database and kept (demoPasswordFile). */
export function demoPasswordFor(env: Pick<Env, 'DEMO_PASSWORD' | 'DATABASE_URL'>): string {
  if (env.DEMO_PASSWORD) return env.DEMO_PASSWORD
  const file = demoPasswordFile(env.DATABASE_URL ?? defaultDatabaseUrl())
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(9).toString('base64url'), { mode: 0o600 })
  return fs.readFileSync(file, 'utf8').trim()
}

type DemoPerson = { key: string; name: string; title: string; organisation: string; email: string; whatsapp: string; bio: string; account?: string }

const PEOPLE: DemoPerson[] = [
  { key: 'dannys', name: 'Dannys Citra', title: 'Moderator', organisation: 'Presenter dan pembawa acara', email: 'dannys.citra@example.org', whatsapp: '+6281200000001', bio: 'Presenter berita dan moderator webinar literasi digital.', account: 'moderator@example.org' },
  { key: 'edy', name: 'Edy Budiyarso', title: 'Managing Director', organisation: 'Indoplus Communications', email: 'edy.budiyarso@example.org', whatsapp: '+6281200000002', bio: 'Praktisi komunikasi dan mantan jurnalis.', account: 'speaker@example.org' },
  { key: 'ahmad', name: 'Ahmad Muhlisin', title: 'Editor', organisation: 'Betanews.id', email: 'ahmad.muhlisin@example.org', whatsapp: '+6281200000003', bio: 'Editor media daring di Jawa Tengah.' },
  { key: 'jota', name: 'Jota Eko Hapsoro', title: 'Founder', organisation: 'Jogjania.com', email: 'jota.hapsoro@example.org', whatsapp: '+6281200000004', bio: 'Pendiri media komunitas Yogyakarta.' },
  { key: 'ronny', name: 'Ronny Rukminto', title: 'Asisten Pemerintahan dan Kesra', organisation: 'Pemerintah Kabupaten Klaten', email: 'ronny.rukminto@example.org', whatsapp: '+6281200000005', bio: 'Pejabat Pemerintah Kabupaten Klaten.' },
  { key: 'qausar', name: 'Qausar Harta Yudana', title: 'Key Opinion Leader', organisation: 'Aktor dan pegiat media sosial', email: 'qausar.yudana@example.org', whatsapp: '+6281200000006', bio: 'Figur publik yang aktif mengampanyekan etika bermedia sosial.' },
  { key: 'sari', name: 'Sari Wulandari', title: 'Dosen Ilmu Komunikasi', organisation: 'Universitas Hasanuddin', email: 'sari.wulandari@example.org', whatsapp: '+6281200000007', bio: 'Peneliti literasi media.' },
  { key: 'yohanes', name: 'Yohanes Kareth', title: 'Ketua', organisation: 'Relawan TIK Papua', email: 'yohanes.kareth@example.org', whatsapp: '+6281200000008', bio: 'Penggerak komunitas TIK di Papua.' },
  { key: 'made', name: 'I Made Santika', title: 'Pegiat Budaya Digital', organisation: 'Komunitas Kreatif Bali', email: 'made.santika@example.org', whatsapp: '+6281200000009', bio: 'Kreator konten budaya Bali.' },
  { key: 'fitri', name: 'Fitri Lestari', title: 'Konsultan Keamanan Siber', organisation: 'CyberAman Indonesia', email: 'fitri.lestari@example.org', whatsapp: '+6281200000010', bio: 'Pelatih keamanan digital untuk UMKM.' },
  { key: 'agung', name: 'Agung Prabowo', title: 'Guru TIK', organisation: 'SMA Negeri 1 Sleman', email: 'agung.prabowo@example.org', whatsapp: '+6281200000011', bio: 'Guru dan penulis buku literasi digital.' },
  { key: 'maria', name: 'Maria Latumahina', title: 'Kepala Bidang Aplikasi Informatika', organisation: 'Diskominfo Kota Ambon', email: 'maria.latumahina@example.org', whatsapp: '+6281200000012', bio: 'Pejabat daerah bidang informatika.' },
  { key: 'nadia', name: 'Nadia Putri', title: 'Influencer Edukasi', organisation: 'Kanal Belajar Digital', email: 'nadia.putri@example.org', whatsapp: '+6281200000013', bio: 'Kreator konten edukasi dengan jutaan pengikut.' },
]

type DemoRole = { person: string; role: AssignmentRole; talkTitle?: string; pillar?: Pillar }
type DemoWebinar = {
  slug: string
  topic: string
  description: string
  pillars: Pillar[]
  segment: Segment
  regency: string
  /** a fixed local date, or days from today */
  date: string | number
  startTime: string
  endTime: string
  capacity: number
  roles: DemoRole[]
  rundown: Array<{ time: string; title: string; person?: string }>
  /** residents who register before it starts */
  registrants?: number
  finished?: boolean
  draft?: boolean
}

const KLATEN: DemoWebinar = {
  slug: 'tata-kelola-pelayanan-publik-berbasis-digital-klaten-2021-09-01',
  topic: 'Tata Kelola Pelayanan Publik Berbasis Digital',
  description: 'Webinar Literasi Digital untuk masyarakat Kabupaten Klaten: bagaimana pelayanan publik berpindah ke ranah digital, dan bagaimana warga memanfaatkannya dengan cakap, beretika, aman, dan berbudaya.',
  pillars: ['cakap', 'etika', 'aman', 'budaya'],
  segment: 'umum',
  regency: '33.10',
  date: '2021-09-01',
  startTime: '09:00',
  endTime: '12:00',
  capacity: 250,
  registrants: 211,
  finished: true,
  roles: [
    { person: 'dannys', role: 'moderator' },
    { person: 'edy', role: 'speaker', talkTitle: 'Komunikasi Publik di Era Digital', pillar: 'cakap' },
    { person: 'ahmad', role: 'speaker', talkTitle: 'Etika Bermedia dan Melawan Hoaks', pillar: 'etika' },
    { person: 'jota', role: 'speaker', talkTitle: 'Budaya Digital dan Media Komunitas', pillar: 'budaya' },
    { person: 'ronny', role: 'speaker', talkTitle: 'Pelayanan Publik Digital di Kabupaten Klaten', pillar: 'aman' },
    { person: 'qausar', role: 'kol' },
  ],
  rundown: [
    { time: '09:00', title: 'Pembukaan dan menyanyikan lagu Indonesia Raya' },
    { time: '09:10', title: 'Pengantar moderator', person: 'dannys' },
    { time: '09:15', title: 'Materi 1: Komunikasi Publik di Era Digital', person: 'edy' },
    { time: '09:45', title: 'Materi 2: Etika Bermedia dan Melawan Hoaks', person: 'ahmad' },
    { time: '10:15', title: 'Materi 3: Budaya Digital dan Media Komunitas', person: 'jota' },
    { time: '10:45', title: 'Materi 4: Pelayanan Publik Digital di Kabupaten Klaten', person: 'ronny' },
    { time: '11:15', title: 'Sharing session Key Opinion Leader', person: 'qausar' },
    { time: '11:35', title: 'Tanya jawab', person: 'dannys' },
    { time: '11:55', title: 'Penutupan' },
  ],
}

function upcoming(slug: string, topic: string, pillars: Pillar[], segment: Segment, regency: string, days: number, startTime: string, roles: DemoRole[], extra: Partial<DemoWebinar> = {}): DemoWebinar {
  const [h, m] = startTime.split(':').map(Number) as [number, number]
  const after = (minutes: number) => {
    const total = h * 60 + m + minutes
    return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`
  }
  const endTime = after(180)
  return {
    slug,
    topic,
    description: `Webinar Literasi Digital: ${topic}. Gratis dan terbuka untuk umum, dengan e-sertifikat bagi peserta yang hadir.`,
    pillars,
    segment,
    regency,
    date: days,
    startTime,
    endTime,
    capacity: 1000,
    roles,
    rundown: [
      { time: startTime, title: 'Pembukaan' },
      { time: after(15), title: 'Materi narasumber', person: roles.find((r) => r.role === 'speaker')?.person },
      { time: after(150), title: 'Tanya jawab', person: roles.find((r) => r.role === 'moderator')?.person },
    ],
    ...extra,
  }
}

const UPCOMING: DemoWebinar[] = [
  upcoming('aman-bertransaksi-digital-umkm-surabaya', 'Aman Bertransaksi Digital bagi Pelaku UMKM', ['aman'], 'umkm', '35.78', 3, '09:00', [
    { person: 'dannys', role: 'moderator' },
    { person: 'fitri', role: 'speaker', talkTitle: 'Mengenali Penipuan Daring', pillar: 'aman' },
    { person: 'edy', role: 'speaker', talkTitle: 'Membangun Kepercayaan Pelanggan Daring', pillar: 'cakap' },
    { person: 'nadia', role: 'kol' },
  ], { registrants: 24 }),
  upcoming('budaya-digital-generasi-muda-badung', 'Melestarikan Budaya Lokal lewat Konten Digital', ['budaya'], 'pelajar', '51.03', 5, '10:00', [
    { person: 'dannys', role: 'moderator' },
    { person: 'made', role: 'speaker', talkTitle: 'Budaya Bali di Media Sosial', pillar: 'budaya' },
    { person: 'jota', role: 'speaker', talkTitle: 'Dari Komunitas ke Konten', pillar: 'budaya' },
  ], { registrants: 12 }),
  upcoming('etika-bermedia-sosial-pelajar-makassar', 'Etika Bermedia Sosial untuk Pelajar', ['etika'], 'pelajar', '73.71', 7, '13:00', [
    { person: 'dannys', role: 'moderator' },
    { person: 'sari', role: 'speaker', talkTitle: 'Jejak Digital dan Reputasi', pillar: 'etika' },
    { person: 'ahmad', role: 'speaker', talkTitle: 'Cek Fakta Sebelum Berbagi', pillar: 'etika' },
    { person: 'qausar', role: 'kol' },
  ], { registrants: 30 }),
  upcoming('cakap-digital-untuk-semua-jayapura', 'Cakap Digital untuk Semua', ['cakap'], 'umum', '91.71', 9, '09:00', [
    { person: 'dannys', role: 'moderator' },
    { person: 'yohanes', role: 'speaker', talkTitle: 'Internet untuk Kampung', pillar: 'cakap' },
    { person: 'edy', role: 'speaker', talkTitle: 'Aplikasi Layanan Publik di Ponsel', pillar: 'cakap' },
  ], { registrants: 8 }),
  upcoming('guru-cerdas-digital-sleman', 'Guru Cerdas di Ruang Digital', ['etika', 'budaya'], 'guru', '34.04', 12, '08:30', [
    { person: 'dannys', role: 'moderator' },
    { person: 'agung', role: 'speaker', talkTitle: 'Mengajar Etika Digital di Kelas', pillar: 'etika' },
    { person: 'jota', role: 'speaker', talkTitle: 'Budaya Literasi di Sekolah', pillar: 'budaya' },
  ], { registrants: 15 }),
  upcoming('keamanan-data-pribadi-asn-ambon', 'Keamanan Data Pribadi bagi ASN', ['aman'], 'asn', '81.71', 14, '09:00', [
    { person: 'dannys', role: 'moderator' },
    { person: 'maria', role: 'keynote' },
    { person: 'fitri', role: 'speaker', talkTitle: 'Melindungi Data Pribadi sesuai UU PDP', pillar: 'aman' },
    // Full, with six people waiting: the waitlist in action.
  ], { capacity: 40, registrants: 46 }),
  upcoming('literasi-digital-keluarga-samarinda', 'Literasi Digital dalam Keluarga', ['cakap', 'aman'], 'orangtua', '64.72', 17, '19:00', [
    { person: 'dannys', role: 'moderator' },
    { person: 'sari', role: 'speaker', talkTitle: 'Mendampingi Anak di Internet', pillar: 'aman' },
    { person: 'nadia', role: 'kol' },
  ], { registrants: 10 }),
]

const DRAFT: DemoWebinar = upcoming('literasi-digital-komunitas-medan', 'Literasi Digital untuk Komunitas', ['cakap'], 'komunitas', '12.71', 30, '14:00', [{ person: 'dannys', role: 'moderator' }], { draft: true })

function localDate(date: string | number): string {
  if (typeof date === 'string') return date
  return utcToLocal(new Date(Date.now() + date * 86_400_000).toISOString(), 'WIB').date
}

async function seedWebinar(db: DB, organiserId: string, people: Map<string, string>, demo: DemoWebinar) {
  if (await getWebinarBySlug(db, demo.slug)) return
  const saved = await saveWebinar(
    db,
    {
      topic: demo.topic,
      description: demo.description,
      pillars: demo.pillars,
      segment: demo.segment,
      regency: demo.regency,
      date: localDate(demo.date),
      startTime: demo.startTime,
      endTime: demo.endTime,
      platformUrl: demo.draft ? null : `https://zoom.us/j/9${demo.slug.length}12345678`,
      meetingId: demo.draft ? null : `9${demo.slug.length}1 2345 678`,
      passcode: demo.draft ? null : 'literasi',
      livestreamUrl: demo.draft ? null : 'https://www.youtube.com/@literasidigital',
      capacity: demo.capacity,
      registrationOpensDate: null,
      registrationOpensTime: null,
      registrationClosesDate: null,
      registrationClosesTime: null,
      attendanceThreshold: 70,
      slug: demo.slug,
    },
    { userId: organiserId },
  )
  if (!saved.ok) throw new Error(`Demo webinar ${demo.slug}: ${JSON.stringify(saved.errors)}`)
  for (const role of demo.roles) {
    const result = await assignRole(db, saved.id, { personId: people.get(role.person)!, role: role.role, talkTitle: role.talkTitle ?? null, pillar: role.pillar ?? null })
    if (!result.ok) throw new Error(`Demo role ${role.person} on ${demo.slug}: ${result.error}`)
  }
  const [sh, sm] = demo.startTime.split(':').map(Number) as [number, number]
  for (const item of demo.rundown) {
    const [h, m] = item.time.split(':').map(Number) as [number, number]
    await addRundownItem(db, saved.id, { offsetMinutes: h * 60 + m - (sh * 60 + sm), title: item.title, personId: item.person ? people.get(item.person)! : null })
  }
  if (demo.draft) return
  const published = await publishWebinar(db, saved.id)
  if (!published.ok) throw new Error(`Demo webinar ${demo.slug} could not be published: ${JSON.stringify(published)}`)
  await seedRegistrants(db, saved.id, demo)
  if (demo.finished) await finishWebinar(db, saved.id)
}

const FIRST_NAMES = ['Ahmad', 'Budi', 'Dewi', 'Sri', 'Agus', 'Lestari', 'Wahyu', 'Indah', 'Teguh', 'Dian', 'Hendra', 'Maya', 'Andi', 'Nur', 'Rina', 'Joko', 'Fitri', 'Hadi', 'Yusuf', 'Arif', 'Siti', 'Putu', 'Ketut', 'Yohana', 'Fransiska']
const LAST_NAMES = ['Wibowo', 'Kurniawan', 'Santoso', 'Saputra', 'Prasetyo', 'Rahayu', 'Wahyuni', 'Lestari', 'Nugroho', 'Handayani', 'Hidayat', 'Setiawan', 'Pratama', 'Utami', 'Susanto', 'Siregar', 'Sihombing', 'Manuputty', 'Wenda']
const REGENCIES_NEAR: Record<string, string[]> = {
  '33.10': ['33.10', '33.10', '33.10', '33.10', '33.09', '33.11', '34.04', '33.72'],
}

/** A small deterministic generator, so the demo residents are the same on every machine. */
function seededRandom(seedText: string) {
  let state = [...seedText].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 2654435761) >>> 0, 2166136261)
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Registers the demo's residents through the real registration path (capacity, waitlist, mail). */
async function seedRegistrants(db: DB, webinarId: string, demo: DemoWebinar) {
  const count = demo.registrants ?? 0
  if (count === 0) return
  const random = seededRandom(demo.slug)
  const pick = <T,>(list: readonly T[]) => list[Math.floor(random() * list.length)]!
  // A finished webinar's residents registered in the days before it.
  const registeredAt = (i: number) =>
    typeof demo.date === 'string' ? new Date(Date.parse(`${demo.date}T00:00:00Z`) - 3 * 86_400_000 + i * 600_000).toISOString() : undefined
  for (let i = 0; i < count; i++) {
    const first = pick(FIRST_NAMES)
    const last = pick(LAST_NAMES)
    const result = await registerParticipant(
      db,
      webinarId,
      {
        name: `${first} ${last}`,
        email: `${first}.${last}${i}@example.org`.toLowerCase(),
        whatsapp: `+62812${String(10_000_000 + Math.floor(random() * 89_999_999))}`,
        regencyCode: pick(REGENCIES_NEAR[demo.regency] ?? [demo.regency]),
        occupation: pick(OCCUPATIONS),
        ageRange: pick(AGE_RANGES),
        gender: random() < 0.1 ? null : pick(GENDERS),
        lang: random() < 0.05 ? 'en' : 'id',
      },
      registeredAt(i),
    )
    if (!result.ok) throw new Error(`Demo registration ${i} on ${demo.slug}: ${result.reason}`)
  }
}

/** The starter question bank, and Klaten's pre- and post-test with results (see demo/learning-tests.ts). */
async function seedLearningTests(db: DB, organiserId: string) {
  await seedQuestionBank(db, organiserId)
  const webinar = await getWebinarBySlug(db, KLATEN.slug)
  if (webinar) await seedKlatenLearningTests(db, webinar.id, organiserId, seededRandom(`${KLATEN.slug}:tests`))
}

/**
 * The Klaten webinar's attendance, as it would have been taken: the Zoom attendee report
 * (generated here, deterministically, from its registrants) is imported through the real
 * preview and commit, a moderator marks two people by hand, and the list is finalised.
 */
async function seedKlatenAttendance(db: DB, moderatorUserId: string) {
  const webinar = await getWebinarBySlug(db, KLATEN.slug)
  if (!webinar || webinar.attendance_finalised_at || !webinar.start_at) return
  const random = seededRandom(`${KLATEN.slug}:zoom`)
  const registrants = await listRegistrantRecipients(db, webinar.id, ['registered'])
  const staff: ZoomReportPerson[] = [
    { name: 'Tim Literasi Digital', email: 'host@example.org', joins: [{ minutes: 186 }], role: 'host' },
    ...PEOPLE.filter((p) => KLATEN.roles.some((r) => r.person === p.key)).map((p): ZoomReportPerson => ({ name: p.name, email: p.email, joins: [{ minutes: 150 + Math.floor(random() * 30) }], role: 'panelist' })),
  ]
  const attendees = registrants.map((r, i): ZoomReportPerson => {
    const roll = random()
    const first = r.name.split(' ')[0]!
    // About three in four stay long enough; some drop out and rejoin; some leave early; some never come.
    const joins =
      roll < 0.6 ? [{ minutes: 130 + Math.floor(random() * 50) }]
      : roll < 0.75 ? [{ minutes: 59 }, { minutes: 80 + Math.floor(random() * 20) }]
      : roll < 0.88 ? [{ minutes: 15 + Math.floor(random() * 90) }]
      : []
    return {
      name: r.name,
      // A few joined Zoom with another address: they are matched by name instead.
      email: i % 37 === 5 ? null : r.email,
      joins,
      renamedTo: i % 23 === 3 ? `HP ${first}` : undefined,
    }
  })
  const walkIns: ZoomReportPerson[] = [
    { name: 'Pengunjung Tanpa Daftar', email: null, joins: [{ minutes: 60 }], registered: false },
    { name: 'Operator Kecamatan Wedi', email: null, joins: [{ minutes: 175 }], registered: false },
  ]
  const csv = buildZoomReport({ topic: KLATEN.topic, startAt: new Date(`${KLATEN.date}T08:55:00Z`), people: [...staff, ...attendees, ...walkIns] })
  const bytes = new TextEncoder().encode(csv)
  const parsed = parseZoomReport(bytes)
  if (!parsed.ok) throw new Error(`Demo Zoom report: ${parsed.error.code}`)
  // The moderator did this on the afternoon of the webinar, and finalised it the next morning.
  const at = (time: string) => new Date(`${KLATEN.date}T${time}Z`).toISOString()
  const { importId } = await previewZoomImport(db, webinar.id, { name: 'zoom-attendee-report-klaten-2021-09-01.csv', bytes, report: parsed.report }, moderatorUserId, at('05:40:00'))
  const committed = await commitZoomImport(db, webinar.id, importId, moderatorUserId, at('05:42:00'))
  if (!committed.ok) throw new Error(`Demo Zoom report could not be committed: ${committed.reason}`)
  // Someone who followed on YouTube, and someone whose Zoom name matched nobody.
  const noShows = registrants.filter((_, i) => attendees[i]!.joins.length === 0)
  for (const [index, noShow] of noShows.slice(0, 2).entries()) {
    const registrant = await findRegistrantByEmail(db, webinar.id, noShow.email)
    if (!registrant) continue
    const mark: ManualMark =
      index === 0 ? { present: true, reason: 'livestream', note: 'Mengirim tangkapan layar siaran YouTube.' } : { present: true, reason: 'technicalProblem', note: null }
    await markAttendance(db, webinar.id, registrant.id, mark, moderatorUserId, at(`05:5${index}:00`))
  }
  const finalised = await finaliseAttendance(db, webinar.id, moderatorUserId, new Date(Date.parse(at('01:00:00')) + 86_400_000).toISOString())
  if (!finalised.ok) throw new Error(`Demo attendance could not be finalised: ${finalised.reason}`)
}

export async function seedDemo(db: DB, { password }: { password: string }): Promise<void> {
  const startedAt = nowIso()
  const accounts = new Map<string, string>()
  for (const account of DEMO_ACCOUNTS) {
    const existing = await getUserByEmail(db, account.email)
    if (existing) {
      if (!(await verifyPassword(password, existing.password_hash))) await setUserPassword(db, existing.id, password)
      accounts.set(account.email, existing.id)
    } else {
      const { userId } = await createStaffUser(db, { ...account, password })
      accounts.set(account.email, userId)
    }
  }
  const people = new Map<string, string>()
  for (const person of PEOPLE) {
    const existing = await getPersonByEmail(db, person.email)
    const id =
      existing?.id ??
      (await createPerson(db, {
        name: person.name,
        title: person.title,
        organisation: person.organisation,
        email: person.email,
        whatsapp: person.whatsapp,
        bio: person.bio,
        userId: person.account ? accounts.get(person.account)! : null,
      }))
    people.set(person.key, id)
  }
  const organiserId = accounts.get('organiser@example.org')!
  for (const demo of [KLATEN, ...UPCOMING, DRAFT]) await seedWebinar(db, organiserId, people, demo)
  await seedKlatenAttendance(db, accounts.get('moderator@example.org')!)
  await seedLearningTests(db, organiserId)
  const klaten = await getWebinarBySlug(db, KLATEN.slug)
  if (klaten) await seedKlatenAfterWebinar(db, klaten.id, seededRandom(`${KLATEN.slug}:evaluation`))
  // The demo's invitations, briefs and certificates are history: recorded as delivered, so that
  // setting SMTP_URL on a demo database never mails the past to a real relay.
  await markMailDeliveredWithoutSending(db, startedAt, 'seed')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { EnvError, getEnv } = await import('#app/utils/env.server')
  const { connectDb } = await import('#app/utils/db.server')
  const { prepareDatabase } = await import('./migrate')
  const { runCli } = await import('./cli')
  await runCli(async () => {
    // Before the environment is parsed: production's other requirements are beside the point here.
    if (process.env.NODE_ENV === 'production') throw new EnvError('NODE_ENV=production: demo data is never loaded in production.')
    const env = getEnv()
    const db = await connectDb()
    await prepareDatabase(db)
    const password = demoPasswordFor(env)
    await seedDemo(db, { password })
    console.log(`Demo data loaded. Logins: ${DEMO_ACCOUNTS.map((a) => a.email).join(', ')} (password: ${password})`)
  })
}
