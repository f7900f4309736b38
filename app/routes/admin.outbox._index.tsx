import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { FilterActions } from '#app/components/filters'
import { pageCount, Pagination } from '#app/components/pagination'
import { Field, SelectField } from '#app/components/forms'
import { kindLabel, outboxTime } from '#app/components/outbox'
import { formatNumber, translate, useLang, useT } from '#app/i18n'
import { metaLang, pageTitle } from '#app/utils/meta'
import { MAIL_STATES } from '#app/mail/payload'
import { countOutboxByState, listOutbox, listOutboxWebinars, OUTBOX_PAGE_SIZE } from '#app/models/outbox.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { OutboxFilterSchema } from '#app/utils/outbox-schema.server'
import { toFieldErrors } from '#app/utils/validation.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'outbox.title'))

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const db = getDb()
  const [counts, webinars] = await Promise.all([countOutboxByState(db), listOutboxWebinars(db)])
  const parsed = OutboxFilterSchema.safeParse(Object.fromEntries(new URL(request.url).searchParams))
  if (!parsed.success) {
    const rows: Awaited<ReturnType<typeof listOutbox>>['rows'] = []
    return json({ counts, webinars, rows, total: 0, page: 1, pages: 1, errors: toFieldErrors(parsed.error) }, { status: 400 })
  }
  const { state, webinar, recipient, page } = parsed.data
  const { rows, total } = await listOutbox(db, { state, webinarId: webinar, recipient }, page)
  return json({ counts, webinars, rows, total, page, pages: pageCount(total, OUTBOX_PAGE_SIZE), errors: null })
}

export default function OutboxPage() {
  const { counts, webinars, rows, total, page, pages, errors } = useLoaderData<typeof loader>()
  const [searchParams] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const current = searchParams.get('state') ?? ''
  /** The same filters with another state, from the first page. */
  const stateLink = (state: string | null) => {
    const next = new URLSearchParams(searchParams)
    next.delete('page')
    if (state) next.set('state', state)
    else next.delete('state')
    return `/admin/outbox?${next}`
  }
  const countOf = (state: keyof typeof counts) => counts[state] ?? 0
  const all = MAIL_STATES.reduce((sum, state) => sum + countOf(state), 0)
  const fieldErrors = errors as Record<string, string[]> | null

  return (
    <section aria-labelledby="outbox-title">
      <h1 id="outbox-title">{t('outbox.title')}</h1>
      <p className="muted">{t('outbox.intro')}</p>

      <nav aria-label={t('outbox.byState')} className="actions state-tabs">
        <Link to={stateLink(null)} aria-current={current === '' ? 'page' : undefined}>
          {t('outbox.stateCount', { state: t('outbox.all'), count: all })}
        </Link>
        {MAIL_STATES.map((state) => (
          <Link key={state} to={stateLink(state)} aria-current={current === state ? 'page' : undefined}>
            {t('outbox.stateCount', { state: t(`outbox.state.${state}`), count: countOf(state) })}
          </Link>
        ))}
      </nav>

      <Form method="get" className="filters" role="search">
        <SelectField
          label={t('outbox.filter.state')}
          name="state"
          defaultValue={current}
          placeholder={t('outbox.all')}
          options={MAIL_STATES.map((state) => ({ value: state, label: t(`outbox.state.${state}`) }))}
          errors={fieldErrors?.state}
        />
        <SelectField
          label={t('outbox.filter.webinar')}
          name="webinar"
          defaultValue={searchParams.get('webinar') ?? ''}
          placeholder={t('outbox.all')}
          options={webinars.map((w) => ({ value: w.id, label: w.topic }))}
          errors={fieldErrors?.webinar}
        />
        <Field label={t('outbox.filter.recipient')} name="recipient" type="search" defaultValue={searchParams.get('recipient') ?? ''} maxLength={200} errors={fieldErrors?.recipient} />
        <FilterActions resetTo="/admin/outbox" />
      </Form>

      <p className="muted" role="status">
        {t('outbox.count', { count: total })}
      </p>
      {rows.length === 0 ? (
        <p>{t('outbox.empty')}</p>
      ) : (
        <ul className="cards">
          {rows.map((mail) => (
            <li key={mail.id} className="card">
              <h2>
                <Link to={`/admin/outbox/${mail.id}`} aria-label={t('outbox.open', { name: mail.recipient_name })}>
                  {kindLabel(t, mail.kind)}
                </Link>
              </h2>
              <p>
                <span className={`badge ${mail.state}`}>{t(`outbox.state.${mail.state}`)}</span>{' '}
                <span className="break-anywhere">
                  {mail.recipient_name} &lt;{mail.recipient_email}&gt;
                </span>
              </p>
              <dl className="details">
                <dt>{t('outbox.field.webinar')}</dt>
                <dd>{mail.webinar_slug ? <Link to={`/admin/webinars/${mail.webinar_slug}`}>{mail.webinar_topic}</Link> : '—'}</dd>
                <dt>{t('outbox.field.attempts')}</dt>
                <dd>{formatNumber(mail.attempts, lang)}</dd>
                {mail.last_error ? (
                  <>
                    <dt>{t('outbox.field.lastError')}</dt>
                    <dd>
                      <code className="break-anywhere">{mail.last_error}</code>
                    </dd>
                  </>
                ) : null}
                <dt>{t('outbox.field.created')}</dt>
                <dd>{outboxTime(mail.created_at, lang)}</dd>
                {mail.sent_at ? (
                  <>
                    <dt>{t('outbox.field.sent')}</dt>
                    <dd>{outboxTime(mail.sent_at, lang)}</dd>
                  </>
                ) : null}
                {mail.state === 'queued' || mail.state === 'retrying' ? (
                  <>
                    <dt>{t('outbox.field.nextAttempt')}</dt>
                    <dd>{outboxTime(mail.next_attempt_at, lang)}</dd>
                  </>
                ) : null}
              </dl>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={page} pages={pages} />
    </section>
  )
}
