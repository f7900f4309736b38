import { MAIL_KINDS } from '#app/mail/payload'
import { createMailTransport } from '#app/mail/transport.server'
import { addRundownItem } from '#app/models/rundown.server'
import { assignRole } from '#app/models/webinar-role.server'
import { publishWebinar } from '#app/models/webinar.server'
import { getDb } from '#app/utils/db.server'
import { createPersonFor, createUser, createWebinar, register } from '#tests/setup/factories'
import { bareLineBreaks, queueEveryKind } from './__helpers/every-kind'
import { createWorker, deliverAll, parseMessage, smtpWorker } from './__helpers/mail'
import { startSmtpSink } from './__helpers/smtp-sink'

// RFC 5321 allows CR and LF in a message only as the pair CRLF; a strict relay refuses a bare
// one. Typed text brings every kind of line break (a lone CR from old Mac text, a lone LF, CRLF,
// U+2028/U+2029 from some phone keyboards), so whatever the stored text holds, the bytes that
// go out hold CRLF only, and headers hold no line break at all.

const TOPIC = 'Literasi\rDigital\nuntuk\r\nWarga\u2028Klaten\u2029Jawa Tengah'
const DESCRIPTION = 'Baris satu\rbaris dua\nbaris tiga\r\nbaris empat\u2028baris lima'
const MODERATOR = 'Dannys\rCitra\nS.Kom'
const SPEAKER = 'Edy\r\nBudiyarso\u2028M.A.'
const RESIDENT = 'Warga\rSatu\nKlaten'
const TALK = 'Keamanan\rData\nPribadi'
const RUNDOWN_TITLE = 'Sesi\rsatu\r\ndua'

/** Every line-break form a calendar client or mail reader ends up showing as one line break. */
const asLines = (text: string) => text.replace(/\r\n|[\r\n\u2028\u2029]/g, '\n')
/** A header holds one line. */
const asOneLine = (text: string) => text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')

/** A published webinar whose topic, description, names, talk title and run-down hold every line-break form; every message kind queued to a resident and a staff member. */
async function webinarWithLineBreaks() {
  const db = getDb()
  const organiser = await createUser('organiser', { password: 'organiser-password-123' })
  const { id: webinarId } = await createWebinar(organiser.id, { form: { topic: TOPIC, description: DESCRIPTION } })
  const moderator = { email: `moderator.${webinarId}@example.org`.toLowerCase(), name: MODERATOR }
  const speakerId = await createPersonFor(SPEAKER, { email: `speaker.${webinarId}@example.org`.toLowerCase() })
  await assignRole(db, webinarId, { personId: await createPersonFor(moderator.name, { email: moderator.email }), role: 'moderator', talkTitle: null, pillar: null })
  await assignRole(db, webinarId, { personId: speakerId, role: 'speaker', talkTitle: TALK, pillar: 'aman' })
  await addRundownItem(db, webinarId, { offsetMinutes: 30, title: RUNDOWN_TITLE, personId: speakerId })
  expect(await publishWebinar(db, webinarId)).toEqual({ ok: true })
  const resident = await register(webinarId, { name: RESIDENT })
  const queued = await queueEveryKind(webinarId, [
    { email: resident.email, name: RESIDENT, personalUrl: `http://localhost:3000/r/${resident.token}` },
    { email: moderator.email, name: MODERATOR, personalUrl: 'http://localhost:3000/brief/token' },
  ])
  const total = Number(
    (await db.selectFrom('outbox').select((eb) => eb.fn.countAll().as('n')).where('webinar_id', '=', webinarId).executeTakeFirstOrThrow()).n,
  )
  // Publishing queued two briefs and registering one invitation, besides every kind twice over.
  expect(total).toBe(queued + 3)
  return { webinarId, total }
}

test('over SMTP, no message about a webinar whose texts hold lone CRs, lone LFs and CRLFs carries a bare CR or LF', async () => {
  const sink = await startSmtpSink()
  const { transport, worker } = smtpWorker(sink.url)
  try {
    const { total } = await webinarWithLineBreaks()
    expect(await deliverAll(worker)).toEqual({ sent: total, failed: 0 })
    expect(sink.messages).toHaveLength(total)
    for (const message of sink.messages) {
      expect(bareLineBreaks(message.raw), message.messageId ?? '').toEqual([])
      const { mail, calendar } = await parseMessage(message.raw)
      expect(mail.subject).not.toMatch(/[\r\n\u2028\u2029]/)
      const to = Array.isArray(mail.to) ? mail.to[0]! : mail.to!
      expect(to.value[0]!.name).not.toMatch(/[\r\n\u2028\u2029]/)
      expect([asOneLine(RESIDENT), asOneLine(MODERATOR), asOneLine(SPEAKER)]).toContain(to.value[0]!.name)
      expect(mail.text).not.toMatch(/[\r\u2028\u2029]/)
      expect(mail.html || '').not.toMatch(/[\r\u2028\u2029]/)
      if (mail.subject!.includes('Klaten')) {
        expect(mail.subject).toContain(asOneLine(TOPIC))
        // The topic keeps its line breaks in the body, each as one line break.
        expect(mail.text).toContain(asLines(TOPIC))
      }
      if (calendar) {
        expect(calendar.event.getFirstPropertyValue('summary')).toBe(asLines(TOPIC))
        for (const line of calendar.text.split('\r\n')) expect(line).not.toMatch(/[\r\n\u2028\u2029]/)
      }
    }
    const kinds = await getDb().selectFrom('outbox').select('kind').distinct().execute()
    expect(kinds).toHaveLength(MAIL_KINDS.length)
  } finally {
    transport.close()
    await sink.stop()
  }
})

test('kept as raw MIME without SMTP, the same messages hold CRLF only', async () => {
  const transport = createMailTransport(undefined)
  const worker = createWorker(transport)
  try {
    const { webinarId, total } = await webinarWithLineBreaks()
    expect(await deliverAll(worker)).toEqual({ sent: total, failed: 0 })
    const rows = await getDb().selectFrom('outbox').select(['raw', 'state']).where('webinar_id', '=', webinarId).execute()
    expect(rows).toHaveLength(total)
    for (const row of rows) {
      expect(row.state).toBe('sent')
      expect(bareLineBreaks(Buffer.from(row.raw!, 'utf8'))).toEqual([])
    }
  } finally {
    transport.close()
  }
})
