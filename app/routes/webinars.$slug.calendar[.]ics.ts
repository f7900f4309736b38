import type { LoaderFunctionArgs } from '@remix-run/node'
import { calendarResponse, publicCalendar } from '#app/mail/calendar-files.server'
import { getPublicCalendarWebinar } from '#app/models/webinar.server'
import { getDb } from '#app/utils/db.server'

// Public: anyone may add an announced webinar to a calendar. Nothing personal, no join link.
export async function loader({ params }: LoaderFunctionArgs) {
  const webinar = await getPublicCalendarWebinar(getDb(), params.slug ?? '')
  if (!webinar) throw new Response('Not found', { status: 404 })
  // A short cache: a reschedule raises SEQUENCE, and subscribers should see it soon.
  return calendarResponse(publicCalendar(webinar), `${webinar.slug}.ics`, 'public, max-age=300')
}
