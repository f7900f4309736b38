import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { translate } from '#app/i18n'
import { listUpcomingWebinars } from '#app/models/webinar.server'
import { splitPillars } from '#app/utils/catalog'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { decodeMessage } from '#app/utils/messages'
import { CatalogueQuerySchema } from '#app/utils/registration-schema.server'
import { TIME_ZONES } from '#app/utils/time'
import { toFieldErrors } from '#app/utils/validation.server'

const API_PAGE_SIZE = 100

// Public, for the ministry's portal to embed: what the catalogue shows, as JSON. No personal
// data and no join details. Any site may read it, and caches may keep it for a minute.
const PUBLIC_HEADERS = { 'Cache-Control': 'public, max-age=60', 'Access-Control-Allow-Origin': '*' }

export async function loader({ request }: LoaderFunctionArgs) {
  const parsed = CatalogueQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams))
  if (!parsed.success) {
    const fields = Object.fromEntries(
      Object.entries(toFieldErrors(parsed.error)).map(([field, keys]) => [
        field,
        keys.map((key) => {
          const { key: messageKey, vars } = decodeMessage(key)
          return translate('en', messageKey, vars)
        }),
      ]),
    )
    return json({ error: 'invalid_query', fields }, { status: 400, headers: { 'Access-Control-Allow-Origin': '*' } })
  }
  const { page, ...filters } = parsed.data
  const { rows, total } = await listUpcomingWebinars(getDb(), filters, page, { pageSize: API_PAGE_SIZE })
  const appUrl = getEnv().APP_URL
  return json(
    {
      webinars: rows.map((w) => ({
        id: w.id,
        slug: w.slug,
        url: `${appUrl}/webinars/${w.slug}`,
        topic: w.topic,
        pillars: splitPillars(w.pillars),
        segment: w.segment,
        regencyCode: w.regency_code,
        regencyName: w.regency_name,
        provinceCode: w.province_code,
        provinceName: w.province_name,
        startAt: w.start_at,
        endAt: w.end_at,
        timeZone: w.time_zone,
        timeZoneIana: TIME_ZONES[w.time_zone].iana,
        capacity: w.capacity,
        seatsLeft: Math.max(0, w.capacity - w.registered_count),
      })),
      page,
      pageSize: API_PAGE_SIZE,
      total,
    },
    { headers: PUBLIC_HEADERS },
  )
}
