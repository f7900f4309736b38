import type { ServerBuild } from '@remix-run/node'
import { isDatabaseUnavailable, isUnstorableText } from './db.server'

/** How long a client is asked to wait when the database cannot take writes. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 30

/** The answer when the database cannot take writes: 503, asked to come back later, never cached. */
export const UNAVAILABLE = {
  status: 503,
  body: 'Service temporarily unavailable',
  headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS), 'Cache-Control': 'no-store' },
} as const

function unavailable(): Response {
  return new Response(UNAVAILABLE.body, { status: UNAVAILABLE.status, headers: UNAVAILABLE.headers })
}

type Handler = (args: never) => unknown

function answering503(handler: Handler): Handler {
  return async (args: never) => {
    try {
      return await handler(args)
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw unavailable()
      // Text the database cannot store (a NUL, on PostgreSQL) that no check caught: the request's
      // fault, a 400, and its transaction was rolled back whole.
      if (isUnstorableText(error)) throw new Response('Bad request', { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
      throw error
    }
  }
}

/**
 * The build with every loader and action answering "temporarily unavailable" (503, with
 * Retry-After, shown by the route's error page) when the database cannot take writes, instead
 * of a 500; and 400 for text the database refuses to store (isUnstorableText). A layer in front
 * of the routes, so no route has to remember it.
 */
export function withOutagesAs503(build: ServerBuild): ServerBuild {
  const routes: ServerBuild['routes'] = {}
  for (const [id, route] of Object.entries(build.routes)) {
    const { loader, action } = route.module
    routes[id] = {
      ...route,
      module: {
        ...route.module,
        ...(loader ? { loader: answering503(loader as Handler) as typeof loader } : {}),
        ...(action ? { action: answering503(action as Handler) as typeof action } : {}),
      },
    }
  }
  return { ...build, routes }
}
