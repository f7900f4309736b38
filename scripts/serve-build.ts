// The production build on disk: rebuilt when the sources are newer, loaded for createApp.
// Shared by `npm start` and the test server, so tests serve exactly what users get.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'

export const BUILD_FILE = path.resolve('build/index.js')

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs)
  }
  return newest
}

/** Whether build/index.js exists and is newer than every source it was built from. */
export function buildIsCurrent(): boolean {
  const sources = Math.max(newestMtime(path.resolve('app')), fs.statSync('remix.config.js').mtimeMs, fs.statSync('package.json').mtimeMs)
  return fs.existsSync(BUILD_FILE) && fs.statSync(BUILD_FILE).mtimeMs >= sources
}

/**
 * Builds when the build is missing or older than the sources. In production the build is made
 * beforehand (`npm run build`, with the dev dependencies), since a production install
 * (`npm ci --omit=dev`) has no compiler: the build on disk is used as it is.
 */
export function buildIfNeeded(env: { NODE_ENV?: string } = process.env): void {
  if (env.NODE_ENV === 'production') {
    if (!fs.existsSync(BUILD_FILE)) throw new BuildMissingError('The app is not built: run `npm ci && npm run build` before the production install and start (see README, Production).')
    return
  }
  if (buildIsCurrent()) return
  console.log('Building the app…')
  build()
}

export class BuildMissingError extends Error {}

/** The production build (build/ and public/build/), whatever its age. */
export function build(): void {
  const result = spawnSync(process.execPath, [path.resolve('node_modules/@remix-run/dev/dist/cli.js'), 'build'], {
    // esbuild's service watches stdin, so give it an open pipe rather than /dev/null. Its stderr
    // is shown only when the build fails: on success it may print a harmless shutdown trace.
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production', VITE_CJS_IGNORE_WARNING: 'true' },
  })
  if (result.status !== 0) {
    process.stderr.write(result.stderr)
    throw new Error('The build failed; see the messages above.')
  }
}

export async function loadBuild(): Promise<ServerBuild> {
  return (await import(`${pathToFileURL(BUILD_FILE).href}?t=${fs.statSync(BUILD_FILE).mtimeMs}`)) as ServerBuild
}
