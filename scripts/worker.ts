// npm run worker — the mail worker alone, for deployments that run it apart from the web app.
// Several may run against one database: each claims rows before sending them.
import { runCli } from './cli'

await runCli(async () => {
  const { getEnv } = await import('#app/utils/env.server')
  const env = getEnv()
  const { connectDb } = await import('#app/utils/db.server')
  const { prepareDatabase } = await import('./migrate')
  const db = await connectDb()
  await prepareDatabase(db)
  const { startMailWorker } = await import('#app/mail/run.server')
  const running = startMailWorker(db, env)
  console.log(`Mail worker ${running.worker.workerId} started (${env.SMTP_URL ? 'SMTP' : 'kept in the outbox'}).`)
  const stop = async () => {
    await running.stop()
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
})
