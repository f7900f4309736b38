// The demo's after-webinar part for Klaten: the recording link (public), the slides of two
// speakers (small PDFs made here), one question of the organiser's own, and evaluations from
// most of those present, many with a comment in Indonesian. Everything goes through the real
// models, and nothing is mailed: the "thank you" counts as sent long ago.
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { saveAfterWebinarSettings } from '#app/models/after-webinar.server'
import { getEvaluationForm, ratingFields, submitEvaluation } from '#app/models/evaluation.server'
import { listAssignedRecipients } from '#app/models/mail-recipients.server'
import { saveMaterial } from '#app/models/material.server'
import type { DB } from '#app/utils/db.server'
import { PDF_MAGIC, streamUpload } from '#app/utils/uploads.server'

const RECORDING = 'https://www.youtube.com/watch?v=Kl4ten2021a'

const COMMENTS = [
  'Materinya sangat bermanfaat, terutama soal layanan publik daring di Klaten.',
  'Terima kasih, sekarang saya lebih paham cara mengurus dokumen kependudukan secara online.',
  'Suara narasumber kedua sempat putus-putus, mohon diperbaiki koneksinya.',
  'Waktu tanya jawab terlalu singkat. Semoga lain kali lebih panjang.',
  'Moderatornya komunikatif dan menjaga waktu dengan baik.',
  'Tolong bagikan materi presentasinya, saya ingin mempelajari lagi.',
  'Bagus sekali untuk kami para perangkat desa. Mohon diadakan lagi.',
  'Contoh-contoh hoaks yang dibahas sangat relevan dengan grup WhatsApp warga.',
  'Sebaiknya ada sesi praktik langsung, tidak hanya paparan.',
  'Jadwalnya pas di jam kerja, jadi saya hanya bisa ikut sebagian.',
]

async function slidesPdf(title: string, speaker: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  const font = await doc.embedFont(StandardFonts.Helvetica)
  const page = doc.addPage([842, 595])
  page.drawText(title, { x: 60, y: 420, size: 28, font })
  page.drawText(speaker, { x: 60, y: 370, size: 18, font })
  page.drawText('Webinar Literasi Digital - Kabupaten Klaten, 1 September 2021', { x: 60, y: 330, size: 14, font })
  return doc.save()
}

async function* chunks(bytes: Uint8Array) {
  yield bytes
}

export async function seedKlatenAfterWebinar(db: DB, webinarId: string, random: () => number): Promise<void> {
  const done = await db.selectFrom('evaluations').select('id').where('webinar_id', '=', webinarId).executeTakeFirst()
  if (done) return
  const webinar = await db.selectFrom('webinars').select(['end_at']).where('id', '=', webinarId).executeTakeFirstOrThrow()
  await saveAfterWebinarSettings(db, webinarId, {
    certificateGate: false,
    recordingUrl: RECORDING,
    recordingPublic: true,
    thankYouDelayHours: 1,
    questions: ['Apakah Anda akan merekomendasikan webinar ini kepada teman atau keluarga?'],
  })
  await db.updateTable('webinars').set({ thank_you_sent_at: new Date(Date.parse(webinar.end_at!) + 3_600_000).toISOString() }).where('id', '=', webinarId).execute()

  // Two of the four speakers sent their slides.
  const speakers = (await listAssignedRecipients(db, webinarId)).filter((r) => r.role === 'speaker').slice(0, 2)
  for (const speaker of speakers) {
    const fileName = `${speaker.talk_title ?? 'Materi'}.pdf`
    const upload = await streamUpload(chunks(await slidesPdf(speaker.talk_title ?? 'Materi', speaker.name)), fileName, { maxBytes: 20 * 1024 * 1024, magic: PDF_MAGIC })
    if (!upload.ok) throw new Error(`Demo slides refused: ${upload.reason}`)
    await saveMaterial(db, speaker.brief_token, upload)
  }

  // About two in three of those present evaluated, the evening after; one in three left a comment.
  const present = await db.selectFrom('registrations').select('token').where('webinar_id', '=', webinarId).where('attended', '=', 1).orderBy('position').execute()
  const evaluatedAt = new Date(Date.parse(webinar.end_at!) + 6 * 3_600_000)
  for (const [i, { token }] of present.entries()) {
    if (random() > 0.65) continue
    const form = await getEvaluationForm(db, token, evaluatedAt.toISOString())
    if (!form?.open) continue
    // Mostly 4s and 5s, the platform a little lower (the connection dropped for some).
    const rating = (item: string) => {
      const roll = random() - (item === 'platform' ? 0.15 : 0)
      return roll < 0.05 ? 2 : roll < 0.25 ? 3 : roll < 0.65 ? 4 : 5
    }
    await submitEvaluation(
      db,
      token,
      {
        ratings: ratingFields(form).map((f) => ({ item: f.item, subject: f.subject, rating: rating(f.item) })),
        comment: random() < 0.33 ? COMMENTS[i % COMMENTS.length]! : null,
      },
      new Date(evaluatedAt.getTime() + i * 60_000).toISOString(),
    )
  }
}
