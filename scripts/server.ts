// The HTTP server around the Remix build: static files, request guards, and the load context.
import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import compression from 'compression'
import express, { type NextFunction, type Request, type Response } from 'express'
import helmet from 'helmet'
import { createRequestHandler } from '@remix-run/express'
import { createRequestHandler as createFetchHandler, type AppLoadContext, type ServerBuild } from '@remix-run/node'
import { isLang, translate, type Lang } from '#app/i18n'
import { createChangeCounter, defaultDatabaseUrl, isDatabaseUnavailable } from '#app/utils/db.server'
import type { Env } from '#app/utils/env.server'
import { NARROW_SCREEN_CSS_SOURCE } from '#app/mail/styles.server'
import {
  isAnonymous,
  isPublicPath,
  matchesEtag,
  PageCache,
  PRIVATE_CACHE_CONTROL,
  PUBLIC_CACHE_CONTROL,
  toCachedPage,
  VARY,
  type CachedPage,
} from '#app/utils/page-cache.server'
import { INLINE_SCRIPTS } from '#app/utils/inline-scripts'
import { CRITICAL_CSS } from '#app/styles/critical'
import { observeRequests, pathDecodes } from '#app/utils/request-log.server'
import { UNAVAILABLE, withOutagesAs503 } from '#app/utils/unavailable.server'
import { logError } from '#app/utils/error-log.server'
import { urlHoldsNul } from '#app/utils/nul.server'

/** Forms are small; larger bodies are refused before they are read. Uploads get their own limit. */
export const FORM_BODY_LIMIT = 1024 * 1024
export const UPLOAD_BODY_LIMIT = 21 * 1024 * 1024
const UPLOAD_PATHS = /^\/(attendance\/[^/]+\/import|brief\/[^/]+\/slides|admin\/issuer)\/?$/

export function createApp(build: ServerBuild, env: Env) {
  const app = express()
  app.disable('x-powered-by')
  // false, a hop count or proxy addresses/CIDRs: express (proxy-addr) then reads X-Forwarded-For,
  // -Host and -Proto only as far as those proxies vouch for them.
  app.set('trust proxy', env.TRUST_PROXY)
  app.use(observeRequests(build, { log: env.LOG_REQUESTS === 'on' }))
  app.use(securityHeaders(env))
  app.use(refuseUnreadableUrls)
  const withOutages = withOutagesAs503(build)
  const loadContext = (req: Request, res: Response): AppLoadContext => ({
    clientIp: req.ip ?? req.socket.remoteAddress ?? 'unknown',
    cspNonce: res.locals.cspNonce as string,
    requestId: res.locals.requestId as string,
    route: res.locals.route as string,
  })
  // Before compression: cached pages are kept gzipped, so a hit is never compressed again.
  app.use(publicPages(withOutages, env, loadContext))
  // Pages are compressed for slow connections; form posts answer with a bare redirect, so they
  // skip the compression machinery altogether (it wraps every response it is given).
  const compress = compression()
  app.use((req, res, next) => (req.method === 'GET' ? compress(req, res, next) : next()))

  const publicDir = path.resolve('public')
  // Fingerprinted assets never change; everything else may.
  app.use('/build', express.static(path.join(publicDir, 'build'), { immutable: true, maxAge: '1y' }))
  app.use(express.static(publicDir, { maxAge: '1h' }))

  app.use(refuseOversizedBodies)
  app.use(refuseCrossSitePosts)

  app.all(
    '*',
    createRequestHandler({
      build: withOutages,
      mode: env.NODE_ENV,
      getLoadContext: loadContext,
    }),
  )
  app.use(answerErrors)
  return app
}

/**
 * A path with a bad percent escape is refused (400) before express's router or Remix's decode it:
 * both would print it whole, with a personal link's token, on their way to the same answer. So is
 * a NUL (`%00`) in the path or the query, before any route can take it to the database
 * (utils/nul.server.ts).
 */
function refuseUnreadableUrls(req: Request, res: Response, next: NextFunction) {
  if (!pathDecodes(req.path) || urlHoldsNul(req.originalUrl)) return refusal(req, res, 400, 'error.badRequest.body')
  next()
}

/**
 * What escapes everything else (express's own default prints the stack, which quotes the path):
 * one JSON line in the error log, and the answer an outage or a bug gets.
 */
function answerErrors(error: unknown, req: Request, res: Response, next: NextFunction) {
  logError(error, { requestId: res.locals.requestId as string, route: res.locals.route as string })
  if (res.headersSent) return next(error)
  if (isDatabaseUnavailable(error)) return void res.status(UNAVAILABLE.status).set(UNAVAILABLE.headers).type('text').send(UNAVAILABLE.body)
  const status = (error as { status?: unknown } | null)?.status
  res.status(typeof status === 'number' && status >= 400 && status < 600 ? status : 500).type('text').send('Error')
}

/**
 * The public pages (catalogue, webinar pages, …) for anonymous readers, from the process's cache
 * of rendered pages (utils/page-cache.server.ts) while the database has not changed since, with
 * an ETag (304 when the browser has the page) and a Cache-Control that lets a shared cache keep
 * them a few seconds. A reader with any cookie but the language's (a signed-in member of staff)
 * is neither served from nor stored in any cache.
 */
function publicPages(build: ServerBuild, env: Env, loadContext: (req: Request, res: Response) => AppLoadContext) {
  const handle = createFetchHandler(build, env.NODE_ENV)
  const cache = new PageCache()
  const readVersion = createChangeCounter(env.DATABASE_URL ?? defaultDatabaseUrl())
  // Requests that miss together share one render (a rush lands on an empty or expired entry at once).
  const rendering = new Map<string, Promise<{ page: CachedPage; stored: boolean } | globalThis.Response>>()
  /** The page rendered by Remix: kept when it is the same for every anonymous reader, else the response as it is. */
  async function render(req: Request, res: Response, version: string): Promise<{ page: CachedPage; stored: boolean } | globalThis.Response> {
    const response = await handle(fetchRequest(req), loadContext(req, res))
    const storable =
      (response.status === 200 || response.status === 404) &&
      !response.headers.has('Set-Cookie') &&
      !response.headers.has('Cache-Control') &&
      (response.headers.get('Content-Type') ?? '').startsWith('text/html')
    if (!storable) return response
    const body = Buffer.from(await response.arrayBuffer())
    const page = await toCachedPage(response.status, [...response.headers], body, version, Date.now())
    // A page that carries this response's CSP nonce (one that loads scripts) is nobody else's.
    return { page, stored: !body.includes(res.locals.cspNonce as string) }
  }

  return async (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isPublicPath(req.path) || '_data' in req.query) return next()
    res.setHeader('Vary', VARY)
    if (!isAnonymous(req.headers.cookie)) {
      res.setHeader('Cache-Control', PRIVATE_CACHE_CONTROL)
      res.setHeader(CACHE_STATUS_HEADER, 'bypass')
      return next()
    }
    let version: string
    try {
      // Read before rendering: a write that lands while the page renders retires what is stored.
      version = await readVersion()
    } catch {
      // The database cannot be read (or, on SQLite, its file cannot be written): no cache, and the
      // page answers as every route does in an outage (503 with Retry-After).
      res.setHeader(CACHE_STATUS_HEADER, 'bypass')
      return next()
    }
    try {
      const key = PageCache.key(langOf(req), req.originalUrl)
      const cached = key ? cache.get(key, version, Date.now()) : null
      if (cached) return sendPage(req, res.setHeader(CACHE_STATUS_HEADER, 'hit'), cached)
      res.setHeader(CACHE_STATUS_HEADER, 'miss')
      const flightKey = key === null ? null : `${version} ${key}`
      const shared = flightKey === null ? undefined : rendering.get(flightKey)
      let rendered = shared ? await shared : null
      // Only a page kept for everyone is shared; anything else is rendered for this request.
      if (!rendered || rendered instanceof globalThis.Response || !rendered.stored) {
        const flight = render(req, res, version)
        if (flightKey !== null && !shared) {
          rendering.set(flightKey, flight)
          void flight.finally(() => rendering.delete(flightKey)).catch(() => {})
        }
        rendered = await flight
      }
      if (rendered instanceof globalThis.Response) return await sendResponse(req, res, rendered)
      if (rendered.stored && key) cache.set(key, rendered.page)
      sendPage(req, res, rendered.page, rendered.stored ? PUBLIC_CACHE_CONTROL : 'no-cache')
    } catch (error) {
      next(error)
    }
  }
}

/** A GET or HEAD as Remix's express adapter builds it: the host as `trust proxy` allows, the port from the Host. */
function fetchRequest(req: Request): globalThis.Request {
  const port = /:(\d+)$/.exec(req.get('X-Forwarded-Host') ?? '')?.[1] ?? /:(\d+)$/.exec(req.get('host') ?? '')?.[1]
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item)
  }
  return new globalThis.Request(`${req.protocol}://${req.hostname}${port ? `:${port}` : ''}${req.originalUrl}`, { method: req.method, headers })
}

/** Whether a public page came from the process's cache (hit), was rendered (miss), or was someone's own (bypass). */
const CACHE_STATUS_HEADER = 'X-Page-Cache'

async function sendResponse(req: Request, res: Response, response: globalThis.Response) {
  const body = Buffer.from(await response.arrayBuffer())
  res.status(response.status)
  for (const [name, value] of response.headers) if (name !== 'vary') res.append(name, value)
  if (!response.headers.has('Cache-Control')) res.setHeader('Cache-Control', 'no-cache')
  res.end(req.method === 'HEAD' ? undefined : body)
}

const NOT_COPIED = new Set(['content-length', 'content-encoding', 'cache-control', 'vary', 'etag'])

function sendPage(req: Request, res: Response, page: CachedPage, cacheControl = PUBLIC_CACHE_CONTROL) {
  for (const [name, value] of page.headers) if (!NOT_COPIED.has(name)) res.setHeader(name, value)
  res.setHeader('Cache-Control', cacheControl)
  res.setHeader('ETag', page.etag)
  if (matchesEtag(req.headers['if-none-match'], page.etag)) return void res.status(304).end()
  const gzipped = req.acceptsEncodings('gzip', 'identity') === 'gzip'
  const body = gzipped ? page.gzipped : page.body
  if (gzipped) res.setHeader('Content-Encoding', 'gzip')
  res.setHeader('Content-Length', body.length)
  res.status(page.status)
  res.end(req.method === 'HEAD' ? undefined : body)
}

/**
 * Security headers on every response (helmet: a maintained library that keeps up with what
 * browsers honour). Scripts run only from this site, and inline ones only with this response's
 * nonce, which Remix's own inline scripts carry (entry.server.tsx). No site may frame a page.
 * Referrers carry only the origin to other sites, so a personal link's token never leaks.
 * HSTS only when the public address is https, or it would break a plain-http deployment.
 */
const CRITICAL_CSS_SOURCE = `'sha256-${createHash('sha256').update(CRITICAL_CSS, 'utf8').digest('base64')}'`
const INLINE_SCRIPT_HASHES = INLINE_SCRIPTS.map((script) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`)

function securityHeaders(env: Env) {
  const https = env.APP_URL.startsWith('https://')
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // Remix's scripts carry the response's nonce; a resident page's few inline bytes are
        // allowed by their hash, so a page held in a cache needs no nonce of its own.
        scriptSrc: ["'self'", (_req, res) => `'nonce-${(res as Response).locals.cspNonce}'`, ...INLINE_SCRIPT_HASHES],
        // React writes a few style attributes (chart bar widths); no inline <style> is allowed but
        // every page's first styles (styles/critical.ts) and the mails' own narrow-screen rule,
        // for the outbox's preview of a message, each by its hash.
        styleSrc: ["'self'", CRITICAL_CSS_SOURCE, NARROW_SCREEN_CSS_SOURCE],
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https ? { maxAge: 365 * 24 * 60 * 60, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    xFrameOptions: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  })
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.cspNonce = randomBytes(16).toString('base64')
    headers(req, res, next)
  }
}

function langOf(req: Request): Lang {
  const match = /(?:^|;\s*)lang=([^;]+)/.exec(req.headers.cookie ?? '')
  let value: unknown
  try {
    value = match ? JSON.parse(Buffer.from(decodeURIComponent(match[1]!), 'base64').toString('utf8')) : undefined
  } catch {
    value = undefined
  }
  return isLang(value) ? value : 'id'
}

function refusal(req: Request, res: Response, status: number, body: 'error.crossSite.body' | 'error.badRequest.body' | 'import.error.tooLarge') {
  const lang = langOf(req)
  const title = translate(lang, status === 403 ? 'error.forbidden.title' : 'error.badRequest.title')
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html lang="${lang}"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<title>${title}</title><main style="font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem">` +
        `<h1>${title}</h1><p>${translate(lang, body)}</p><p><a href="/">${translate(lang, 'error.backHome')}</a></p></main></html>`,
    )
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

function refuseOversizedBodies(req: Request, res: Response, next: NextFunction) {
  if (!BODY_METHODS.has(req.method)) return next()
  const limit = UPLOAD_PATHS.test(req.path) ? UPLOAD_BODY_LIMIT : FORM_BODY_LIMIT
  const length = req.headers['content-length']
  if (length === undefined) {
    // Browsers always send a length with a form; a chunked body of unknown size is not read.
    if (req.headers['transfer-encoding']) return refusal(req, res.set('Connection', 'close'), 411, 'error.badRequest.body')
    return next()
  }
  if (!/^\d+$/.test(length) || Number(length) > limit) {
    return refusal(req, res.set('Connection', 'close'), 413, limit === UPLOAD_BODY_LIMIT ? 'import.error.tooLarge' : 'error.badRequest.body')
  }
  next()
}

/**
 * Cross-site form posts are refused: a browser names the page a form came from in Origin
 * (or at least Sec-Fetch-Site). Clients that send neither are not browsers, and carry no
 * victim's cookies.
 */
function refuseCrossSitePosts(req: Request, res: Response, next: NextFunction) {
  if (!BODY_METHODS.has(req.method)) return next()
  const origin = req.headers.origin
  if (origin !== undefined) {
    let originHost: string | null = null
    try {
      originHost = origin === 'null' ? null : new URL(origin).host
    } catch {
      originHost = null
    }
    if (originHost === null || originHost !== publicHost(req)) return refusal(req, res, 403, 'error.crossSite.body')
    return next()
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') return refusal(req, res, 403, 'error.crossSite.body')
  next()
}

/**
 * The host the browser addressed: X-Forwarded-Host only when the peer is a trusted proxy (as
 * express's req.hostname, which Remix builds the request URL from), else Host.
 */
function publicHost(req: Request): string | undefined {
  const forwarded = req.get('X-Forwarded-Host')
  const trusted = (req.app.get('trust proxy fn') as (address: string | undefined, hop: number) => boolean)(req.socket.remoteAddress, 0)
  if (!forwarded || !trusted) return req.headers.host
  return forwarded.split(',')[0]!.trim()
}
