import cluster from 'node:cluster'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHash, timingSafeEqual } from 'node:crypto'
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, register, type Metric, type MetricObjectWithValues, type MetricValue } from 'prom-client'
import type { MailState } from '#db/schema'
import { countOutboxByState } from '#app/models/outbox.server'
import type { RegisterResult } from '#app/models/registration.server'
import { poolStats, type DB } from './db.server'
import { EnvError } from './env.server'

// Prometheus metrics, on prom-client's default registry.
//
// This module is loaded twice in one process: once inside the app's build (routes, the mail
// worker) and once by the scripts around it (scripts/server.ts times every request). prom-client
// is not bundled, so both copies share its one default registry; each metric is therefore created
// only if the other copy has not created it yet, and what both copies must see (the databases to
// read on a scrape) lives on globalThis.

function shared<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create()
}

/** Request durations by route pattern (never the raw path: personal links carry tokens). */
export const httpRequestDuration = shared(
  'literasi_http_request_duration_seconds',
  () =>
    new Histogram({
      name: 'literasi_http_request_duration_seconds',
      help: 'HTTP requests by method, route (Remix route id) and status, with their duration in seconds',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
)

const registrations = shared(
  'literasi_registrations_total',
  () =>
    new Counter({
      name: 'literasi_registrations_total',
      help: 'Registration posts that reached the model, by outcome (registered, waitlisted, repeated, refused) and refusal reason',
      labelNames: ['outcome', 'reason'] as const,
    }),
)

const mailSendFailures = shared(
  'literasi_mail_send_failures_total',
  () =>
    new Counter({
      name: 'literasi_mail_send_failures_total',
      help: 'Mail delivery attempts that failed in this process, by stage (render or send)',
      labelNames: ['stage'] as const,
    }),
)

const OUTBOX_STATES = Object.keys({ queued: 0, sending: 0, retrying: 0, sent: 0, failed: 0 } satisfies Record<MailState, 0>) as MailState[]

/**
 * How a scrape reads one database. The functions come from the copy of this module that
 * registered the database, so each reads it with its own copy of db.server (where the pool is).
 */
type Database = { countOutbox: () => ReturnType<typeof countOutboxByState>; poolStats: () => ReturnType<typeof poolStats> }
type Databases = Map<string, Database>
const DATABASES = Symbol.for('literasi.metrics.databases')
/** The databases this process reads on a scrape, by pool name; shared by both copies of this module. */
const databases: Databases = ((globalThis as { [DATABASES]?: Databases })[DATABASES] ??= new Map())

shared(
  'literasi_outbox_messages',
  () =>
    new Gauge({
      name: 'literasi_outbox_messages',
      help: 'Messages in the outbox by state, counted when scraped',
      labelNames: ['state'] as const,
      // Every process counts the same table: across a cluster, one count is the count.
      aggregator: 'max',
      async collect() {
        const database = databases.values().next().value
        if (!database) return
        // A scrape calls every metric's collect in one go. The pool gauge reads its pools in that
        // go; this count waits a turn first, so the gauge never sees the scrape's own query queued.
        await new Promise((resolve) => setImmediate(resolve))
        try {
          const counts = await database.countOutbox()
          for (const state of OUTBOX_STATES) this.set({ state }, counts[state] ?? 0)
        } catch {
          // An unreachable database must not take the other metrics down with it: no value is no news.
          this.reset()
        }
      },
    }),
)

shared(
  'literasi_db_pool_connections',
  () =>
    new Gauge({
      name: 'literasi_db_pool_connections',
      help: 'PostgreSQL pool connections by pool (requests, jobs) and state (total, idle, waiting: queries waiting for a connection), read before the scrape queries anything',
      labelNames: ['pool', 'state'] as const,
      // Synchronous, so it reads the pools before literasi_outbox_messages starts its count.
      collect() {
        for (const [pool, database] of databases) {
          const stats = database.poolStats()
          if (!stats) continue
          this.set({ pool, state: 'total' }, stats.total)
          this.set({ pool, state: 'idle' }, stats.idle)
          this.set({ pool, state: 'waiting' }, stats.waiting)
        }
      },
    }),
)

// Memory, CPU, event-loop delay and open handles of the Node process: registered once.
if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics()

/** Records what registerParticipant answered. */
export function countRegistration(result: RegisterResult): void {
  if (result.ok) registrations.inc({ outcome: result.repeated ? 'repeated' : result.status, reason: '' })
  else registrations.inc({ outcome: 'refused', reason: result.reason })
}

export function countMailFailure(stage: 'render' | 'send'): void {
  mailSendFailures.inc({ stage })
}

/**
 * Scrapes read the outbox and the pool through this connection (a getter: a process that has not
 * served a page yet opens it on its first scrape). `pool` names it: `requests` for the one pages
 * use, `jobs` for the one the mail worker and housekeeping use in `npm start`.
 */
export function observeDatabase(db: () => DB, pool: 'requests' | 'jobs'): void {
  if (!databases.has(pool)) databases.set(pool, { countOutbox: () => countOutboxByState(db()), poolStats: () => poolStats(db()) })
}

// --- Several processes on one port (WEB_CONCURRENCY, node:cluster) --------------------------
//
// A scrape reaches whichever process the cluster hands the connection to, so that process asks
// the primary, which gathers every worker's metrics and its own (the in-process mail worker
// lives there) and sums them with prom-client's aggregator.

const ASK_CLUSTER = 'literasi:metrics:cluster'
const ASK_PROCESS = 'literasi:metrics:process'
const ANSWER_TIMEOUT_MS = 5000

type Ask = { type: typeof ASK_CLUSTER | typeof ASK_PROCESS; id: number }
type Answer = { type: `${Ask['type']}:answer`; id: number; text?: string; metrics?: Metrics; error?: string }
type Metrics = MetricObjectWithValues<MetricValue<string>>[]

let nextId = 0

function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type
}

/** Waits for the answer with this id; rejects after ANSWER_TIMEOUT_MS, so a stuck process fails the scrape rather than hangs it. */
function awaitAnswer<T>(
  subscribe: (listener: (message: unknown) => void) => () => void,
  type: Answer['type'],
  id: number,
  read: (answer: Answer) => T,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error(`no ${type} within ${ANSWER_TIMEOUT_MS} ms`))
    }, ANSWER_TIMEOUT_MS)
    const unsubscribe = subscribe((message) => {
      if (!isMessage<Answer>(message, type) || message.id !== id) return
      clearTimeout(timer)
      unsubscribe()
      if (message.error) reject(new Error(message.error))
      else resolve(read(message))
    })
  })
}

/** The text a scrape returns: this process's metrics, or in a cluster worker the whole cluster's. */
export async function metricsText(): Promise<string> {
  if (!cluster.isWorker || !process.send) return register.metrics()
  const id = nextId++
  const answer = awaitAnswer(
    (listener) => {
      process.on('message', listener)
      return () => process.off('message', listener)
    },
    `${ASK_CLUSTER}:answer`,
    id,
    (message) => message.text ?? '',
  )
  process.send({ type: ASK_CLUSTER, id } satisfies Ask)
  return answer
}

export const metricsContentType = register.contentType

/** Whether the request carries `Authorization: Bearer <token>`, compared in constant time. */
export function hasBearerToken(request: Request, token: string): boolean {
  return bearerMatches(request.headers.get('Authorization'), token)
}

/** Whether an Authorization header is `Bearer <token>`, compared in constant time. */
function bearerMatches(authorization: string | null | undefined, token: string): boolean {
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '')
  // Digests have one length whatever was sent, so neither the comparison nor its length check leaks.
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(match?.[1] ?? ''), digest(token)) && match !== null
}

/**
 * Call once in each process of a cluster, primary and workers alike (scripts/start.ts and
 * scripts/serve.ts do): workers answer the primary with their own metrics, the primary answers
 * a worker's scrape with everyone's.
 */
export function shareMetricsAcrossCluster(): void {
  if (cluster.isWorker) {
    process.on('message', (message) => {
      if (!isMessage<Ask>(message, ASK_PROCESS)) return
      const reply = (answer: Omit<Answer, 'type' | 'id'>) => process.send?.({ type: `${ASK_PROCESS}:answer`, id: message.id, ...answer } satisfies Answer)
      register.getMetricsAsJSON().then(
        (metrics) => reply({ metrics }),
        (error: unknown) => reply({ error: String(error) }),
      )
    })
    return
  }
  cluster.on('message', (worker, message) => {
    if (!isMessage<Ask>(message, ASK_CLUSTER)) return
    gatherCluster().then(
      (text) => worker.send({ type: `${ASK_CLUSTER}:answer`, id: message.id, text } satisfies Answer),
      (error: unknown) => worker.send({ type: `${ASK_CLUSTER}:answer`, id: message.id, error: String(error) } satisfies Answer),
    )
  })
}

async function gatherCluster(): Promise<string> {
  const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker?.isConnected())
  const answers = workers.map((worker) => {
    const id = nextId++
    const answer = awaitAnswer(
      (listener) => {
        const onMessage = (message: unknown) => listener(message)
        worker!.on('message', onMessage)
        return () => worker!.off('message', onMessage)
      },
      `${ASK_PROCESS}:answer`,
      id,
      (message) => message.metrics ?? [],
    )
    worker!.send({ type: ASK_PROCESS, id } satisfies Ask)
    return answer
  })
  const all = await Promise.all([register.getMetricsAsJSON(), ...answers])
  return AggregatorRegistry.aggregate(all).metrics()
}

// --- Processes that serve no pages (npm run worker) -----------------------------------------

/**
 * METRICS_PORT, for `npm run worker`: the port its own /metrics listens on (0 picks a free one),
 * or null when unset. It needs METRICS_TOKEN, as the app's /metrics does.
 */
export function metricsPortFrom(value: string | undefined, token: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null
  const port = Number(value.trim())
  if (!/^\d+$/.test(value.trim()) || port > 65_535) throw new EnvError(`METRICS_PORT: "${value}" is not a port (a whole number from 0 to 65535; 0 picks a free one)`)
  if (!token) throw new EnvError('METRICS_PORT is set but METRICS_TOKEN is not: /metrics is served only behind its token')
  return port
}

/**
 * Serves this process's metrics at GET /metrics on `port`, behind the token as the app's route is
 * (401 without it); anything else is 404. Resolves with the server once it listens.
 */
export async function serveMetrics(port: number, token: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return void res.writeHead(404).end('Not found')
    if (!bearerMatches(req.headers.authorization, token)) {
      return void res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="metrics"' }).end('Unauthorized')
    }
    register.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': metricsContentType, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text),
      () => res.writeHead(503, { 'Cache-Control': 'no-store' }).end('Metrics unavailable'),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new EnvError(`METRICS_PORT: cannot listen on port ${port} (${error.code ?? error.message})`)))
    server.listen(port, () => resolve())
  })
  return server
}

/** The port a server listens on (METRICS_PORT=0 picks one). */
export function listeningPort(server: http.Server): number {
  return (server.address() as AddressInfo).port
}
