import { isRouteErrorResponse, Link, useRouteError } from '@remix-run/react'
import { useT, type MessageKey } from '#app/i18n'

const BY_STATUS: Record<number, { title: MessageKey; body: MessageKey }> = {
  400: { title: 'error.badRequest.title', body: 'error.badRequest.body' },
  403: { title: 'error.forbidden.title', body: 'error.forbidden.body' },
  404: { title: 'error.notFound.title', body: 'error.notFound.body' },
  413: { title: 'error.badRequest.title', body: 'error.tooLarge.body' },
  415: { title: 'error.badRequest.title', body: 'error.notAForm.body' },
  429: { title: 'error.tooMany.title', body: 'error.tooMany.body' },
  503: { title: 'error.unavailable.title', body: 'error.unavailable.body' },
}

/** Says what happened, in the reader's language, without leaking internals. */
export function GeneralErrorBoundary() {
  const error = useRouteError()
  const t = useT()
  const status = isRouteErrorResponse(error) ? error.status : 500
  // In the browser, for whoever opens the console. On the server, entry.server.tsx's handleError
  // has logged it already, as one JSON line without its message.
  if (!isRouteErrorResponse(error) && typeof document !== 'undefined') console.error(error)
  const text = BY_STATUS[status] ?? { title: 'error.generic.title', body: 'error.generic.body' }
  return (
    <section className="error-page" aria-labelledby="error-title">
      <h1 id="error-title">{t(text.title)}</h1>
      <p>{t(text.body)}</p>
      <p>
        <Link to="/">{t('error.backHome')}</Link>
      </p>
    </section>
  )
}
