import type { LoaderFunctionArgs } from '@remix-run/node'
import { calendarResponse, personalCalendar } from '#app/mail/calendar-files.server'
import { getBriefByToken } from '#app/models/webinar-role.server'
import { getDb } from '#app/utils/db.server'

// The link is the credential: an unknown token is a 404 that reveals nothing.
export async function loader({ params }: LoaderFunctionArgs) {
  const brief = await getBriefByToken(getDb(), params.token ?? '')
  if (!brief?.start_at || !brief.end_at) throw new Response('Not found', { status: 404 })
  const { start_at, end_at } = brief
  return calendarResponse(personalCalendar({ ...brief, start_at, end_at }, brief), 'undangan.ics')
}
