// The physical reference for the public pages' benchmark: node:http answering each path with
// bytes held in memory (the app's own gzipped responses, captured just before), with nothing
// else, from as many processes as the app runs. Our requests/s are printed as a share of its.
// `tsx scripts/bench/bare-pages.ts <pages.json> <processes>` prints PORT=<n>.
import cluster from 'node:cluster'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

type Captured = Record<string, { status: number; headers: Record<string, string>; body: string }>

const [file, processesArg = '1'] = process.argv.slice(2)
if (!file) throw new Error('usage: bare-pages.ts <pages.json> <processes>')
const processes = Math.max(1, Number(processesArg))

if (cluster.isPrimary && processes > 1) {
  const probe = http.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  let ready = 0
  for (let i = 0; i < processes; i++) {
    cluster.fork({ BARE_PORT: String(port) }).on('message', () => {
      if (++ready === processes) console.log(`PORT=${port}`)
    })
  }
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM')
    process.exit(0)
  })
} else {
  const pages = new Map(
    Object.entries(JSON.parse(fs.readFileSync(file, 'utf8')) as Captured).map(([pathname, page]) => [
      pathname,
      { status: page.status, headers: page.headers, body: Buffer.from(page.body, 'base64') },
    ]),
  )
  const server = http.createServer((req, res) => {
    const page = pages.get(req.url ?? '')
    if (!page) return void res.writeHead(404).end()
    res.writeHead(page.status, { ...page.headers, 'Content-Length': String(page.body.length) }).end(page.body)
  })
  await new Promise<void>((resolve) => server.listen(Number(process.env.BARE_PORT ?? 0), '127.0.0.1', resolve))
  if (cluster.isWorker) process.send?.('listening')
  else console.log(`PORT=${(server.address() as AddressInfo).port}`)
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0))
    server.closeAllConnections()
  })
}
