import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createDb } from '#app/utils/db.server'
import { TEST_POSTGRES_URL } from '#tests/setup/paths'
import { adminQuery } from '../../scripts/test-postgres'
import { verifyLogin } from '#app/models/user.server'
import { runScript, scriptEnv, spawnScript, stderrLines, waitForExit, type ScriptResult } from '#tests/setup/run-script'
import { demoPasswordFile } from '../../scripts/seed'

// `npm start` and `npm run db:migrate` as a person runs them: a real child process, a real
// environment. Every case here must fail before the web server listens; a child still running
// after CHILD_TIMEOUT_MS is killed and the test fails on the signal.

const CHILD_TIMEOUT_MS = 45_000
const SECRET = 'test-session-secret-that-is-long-enough-0123456789'
/** A database password that must never be printed. */
const DB_PASSWORD = 'rahasia-basis-data-42'

let dir: string
let aFile: string

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-start-'))
  aFile = path.join(dir, 'not-a-folder.txt')
  fs.writeFileSync(aFile, 'a file, not a folder')
})

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

function run(script: string, env: Record<string, string | undefined>) {
  return runScript(script, { env: { NODE_ENV: 'test', SESSION_SECRET: SECRET, ...env }, timeoutMs: CHILD_TIMEOUT_MS })
}

function expectOneLineFailure(result: ScriptResult, variable: string) {
  expect(result.signal, 'the process had to be killed: it did not fail fast').toBeNull()
  expect(result.status).not.toBe(0)
  expect(result.stdout).not.toMatch(/running at/)
  const lines = stderrLines(result)
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(new RegExp(`\\b${variable}\\b`))
  expect(result.stdout + result.stderr).not.toContain(DB_PASSWORD)
}

const badDatabaseUrls: Array<[string, () => string]> = [
  // Port 9 (discard) listens nowhere here: the connection is refused.
  ['a PostgreSQL server that cannot be reached', () => `postgres://literasi:${DB_PASSWORD}@127.0.0.1:9/literasi`],
  ['an unknown scheme', () => 'ftp://x'],
  ['a file in a folder that does not exist', () => path.join(dir, 'missing', 'app.sqlite')],
  ['a file whose parent is a file', () => path.join(aFile, 'app.sqlite')],
  // Even root cannot create a file here.
  ['a file under /proc', () => '/proc/literasi-test.sqlite'],
]

// Each case is its own process, so they run side by side. The parsing of every URL form is
// covered in-process by tests/models/db.test.ts; here each kind of failure is run once.
describe.concurrent('scripts/start.ts', () => {
  test.each(badDatabaseUrls)('exits with one line naming DATABASE_URL for %s', async (_case, url) => {
    expectOneLineFailure(await run('scripts/start.ts', { DATABASE_URL: url() }), 'DATABASE_URL')
  }, 60_000)

  test('exits with one line naming PORT for a bad PORT, before touching the database', async () => {
    const file = path.join(dir, 'start-port.sqlite')
    expectOneLineFailure(await run('scripts/start.ts', { DATABASE_URL: file, PORT: 'abc' }), 'PORT')
    expect(fs.existsSync(file)).toBe(false)
  }, 60_000)

  test('exits with one line naming SESSION_SECRET in production without one', async () => {
    const file = path.join(dir, 'start-secret.sqlite')
    expectOneLineFailure(await run('scripts/start.ts', { NODE_ENV: 'production', SESSION_SECRET: undefined, APP_URL: 'https://webinar.example.org', DATABASE_URL: file }), 'SESSION_SECRET')
    expect(fs.existsSync(file)).toBe(false)
  }, 60_000)

  // Otherwise a worker queues reminders and thank-yous whose links point at http://localhost:3000.
  test.each(['scripts/start.ts', 'scripts/worker.ts'])('%s exits with one line naming APP_URL in production without one, before touching the database', async (script) => {
    const file = path.join(dir, `app-url-${path.basename(script, '.ts')}.sqlite`)
    const result = await run(script, { NODE_ENV: 'production', DATABASE_URL: file })
    expectOneLineFailure(result, 'APP_URL')
    expect(result.stderr).toMatch(/APP_URL: is required in production/)
    expect(fs.existsSync(file)).toBe(false)
  }, 60_000)

  test.each(['scripts/start.ts', 'scripts/worker.ts'])('%s exits with one line naming DATABASE_URL for a PostgreSQL URL whose password is not percent-encoded, never printing any of it', async (script) => {
    const result = await run(script, { DATABASE_URL: 'postgres://lit:p@ss:w/rd#1?@127.0.0.1:9/lit' })
    expectOneLineFailure(result, 'DATABASE_URL')
    expect(result.stderr).toMatch(/not a valid PostgreSQL URL.*percent-encoded/)
    expect(result.stderr).not.toMatch(/p@ss|rd#1|TypeError/)
  }, 60_000)
})

// A server that answers, but with no such database or no such role (the PostgreSQL run only).
describe.skipIf(!TEST_POSTGRES_URL)('scripts/start.ts against a PostgreSQL server', () => {
  const server = () => new URL(TEST_POSTGRES_URL!)
  test.each([
    ['a database that does not exist', () => `postgres://postgres:${DB_PASSWORD}@${server().host}/tidak_ada`],
    ['a role that does not exist', () => `postgres://bukan_pengguna:${DB_PASSWORD}@${server().host}/postgres`],
  ])('exits with one line naming DATABASE_URL for %s, never printing the password', async (_case, url) => {
    const result = await run('scripts/start.ts', { DATABASE_URL: url() })
    expectOneLineFailure(result, 'DATABASE_URL')
    expect(result.stderr).toContain('***')
  }, 60_000)
})

describe.skipIf(!TEST_POSTGRES_URL)('scripts/migrate.ts on a PostgreSQL server', () => {
  test('three processes migrating one empty database at once: all succeed, each migration applied once', async () => {
    const database = `migrate_at_once_${process.pid}`
    await adminQuery(TEST_POSTGRES_URL!, `create database "${database}"`)
    const url = `${TEST_POSTGRES_URL}${database}`
    const results = await Promise.all([0, 1, 2].map(() => run('scripts/migrate.ts', { DATABASE_URL: url })))
    for (const result of results) {
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
    }
    const db = createDb(url)
    try {
      const applied = await db.selectFrom('kysely_migration' as never).select('name' as never).execute()
      const files = fs.readdirSync(path.resolve('db/migrations')).filter((name) => name.endsWith('.ts'))
      expect(applied).toHaveLength(files.length)
      const regencies = await db.selectFrom('regencies').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      expect(regencies.n).toBe(514)
    } finally {
      await db.destroy()
    }
  }, 90_000)
})

describe.concurrent('scripts/migrate.ts', () => {
  test.each([badDatabaseUrls[0]!, badDatabaseUrls[4]!])('exits with one line naming DATABASE_URL for %s', async (_case, url) => {
    expectOneLineFailure(await run('scripts/migrate.ts', { DATABASE_URL: url() }), 'DATABASE_URL')
  }, 60_000)

  test('exits with one line naming PORT for a bad PORT', async () => {
    expectOneLineFailure(await run('scripts/migrate.ts', { DATABASE_URL: path.join(dir, 'migrate-port.sqlite'), PORT: '70000' }), 'PORT')
  }, 60_000)
})

test('migrate succeeds on a fresh file: URL, and a second run has nothing to do', async () => {
  const file = path.join(dir, 'fresh.sqlite')
  const first = await run('scripts/migrate.ts', { DATABASE_URL: `file://${file}` })
  expect(first.stderr).toBe('')
  expect(first.status).toBe(0)
  expect(first.stdout).toMatch(/Applied migrations/)
  expect(fs.existsSync(file)).toBe(true)

  const second = await run('scripts/migrate.ts', { DATABASE_URL: file })
  expect(second.status).toBe(0)
  expect(second.stdout).toMatch(/up to date/)
}, 60_000)

// `npm start` in development (the default NODE_ENV), as a developer runs it, on either engine:
// migrated, seeded, serving, and the same demo password printed on every start.
describe('scripts/start.ts in development', () => {
  async function freePort(): Promise<number> {
    const probe = net.createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as net.AddressInfo
    await new Promise((resolve) => probe.close(resolve))
    return port
  }

  /** Starts the app, waits for the demo password it prints, stops it. */
  async function startOnce(url: string): Promise<{ password: string; stderr: string }> {
    const port = await freePort()
    const child = spawnScript('scripts/start.ts', [], scriptEnv({ DATABASE_URL: url, PORT: String(port) }))
    child.stdin?.end()
    const exit = waitForExit(child, 120_000)
    let stdout = ''
    const password = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        const match = /Demo logins \(password: (\S+)\):/.exec(stdout)
        if (match) resolve(match[1]!)
      })
      child.once('exit', () => reject(new Error(`start exited before printing the demo logins:\n${stdout}`)))
    })
    expect(stdout).toContain(`running at http://localhost:${port}`)
    child.kill('SIGTERM')
    const result = await exit
    return { password, stderr: result.stderr }
  }

  test('migrates, loads the demo data and prints the same generated demo password on every start', async () => {
    let url = path.join(dir, 'development.sqlite')
    if (TEST_POSTGRES_URL) {
      const database = `start_development_${process.pid}`
      await adminQuery(TEST_POSTGRES_URL, `drop database if exists "${database}"`)
      await adminQuery(TEST_POSTGRES_URL, `create database "${database}"`)
      url = `${TEST_POSTGRES_URL}${database}`
    }
    const file = demoPasswordFile(url)
    try {
      const first = await startOnce(url)
      expect(first.stderr).toBe('')
      const second = await startOnce(url)
      expect(second.stderr).toBe('')
      expect(second.password).toBe(first.password)
      const db = createDb(url)
      try {
        expect(await verifyLogin(db, 'organiser@example.org', first.password)).toMatchObject({ role: 'organiser' })
      } finally {
        await db.destroy()
      }
    } finally {
      fs.rmSync(file, { force: true })
    }
  }, 240_000)
})
