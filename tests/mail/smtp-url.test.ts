import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runScript, stderrLines } from '#tests/setup/run-script'

// A mistyped SMTP_URL stops `npm start` and `npm run worker` at once, with one line that names
// it, rather than starting a worker that retries a relay that cannot exist.

const SECRET = 'test-session-secret-that-is-long-enough-0123456789'

let dir: string
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-smtp-url-'))
})
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

const badUrls = ['notaurl', 'http://x', 'smtp://', 'smtp:mail.example.org']
const cases = ['scripts/start.ts', 'scripts/worker.ts'].flatMap((script) => badUrls.map((url) => [script, url] as const))

describe.concurrent('a malformed SMTP_URL', () => {
  test.each(cases)('%s exits non-zero with one line naming SMTP_URL for %j', async (script, url) => {
    const file = path.join(dir, `${path.basename(script, '.ts')}-${badUrls.indexOf(url)}.sqlite`)
    const result = await runScript(script, {
      env: { NODE_ENV: 'test', SESSION_SECRET: SECRET, DATABASE_URL: file, SMTP_URL: url },
      timeoutMs: 45_000,
    })
    expect(result.signal, 'the process had to be killed: it did not fail fast').toBeNull()
    expect(result.status).not.toBe(0)
    expect(result.stdout).not.toMatch(/running at|Mail worker/)
    const lines = stderrLines(result)
    expect(lines, result.stderr).toHaveLength(1)
    expect(lines[0]).toMatch(/\bSMTP_URL\b/)
    // It failed before it touched the database.
    expect(fs.existsSync(file)).toBe(false)
  }, 60_000)
})
