// The production build behind the same express app `npm start` serves, on a free port: used by
// the browser tests' harness and the benchmarks, each in a child process.
// It listens on a free port first, so APP_URL
// can name that port before the environment is parsed, then prints `PORT=<n>`.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createApp } from './server'
import { loadBuild } from './serve-build'

const server = http.createServer()
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const { port } = server.address() as AddressInfo
process.env.PORT = String(port)
process.env.APP_URL = `http://127.0.0.1:${port}`

const { getEnv } = await import('#app/utils/env.server')
server.on('request', createApp(await loadBuild(), getEnv()))
console.log(`PORT=${port}`)

// Browsers keep connections alive; close them too, or close() waits for them.
process.on('SIGTERM', () => {
  server.close(() => process.exit(0))
  server.closeAllConnections()
})
