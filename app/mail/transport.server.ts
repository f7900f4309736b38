import net from 'node:net'
import nodemailer from 'nodemailer'
import type { SendMailOptions } from 'nodemailer'
import { parseConnectionUrl } from 'nodemailer/lib/shared/index.js'

export type MailTransport = {
  /** 'smtp' with SMTP_URL; 'outbox' keeps raw MIME in the database instead. */
  name: 'smtp' | 'outbox'
  send(message: SendMailOptions): Promise<{ raw: string | null }>
  close(): void
}

/**
 * With SMTP_URL: a pooled SMTP connection (a few sockets reused across messages), with
 * timeouts well below the worker's lease. Without: nodemailer renders raw MIME, kept as the
 * app's outbox so someone trying the app can read every message.
 */
export function createMailTransport(smtpUrl: string | undefined, options: { maxConnections?: number } = {}): MailTransport {
  if (smtpUrl) {
    const transporter = nodemailer.createTransport({
      pool: true,
      maxConnections: options.maxConnections ?? 3,
      maxMessages: 500,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
      // Parsed here, not passed as `url`: given a url, nodemailer drops every other option
      // (no pool, its default 10-minute timeouts). Options in the URL's query still win.
      ...parseConnectionUrl(smtpUrl),
      // nodemailer writes a message in several pieces; with Nagle's algorithm on, the last piece
      // waits for the relay's delayed ACK (about 40 ms), which capped each connection near 20
      // messages/s. nodemailer has no noDelay option, so it gets a socket that has one.
      getSocket(socketOptions: { host?: string; port?: number; secure?: boolean }, callback: (error: Error | null, socket: { connection: net.Socket }) => void) {
        const socket = net.connect({ host: socketOptions.host ?? 'localhost', port: socketOptions.port ?? (socketOptions.secure ? 465 : 587) })
        socket.setNoDelay(true)
        callback(null, { connection: socket })
      },
    } as nodemailer.TransportOptions)
    return {
      name: 'smtp',
      async send(message) {
        await transporter.sendMail(message)
        return { raw: null }
      },
      close: () => transporter.close(),
    }
  }
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'crlf' })
  return {
    name: 'outbox',
    async send(message) {
      const info = await transporter.sendMail(message)
      return { raw: (info.message as Buffer).toString('utf8') }
    },
    close: () => transporter.close(),
  }
}
