// npm start — the one command that takes a fresh clone to a running app:
// environment → database (migrate, regions, demo data) → build when needed → serve.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { runCli } from './cli'

const BUILD_FILE = path.resolve('build/index.js')

/** Development keeps a generated secret beside the database, so sessions survive restarts. */
function ensureDevelopmentSecret() {
  if (process.env.NODE_ENV === 'production' || process.env.SESSION_SECRET) return
  const file = path.resolve('db/.session-secret')
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 })
  process.env.SESSION_SECRET = fs.readFileSync(file, 'utf8').trim()
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs)
  }
  return newest
}

export function buildIfNeeded(): void {
  const sources = Math.max(newestMtime(path.resolve('app')), fs.statSync('remix.config.js').mtimeMs, fs.statSync('package.json').mtimeMs)
  if (fs.existsSync(BUILD_FILE) && fs.statSync(BUILD_FILE).mtimeMs >= sources) return
  console.log('Building the app…')
  const result = spawnSync(process.execPath, [path.resolve('node_modules/@remix-run/dev/dist/cli.js'), 'build'], {
    // esbuild's service watches stdin, so give it an open pipe rather than /dev/null.
    stdio: ['pipe', 'ignore', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production', VITE_CJS_IGNORE_WARNING: 'true' },
  })
  if (result.status !== 0) throw new Error('The build failed; see the messages above.')
}

export async function loadBuild(): Promise<ServerBuild> {
  return (await import(`${pathToFileURL(BUILD_FILE).href}?t=${fs.statSync(BUILD_FILE).mtimeMs}`)) as ServerBuild
}

await runCli(async () => {
  ensureDevelopmentSecret()
  const { getEnv } = await import('#app/utils/env.server')
  const env = getEnv()
  const { getDb } = await import('#app/utils/db.server')
  const db = getDb()
  const { prepareDatabase } = await import('./migrate')
  await prepareDatabase(db)

  let demo: { logins: string[]; password: string } | null = null
  if (env.NODE_ENV !== 'production') {
    const { seedDemo, demoPasswordFor } = await import('./seed')
    const password = demoPasswordFor(env)
    await seedDemo(db, { password })
    demo = { logins: ['organiser@example.org', 'moderator@example.org', 'speaker@example.org'], password }
  }

  buildIfNeeded()
  const { createApp } = await import('./server')
  const app = createApp(await loadBuild(), env)
  const server = app.listen(env.PORT, () => {
    console.log(`Literasi Webinar is running at ${env.APP_URL}`)
    if (demo) {
      console.log(`Demo logins (password: ${demo.password}):`)
      for (const login of demo.logins) console.log(`  ${login}`)
    }
  })
  server.on('error', (error: NodeJS.ErrnoException) => {
    console.error(error.code === 'EADDRINUSE' ? `PORT: ${env.PORT} is already in use` : error.message)
    process.exit(1)
  })
  const stop = () => server.close(() => process.exit(0))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
})
