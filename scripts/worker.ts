// npm run worker — the mail worker alone, for deployments that run it apart from the web app.
// Several may run against one database: each claims rows before sending them.
import { runCli } from './cli'

await runCli(async () => {
  const { getEnv } = await import('#app/utils/env.server')
  const env = getEnv()
  const metrics = await import('#app/utils/metrics.server')
  // This process serves no pages, so with METRICS_PORT it serves its own /metrics (its send failures, the outbox, its pool).
  const metricsPort = metrics.metricsPortFrom(process.env.METRICS_PORT, env.METRICS_TOKEN)
  const { connectDb } = await import('#app/utils/db.server')
  const { prepareDatabase } = await import('./migrate')
  const db = await connectDb()
  await prepareDatabase(db)
  const { startMailWorker } = await import('#app/mail/run.server')
  const running = startMailWorker(db, env)
  console.log(`Mail worker ${running.worker.workerId} started (${env.SMTP_URL ? 'SMTP' : 'kept in the outbox'}).`)
  let metricsServer: Awaited<ReturnType<typeof metrics.serveMetrics>> | null = null
  if (metricsPort !== null) {
    metrics.observeDatabase(() => db, 'jobs')
    metricsServer = await metrics.serveMetrics(metricsPort, env.METRICS_TOKEN!)
    console.log(`Metrics on port ${metrics.listeningPort(metricsServer)} (GET /metrics).`)
  }
  const stop = async () => {
    metricsServer?.close()
    await running.stop()
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
})
