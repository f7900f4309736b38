import type { ChildProcess } from 'node:child_process'
import { getDb } from '#app/utils/db.server'
import { runScript, scriptEnv, spawnScript, stderrLines, waitForExit, type ScriptResult } from '#tests/setup/run-script'
import { queueParticipantInvitations } from './__helpers/mail'
import { startSmtpSink } from './__helpers/smtp-sink'

// With MAIL_WORKER=off the mail is sent by `npm run worker` processes, which serve no pages: with
// METRICS_PORT set, each serves /metrics itself (behind the same METRICS_TOKEN), so its send
// failures reach Prometheus.

const SECRET = 'test-session-secret-that-is-long-enough-0123456789'
const METRICS_TOKEN = 'metrics-token-for-the-worker-tests-0123456789'

type Worker = { child: ChildProcess; exit: Promise<ScriptResult>; port: Promise<number> }

function startWorker(env: Record<string, string>): Worker {
  const child = spawnScript(
    'scripts/worker.ts',
    [],
    scriptEnv({ NODE_ENV: 'test', SESSION_SECRET: SECRET, DATABASE_URL: process.env.DATABASE_URL, MAIL_LEASE_SECONDS: '2', ...env }),
    { singleProcess: true },
  )
  const exit = waitForExit(child, 90_000)
  let stdout = ''
  const port = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /^Metrics on port (\d+)/m.exec(stdout)
      if (match) resolve(Number(match[1]))
    })
    void exit.then((result) => reject(new Error(`worker exited before it served metrics: ${result.stderr}`)))
  })
  return { child, exit, port }
}

function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((row) => row.startsWith(`${series} `))
  return line === undefined ? null : Number(line.slice(series.length + 1))
}

test('a worker whose relay refuses counts each failed send in its own /metrics, behind the token', async () => {
  const sink = await startSmtpSink()
  await sink.stop()
  const { webinarId } = await queueParticipantInvitations(3)
  const worker = startWorker({ SMTP_URL: sink.url, METRICS_PORT: '0', METRICS_TOKEN })
  try {
    const url = `http://127.0.0.1:${await worker.port}/metrics`
    expect((await fetch(url)).status).toBe(401)
    expect((await fetch(url, { headers: { Authorization: `Bearer ${METRICS_TOKEN}x` } })).status).toBe(401)
    expect((await fetch(url.replace('/metrics', '/'), { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404)

    /** Failed attempts as the outbox records them: every attempt of a message still waiting or given up failed. */
    const failedAttempts = async () => {
      const rows = await getDb().selectFrom('outbox').select(['attempts', 'state']).where('webinar_id', '=', webinarId).execute()
      return rows.filter((row) => row.state === 'retrying' || row.state === 'failed').reduce((sum, row) => sum + row.attempts, 0)
    }
    const scraped = async () => {
      const response = await fetch(url, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })
      expect(response.status).toBe(200)
      return sample(await response.text(), 'literasi_mail_send_failures_total{stage="send"}')
    }
    await expect.poll(failedAttempts, { timeout: 20_000 }).toBeGreaterThanOrEqual(3)
    await expect.poll(async () => (await scraped()) === (await failedAttempts()), { timeout: 10_000 }).toBe(true)
    const text = await (await fetch(url, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text()
    // The worker's outbox and process too, as an app process reports them.
    expect(sample(text, 'literasi_outbox_messages{state="retrying"}')).toBeGreaterThanOrEqual(3)
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0)
  } finally {
    worker.child.kill('SIGTERM')
    await worker.exit
  }
}, 60_000)

test('METRICS_PORT that is not a port, or without METRICS_TOKEN, stops the worker with one line', async () => {
  const base = { NODE_ENV: 'test', SESSION_SECRET: SECRET, DATABASE_URL: process.env.DATABASE_URL }
  for (const [env, pattern] of [
    [{ METRICS_PORT: 'sembilan', METRICS_TOKEN }, /^METRICS_PORT: /],
    [{ METRICS_PORT: '70000', METRICS_TOKEN }, /^METRICS_PORT: /],
    [{ METRICS_PORT: '9464' }, /^METRICS_PORT .*METRICS_TOKEN/],
  ] as const) {
    const result = await runScript('scripts/worker.ts', { env: { ...base, ...env }, timeoutMs: 60_000 })
    expect(result.status, JSON.stringify(env)).toBe(1)
    const lines = stderrLines(result)
    expect(lines, result.stderr).toHaveLength(1)
    expect(lines[0]).toMatch(pattern)
  }
  // A port already taken: one line too.
  const taken = startWorker({ METRICS_PORT: '0', METRICS_TOKEN })
  try {
    const result = await runScript('scripts/worker.ts', { env: { ...base, METRICS_PORT: String(await taken.port), METRICS_TOKEN }, timeoutMs: 60_000 })
    expect(result.status).toBe(1)
    expect(stderrLines(result)).toEqual([expect.stringMatching(/^METRICS_PORT: cannot listen on port \d+ \(EADDRINUSE\)$/)])
  } finally {
    taken.child.kill('SIGTERM')
    await taken.exit
  }
}, 120_000)
