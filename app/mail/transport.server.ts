import nodemailer from 'nodemailer'
import type { SendMailOptions } from 'nodemailer'

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
      url: smtpUrl,
      pool: true,
      maxConnections: options.maxConnections ?? 3,
      maxMessages: 500,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
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
