import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { formatDate, useLang, useT, translate } from '#app/i18n'
import { getCertificateByNumber, normaliseCertificateNumber } from '#app/models/certificate.server'
import { hitRateLimits } from '#app/models/rate-limit.server'
import { getSiteIdentity } from '#app/models/site-settings.server'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { limitKey } from '#app/utils/limit-keys.server'
import { RESIDENT_LIMITS } from '#app/utils/resident-limits.server'
import { NO_SCRIPTS } from '#app/utils/page-scripts'
import { issuerNameFor } from '#app/utils/site-identity'

// A resident page: plain HTML, no scripts (utils/page-scripts.ts).
export const handle = NO_SCRIPTS

export const meta: MetaFunction = ({ matches }) => [...pageTitle(translate(metaLang(matches), 'certificate.verifyTitle')), { name: 'robots', content: 'noindex' }]

// A certificate can be revoked or replaced at any time: the answer is never cached.
const NO_STORE = { 'Cache-Control': 'no-store' }
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders

/**
 * Public: anyone holding a certificate's number can check it. It shows the minimum (name,
 * role, topic, date, regency and the state), and after the holder deleted their data only the
 * number, topic and date. Rate-limited per address, so the number space cannot be walked.
 */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const db = getDb()
  const wait = await hitRateLimits(db, [[limitKey('verify', 'ip', context.clientIp), RESIDENT_LIMITS.verifyPerIp]])
  if (wait > 0) {
    return json({ state: 'tooMany' as const, minutes: Math.max(1, Math.ceil(wait / 60)) }, { status: 429, headers: { ...NO_STORE, 'Retry-After': String(wait) } })
  }
  const number = normaliseCertificateNumber(params.number ?? '')
  const certificate = number ? await getCertificateByNumber(db, number) : null
  if (!certificate) return json({ state: 'notFound' as const, number: (params.number ?? '').slice(0, 40) }, { status: 404, headers: NO_STORE })
  const state = certificate.revoked_at ? ('revoked' as const) : certificate.replaced_by_id ? ('replaced' as const) : ('valid' as const)
  const deleted = certificate.name === null
  const { issuerName } = await getSiteIdentity(db)
  return json(
    {
      state,
      issuerName,
      certificate: {
        number: certificate.number,
        topic: certificate.topic,
        startAt: certificate.start_at,
        zone: certificate.time_zone,
        holder: deleted ? null : { name: certificate.name!, role: certificate.role, place: `${certificate.regency_name}, ${certificate.province_name}` },
        replacedBy: state === 'replaced' ? certificate.replaced_by_number : null,
      },
    },
    { headers: NO_STORE },
  )
}

export default function VerifyCertificate() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  return (
    <section aria-labelledby="verify-title" className="stack">
      <h1 id="verify-title">{t('certificate.verifyTitle')}</h1>
      {data.state === 'tooMany' ? (
        <p className="form-errors" role="alert">
          {t('certificate.tooMany', { minutes: data.minutes })}
        </p>
      ) : data.state === 'notFound' ? (
        <p className="form-errors" role="alert">
          {t('certificate.notFound', { number: data.number })}
        </p>
      ) : (
        <>
          <p className={`verdict verdict-${data.state}`}>
            <VerdictIcon state={data.state} />
            <strong className="verdict-label">{t(`certificate.state.${data.state}`)}</strong>
            <span>{t(`certificate.stateBody.${data.state}`)}</span>
          </p>
          {data.certificate.replacedBy ? (
            <p>
              <Link to={`/certificates/${data.certificate.replacedBy}`}>{t('certificate.replacedBy', { number: data.certificate.replacedBy })}</Link>
            </p>
          ) : null}
          <dl className="details">
            <dt>{t('certificate.number')}</dt>
            <dd>{data.certificate.number}</dd>
            <dt>{t('certificate.issuer')}</dt>
            <dd>{issuerNameFor(data, lang)}</dd>
            {data.certificate.holder ? (
              <>
                <dt>{t('certificate.holder')}</dt>
                <dd>{data.certificate.holder.name}</dd>
                <dt>{t('certificate.role')}</dt>
                <dd>{t(`certificate.role.${data.certificate.holder.role}`)}</dd>
              </>
            ) : null}
            <dt>{t('certificate.topic')}</dt>
            <dd>{data.certificate.topic}</dd>
            <dt>{t('certificate.date')}</dt>
            <dd>{formatDate(data.certificate.startAt, data.certificate.zone, lang)}</dd>
            {data.certificate.holder ? (
              <>
                <dt>{t('certificate.place')}</dt>
                <dd>{data.certificate.holder.place}</dd>
              </>
            ) : null}
          </dl>
          {data.certificate.holder ? null : <p className="muted">{t('certificate.dataDeleted')}</p>}
        </>
      )}
      <p>
        <Link to="/certificates">{t('certificate.lookupAnother')}</Link>
      </p>
    </section>
  )
}

/** A tick, a cross, or two arrows: the state is told by shape and text as well as colour. */
function VerdictIcon({ state }: { state: 'valid' | 'revoked' | 'replaced' }) {
  const path = {
    valid: 'M6 12.5l4 4 8-9',
    revoked: 'M7 7l10 10M17 7L7 17',
    replaced: 'M5 9h11l-3-3M19 15H8l3 3',
  }[state]
  return (
    <svg className="verdict-icon" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="11" fill="currentColor" />
      <path d={path} fill="none" stroke="#fff" strokeWidth="2.5" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
