import { PassThrough } from 'node:stream'
import type { ActionFunctionArgs, AppLoadContext, EntryContext, LoaderFunctionArgs } from '@remix-run/node'
import { createReadableStreamFromReadable } from '@remix-run/node'
import { RemixServer } from '@remix-run/react'
import { renderToPipeableStream } from 'react-dom/server'
import { NonceProvider } from '#app/utils/nonce'
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '#app/utils/unavailable.server'
import { logError } from '#app/utils/error-log.server'

const ABORT_DELAY_MS = 5_000

// Pages are small and many readers are on slow phones: render the whole page, then send it,
// so the HTML arrives complete and usable without JavaScript.
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // The Content-Security-Policy (set by the HTTP layer, scripts/server.ts) allows inline
  // scripts only with this nonce: Remix's own carry it, an injected one cannot.
  const nonce = loadContext.cspNonce ?? ''
  return new Promise<Response>((resolve, reject) => {
    let didError = false
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY_MS} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        onAllReady() {
          const body = new PassThrough()
          responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
          retryLaterWhenUnavailable(responseStatusCode, responseHeaders)
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: didError ? 500 : responseStatusCode,
            }),
          )
          pipe(body)
        },
        onShellError(error: unknown) {
          reject(error)
        },
        onError(error: unknown) {
          didError = true
          logError(error, loadContext)
        },
      },
    )
    setTimeout(abort, ABORT_DELAY_MS)
  })
}

/** A 503 (the database cannot take writes) tells clients when to try again. */
function retryLaterWhenUnavailable(status: number, headers: Headers) {
  if (status === 503) headers.set('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS))
}

/**
 * Every error Remix meets in a loader, an action or a render (and the 405s and 404s it answers
 * itself), as one JSON line without its message (utils/error-log.server.ts). Replaces Remix's
 * own handler, which prints the message and stack: they quote the path, with a personal link's
 * token, and whatever a query string or a database error carries. A client that went away is
 * no error of ours (the request log marks it aborted).
 */
export function handleError(error: unknown, { request, context }: LoaderFunctionArgs | ActionFunctionArgs) {
  if (!request.signal.aborted) logError(error, context)
}

export function handleDataRequest(response: Response) {
  retryLaterWhenUnavailable(response.status, response.headers)
  return response
}
