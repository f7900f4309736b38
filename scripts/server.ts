// The HTTP server around the Remix build: static files, request guards, and the load context.
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import compression from 'compression'
import express, { type NextFunction, type Request, type Response } from 'express'
import helmet from 'helmet'
import { createRequestHandler } from '@remix-run/express'
import type { ServerBuild } from '@remix-run/node'
import { isLang, translate, type Lang } from '#app/i18n'
import type { Env } from '#app/utils/env.server'
import { NARROW_SCREEN_CSS_SOURCE } from '#app/mail/styles.server'
import { observeRequests } from '#app/utils/request-log.server'
import { withOutagesAs503 } from '#app/utils/unavailable.server'

/** Forms are small; larger bodies are refused before they are read. Uploads get their own limit. */
export const FORM_BODY_LIMIT = 1024 * 1024
export const UPLOAD_BODY_LIMIT = 21 * 1024 * 1024
const UPLOAD_PATHS = /^\/(attendance\/[^/]+\/import|brief\/[^/]+\/slides)\/?$/

export function createApp(build: ServerBuild, env: Env) {
  const app = express()
  app.disable('x-powered-by')
  // false, a hop count or proxy addresses/CIDRs: express (proxy-addr) then reads X-Forwarded-For,
  // -Host and -Proto only as far as those proxies vouch for them.
  app.set('trust proxy', env.TRUST_PROXY)
  app.use(observeRequests(build, { log: env.LOG_REQUESTS === 'on' }))
  app.use(securityHeaders(env))
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
      build: withOutagesAs503(build),
      mode: env.NODE_ENV,
      getLoadContext: (req, res) => ({ clientIp: req.ip ?? req.socket.remoteAddress ?? 'unknown', cspNonce: res.locals.cspNonce as string }),
    }),
  )
  return app
}

/**
 * Security headers on every response (helmet: a maintained library that keeps up with what
 * browsers honour). Scripts run only from this site, and inline ones only with this response's
 * nonce, which Remix's own inline scripts carry (entry.server.tsx). No site may frame a page.
 * Referrers carry only the origin to other sites, so a personal link's token never leaks.
 * HSTS only when the public address is https, or it would break a plain-http deployment.
 */
function securityHeaders(env: Env) {
  const https = env.APP_URL.startsWith('https://')
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", (_req, res) => `'nonce-${(res as Response).locals.cspNonce}'`],
        // React writes a few style attributes (chart bar widths); no inline <style> is allowed but
        // the mails' own narrow-screen rule, by its hash, for the outbox's preview of a message.
        styleSrc: ["'self'", NARROW_SCREEN_CSS_SOURCE],
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
