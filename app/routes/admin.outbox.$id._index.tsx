import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { FormErrors } from '#app/components/forms'
import { kindLabel, outboxTime } from '#app/components/outbox'
import { formatNumber, useLang, useT } from '#app/i18n'
import { previewMail } from '#app/mail/preview.server'
import { getOutboxMessage, resendMail } from '#app/models/outbox.server'
import { getSiteIdentity } from '#app/models/site-settings.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { OutboxMessageActionSchema } from '#app/utils/outbox-schema.server'
import { readForm } from '#app/utils/read-form.server'
import { parseForm } from '#app/utils/validation.server'

// A message may carry a set-password link or a personal link: the page is never cached.
const NO_STORE = { 'Cache-Control': 'no-store' }
export const headers: HeadersFunction = () => NO_STORE

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.preview?.subject ?? 'Outbox'} · Literasi Webinar` }]

async function requireMessage(id: string | undefined) {
  const message = await getOutboxMessage(getDb(), id ?? '')
  if (!message) throw new Response('Not found', { status: 404 })
  return message
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const message = await requireMessage(params.id)
  const { raw, payload: _payload, ...details } = message
  const identity = await getSiteIdentity(getDb())
  return json(
    { message: { ...details, hasRaw: raw !== null }, preview: previewMail(message, identity), resent: new URL(request.url).searchParams.has('resent') },
    { headers: NO_STORE },
  )
}

export async function action({ request, params }: ActionFunctionArgs) {
  await requireOrganiser(request)
  const message = await requireMessage(params.id)
  const parsed = parseForm(OutboxMessageActionSchema, await readForm(request))
  if (!parsed.success) throw new Response('Bad request', { status: 400 })
  if (!(await resendMail(getDb(), message.id))) return json({ errors: { '': ['outbox.resendRefused'] } }, { status: 409 })
  return redirect(`/admin/outbox/${message.id}?resent`)
}

export default function OutboxMessagePage() {
  const { message, preview, resent } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const lang = useLang()
  const base = `/admin/outbox/${message.id}`
  return (
    <article aria-labelledby="message-title">
      <p>
        <Link to="/admin/outbox">{t('outbox.backToList')}</Link>
      </p>
      <h1 id="message-title">{t('outbox.detail.title', { subject: preview?.subject ?? kindLabel(t, message.kind) })}</h1>
      {resent && !actionData ? (
        <p className="notice" role="status">
          {t('outbox.resent')}
        </p>
      ) : null}
      <FormErrors errors={actionData?.errors['']} />

      <h2>{t('outbox.detail.delivery')}</h2>
      <dl className="details">
        <dt>{t('outbox.field.state')}</dt>
        <dd>
          <span className={`badge ${message.state}`}>{t(`outbox.state.${message.state}`)}</span> {kindLabel(t, message.kind)}
        </dd>
        <dt>{t('outbox.field.webinar')}</dt>
        <dd>{message.webinar_slug ? <Link to={`/admin/webinars/${message.webinar_slug}`}>{message.webinar_topic}</Link> : '—'}</dd>
        <dt>{t('outbox.field.attempts')}</dt>
        <dd>{formatNumber(message.attempts, lang)}</dd>
        <dt>{t('outbox.field.lastError')}</dt>
        <dd>{message.last_error ? <code className="break-anywhere">{message.last_error}</code> : '—'}</dd>
        <dt>{t('outbox.field.created')}</dt>
        <dd>{outboxTime(message.created_at, lang)}</dd>
        <dt>{t('outbox.field.sent')}</dt>
        <dd>{message.sent_at ? outboxTime(message.sent_at, lang) : '—'}</dd>
        {message.state === 'queued' || message.state === 'retrying' ? (
          <>
            <dt>{t('outbox.field.nextAttempt')}</dt>
            <dd>{outboxTime(message.next_attempt_at, lang)}</dd>
          </>
        ) : null}
        <dt>{t('outbox.field.messageId')}</dt>
        <dd className="break-anywhere">{message.message_id}</dd>
      </dl>
      {message.state === 'failed' ? (
        <Form method="post" className="stack">
          <p className="hint">{t('outbox.resendHint')}</p>
          <div className="actions">
            <button type="submit" name="intent" value="resend">
              {t('outbox.resend')}
            </button>
          </div>
        </Form>
      ) : null}

      <h2>{t('outbox.detail.asSent')}</h2>
      {preview ? (
        <>
          <dl className="details">
            <dt>{t('outbox.detail.subject')}</dt>
            <dd>{preview.subject}</dd>
            <dt>{t('outbox.detail.from')}</dt>
            <dd className="break-anywhere">{preview.from}</dd>
            <dt>{t('outbox.detail.to')}</dt>
            <dd className="break-anywhere">{preview.to}</dd>
          </dl>
          <h3>{t('outbox.detail.html')}</h3>
          {/* An empty sandbox: the message's markup runs no script and cannot reach this page. */}
          <iframe className="mail-frame" title={t('outbox.detail.htmlFrame')} sandbox="" referrerPolicy="no-referrer" srcDoc={preview.html} />
          <h3>{t('outbox.detail.text')}</h3>
          <pre className="mail-text">{preview.text}</pre>
          {preview.calendar ? (
            <>
              <h3>{t('outbox.detail.calendar', { method: preview.calendar.method })}</h3>
              <pre className="mail-text">{preview.calendar.content}</pre>
              <p>
                <a href={`${base}/calendar.ics`} download>
                  {t('outbox.detail.downloadIcs')}
                </a>
              </p>
            </>
          ) : (
            <p className="muted">{t('outbox.detail.noCalendar')}</p>
          )}
        </>
      ) : (
        <p className="form-errors">{t('outbox.detail.renderFailed')}</p>
      )}
      {message.hasRaw ? (
        <p>
          <a href={`${base}/message.eml`} download>
            {t('outbox.detail.downloadEml')}
          </a>
        </p>
      ) : null}
    </article>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
