// npm test — every test, the browser tests included. Needs Debian's Chromium: installs it
// when running as root, otherwise stops with one line saying how.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { build } from './serve-build'

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

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  return spawnSync(command, args, { stdio: 'inherit', env }).status ?? 1
}

ensureChromium()
// The browser tests drive the production build, so build it first.
try {
  build()
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(1)
}
process.exit(run(process.execPath, [path.resolve('node_modules/vitest/vitest.mjs'), 'run', '--config', 'tests/vitest.config.ts', ...process.argv.slice(2)]))
