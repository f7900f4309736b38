import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { listProvinceRegencies } from '#app/models/region.server'
import { getDb } from '#app/utils/db.server'

// Public: the official regencies of one province, [code, name], for the registration form's
// picker when the browser runs its small script (components/regency-select.tsx). The list
// changes only with the official data, so browsers and shared caches keep it a day.
export async function loader({ params }: LoaderFunctionArgs) {
  const code = params.province ?? ''
  const regencies = /^\d{2}$/.test(code) ? await listProvinceRegencies(getDb(), code) : []
  if (regencies.length === 0) throw new Response('Not found', { status: 404 })
  return json(regencies, { headers: { 'Cache-Control': 'public, max-age=86400' } })
}
