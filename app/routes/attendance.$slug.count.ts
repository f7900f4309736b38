import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { countCheckins } from '#app/models/attendance.server'
import { requireAttendanceWebinar } from '#app/utils/webinar-guards.server'
import { getDb } from '#app/utils/db.server'

// The console's live count, polled every few seconds while the window is open.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { webinar } = await requireAttendanceWebinar(request, params.slug)
  return json({ checkedIn: await countCheckins(getDb(), webinar.id) }, { headers: { 'Cache-Control': 'private, no-store' } })
}
