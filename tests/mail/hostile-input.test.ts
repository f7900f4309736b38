import { assignRole } from '#app/models/webinar-role.server'
import { publishWebinar } from '#app/models/webinar.server'
import { getDb } from '#app/utils/db.server'
import { createPersonFor, createUser, createWebinar } from '#tests/setup/factories'
import { deliverAll, parseMessage, smtpWorker } from './__helpers/mail'
import { startSmtpSink } from './__helpers/smtp-sink'

// Organisers type topics and names; residents type their own names. Whatever they type must
// arrive as text: in the calendar file, in the HTML, and never as a header of its own.

const INJECTION = '\r\nBcc: evil@example.org'
const TOPIC = `Tata "Kelola"; a, b: c \\ 🎉 数字化 <script>alert(1)</script> <b>tebal</b>${INJECTION}\rbaris tiga\nbaris empat`
const MODERATOR_NAME = `Dannys "Citra"; S.Kom, M.A: 🎉 王小明 <img src=x onerror=alert(2)>${INJECTION}\rX`
const SPEAKER_NAME = `Edy <script>alert(3)</script> Budiyarso${INJECTION}`
const TALK_TITLE = `<a href="javascript:alert(4)">Keamanan</a>; "data", 数字${INJECTION}`

/** As a calendar client reads it: any newline form becomes LF. */
const normalised = (text: string) => text.replace(/\r\n?/g, '\n')
/** As a header or parameter must hold it: one line. */
const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ').trim()

test('hostile topics and names round-trip through the calendar file, are escaped in HTML, and inject no header', async () => {
  const db = getDb()
  const sink = await startSmtpSink()
  const { transport, worker } = smtpWorker(sink.url)
  try {
    const organiser = await createUser('organiser', { password: 'organiser-password-123' })
    const { id: webinarId } = await createWebinar(organiser.id, { form: { topic: TOPIC } })
    const moderator = { email: 'moderator.hostile@example.org', name: MODERATOR_NAME }
    const speaker = { email: 'speaker.hostile@example.org', name: SPEAKER_NAME }
    await assignRole(db, webinarId, { personId: await createPersonFor(moderator.name, { email: moderator.email }), role: 'moderator', talkTitle: null, pillar: null })
    await assignRole(db, webinarId, { personId: await createPersonFor(speaker.name, { email: speaker.email }), role: 'speaker', talkTitle: TALK_TITLE, pillar: 'aman' })
    expect(await publishWebinar(db, webinarId)).toEqual({ ok: true })
    expect(await deliverAll(worker)).toEqual({ sent: 2, failed: 0 })
    expect(sink.messages).toHaveLength(2)

    for (const person of [moderator, speaker]) {
      const delivered = sink.messages.filter((m) => m.envelope.rcptTo.includes(person.email))
      expect(delivered).toHaveLength(1)
      const wire = delivered[0]!
      // At the SMTP level the message went to this one address and nowhere else.
      expect(wire.envelope.rcptTo).toEqual([person.email])
      const headerSection = wire.raw.toString('utf8').split('\r\n\r\n')[0]!
      // The typed text may sit inside a quoted name or an encoded word, but starts no line of its own.
      const headerNames = headerSection
        .replace(/\r\n[ \t]/g, ' ')
        .split('\r\n')
        .map((line) => line.slice(0, line.indexOf(':')).toLowerCase())
      expect(headerNames.sort()).toEqual(['auto-submitted', 'content-type', 'date', 'from', 'message-id', 'mime-version', 'subject', 'to'])

      const { mail, calendar } = await parseMessage(wire.raw)
      expect(mail.headers.has('bcc')).toBe(false)
      expect(mail.bcc).toBeUndefined()
      expect(mail.cc).toBeUndefined()
      const to = Array.isArray(mail.to) ? mail.to : [mail.to!]
      expect(to.flatMap((t) => t.value.map((v) => v.address))).toEqual([person.email])
      expect(to[0]!.value[0]!.name).toBe(oneLine(person.name))
      expect(mail.subject).toContain(oneLine(TOPIC))

      // The calendar file: every line within 75 octets, no stray CR or LF, text as typed.
      expect(calendar).not.toBeNull()
      for (const line of calendar!.text.split('\r\n')) {
        expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75)
        expect(line).not.toMatch(/[\r\n]/)
      }
      expect(calendar!.event.getFirstPropertyValue('summary')).toBe(normalised(TOPIC))
      expect(String(calendar!.event.getFirstPropertyValue('description')).startsWith(`${normalised(TOPIC)}\n`)).toBe(true)
      const attendee = calendar!.event.getFirstProperty('attendee')!
      expect(String(attendee.getFirstValue()).toLowerCase()).toBe(`mailto:${person.email}`)
      // A parameter value cannot hold a DQUOTE or a newline: those become ' and a space.
      expect(attendee.getParameter('cn')).toBe(oneLine(person.name).replace(/"/g, "'"))
      expect(calendar!.calendar.getFirstPropertyValue('method')).toBe('REQUEST')

      // The HTML part: every typed value is text, none of it markup.
      const html = mail.html as string
      expect(html).not.toMatch(/<script|<img|<b>tebal|<a href="javascript/i)
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
      expect(html).toContain('&lt;b&gt;tebal&lt;/b&gt;')
      expect(html).toContain('数字化')
      expect(html).toContain('🎉')
      // The plain-text part carries the same values, unescaped.
      expect(mail.text).toContain('<script>alert(1)</script>')
    }

    const moderatorHtml = (await parseMessage(sink.messages.find((m) => m.envelope.rcptTo.includes(moderator.email))!.raw)).mail.html as string
    expect(moderatorHtml).toContain('&lt;img src=x onerror=alert(2)&gt;')
    expect(moderatorHtml).toContain('&lt;script&gt;alert(3)&lt;/script&gt;')
    const speakerHtml = (await parseMessage(sink.messages.find((m) => m.envelope.rcptTo.includes(speaker.email))!.raw)).mail.html as string
    expect(speakerHtml).toContain('&lt;a href=&quot;javascript:alert(4)&quot;&gt;Keamanan&lt;/a&gt;')
  } finally {
    transport.close()
    await sink.stop()
  }
})
