// A small HTTP load generator for the benchmarks: keep-alive connections, closed loop (N workers
// as fast as the server answers) or open loop (a fixed rate, whatever the server does), with
// per-request latency. Its requests go only to the server the benchmark started on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export type LoadRequest = { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string }
export type LoadResult = { durationMs: number; count: number; statuses: Record<number, number>; errors: number; latenciesMs: number[]; bytes: number }

function send(agent: http.Agent, base: URL, request: LoadRequest): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const body = request.body === undefined ? undefined : Buffer.from(request.body)
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: request.method,
        path: request.path,
        headers: { ...request.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) },
      },
      (res) => {
        let bytes = 0
        res.on('data', (chunk: Buffer) => (bytes += chunk.length))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

function emptyResult(): LoadResult {
  return { durationMs: 0, count: 0, statuses: {}, errors: 0, latenciesMs: [], bytes: 0 }
}

async function timed(agent: http.Agent, base: URL, request: LoadRequest, result: LoadResult) {
  const started = performance.now()
  try {
    const { status, bytes } = await send(agent, base, request)
    result.statuses[status] = (result.statuses[status] ?? 0) + 1
    result.bytes += bytes
  } catch {
    result.errors++
  }
  result.latenciesMs.push(performance.now() - started)
  result.count++
}

/** `concurrency` connections, each sending its next request as soon as the last is answered. */
export async function closedLoop(baseUrl: string, options: { concurrency: number; total?: number; durationMs?: number; request: (i: number) => LoadRequest }) {
  const base = new URL(baseUrl)
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency })
  const result = emptyResult()
  let next = 0
  const started = performance.now()
  const deadline = options.durationMs ? started + options.durationMs : Infinity
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while ((options.total === undefined || next < options.total) && performance.now() < deadline) {
        await timed(agent, base, options.request(next++), result)
      }
    }),
  )
  result.durationMs = performance.now() - started
  agent.destroy()
  return result
}

/**
 * Requests sent at a fixed rate, each on its own schedule, however slowly the server answers.
 * Like wrk2, it opens its connections (64 unless told) before the clock starts: in production a
 * reverse proxy keeps a pool of connections open to the app, so a phone's connection set-up is
 * not part of the app's latency.
 */
export async function openLoop(baseUrl: string, options: { ratePerSec: number; durationMs: number; request: (i: number) => LoadRequest; connections?: number }) {
  const base = new URL(baseUrl)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
  await Promise.all(Array.from({ length: options.connections ?? 64 }, () => send(agent, base, { method: 'GET', path: '/healthz' })))
  const result = emptyResult()
  const total = Math.round((options.ratePerSec * options.durationMs) / 1000)
  const interval = 1000 / options.ratePerSec
  const started = performance.now()
  const inflight: Promise<void>[] = []
  for (let i = 0; i < total; i++) {
    const due = started + i * interval
    const wait = due - performance.now()
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
    inflight.push(timed(agent, base, options.request(i), result))
  }
  await Promise.all(inflight)
  result.durationMs = performance.now() - started
  agent.destroy()
  return result
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/**
 * The production build's environment on a benchmark's own database, WEB_CONCURRENCY processes.
 * Every request from 127.0.0.1 is one address to the limits, as a school hall or a carrier's CGNAT.
 */
export function productionEnv(databaseUrl: string, processes: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: 'bench-session-secret-that-is-long-enough-0123456789',
    TRUST_PROXY: 'false',
    SMTP_URL: '',
    WEB_CONCURRENCY: String(processes),
  }
}

/** A script that prints `PORT=<n>` once it listens (scripts/serve.ts, a bare server), in a child process. */
export function startServer(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  // BENCH_PROFILE_DIR=/some/dir writes a V8 CPU profile of each server, for finding where time goes.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []
  // Request logs would measure the log's cost too; a benchmark asks for them explicitly.
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { LOG_REQUESTS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /PORT=(\d+)/.exec(out)
      if (match) resolve({ url: `http://127.0.0.1:${match[1]}`, child })
    })
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)))
  })
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit')
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

export const perSecond = (r: LoadResult) => Math.round((r.count * 1000) / r.durationMs)
export const statuses = (r: LoadResult) =>
  Object.entries(r.statuses)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ') + (r.errors ? ` errors×${r.errors}` : '')

/** Several runs as one: their counts, statuses and latencies together (durations add up). */
export function mergeResults(results: LoadResult[]): LoadResult {
  const merged = emptyResult()
  for (const r of results) {
    merged.durationMs += r.durationMs
    merged.count += r.count
    merged.errors += r.errors
    merged.bytes += r.bytes
    merged.latenciesMs.push(...r.latenciesMs)
    for (const [status, n] of Object.entries(r.statuses)) merged.statuses[Number(status)] = (merged.statuses[Number(status)] ?? 0) + n
  }
  return merged
}
