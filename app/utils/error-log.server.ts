import { isRouteErrorResponse } from '@remix-run/router'
import type { AppLoadContext } from '@remix-run/node'

// What operations see of an error: one JSON line on stderr, beside the request's own line on
// stdout (utils/request-log.server.ts), joined by the request id. Only what names the kind of
// failure goes in: the error's name, its code (SQLITE_…, a PostgreSQL SQLSTATE, a Node errno)
// or an error response's status. Never its message, stack or a database error's detail: they
// quote the path (a personal link's token), the query string, SQL values and e-mail addresses.

/** A code is kept only if it looks like one: a short run of letters, digits and underscores. */
const CODE = /^[A-Za-z0-9_]{1,40}$/
const NAME = /^[A-Za-z][A-Za-z0-9_$.]{0,60}$/

/** Where an error happened: a request (its id and route), or a background job by name. */
export type ErrorContext = Partial<Pick<AppLoadContext, 'requestId' | 'route'>> & { job?: string }

/** The JSON line for `error`, without its trailing newline. */
export function errorLogLine(error: unknown, context: ErrorContext = {}): string {
  const line: Record<string, unknown> = { time: new Date().toISOString(), event: 'error' }
  if (context.requestId) line.id = context.requestId
  if (context.route) line.route = context.route
  if (context.job) line.job = context.job
  if (isRouteErrorResponse(error)) {
    line.name = 'ErrorResponse'
    line.status = error.status
  } else if (error instanceof Error) {
    line.name = NAME.test(error.name) ? error.name : 'Error'
    const code = (error as { code?: unknown }).code
    if ((typeof code === 'string' && CODE.test(code)) || typeof code === 'number') line.code = String(code)
  } else {
    line.name = typeof error
  }
  return JSON.stringify(line)
}

/** Writes the line for `error` to stderr (a server's error log). */
export function logError(error: unknown, context?: ErrorContext): void {
  process.stderr.write(`${errorLogLine(error, context)}\n`)
}
