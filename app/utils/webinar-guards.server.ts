import { getAttendanceWebinar } from '#app/models/attendance.server'
import { getWebinarBySlug } from '#app/models/webinar.server'
import { requireOrganiser, requireRole } from './auth.server'
import { getDb } from './db.server'

// The guards of the pages about one webinar: who may call them, and a 404 for an unknown slug.

/** The organiser's pages: any webinar, drafts included. */
export async function requireOrganiserWebinar(request: Request, slug: string | undefined) {
  const user = await requireOrganiser(request)
  const webinar = await getWebinarBySlug(getDb(), slug ?? '')
  if (!webinar) throw new Response('Not found', { status: 404 })
  return { user, webinar }
}

/**
 * The attendance pages and reports: organisers, and the moderator assigned to this webinar.
 * A speaker is refused by role (403); another webinar's moderator finds nothing (404), because
 * the query itself only returns webinars the caller moderates.
 */
export async function requireAttendanceWebinar(request: Request, slug: string | undefined) {
  const user = await requireRole(request, 'organiser', 'moderator')
  const webinar = await getAttendanceWebinar(getDb(), slug ?? '', user)
  if (!webinar) throw new Response('Not found', { status: 404 })
  return { user, webinar }
}
