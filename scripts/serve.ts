// The production build behind the same express app `npm start` serves, on a free port: used by
// the browser tests' harness and the benchmarks, each in a child process. It picks its port
// before the environment is parsed, so APP_URL can name it, then prints `PORT=<n>`.
// With WEB_CONCURRENCY=n it serves from n processes sharing the port (node:cluster).
import cluster from 'node:cluster'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { shareMetricsAcrossCluster } from '#app/utils/metrics.server'
import { createApp } from './server'
import { loadBuild } from './serve-build'

const processes = Math.max(1, Number(process.env.WEB_CONCURRENCY ?? 1) || 1)
// A scrape of /metrics reaches one process; it answers for them all.
if (processes > 1) shareMetricsAcrossCluster()

async function freePort(): Promise<number> {
  const probe = http.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

if (cluster.isPrimary && processes > 1) {
  const port = await freePort()
  let ready = 0
  for (let i = 0; i < processes; i++) {
    cluster.fork({ PORT: String(port), APP_URL: `http://127.0.0.1:${port}` }).on('message', (message) => {
      if (message === 'listening' && ++ready === processes) console.log(`PORT=${port}`)
    })
  }
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM')
    process.exit(0)
  })
} else {
  const server = http.createServer()
  const port = cluster.isWorker ? Number(process.env.PORT) : 0
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const actual = (server.address() as AddressInfo).port
  process.env.PORT = String(actual)
  process.env.APP_URL = `http://127.0.0.1:${actual}`
  const { getEnv } = await import('#app/utils/env.server')
  server.on('request', createApp(await loadBuild(), getEnv()))
  if (cluster.isWorker) process.send?.('listening')
  else console.log(`PORT=${actual}`)
  // Browsers keep connections alive; close them too, or close() waits for them.
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0))
    server.closeAllConnections()
  })
}
