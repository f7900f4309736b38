// npm test — every test, the browser tests included, on SQLite and again on PostgreSQL.
// Needs Debian's Chromium and PostgreSQL: installs them when running as root, otherwise stops
// with one line saying how.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { build } from './serve-build'
import { PostgresUnavailableError, startTestPostgres } from './test-postgres'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return
  if (process.getuid?.() !== 0) {
    console.error('Chromium is missing for the browser tests: run `sudo apt-get install -y chromium` (or set CHROMIUM_PATH), then npm test again.')
    process.exit(1)
  }
  console.log('Installing Debian chromium for the browser tests…')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env }) : update
  if (install.status !== 0 || !fs.existsSync(CHROMIUM)) {
    console.error('Could not install chromium with apt-get; install it by hand: apt-get install -y chromium')
    process.exit(1)
  }
}

function vitest(env: NodeJS.ProcessEnv = process.env): number {
  const args = [path.resolve('node_modules/vitest/vitest.mjs'), 'run', '--config', 'tests/vitest.config.ts', '--passWithNoTests', ...process.argv.slice(2)]
  return spawnSync(process.execPath, args, { stdio: 'inherit', env }).status ?? 1
}

ensureChromium()
// The browser tests drive the production build, so build it first.
try {
  build()
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(1)
}

console.log('\n— Tests on SQLite (the embedded default) —')
const onSqlite = vitest()

console.log('\n— Tests on PostgreSQL (a throwaway server) —')
let onPostgres = 1
try {
  const server = await startTestPostgres()
  try {
    onPostgres = vitest({ ...process.env, TEST_POSTGRES_URL: server.serverUrl })
  } finally {
    server.stop()
  }
} catch (error) {
  if (!(error instanceof PostgresUnavailableError)) throw error
  console.error(error.message)
}
process.exit(onSqlite === 0 && onPostgres === 0 ? 0 : 1)
