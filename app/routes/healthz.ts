import { json } from '@remix-run/node'
import { pingDatabase } from '#app/models/health.server'
import { getDb } from '#app/utils/db.server'

// Public by design: load balancers call it. It reveals nothing but liveness.
export async function loader() {
  await pingDatabase(getDb())
  return json({ status: 'ok' }, { headers: { 'Cache-Control': 'no-store' } })
}
