import { getAttendanceWebinar } from '#app/models/attendance.server'
import { requireRole } from './auth.server'
import { getDb } from './db.server'

/**
 * The guard of every attendance page: organisers, and the moderator assigned to this webinar.
 * A speaker is refused by role (403); another webinar's moderator finds nothing (404), because
 * the query itself only returns webinars the caller moderates.
 */
export async function requireAttendanceWebinar(request: Request, slug: string | undefined) {
  const user = await requireRole(request, 'organiser', 'moderator')
  const webinar = await getAttendanceWebinar(getDb(), slug ?? '', user)
  if (!webinar) throw new Response('Not found', { status: 404 })
  return { user, webinar }
}
