// The demo's learning tests: a starter question bank (five questions per pillar) and Klaten's
// pre- and post-test, taken by most of its registrants through the real model. The answers are
// drawn so the gain is realistic and uneven: largest on Aman Digital (the regency's own talk on
// safe public services), smaller on Etika, and larger for those who attended than for those who
// did not.
import type { QuestionPillar } from '#db/schema'
import { finishAttempt, getAttemptView, saveAnswers, saveWebinarTests, startAttempt, webinarTests } from '#app/models/learning-test.server'
import { countBankByPillar, createQuestion, type QuestionInput } from '#app/models/question.server'
import type { DB } from '#app/utils/db.server'

type Q = [QuestionInput['difficulty'], string, string[], number, string]

const BANK: Record<QuestionPillar, Q[]> = {
  cakap: [
    ['easy', 'Apa fungsi utama mesin pencari seperti Google?', ['Menyimpan kata sandi', 'Mencari informasi di internet', 'Mengirim pesan singkat', 'Memperbaiki perangkat'], 1, 'Mesin pencari membantu menemukan halaman web berdasarkan kata kunci.'],
    ['easy', 'Layanan publik daring Kabupaten Klaten sebaiknya diakses melalui…', ['Tautan dari pesan berantai', 'Situs resmi berakhiran .go.id', 'Iklan di media sosial', 'Aplikasi dari sumber tak dikenal'], 1, 'Situs pemerintah resmi memakai domain .go.id.'],
    ['medium', 'Apa yang dimaksud dengan “unduh” (download)?', ['Mengirim berkas ke internet', 'Menyalin berkas dari internet ke perangkat', 'Menghapus berkas', 'Mencetak berkas'], 1, 'Mengunduh berarti menyalin berkas dari server ke perangkat Anda.'],
    ['medium', 'Cara paling tepat menyimpan dokumen penting agar tidak hilang adalah…', ['Hanya di memori ponsel', 'Cadangan di penyimpanan awan dan perangkat lain', 'Dikirim ke grup WhatsApp', 'Dicetak lalu difoto ulang'], 1, 'Cadangan di lebih dari satu tempat melindungi dari kehilangan perangkat.'],
    ['hard', 'Format berkas mana yang paling cocok untuk mengirim surat resmi agar tampilannya tidak berubah?', ['.docx', '.pdf', '.txt', '.jpg'], 1, 'PDF menjaga tata letak dokumen di perangkat apa pun.'],
  ],
  etika: [
    ['easy', 'Sebelum membagikan berita di grup keluarga, sebaiknya Anda…', ['Langsung membagikannya', 'Memeriksa sumber dan kebenarannya', 'Menambahkan pendapat pribadi', 'Menunggu orang lain membagikan'], 1, 'Memeriksa sumber mencegah penyebaran hoaks.'],
    ['easy', 'Menulis komentar dengan huruf kapital semua di media sosial biasanya dianggap…', ['Sopan', 'Berteriak atau marah', 'Lebih jelas', 'Resmi'], 1, 'Dalam etiket daring, huruf kapital semua dibaca sebagai berteriak.'],
    ['medium', 'Mengunggah foto orang lain tanpa izin dapat melanggar…', ['Hak cipta saja', 'Privasi orang tersebut', 'Aturan ukuran berkas', 'Tidak melanggar apa pun'], 1, 'Foto seseorang adalah data pribadi; mintalah izin sebelum mengunggah.'],
    ['medium', 'Ciri khas hoaks adalah…', ['Mencantumkan sumber resmi', 'Judul provokatif dan meminta segera disebarkan', 'Ditulis wartawan', 'Memiliki tanggal terbit'], 1, 'Hoaks sering memancing emosi dan mendesak untuk segera disebarkan.'],
    ['hard', 'Undang-undang yang mengatur pelindungan data pribadi di Indonesia adalah…', ['UU 11/2008', 'UU 27/2022', 'UU 14/2008', 'UU 40/1999'], 1, 'UU 27/2022 tentang Pelindungan Data Pribadi.'],
  ],
  aman: [
    ['easy', 'Kata sandi yang paling kuat adalah…', ['123456', 'Tanggal lahir Anda', 'Frasa panjang dengan huruf, angka, dan simbol', 'Nama hewan peliharaan'], 2, 'Kata sandi yang panjang dan acak sulit ditebak.'],
    ['easy', 'Kode OTP yang dikirim lewat SMS boleh diberikan kepada…', ['Petugas bank yang menelepon', 'Teman dekat', 'Tidak kepada siapa pun', 'Kurir paket'], 2, 'OTP adalah kunci akun Anda; petugas resmi tidak pernah memintanya.'],
    ['medium', 'Verifikasi dua langkah (2FA) berguna untuk…', ['Mempercepat internet', 'Menambah lapisan keamanan saat masuk akun', 'Menghemat kuota', 'Membuat akun baru'], 1, '2FA meminta bukti kedua selain kata sandi.'],
    ['medium', 'Pesan berisi tautan “hadiah undian” dari nomor tak dikenal sebaiknya…', ['Dibuka untuk memastikan', 'Diabaikan dan dilaporkan', 'Diteruskan ke teman', 'Dibalas dengan data diri'], 1, 'Tautan seperti itu biasanya phishing untuk mencuri data.'],
    ['hard', 'Tanda situs web aman untuk memasukkan data adalah…', ['Banyak iklan', 'Alamat diawali https dan domain yang benar', 'Warna latar biru', 'Ada animasi'], 1, 'HTTPS mengenkripsi koneksi, dan domain yang benar mencegah situs tiruan.'],
  ],
  budaya: [
    ['easy', 'Pancasila dalam ruang digital berarti…', ['Hanya berlaku di dunia nyata', 'Menjadi pedoman bersikap saat berinteraksi daring', 'Tidak relevan', 'Hanya untuk pejabat'], 1, 'Nilai Pancasila tetap menjadi landasan perilaku di ruang digital.'],
    ['easy', 'Contoh memanfaatkan internet untuk melestarikan budaya lokal adalah…', ['Menyebarkan hoaks budaya', 'Membuat konten tentang kesenian Klaten', 'Menghapus arsip budaya', 'Mengejek budaya daerah lain'], 1, 'Konten positif tentang budaya lokal membantu melestarikannya.'],
    ['medium', 'Sikap yang tepat saat melihat perbedaan pendapat di media sosial adalah…', ['Menyerang pribadi', 'Menghargai dan berdiskusi dengan santun', 'Memblokir semua orang', 'Menyebarkan tangkapan layar'], 1, 'Keberagaman pendapat dihargai dengan diskusi yang santun.'],
    ['medium', 'Menggunakan karya musik orang lain dalam video tanpa izin dapat melanggar…', ['Hak cipta', 'Aturan lalu lintas', 'Tata bahasa', 'Tidak ada'], 0, 'Karya musik dilindungi hak cipta.'],
    ['hard', 'Istilah “digital citizenship” paling dekat artinya dengan…', ['Warga yang memiliki ponsel', 'Warga yang bertanggung jawab dan berpartisipasi di ruang digital', 'Pegawai teknologi informasi', 'Pengguna media sosial terbanyak'], 1, 'Kewargaan digital berarti hak dan tanggung jawab warga di ruang digital.'],
  ],
}

/** Adds the starter bank when it is empty (idempotent across seeds). */
export async function seedQuestionBank(db: DB, organiserId: string): Promise<void> {
  const counts = await countBankByPillar(db)
  if (Object.values(counts).some((n) => n > 0)) return
  for (const [pillar, questions] of Object.entries(BANK) as Array<[QuestionPillar, Q[]]>) {
    for (const [difficulty, prompt, options, correctOption, explanation] of questions) {
      await createQuestion(db, { pillar, difficulty, prompt, options, correctOption, explanation }, organiserId, '2021-08-20T03:00:00.000Z')
    }
  }
}

// Chance of a right answer per pillar, before and after; attending adds to the gain.
const PRE: Record<QuestionPillar, number> = { cakap: 0.64, etika: 0.72, aman: 0.46, budaya: 0.68 }
const GAIN: Record<QuestionPillar, number> = { cakap: 0.12, etika: 0.05, aman: 0.24, budaya: 0.08 }

/**
 * Klaten's tests: three questions per pillar, a pre-test taken by most registrants in the days
 * before, and a post-test taken in the week after, mostly by those who attended.
 */
export async function seedKlatenLearningTests(db: DB, webinarId: string, organiserId: string, random: () => number): Promise<void> {
  if ((await webinarTests(db, webinarId)).pre) return
  const webinar = await db.selectFrom('webinars').select(['start_at', 'end_at']).where('id', '=', webinarId).executeTakeFirstOrThrow()
  const saved = await saveWebinarTests(db, webinarId, { pre: true, post: true, postOpenDays: 7, questionsPerPillar: 3 }, organiserId, '2021-08-25T03:00:00.000Z')
  if (!saved.ok) throw new Error(`Demo tests on Klaten: ${saved.reason}`)
  const registrants = await db.selectFrom('registrations').select(['token', 'created_at', 'attended']).where('webinar_id', '=', webinarId).where('status', '=', 'registered').orderBy('position').execute()
  const start = Date.parse(webinar.start_at!)
  const end = Date.parse(webinar.end_at!)
  for (const r of registrants) {
    const ability = (random() - 0.5) * 0.3
    const attended = r.attended === 1
    const takesPre = random() < 0.85
    const takesPost = random() < (attended ? 0.82 : 0.3)
    if (takesPre) {
      const at = new Date(Math.min(Date.parse(r.created_at) + (1 + random() * 20) * 3_600_000, start - 600_000)).toISOString()
      await takeDemoTest(db, r.token, 'pre', at, (pillar) => PRE[pillar] + ability, random)
    }
    if (takesPost) {
      const at = new Date(end + (0.5 + random() * 140) * 3_600_000).toISOString()
      await takeDemoTest(db, r.token, 'post', at, (pillar) => PRE[pillar] + ability + GAIN[pillar] * (attended ? 1 : 0.3), random)
    }
  }
}

async function takeDemoTest(db: DB, token: string, kind: 'pre' | 'post', at: string, chance: (pillar: QuestionPillar) => number, random: () => number) {
  const started = await startAttempt(db, token, kind, at)
  if (!started.ok) throw new Error(`Demo ${kind}-test: ${started.reason}`)
  const view = await getAttemptView(db, token, kind, at)
  const questions = view!.attempt!.questions
  const key = await db.selectFrom('questions').select(['id', 'correct_option']).where('id', 'in', questions.map((q) => q.id)).execute()
  const correct = new Map(key.map((q) => [q.id, q.correct_option]))
  const answers = questions.map((q) => {
    const right = correct.get(q.id)!
    const option = random() < chance(q.pillar) ? right : (right + 1 + Math.floor(random() * (q.options.length - 1))) % q.options.length
    return { questionId: q.id, option }
  })
  const saved = await saveAnswers(db, token, kind, answers, at)
  if (!saved.ok) throw new Error(`Demo ${kind}-test answers: ${saved.reason}`)
  const finished = await finishAttempt(db, token, kind, new Date(Date.parse(at) + 6 * 60_000).toISOString())
  if (!finished.ok) throw new Error(`Demo ${kind}-test finish: ${finished.reason}`)
}
