// A throwaway PostgreSQL server for the tests and the benchmarks: Debian's `postgresql` package,
// a cluster made with initdb in a temporary folder (as the `postgres` user when we are root),
// on a free port of 127.0.0.1, with fsync off. Stopped and removed by stop().
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

export const INSTALL_HINT = 'PostgreSQL is missing for the tests: run `sudo apt-get install -y postgresql` (Debian), then npm test again.'

export class PostgresUnavailableError extends Error {}

/** The directory holding initdb and pg_ctl: on PATH, or Debian's versioned folder. */
function findBinaries(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'))) return dir
  }
  const debian = '/usr/lib/postgresql'
  if (!fs.existsSync(debian)) return null
  const versions = fs
    .readdirSync(debian)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a))
  for (const version of versions) {
    const bin = path.join(debian, version, 'bin')
    if (fs.existsSync(path.join(bin, 'initdb'))) return bin
  }
  return null
}

/** Installs Debian's postgresql when we are root and it is missing; otherwise says how, in one line. */
export function ensurePostgresInstalled(): string {
  const found = findBinaries()
  if (found) return found
  if (process.getuid?.() !== 0) throw new PostgresUnavailableError(INSTALL_HINT)
  console.log('Installing Debian postgresql for the tests…')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], { stdio: 'inherit', env }) : update
  const bin = findBinaries()
  if (install.status !== 0 || !bin) throw new PostgresUnavailableError('Could not install postgresql with apt-get; install it by hand: apt-get install -y postgresql')
  return bin
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

export type TestPostgres = {
  /** postgres://postgres@127.0.0.1:<port>/ without a database name. */
  serverUrl: string
  /** The URL of one database on the server. */
  urlOf(database: string): string
  stop(): void
}

/** Starts a fresh cluster. Root runs the server as the `postgres` user, which initdb requires. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = ensurePostgresInstalled()
  const asRoot = process.getuid?.() === 0
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'literasi-pg-'))
  const data = path.join(dir, 'data')
  if (asRoot) fs.chownSync(dir, uidOf('postgres'), gidOf('postgres'))
  const run = (command: string, args: string[]) => {
    const full = path.join(bin, command)
    const result = asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', full, ...args], { encoding: 'utf8' })
      : spawnSync(full, args, { encoding: 'utf8' })
    if (result.status !== 0) throw new PostgresUnavailableError(`${command} failed: ${(result.stderr || result.stdout || '').trim().split('\n').slice(-3).join(' ')}`)
  }
  // C collation, so text sorts by code point as it does on SQLite (see README, Production).
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'])
  const port = await freePort()
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=400',
    '-c shared_buffers=64MB',
  ].join(' ')
  run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start'])
  const serverUrl = `postgres://postgres@127.0.0.1:${port}/`
  return {
    serverUrl,
    urlOf: (database) => `${serverUrl}${database}`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}

function idOf(flag: '-u' | '-g', name: string): number {
  const result = spawnSync('id', [flag, name], { encoding: 'utf8' })
  if (result.status !== 0) throw new PostgresUnavailableError(`No "${name}" user to run PostgreSQL as; is the postgresql package installed?`)
  return Number(result.stdout.trim())
}
const uidOf = (name: string) => idOf('-u', name)
const gidOf = (name: string) => idOf('-g', name)

/** A new database copied from `template` (migrated once), for one test file or one test server. */
export async function createDatabaseFrom(serverUrl: string, template: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${serverUrl}postgres` })
  await client.connect()
  try {
    // Two copies of one template at the same moment can collide; the second tries again.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`create database "${name}" template "${template}"`)
        return
      } catch (error) {
        if (attempt >= 20) throw error
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt))
      }
    }
  } finally {
    await client.end()
  }
}

/** Runs SQL on the server's maintenance database. */
export async function adminQuery(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${serverUrl}postgres` })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}
