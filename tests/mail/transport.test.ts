import { SMTPServer } from 'smtp-server'
import { createMailTransport } from '#app/mail/transport.server'
import { startSmtpSink } from './__helpers/smtp-sink'

// The SMTP transport as SMTP_URL configures it: a small pool of reused connections, and TLS and
// credentials taken from the URL.

const message = (i: number) => ({ from: 'literasi@example.org', to: `peserta-${i}@example.org`, subject: `Pesan ${i}`, text: 'Halo '.repeat(400) })

test('messages share a pool of at most three connections instead of opening one each', async () => {
  const sink = await startSmtpSink()
  const transport = createMailTransport(sink.url)
  try {
    // Three senders at a time, as the worker's lanes send.
    let next = 0
    await Promise.all([0, 1, 2].map(async () => {
      while (next < 30) await transport.send(message(next++))
    }))
    expect(sink.messages).toHaveLength(30)
    expect(new Set(sink.messages.map((m) => m.clientPort)).size).toBeLessThanOrEqual(3)
  } finally {
    transport.close()
    await sink.stop()
  }
})

test.each([
  ['implicit TLS (smtps://)', { secure: true }, 'smtps'],
  ['STARTTLS (smtp://)', {}, 'smtp'],
] as const)('%s works with the credentials in the URL', async (_name, serverOptions, scheme) => {
  const logins: string[] = []
  const secureDeliveries: boolean[] = []
  const server = new SMTPServer({
    ...serverOptions,
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push(`${auth.username}:${auth.password}`)
      callback(null, { user: auth.username })
    },
    onData(stream, session, callback) {
      stream.resume()
      stream.on('end', () => {
        secureDeliveries.push(session.secure)
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.server.address() as { port: number }).port
  // The test server's certificate is self-signed; a URL option accepts it, as a deployment could.
  const transport = createMailTransport(`${scheme}://relay%40example.org:p%40ss%3Aword@127.0.0.1:${port}?tls.rejectUnauthorized=false`)
  try {
    await transport.send(message(1))
    await transport.send(message(2))
    expect(secureDeliveries).toEqual([true, true])
    // Percent-encoded credentials arrive decoded, and the pooled connection logs in once.
    expect(logins).toEqual(['relay@example.org:p@ss:word'])
  } finally {
    transport.close()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})
