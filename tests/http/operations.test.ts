// What the operations team reads, over real HTTP: one JSON log line per request that names its
// route and never a token, an address, an e-mail or a query; request ids; and /metrics, behind
// its token, counting what happened in every process that serves the port.
import http from 'node:http'
import { register } from 'prom-client'
import { countOutboxByState } from '#app/models/outbox.server'
import { createStaff, get, postForm, publishWebinarOn, residentForm, startTestServer, type TestServer } from '#tests/e2e/harness'
import { deliverAll, smtpWorker } from '#tests/mail/__helpers/mail'
import { startSmtpSink } from '#tests/mail/__helpers/smtp-sink'
import { publishedWebinar } from '#tests/setup/factories'
import { TEST_ENGINE } from '#tests/setup/paths'

const METRICS_TOKEN = 'metrics-token-for-the-tests-0123456789abcdef'
const BEARER = { Authorization: `Bearer ${METRICS_TOKEN}` }
const CLIENT_ADDRESS = '198.51.100.23'

/** Logs on, /metrics on, behind one proxy (the test's connection). */
let server: TestServer
/** The defaults: no token, no trusted proxy. */
let plain: TestServer
let slug: string

beforeAll(async () => {
  ;[server, plain] = await Promise.all([
    startTestServer({ env: { LOG_REQUESTS: 'on', METRICS_TOKEN, TRUST_PROXY: '1' } }),
    startTestServer(),
  ])
  const organiser = await createStaff(server.db, 'organiser')
  slug = (await publishWebinarOn(server.db, organiser.id)).slug
})

afterAll(async () => {
  await Promise.all([server?.stop(), plain?.stop()])
})

let n = 0
function nextResident() {
  n++
  return residentForm('Metrik', n)
}

async function scrape(target: TestServer): Promise<string> {
  const response = await get(target, '/metrics', { headers: BEARER })
  expect(response.status).toBe(200)
  return response.text()
}

/** The value of one sample, e.g. `literasi_registrations_total{outcome="registered",reason=""}`; null when absent. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((row) => row.startsWith(`${series} `))
  return line === undefined ? null : Number(line.slice(series.length + 1))
}

/** The log lines the server has printed for this request id. */
async function logLineFor(target: TestServer, id: string): Promise<string> {
  // The line is written when the response closes, a moment after the client has it.
  await expect.poll(() => target.output().split('\n').some((line) => line.includes(`"id":"${id}"`))).toBe(true)
  return target.output().split('\n').find((line) => line.includes(`"id":"${id}"`))!
}

describe('/metrics', () => {
  test('does not exist without METRICS_TOKEN', async () => {
    expect((await get(plain, '/metrics')).status).toBe(404)
    expect((await get(plain, '/metrics', { headers: BEARER })).status).toBe(404)
  })

  test('refuses a missing or wrong token with 401', async () => {
    const missing = await get(server, '/metrics')
    expect(missing.status).toBe(401)
    expect(missing.headers.get('WWW-Authenticate')).toMatch(/^Bearer/)
    for (const authorization of [`Bearer ${METRICS_TOKEN.slice(0, -1)}`, `Bearer ${METRICS_TOKEN}x`, `Basic ${METRICS_TOKEN}`, METRICS_TOKEN, 'Bearer ']) {
      const response = await get(server, '/metrics', { headers: { Authorization: authorization } })
      expect(response.status, authorization).toBe(401)
      expect(await response.text()).not.toContain('literasi_')
    }
  })

  test('a registration over HTTP shows in the counters the build increments and the histogram the server records', async () => {
    const before = await scrape(server)
    expect(sample(before, 'literasi_registrations_total{outcome="registered",reason=""}')).toBeNull()

    const response = await postForm(server, `/webinars/${slug}`, nextResident())
    expect(response.status).toBe(303)

    const after = await scrape(server)
    expect(after).toMatch(/^# TYPE literasi_registrations_total counter$/m)
    expect(sample(after, 'literasi_registrations_total{outcome="registered",reason=""}')).toBe(1)
    expect(sample(after, 'literasi_http_request_duration_seconds_count{method="POST",route="routes/webinars.$slug._index",status="303"}')).toBe(1)
    // Counted on the scrape, from the same table the model reads.
    const outbox = await countOutboxByState(server.db)
    expect(outbox.queued).toBeGreaterThan(0)
    expect(sample(after, 'literasi_outbox_messages{state="queued"}')).toBe(outbox.queued)
    expect(sample(after, 'literasi_outbox_messages{state="failed"}')).toBe(0)
    // A PostgreSQL pool has connections to report; SQLite has none.
    const pool = sample(after, 'literasi_db_pool_connections{pool="requests",state="total"}')
    if (TEST_ENGINE === 'postgres') expect(pool).toBeGreaterThan(0)
    else expect(pool).toBeNull()
    // And the process itself.
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(0)
  })

  // The scrape's own outbox count runs on the pool it reports: read while that query waits for a
  // connection, every scrape of an idle server showed one query waiting.
  test.skipIf(TEST_ENGINE !== 'postgres')('on an idle server, no scrape reports a query waiting for a connection', async () => {
    // The pool holds an idle connection, as a server that has answered anything does.
    expect((await get(server, '/healthz')).status).toBe(200)
    for (let i = 0; i < 6; i++) {
      const text = await scrape(server)
      expect(sample(text, 'literasi_db_pool_connections{pool="requests",state="total"}')).toBeGreaterThan(0)
      expect(sample(text, 'literasi_db_pool_connections{pool="requests",state="waiting"}'), `scrape ${i + 1}`).toBe(0)
    }
  })

  test('the same e-mail registering again counts as repeated, not registered', async () => {
    const form = nextResident()
    expect((await postForm(server, `/webinars/${slug}`, form)).status).toBe(303)
    expect((await postForm(server, `/webinars/${slug}`, { ...form, name: `${form.name} lagi` })).status).toBe(303)
    const text = await scrape(server)
    expect(sample(text, 'literasi_registrations_total{outcome="registered",reason=""}')).toBe(2)
    expect(sample(text, 'literasi_registrations_total{outcome="repeated",reason=""}')).toBe(1)
  })
})

describe('request logs', () => {
  test('a personal link is logged by its route and status, without its token, the query or the client address', async () => {
    const form = nextResident()
    expect((await postForm(server, `/webinars/${slug}`, form, { headers: { 'X-Forwarded-For': CLIENT_ADDRESS } })).status).toBe(303)
    const invitation = await server.db.selectFrom('outbox').select('payload').where('recipient_email', '=', form.email).executeTakeFirstOrThrow()
    const personalPath = new URL((JSON.parse(invitation.payload) as { personalUrl: string }).personalUrl).pathname
    const token = personalPath.split('/')[2]!
    expect(token.length).toBeGreaterThan(10)

    const response = await get(server, `${personalPath}?utm_source=wa-${token.slice(0, 6)}-secret`, { headers: { 'X-Forwarded-For': CLIENT_ADDRESS } })
    expect(response.status).toBe(200)
    const id = response.headers.get('X-Request-Id')!
    const line = await logLineFor(server, id)

    expect(JSON.parse(line)).toMatchObject({ event: 'request', id, method: 'GET', route: 'routes/r.$token._index', status: 200 })
    expect(JSON.parse(line).bytes).toBeGreaterThan(0)
    expect(typeof JSON.parse(line).ms).toBe('number')
    // Nothing the server printed carries the token, the query, the address or an e-mail.
    const output = server.output()
    expect(output).not.toContain(token)
    expect(output).not.toContain('utm_source')
    expect(output).not.toContain(CLIENT_ADDRESS)
    expect(output).not.toContain('127.0.0.1')
    expect(output).not.toContain('@')
  })

  test('every line is one JSON object', async () => {
    await get(server, '/')
    const lines = server.output().split('\n').filter((line) => line.startsWith('{'))
    expect(lines.length).toBeGreaterThan(3)
    for (const line of lines) expect(Object.keys(JSON.parse(line))).toEqual(expect.arrayContaining(['time', 'id', 'method', 'route', 'status', 'ms', 'bytes']))
  })

  test('the build\'s files are logged as static, and a path no route knows under the catch-all route', async () => {
    const missing = await get(server, '/tidak-ada/sama-sekali')
    expect(missing.status).toBe(404)
    expect(JSON.parse(await logLineFor(server, missing.headers.get('X-Request-Id')!))).toMatchObject({ route: 'routes/$', status: 404 })
    const asset = await get(server, '/build/no-such-file.js')
    expect(JSON.parse(await logLineFor(server, asset.headers.get('X-Request-Id')!))).toMatchObject({ route: 'static' })
  })

  test('are off unless asked for (the harness leaves them off, as tests and development do)', async () => {
    await get(plain, '/')
    expect(plain.output()).not.toContain('"event":"request"')
  })
})

describe('X-Request-Id', () => {
  test('a trusted proxy\'s id is kept, answered and logged', async () => {
    const response = await get(server, '/healthz', { headers: { 'X-Request-Id': 'edge-7f3a9c:01' } })
    expect(response.headers.get('X-Request-Id')).toBe('edge-7f3a9c:01')
    expect(JSON.parse(await logLineFor(server, 'edge-7f3a9c:01'))).toMatchObject({ route: 'routes/healthz', status: 200 })
  })

  test('an id that could break a log line is replaced', async () => {
    for (const offered of ['a"b', 'x'.repeat(129), 'id with spaces']) {
      const response = await get(server, '/healthz', { headers: { 'X-Request-Id': offered } })
      expect(response.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  test('from a peer that is not a trusted proxy, the id is the server\'s own', async () => {
    const response = await get(plain, '/healthz', { headers: { 'X-Request-Id': 'forged-by-the-client' } })
    expect(response.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe('several processes on one port (WEB_CONCURRENCY=2)', () => {
  let cluster: TestServer
  let clusterSlug: string

  beforeAll(async () => {
    cluster = await startTestServer({ env: { WEB_CONCURRENCY: '2', METRICS_TOKEN } })
    const organiser = await createStaff(cluster.db, 'organiser')
    clusterSlug = (await publishWebinarOn(cluster.db, organiser.id)).slug
  })

  afterAll(async () => {
    await cluster?.stop()
  })

  /** A request on a connection of its own, so the cluster hands each to the next process. */
  function onNewConnection(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const request = http.request(new URL(path, cluster.url), { method, headers, agent: false }, (response) => {
        let text = ''
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }))
      })
      request.on('error', reject)
      request.end(body)
    })
  }

  test('every scrape answers for all processes: each registration is counted once, whichever process took it', async () => {
    const registrations = 4
    for (let i = 0; i < registrations; i++) {
      const body = new URLSearchParams(nextResident()).toString()
      const response = await onNewConnection('POST', `/webinars/${clusterSlug}`, { Origin: cluster.url, 'Content-Type': 'application/x-www-form-urlencoded' }, body)
      expect(response.status).toBe(303)
    }
    for (let i = 0; i < 4; i++) {
      const response = await onNewConnection('GET', '/metrics', BEARER)
      expect(response.status).toBe(200)
      expect(sample(response.text, 'literasi_registrations_total{outcome="registered",reason=""}')).toBe(registrations)
      // Every process reads the same outbox: one count, not one per process.
      expect(sample(response.text, 'literasi_outbox_messages{state="queued"}')).toBe((await countOutboxByState(cluster.db)).queued)
    }
  })
})

test('a failed send is counted in the process that tried it', async () => {
  const sink = await startSmtpSink()
  await sink.stop()
  const { worker } = smtpWorker(sink.url)
  const counted = async () => (await register.getSingleMetric('literasi_mail_send_failures_total')!.get()).values.find((v) => v.labels.stage === 'send')?.value ?? 0
  const before = await counted()
  await publishedWebinar()
  const { failed } = await deliverAll(worker)
  expect(failed).toBeGreaterThan(0)
  expect(await counted()).toBe(before + failed)
})
