import { randomUUID } from 'node:crypto'
import { matchRoutes, type AgnosticRouteObject } from '@remix-run/router'
import type { ServerBuild } from '@remix-run/node'
import type { NextFunction, Request, Response } from 'express'
import { httpRequestDuration } from './metrics.server'

// What operations see of each request: one JSON line on stdout and the duration histogram.
// A request is named by its route pattern, never its path: personal links carry their token in
// the path (/r/<token>), and a query string may carry anything. No address, no e-mail, no body.

/** A request id a proxy may hand on: short, and nothing that could break a log line or a header. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Remix's route tree from the build's flat manifest, as Remix itself builds it to match a URL. */
function routeTree(routes: ServerBuild['routes'], parentId?: string): AgnosticRouteObject[] {
  return Object.values(routes)
    .filter((route) => route.parentId === parentId)
    .map((route) =>
      route.index
        ? { id: route.id, path: route.path, caseSensitive: route.caseSensitive, index: true }
        : { id: route.id, path: route.path, caseSensitive: route.caseSensitive, children: routeTree(routes, route.id) },
    )
}

/**
 * The route a request is for: the Remix route id (`routes/r.$token._index`), the one named by a
 * data request's `_data`, `static` for the build's files, or `none`.
 */
export function routeResolver(build: Pick<ServerBuild, 'routes'>): (req: Pick<Request, 'path' | 'query'>) => string {
  const tree = routeTree(build.routes)
  return (req) => {
    // express.static serves only public/build (fingerprinted assets) before Remix sees a request.
    if (req.path.startsWith('/build/')) return 'static'
    if (req.path === '/__manifest') return '__manifest'
    const data = req.query._data
    if (typeof data === 'string' && Object.hasOwn(build.routes, data)) return data
    // A path that does not decode matches nothing (and is refused); the router would print it.
    if (!pathDecodes(req.path)) return 'none'
    const matches = matchRoutes(tree, req.path)
    return matches?.at(-1)?.route.id ?? 'none'
  }
}

/** Whether a path's percent escapes decode (a bad one is refused before anything prints the path). */
export function pathDecodes(path: string): boolean {
  try {
    decodeURIComponent(path)
    return true
  } catch {
    return false
  }
}

/**
 * Names every request (X-Request-Id, in the response too), and when it ends records its route,
 * status and duration in the histogram and, with `log`, as one JSON line on stdout. A proxy's
 * X-Request-Id is kept only from a peer express trusts (TRUST_PROXY), so the logs of both agree.
 */
export function observeRequests(build: Pick<ServerBuild, 'routes'>, options: { log: boolean }) {
  const routeOf = routeResolver(build)
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint()
    const trusted = (req.app.get('trust proxy fn') as (address: string | undefined, hop: number) => boolean)(req.socket.remoteAddress, 0)
    const offered = req.headers['x-request-id']
    const id = trusted && typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID()
    res.setHeader('X-Request-Id', id)
    const route = routeOf(req)
    // For the error log (scripts/server.ts hands them to Remix in the load context).
    res.locals.requestId = id
    res.locals.route = route

    // Body bytes as they leave (after compression, which wraps these from further in).
    let bytes = 0
    const write = res.write
    const end = res.end
    const count = (chunk: unknown, encoding: unknown) => {
      if (typeof chunk === 'string') bytes += Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
      else if (chunk instanceof Uint8Array) bytes += chunk.byteLength
    }
    res.write = function (this: Response, chunk: unknown, ...rest: unknown[]) {
      count(chunk, rest[0])
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
    } as Response['write']
    res.end = function (this: Response, chunk?: unknown, ...rest: unknown[]) {
      if (typeof chunk !== 'function') count(chunk, rest[0])
      return (end as (...args: unknown[]) => Response).call(this, chunk, ...rest)
    } as Response['end']

    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      const status = res.statusCode
      httpRequestDuration.observe({ method: req.method, route, status: String(status) }, seconds)
      if (!options.log) return
      const line = {
        time: new Date().toISOString(),
        event: 'request',
        id,
        method: req.method,
        route,
        status,
        ms: Math.round(seconds * 10_000) / 10,
        bytes,
        // The client went away before the whole answer was sent.
        ...(res.writableFinished ? {} : { aborted: true }),
      }
      process.stdout.write(`${JSON.stringify(line)}\n`)
    })
    next()
  }
}
