import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { FilterActions, PillarAndDateFilters, ProvinceFilter } from '#app/components/filters'
import { pageCount, Pagination } from '#app/components/pagination'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { PillarNames, SeatsLeft, WebinarWhen } from '#app/components/public-webinar'
import { RegencySelect, type RegencyChoice } from '#app/components/regency-select'
import { useProgrammeName } from '#app/components/site-chrome'
import { translate, useT } from '#app/i18n'
import { listProvinces } from '#app/models/region.server'
import { CATALOGUE_PAGE_SIZE, listUpcomingWebinarRegencies, listUpcomingWebinars } from '#app/models/webinar.server'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { CatalogueQuerySchema } from '#app/utils/registration-schema.server'
import { nowIso } from '#app/utils/time'
import { toFieldErrors } from '#app/utils/validation.server'
import { webinarMoment } from '#app/utils/webinar-moment'
import { NO_SCRIPTS } from '#app/utils/page-scripts'

// A resident page: plain HTML, no scripts (utils/page-scripts.ts).
export const handle = NO_SCRIPTS

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'catalogue.title'))

// Public: anyone may browse the upcoming webinars.
export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb()
  const [provinces, regencies] = await Promise.all([listProvinces(db), listUpcomingWebinarRegencies(db)])
  const options = {
    provinces: provinces.map(({ code, name }) => ({ code, name })),
    regencies: regencies.map((r): RegencyChoice => [r.code, r.name, r.province_name]),
  }
  const parsed = CatalogueQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams))
  if (!parsed.success) {
    const rows: Array<Awaited<ReturnType<typeof listUpcomingWebinars>>['rows'][number] & { live: boolean }> = []
    return json({ ...options, rows, total: 0, page: 1, pages: 1, errors: toFieldErrors(parsed.error) }, { status: 400 })
  }
  const { page, ...filters } = parsed.data
  const now = nowIso()
  const { rows, total } = await listUpcomingWebinars(db, filters, page, { now })
  // A webinar already under way is marked "live now", not passed off as upcoming.
  const marked = rows.map((webinar) => ({ ...webinar, live: webinarMoment(webinar, now) === 'live' }))
  return json({ ...options, rows: marked, total, page, pages: pageCount(total, CATALOGUE_PAGE_SIZE), errors: null })
}

export default function CataloguePage() {
  const { provinces, regencies, rows, total, page, pages, errors } = useLoaderData<typeof loader>()
  const [searchParams] = useSearchParams()
  const t = useT()
  const programmeName = useProgrammeName()
  const fieldErrors = errors as Record<string, string[]> | null
  const filtered = ['province', 'regency', 'pillar', 'from', 'to'].some((name) => searchParams.get(name))
  return (
    <section aria-labelledby="catalogue-title">
      <h1 id="catalogue-title">{t('catalogue.title')}</h1>
      <p>{t('home.body', { programme: programmeName })}</p>

      <details className="filter-box" open={filtered || !!fieldErrors}>
        <summary>{t('catalogue.filterTitle')}</summary>
        <Form method="get" action="/webinars" className="filters" role="search" aria-label={t('catalogue.filterTitle')}>
          <ProvinceFilter provinces={provinces} errors={fieldErrors} />
          <RegencySelect
            label={t('webinar.field.regency')}
            name="regency"
            defaultValue={searchParams.get('regency') ?? ''}
            placeholder={t('webinar.filter.all')}
            regencies={regencies}
            errors={fieldErrors?.regency}
          />
          <PillarAndDateFilters errors={fieldErrors} />
          <FilterActions resetTo="/webinars" />
        </Form>
      </details>

      <p className="muted" role="status">
        {t('catalogue.count', { count: total })}
      </p>
      {rows.length === 0 ? (
        <p>{filtered ? t('webinar.list.empty') : t('catalogue.none')}</p>
      ) : (
        <ul className="cards">
          {rows.map((webinar) => (
            <li key={webinar.id} className="card">
              <h2>
                <Link to={`/webinars/${webinar.slug}`}>{webinar.topic}</Link>
              </h2>
              <p className="card-line">
                {webinar.live ? (
                  <>
                    <span className="badge live">{t('public.liveNow')}</span>{' '}
                  </>
                ) : null}
                <WebinarWhen startAt={webinar.start_at} endAt={webinar.end_at} zone={webinar.time_zone} />
              </p>
              <p className="card-line">
                {webinar.regency_name}, {webinar.province_name}
              </p>
              <p className="card-line muted">
                <PillarNames pillars={webinar.pillars} />
              </p>
              <p className="card-line">
                <SeatsLeft capacity={webinar.capacity} registered={webinar.registered_count} />
              </p>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={page} pages={pages} label={t('catalogue.pages')} />
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
