import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { FilterActions, PillarAndDateFilters, ProvinceFilter } from '#app/components/filters'
import { pageCount, Pagination } from '#app/components/pagination'
import { SelectField } from '#app/components/forms'
import { formatDateTime, formatNumber, translate, useLang, useT } from '#app/i18n'
import { metaLang, pageTitle } from '#app/utils/meta'
import { listProvinces } from '#app/models/region.server'
import { listWebinars, WEBINAR_PAGE_SIZE } from '#app/models/webinar.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { splitPillars, WEBINAR_STATUSES } from '#app/utils/catalog'
import { getDb } from '#app/utils/db.server'
import { localToUtc } from '#app/utils/time'
import { toFieldErrors } from '#app/utils/validation.server'
import { WebinarFilterSchema } from '#app/utils/webinar-schema.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'webinar.list.title'))

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const db = getDb()
  const params = Object.fromEntries(new URL(request.url).searchParams)
  const provinces = await listProvinces(db)
  const parsed = WebinarFilterSchema.safeParse(params)
  if (!parsed.success) {
    const rows: Awaited<ReturnType<typeof listWebinars>>['rows'] = []
    return json({ provinces, rows, total: 0, page: 1, pages: 1, errors: toFieldErrors(parsed.error) }, { status: 400 })
  }
  const filters = parsed.data
  // Date bounds cover the whole local day in every zone: from midnight WIT to the next midnight WIB.
  const { rows, total } = await listWebinars(
    db,
    {
      status: filters.status,
      province: filters.province,
      pillar: filters.pillar,
      from: filters.from ? localToUtc(filters.from, '00:00', 'WIT') : null,
      to: filters.to ? localToUtc(nextDay(filters.to), '00:00', 'WIB') : null,
    },
    filters.page,
  )
  return json({ provinces, rows, total, page: filters.page, pages: pageCount(total, WEBINAR_PAGE_SIZE), errors: null })
}

export default function WebinarListPage() {
  const { provinces, rows, total, page, pages, errors } = useLoaderData<typeof loader>()
  const [searchParams] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const fieldErrors = errors as Record<string, string[]> | null
  return (
    <section aria-labelledby="webinars-title">
      <div className="actions" style={{ justifyContent: 'space-between' }}>
        <h1 id="webinars-title">{t('webinar.list.title')}</h1>
        <Link to="/admin/webinars/new" className="button">
          {t('webinar.list.new')}
        </Link>
      </div>
      <Form method="get" className="filters" role="search">
        <SelectField
          label={t('webinar.filter.status')}
          name="status"
          defaultValue={searchParams.get('status') ?? ''}
          placeholder={t('webinar.filter.all')}
          options={WEBINAR_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          errors={fieldErrors?.status}
        />
        <ProvinceFilter provinces={provinces} errors={fieldErrors} />
        <PillarAndDateFilters errors={fieldErrors} />
        <FilterActions resetTo="/admin/webinars" />
      </Form>

      <p className="muted" role="status">
        {t('webinar.list.count', { count: total })}
      </p>
      {rows.length === 0 ? (
        <p>{t('webinar.list.empty')}</p>
      ) : (
        <ul className="cards">
          {rows.map((webinar) => (
            <li key={webinar.id} className="card">
              <h2>
                <Link to={`/admin/webinars/${webinar.slug}`}>{webinar.topic}</Link>
              </h2>
              <p className="muted">
                <span className={`badge ${webinar.status}`}>{t(`status.${webinar.status}`)}</span>{' '}
                {webinar.start_at && webinar.time_zone ? formatDateTime(webinar.start_at, webinar.time_zone, lang) : t('date.notSet')}
                {webinar.regency_name ? ` · ${webinar.regency_name}, ${webinar.province_name}` : ''}
              </p>
              <p className="muted">{splitPillars(webinar.pillars).map((p) => t(`pillar.${p}`)).join(' · ')}</p>
              <p>{t('webinar.list.seats', { registered: formatNumber(webinar.registered_count, lang), capacity: formatNumber(webinar.capacity, lang) })}</p>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={page} pages={pages} />
    </section>
  )
}
