import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { formatDate, formatDateTime, type MessageKey, translate, useLang, useT } from '#app/i18n'
import { metaLang, pageTitle } from '#app/utils/meta'
import { listCertificatesForUser } from '#app/models/certificate.server'
import { listAssignmentsForUser } from '#app/models/webinar-role.server'
import { requireUser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'me.title'))

// Any signed-in staff member: the query itself only returns their own assignments.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  const [assignments, certificates] = await Promise.all([listAssignmentsForUser(getDb(), user.id), listCertificatesForUser(getDb(), user.id)])
  return json({ assignments, certificates: certificates.map((c) => ({ number: c.number, role: c.role, topic: c.topic, startAt: c.start_at!, zone: c.time_zone })) })
}

export default function MyAssignmentsPage() {
  const { assignments, certificates } = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  return (
    <section aria-labelledby="me-title">
      <h1 id="me-title">{t('me.title')}</h1>
      {assignments.length === 0 ? <p>{t('me.empty')}</p> : null}
      <ul className="cards">
        {assignments.map((a) => {
          // Where this person's work is: the console for the moderator, the brief for everyone else.
          const main = a.role === 'moderator' ? `/attendance/${a.slug}` : a.brief_token ? `/brief/${a.brief_token}` : null
          const upcoming = a.status === 'published'
          return (
            <li key={a.role_id} className="card">
              <h2>{main ? <Link to={main}>{a.topic}</Link> : a.topic}</h2>
              <p>
                <span className={`badge ${a.status}`}>{t(`status.${a.status}`)}</span> <strong>{t(`role.${a.role}`)}</strong>
                {a.talk_title ? ` · ${a.talk_title}` : ''}
                {a.pillar ? ` · ${t(`pillar.${a.pillar}` as MessageKey)}` : ''}
              </p>
              <p className="muted">
                {a.start_at && a.time_zone ? formatDateTime(a.start_at, a.time_zone, lang) : t('date.notSet')}
                {a.regency_name ? ` · ${a.regency_name}` : ''}
              </p>
              {upcoming ? <p>{t('brief.current', { answer: t(`confirmation.${a.confirmation}`) })}</p> : null}
              <ul className="plain-list link-list">
                {a.role === 'moderator' ? (
                  <li>
                    <Link to={`/attendance/${a.slug}`}>{t('me.attendance')}</Link>
                  </li>
                ) : null}
                {a.brief_token ? (
                  <li>
                    <Link to={`/brief/${a.brief_token}`}>{t('me.brief')}</Link>
                  </li>
                ) : null}
                {upcoming && a.platform_url ? (
                  <li>
                    <a href={a.platform_url} rel="noreferrer">
                      {t('me.join')}
                    </a>
                  </li>
                ) : null}
                {upcoming && a.brief_token ? (
                  <li>
                    <Link to={`/brief/${a.brief_token}#answer-title`}>{t('me.answer')}</Link>
                  </li>
                ) : null}
              </ul>
            </li>
          )
        })}
      </ul>
      {certificates.length ? (
        <section aria-labelledby="my-certificates-title">
          <h2 id="my-certificates-title">{t('me.certificates')}</h2>
          <ul className="plain-list">
            {certificates.map((c) => (
              <li key={c.number} className="card-line">
                <a href={`/me/certificates/${c.number}.pdf`} download>
                  {c.topic}
                </a>{' '}
                <span className="muted">
                  · {t(`certificate.role.${c.role}`)} · {formatDate(c.startAt, c.zone, lang)}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
