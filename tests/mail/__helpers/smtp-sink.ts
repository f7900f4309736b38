import type { Socket } from 'node:net'
import { SMTPServer, type SMTPServerSession } from 'smtp-server'

// A real SMTP server for tests and the benchmark: it accepts (or refuses) what a client sends and
// keeps what it accepted. It can be slow, answer 4xx/5xx, and stop and start on the same port, so
// a test can play a relay that is down, throttling or refusing.

export type SinkMessage = {
  /** the message exactly as it came over the wire (empty when `keepRaw` is off) */
  raw: Buffer
  envelope: { mailFrom: string | null; rcptTo: string[] }
  messageId: string | null
  /** the client's port: one per SMTP connection */
  clientPort: number
  acceptedAt: number
}

export type SinkReply = {
  /** an SMTP reply code: 4xx is temporary, 5xx permanent */
  code: number
  message?: string
  /** the command answered with it: RCPT TO, or the end of DATA (the default) */
  at?: 'rcpt' | 'data'
}

export type SmtpSinkOptions = {
  /** refuse every message with this reply instead of 250 */
  reply?: SinkReply | null
  /** how long each message takes to be accepted, after its data has arrived */
  delayMs?: number
  /** keep each message's bytes; off for the benchmark's thousands */
  keepRaw?: boolean
  /** called when a message is accepted, just after the 250 is written */
  onAccepted?: (message: SinkMessage) => void
}

export type SmtpSink = {
  readonly port: number
  readonly url: string
  /** accepted messages, in the order their 250 was written */
  readonly messages: SinkMessage[]
  /** messages refused with `reply` (data-stage refusals only; RCPT refusals carry no message) */
  readonly refused: SinkMessage[]
  /** MAIL FROM commands seen: one per delivery attempt */
  readonly attempts: number
  /** client connections open, as far as the SMTP sessions know (a hang-up counts once handled) */
  readonly openConnections: number
  /** how many times each Message-ID was accepted */
  acceptedCount(messageId: string): number
  /** Message-IDs accepted more than once */
  duplicates(): string[]
  configure(options: Omit<SmtpSinkOptions, 'keepRaw'>): void
  /** Holds every reply from now on: clients wait with their data sent and no answer. */
  pause(): void
  /** Answers what was held; a client that hung up meanwhile gets nothing accepted. */
  resume(): void
  /** Stops listening and cuts every open connection, as a relay that crashed would. */
  stop(): Promise<void>
  /** Listens again, on the same port. */
  start(): Promise<void>
  waitForMessages(count: number, timeoutMs?: number): Promise<void>
}

const MESSAGE_ID = /^message-id:[ \t]*(<[^>\r\n]*>)/im

function headerMessageId(raw: Buffer): string | null {
  const end = raw.indexOf('\r\n\r\n')
  return MESSAGE_ID.exec(raw.subarray(0, end === -1 ? raw.length : end).toString('utf8'))?.[1] ?? null
}

function replyError(reply: SinkReply): Error {
  const error = new Error(reply.message ?? (reply.code >= 500 ? 'Mailbox unavailable' : 'Try again later')) as Error & { responseCode: number }
  error.responseCode = reply.code
  return error
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  let behaviour: Omit<SmtpSinkOptions, 'keepRaw'> = { reply: options.reply ?? null, delayMs: options.delayMs ?? 0, onAccepted: options.onAccepted }
  const keepRaw = options.keepRaw ?? true
  const messages: SinkMessage[] = []
  const refused: SinkMessage[] = []
  const counts = new Map<string, number>()
  const openSessions = new Set<string>()
  const closedSessions = new Set<string>()
  let attempts = 0
  let paused = false
  const held: Array<() => void> = []
  let port = 0
  let server: SMTPServer | null = null
  const sockets = new Set<Socket>()

  function createServer() {
    const smtp = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      // The sink is a test double: any size goes, and a burst of connections is welcome.
      maxClients: 1000,
      onConnect(session, callback) {
        openSessions.add(session.id)
        callback()
      },
      onMailFrom(_address, _session, callback) {
        attempts++
        callback()
      },
      onRcptTo(_address, _session, callback) {
        const reply = behaviour.reply
        callback(reply && reply.at === 'rcpt' ? replyError(reply) : null)
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('end', () => {
          const raw = Buffer.concat(chunks)
          const message: SinkMessage = {
            raw: keepRaw ? raw : Buffer.alloc(0),
            envelope: {
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
              rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            },
            messageId: headerMessageId(raw),
            clientPort: session.remotePort,
            acceptedAt: 0,
          }
          const answer = () => {
            const reply = behaviour.reply
            if (reply && reply.at !== 'rcpt') {
              refused.push(message)
              return callback(replyError(reply))
            }
            // A client that hung up while we were slow never saw a 250: the message was not taken.
            if (closedSessions.has(session.id)) return callback(new Error('Connection closed'))
            message.acceptedAt = Date.now()
            messages.push(message)
            if (message.messageId) counts.set(message.messageId, (counts.get(message.messageId) ?? 0) + 1)
            callback(null, 'Accepted')
            behaviour.onAccepted?.(message)
          }
          const answerUnlessPaused = () => (paused ? held.push(answer) : answer())
          if (behaviour.delayMs) setTimeout(answerUnlessPaused, behaviour.delayMs)
          else answerUnlessPaused()
        })
      },
      onClose(session: SMTPServerSession) {
        openSessions.delete(session.id)
        closedSessions.add(session.id)
      },
    })
    smtp.on('error', () => {
      // A client killed mid-transaction resets its socket; that is part of the tests, not a failure.
    })
    smtp.server.on('connection', (socket: Socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    return smtp
  }

  async function start() {
    if (server) return
    const smtp = createServer()
    await new Promise<void>((resolve, reject) => {
      smtp.server.once('error', reject)
      smtp.listen(port, '127.0.0.1', () => {
        smtp.server.off('error', reject)
        resolve()
      })
    })
    port = (smtp.server.address() as { port: number }).port
    server = smtp
  }

  async function stop() {
    const smtp = server
    if (!smtp) return
    server = null
    const closed = new Promise<void>((resolve) => smtp.server.close(() => resolve()))
    for (const socket of sockets) socket.destroy()
    await closed
  }

  await start()

  return {
    get port() {
      return port
    },
    get url() {
      return `smtp://127.0.0.1:${port}`
    },
    messages,
    refused,
    get attempts() {
      return attempts
    },
    get openConnections() {
      return openSessions.size
    },
    acceptedCount: (messageId) => counts.get(messageId) ?? 0,
    duplicates: () => [...counts].filter(([, n]) => n > 1).map(([id]) => id),
    configure(next) {
      behaviour = { ...behaviour, ...next }
    },
    pause() {
      paused = true
    },
    resume() {
      paused = false
      for (const answer of held.splice(0)) answer()
    },
    stop,
    start,
    async waitForMessages(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`SMTP sink: ${messages.length} of ${count} messages arrived within ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
  }
}

// Run directly (`tsx tests/mail/__helpers/smtp-sink.ts`), it is a sink in its own process, for
// the benchmark: it prints "port <n>", and on stdin's end prints "accepted <n> duplicates <n>".
if (import.meta.url === `file://${process.argv[1]}`) {
  const sink = await startSmtpSink({ keepRaw: false, delayMs: Number(process.env.SINK_DELAY_MS ?? 0) })
  process.stdout.write(`port ${sink.port}\n`)
  process.stdin.resume()
  process.stdin.on('end', async () => {
    process.stdout.write(`accepted ${sink.messages.length} duplicates ${sink.duplicates().length} rss ${process.memoryUsage().rss}\n`)
    await sink.stop()
    process.exit(0)
  })
}
