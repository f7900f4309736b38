import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { WebinarWhen } from '#app/components/public-webinar'
import { translate, useT } from '#app/i18n'
import { getPublicWebinarBySlug } from '#app/models/webinar.server'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { NO_SCRIPTS } from '#app/utils/page-scripts'

// A resident page: plain HTML, no scripts (utils/page-scripts.ts).
export const handle = NO_SCRIPTS

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'registered.title'))

// The same page after a first registration, a repeat, and a bot's post: it says nothing about
// who registered or whether they got a seat. That is told only by e-mail and on the personal page.
export async function loader({ params }: LoaderFunctionArgs) {
  const webinar = await getPublicWebinarBySlug(getDb(), params.slug ?? '')
  if (!webinar) throw new Response('Not found', { status: 404 })
  return json({ slug: webinar.slug, topic: webinar.topic, startAt: webinar.start_at, endAt: webinar.end_at, zone: webinar.time_zone })
}

export default function RegisteredPage() {
  const { slug, topic, startAt, endAt, zone } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <section aria-labelledby="registered-title">
      <h1 id="registered-title">{t('registered.title')}</h1>
      <p className="notice" role="status">
        {t('registered.body', { topic })}
      </p>
      {/* The time and the webinar's own calendar file (no join link in it: that comes by e-mail). */}
      <dl className="details">
        <dt>{t('mail.detail.when')}</dt>
        <dd>
          <WebinarWhen startAt={startAt} endAt={endAt} zone={zone} />
        </dd>
      </dl>
      <p>
        <a className="button secondary" href={`/webinars/${slug}/calendar.ics`} download>
          {t('public.addToCalendar')}
        </a>
      </p>
      <p>{t('registered.spam')}</p>
      <ul>
        <li>
          <Link to={`/webinars/${slug}/link`}>{t('lostLink.ask')}</Link>
        </li>
        <li>
          <Link to={`/webinars/${slug}`}>{t('registered.back')}</Link>
        </li>
        <li>
          <Link to="/webinars">{t('catalogue.title')}</Link>
        </li>
      </ul>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
