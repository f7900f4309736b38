// npm start — the one command that takes a fresh clone to a running app:
// environment → database (migrate, regions, demo data) → build when needed → serve.
import cluster from 'node:cluster'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Env } from '#app/utils/env.server'
import { runCli } from './cli'
import { buildIfNeeded, loadBuild } from './serve-build'

/** Development keeps a generated secret beside the database, so sessions survive restarts. */
function ensureDevelopmentSecret() {
  if (process.env.NODE_ENV === 'production' || process.env.SESSION_SECRET) return
  const file = path.resolve('db/.session-secret')
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 })
  process.env.SESSION_SECRET = fs.readFileSync(file, 'utf8').trim()
}

/** Serves the build on PORT; resolves once listening. Exits with one line if the port is taken. */
async function serve(env: Env) {
  const { createApp } = await import('./server')
  const app = createApp(await loadBuild(), env)
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const listening = app.listen(env.PORT, () => resolve(listening))
    listening.on('error', (error: NodeJS.ErrnoException) => {
      console.error(error.code === 'EADDRINUSE' ? `PORT: ${env.PORT} is already in use` : error.message)
      process.exit(1)
    })
  })
  return server
}

if (cluster.isWorker) {
  // One of WEB_CONCURRENCY HTTP processes: the primary has already prepared everything.
  await runCli(async () => {
    const { getEnv } = await import('#app/utils/env.server')
    // A scrape of /metrics reaches one process; it answers for them all (with the primary's help).
    const { shareMetricsAcrossCluster } = await import('#app/utils/metrics.server')
    shareMetricsAcrossCluster()
    const server = await serve(getEnv())
    process.send?.('listening')
    process.on('SIGTERM', () => server.close(() => process.exit(0)))
  })
} else {
  await runCli(async () => {
    ensureDevelopmentSecret()
    const { getEnv } = await import('#app/utils/env.server')
    const env = getEnv()
    const { connectDb } = await import('#app/utils/db.server')
    const db = await connectDb()
    const { prepareDatabase } = await import('./migrate')
    await prepareDatabase(db)
    const metrics = await import('#app/utils/metrics.server')
    // The mail worker's and housekeeping's connection, beside the one pages use (routes/metrics.ts).
    metrics.observeDatabase(() => db, 'jobs')

    let demo: { logins: string[]; password: string } | null = null
    if (env.NODE_ENV !== 'production') {
      const { seedDemo, demoPasswordFor } = await import('./seed')
      const password = demoPasswordFor(env)
      await seedDemo(db, { password })
      demo = { logins: ['organiser@example.org', 'moderator@example.org', 'speaker@example.org'], password }
    }
    buildIfNeeded(env)

    // Several HTTP processes share the port (one per core uses the machine); SQLite's write lock
    // keeps their writes in order. The mail worker runs once, here in the primary.
    let server: Awaited<ReturnType<typeof serve>> | null = null
    if (env.WEB_CONCURRENCY > 1) {
      metrics.shareMetricsAcrossCluster()
      await Promise.all(
        Array.from({ length: env.WEB_CONCURRENCY }, () => new Promise<void>((resolve) => cluster.fork().once('message', () => resolve()))),
      )
    } else {
      server = await serve(env)
    }
    const { startMailWorker } = await import('#app/mail/run.server')
    const mailWorker = env.MAIL_WORKER === 'on' ? startMailWorker(db, env) : null
    const { startRetentionSchedule } = await import('#app/utils/retention.server')
    const retention = startRetentionSchedule(db)

    console.log(`Literasi Webinar is running at ${env.APP_URL}${env.WEB_CONCURRENCY > 1 ? ` (${env.WEB_CONCURRENCY} processes)` : ''}`)
    if (demo) {
      console.log(`Demo logins (password: ${demo.password}):`)
      for (const login of demo.logins) console.log(`  ${login}`)
    }
    if (!mailWorker) console.log('Mail worker: off (MAIL_WORKER=off); run `npm run worker` to deliver mail.')
    else if (env.SMTP_URL) console.log('Mail is delivered through SMTP_URL.')
    else console.log(`Mail is kept in the app's outbox: ${env.APP_URL}/admin/outbox`)

    const stop = async () => {
      retention.stop()
      await mailWorker?.stop()
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM')
      if (server) server.close(() => process.exit(0))
      else process.exit(0)
    }
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
  })
}
