// Certificates at a webinar's scale: finalising the attendance of 1,000 present residents issues
// their certificates and queues their "certificate ready" mails in bulk; then every certificate
// is drawn as the PDF a resident downloads, and every mail is rendered by the worker (kept in the
// outbox, as without SMTP_URL). Target for the whole: 20 s or less.
import fs from 'node:fs'
import os from 'node:os'
import { createMailTransport } from '#app/mail/transport.server'
import { MailWorker, parseSender } from '#app/mail/worker.server'
import { finaliseAttendance, markAttendance } from '#app/models/attendance.server'
import { getCertificateByNumber, listWebinarCertificates } from '#app/models/certificate.server'
import { countOutboxByState } from '#app/models/outbox.server'
import { getCertificateIssuer, updateIssuer } from '#app/models/site-settings.server'
import { getUserByEmail } from '#app/models/user.server'
import { certificatePdfResponse } from '#app/utils/certificate.server'
import { checkSiteImage } from '#app/utils/site-image.server'
import { getEnv } from '#app/utils/env.server'
import { registerResidents, type BenchKit } from './attendance'

const ATTENDEES = Number(process.env.BENCH_CERTIFICATES ?? 1_000)
const ms = (value: number) => `${value.toFixed(0)} ms`
const BENCH_LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0f4580"/><path d="M8 9h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-9l-5 4v-4H8a2 2 0 0 1-2-2v-9a2 2 0 0 1 2-2z" fill="#fff"/></svg>'
const BENCH_SIGNATURE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 90"><path d="M10 70 C 40 10, 65 10, 95 60 S 150 100, 180 30 S 250 20, 290 50" stroke="#123" stroke-width="4" fill="none"/></svg>'

export async function benchCertificates({ report, freshDatabase, publishedDemoWebinar, sampleRss, mb }: BenchKit) {
  const { db, dir } = await freshDatabase('certificates')
  try {
    const webinarId = await publishedDemoWebinar(db)
    const organiser = (await getUserByEmail(db, 'organiser@example.org'))!
    const tokens = await registerResidents(db, webinarId, ATTENDEES, 'cert')
    // The demo webinar runs 2030-09-01 09:00–12:00 WIB; attendance is taken after it.
    const after = (minutes: number) => new Date(Date.parse('2030-09-01T05:00:00Z') + minutes * 60_000).toISOString()
    const ids = await db.selectFrom('registrations').select('id').where('webinar_id', '=', webinarId).execute()
    for (const { id } of ids) await markAttendance(db, webinarId, id, { present: true, reason: 'seenInMeeting', note: null }, organiser.id, after(5))
    const rss = sampleRss()

    let started = performance.now()
    const finalised = await finaliseAttendance(db, webinarId, organiser.id, after(60))
    const issueMs = performance.now() - started
    if (!finalised.ok) throw new Error(`bench: finalising failed: ${finalised.reason}`)
    const listed = await listWebinarCertificates(db, webinarId, 1)

    // Certificates as a ministry issues them: a signatory, a logo and a signature. The settings are
    // read for every download, as the routes do; the images are made here in memory, as the
    // server holds them after its first download (named by content, read from UPLOAD_DIR once).
    await updateIssuer(db, { programmeNameId: null, programmeNameEn: null, issuerName: null, signatoryName: 'Dr. Ir. Bambang Sutejo, M.Sc.', signatoryTitle: 'Direktur Pemberdayaan Informatika' }, { logo: 'keep', signature: 'keep' }, organiser.id)
    const [logo, signature] = await Promise.all([checkSiteImage(Buffer.from(BENCH_LOGO_SVG)), checkSiteImage(Buffer.from(BENCH_SIGNATURE_SVG))])
    if (!logo.ok || !signature.ok) throw new Error('bench: the issuer images were refused')

    started = performance.now()
    let bytes = 0
    let drawn = 0
    for (let page = 1; page <= Math.ceil(listed.total / listed.pageSize); page++) {
      const { rows } = await listWebinarCertificates(db, webinarId, page)
      for (const row of rows) {
        const certificate = (await getCertificateByNumber(db, row.number))!
        const issuer = { ...(await getCertificateIssuer(db)), logoPng: logo.png, signaturePng: signature.png }
        bytes += (await (await certificatePdfResponse(certificate, issuer)).arrayBuffer()).byteLength
        drawn++
      }
    }
    const drawMs = performance.now() - started

    const env = getEnv()
    const transport = createMailTransport(undefined)
    const worker = new MailWorker(db, { transport, sender: parseSender(env.MAIL_FROM), from: env.MAIL_FROM, leaseMs: env.MAIL_LEASE_SECONDS * 1000, ratePerSec: 0 })
    started = performance.now()
    let mailed = 0
    for (;;) {
      const batch = await worker.deliverBatch()
      if (batch.sent + batch.failed === 0) break
      mailed += batch.sent
    }
    const mailMs = performance.now() - started
    transport.close()
    const peak = rss.stop()

    report(`certificates: ${ATTENDEES.toLocaleString('en')} present residents (node ${process.version}, ${os.cpus().length} CPUs; target ≤ 20 s in all)`, [
      ['residents with a personal link', tokens.length],
      ['finalise + issue + queue mails, one transaction', `${ms(issueMs)}  (${finalised.present} present)`],
      ['certificates issued (with moderator and speaker)', listed.total],
      ['draw every PDF (with a logo, a signature and a signatory)', `${ms(drawMs)}  (${(drawMs / drawn).toFixed(1)} ms each, ${(bytes / drawn / 1024).toFixed(1)} KB each)`],
      ['render every mail (all queued mail, kept in the outbox)', `${ms(mailMs)}  (${mailed} messages)`],
      ['total', `${((issueMs + drawMs + mailMs) / 1000).toFixed(2)} s`],
      ['outbox states after', JSON.stringify(await countOutboxByState(db))],
      ['peak RSS', mb(peak)],
    ])
  } finally {
    await db.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
