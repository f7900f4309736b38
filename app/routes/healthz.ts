import { json } from '@remix-run/node'
import { probeDatabaseWrite } from '#app/models/health.server'
import { getDb, isDatabaseUnavailable } from '#app/utils/db.server'
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '#app/utils/unavailable.server'

// Public by design: load balancers call it. It reveals nothing but whether this process can
// serve, which includes writing: a registration is a write.
export async function loader() {
  try {
    await probeDatabaseWrite(getDb())
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error
    return json(
      { status: 'unavailable' },
      { status: 503, headers: { 'Cache-Control': 'no-store', 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) } },
    )
  }
  return json({ status: 'ok' }, { headers: { 'Cache-Control': 'no-store' } })
}
