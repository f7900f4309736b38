import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { Field, FormErrors } from '#app/components/forms'
import { pageCount, Pagination } from '#app/components/pagination'
import { formatDateTime, type MessageKey, translate, useLang, useT } from '#app/i18n'
import { metaLang, pageTitle } from '#app/utils/meta'
import { listWebinarCertificates, reissueCertificate, revokeCertificate } from '#app/models/certificate.server'
import { CertificateActionSchema, CertificateListQuerySchema } from '#app/utils/certificate-schema.server'
import { getDb } from '#app/utils/db.server'
import { readForm } from '#app/utils/read-form.server'
import { requireOrganiserWebinar } from '#app/utils/webinar-guards.server'
import { webinarZone } from '#app/utils/time'
import { parseForm, type FieldErrors } from '#app/utils/validation.server'

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(`${translate(metaLang(matches), 'certificates.title')} · ${data?.webinar.topic ?? ''}`)

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { webinar } = await requireOrganiserWebinar(request, params.slug)
  const query = CertificateListQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams))
  const list = await listWebinarCertificates(getDb(), webinar.id, query.success ? query.data.page : 1, query.success ? (query.data.q ?? null) : null)
  return json({ webinar: { slug: webinar.slug, topic: webinar.topic, zone: webinarZone(webinar) }, list: { ...list, pages: pageCount(list.total, list.pageSize) } })
}

type ActionData = { certificateId?: string; intent?: string; errors: FieldErrors }

const REFUSALS: Record<string, MessageKey> = { notFound: 'error.notFound.body', notCurrent: 'certificates.notCurrent', revoked: 'certificates.alreadyRevoked', erased: 'certificates.erased' }

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, webinar } = await requireOrganiserWebinar(request, params.slug)
  const parsed = parseForm(CertificateActionSchema, await readForm(request))
  if (!parsed.success) return json<ActionData>({ certificateId: parsed.values.certificateId, intent: parsed.values.intent, errors: parsed.errors }, { status: 400 })
  const form = parsed.data
  const result =
    form.intent === 'revoke'
      ? await revokeCertificate(getDb(), webinar.id, form.certificateId, user.id, form.reason)
      : await reissueCertificate(getDb(), webinar.id, form.certificateId, form.name)
  if (!result.ok) return json<ActionData>({ certificateId: form.certificateId, intent: form.intent, errors: { '': [REFUSALS[result.reason]!] } }, { status: result.reason === 'notFound' ? 404 : 409 })
  const done = form.intent === 'revoke' ? 'revoked' : `reissued&number=${result.number}`
  return redirect(`/admin/webinars/${webinar.slug}/certificates?done=${done}`, 303)
}

export default function WebinarCertificates() {
  const { webinar, list } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>() as ActionData | undefined
  const [searchParams] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const done = searchParams.get('done')
  return (
    <section aria-labelledby="certificates-title" className="stack">
      <p>
        <Link to={`/admin/webinars/${webinar.slug}`}>← {webinar.topic}</Link>
      </p>
      <h1 id="certificates-title">{t('certificates.title')}</h1>
      {done === 'revoked' ? (
        <p className="notice" role="status">
          {t('certificates.revokedDone')}
        </p>
      ) : done === 'reissued' ? (
        <p className="notice" role="status">
          {t('certificates.reissued', { number: searchParams.get('number') ?? '' })}
        </p>
      ) : null}
      <Form method="get" className="filters" role="search">
        <Field label={t('certificates.search')} name="q" type="search" maxLength={200} defaultValue={searchParams.get('q') ?? ''} />
        <div className="actions">
          <button type="submit">{t('attendance.searchSubmit')}</button>
        </div>
      </Form>
      <p className="muted">{t('certificates.count', { count: list.total })}</p>
      {list.rows.length === 0 ? <p>{t('certificates.empty')}</p> : null}
      <ul className="cards">
        {list.rows.map((c) => {
          const errors = actionData?.certificateId === c.id ? actionData.errors : undefined
          const current = !c.replaced_by_id
          return (
            <li key={c.id} className="card">
              <p className="card-line">
                <strong>{c.name ?? '—'}</strong> · {t(`certificate.role.${c.role}`)}{' '}
                <span className="badge">{t(`certificate.state.${c.revoked_at ? 'revoked' : current ? 'valid' : 'replaced'}`)}</span>
              </p>
              <p className="card-line muted">
                <Link to={`/certificates/${c.number}`}>{c.number}</Link> · {formatDateTime(c.issued_at, webinar.zone, lang)}
              </p>
              {c.revoked_at ? (
                <p className="card-line muted">
                  {t('certificates.revokedAt', { time: formatDateTime(c.revoked_at, webinar.zone, lang), reason: c.revoked_reason ?? t('certificates.revokedByAttendance') })}
                </p>
              ) : null}
              {c.replaced_by_number ? <p className="card-line muted">{t('certificate.replacedBy', { number: c.replaced_by_number })}</p> : null}
              <FormErrors errors={errors?.['']} />
              {current ? (
                <details open={!!errors}>
                  <summary>{t('certificates.change')}</summary>
                  {c.revoked_at ? null : (
                    <Form method="post" className="stack" preventScrollReset>
                      <input type="hidden" name="certificateId" value={c.id} />
                      <Field label={t('certificates.revokeReason')} name="reason" maxLength={500} required errors={actionData?.intent === 'revoke' ? errors?.reason : undefined} />
                      <div className="actions">
                        <button type="submit" name="intent" value="revoke" className="danger">
                          {t('certificates.revoke')}
                        </button>
                      </div>
                    </Form>
                  )}
                  {c.holder_erased_at ? (
                    <p className="card-line muted">{t('certificates.erased')}</p>
                  ) : (
                    <Form method="post" className="stack" preventScrollReset>
                      <input type="hidden" name="certificateId" value={c.id} />
                      <Field label={t('certificates.reissueName')} name="name" defaultValue={c.name ?? ''} maxLength={100} required errors={actionData?.intent === 'reissue' ? errors?.name : undefined} />
                      <div className="actions">
                        <button type="submit" name="intent" value="reissue">
                          {t('certificates.reissue')}
                        </button>
                      </div>
                    </Form>
                  )}
                </details>
              ) : null}
            </li>
          )
        })}
      </ul>
      <Pagination page={list.page} pages={list.pages} />
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
