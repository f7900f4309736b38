import type { LoaderFunctionArgs } from '@remix-run/node'
import { getPersonalRegistration } from '#app/models/registration.server'
import { getDb } from '#app/utils/db.server'
import { calendarResponse, personalCalendar } from '#app/mail/calendar-files.server'
import { PERSONAL_TOKEN } from '#app/utils/registration-fields'

// The token is the credential. Someone on the waitlist has no seat to put in a calendar yet.
export async function loader({ params }: LoaderFunctionArgs) {
  const token = params.token ?? ''
  const registration = PERSONAL_TOKEN.test(token) ? await getPersonalRegistration(getDb(), token) : null
  if (!registration || registration.status === 'waitlisted') {
    throw new Response('Not found', { status: 404, headers: { 'Cache-Control': 'private, no-store' } })
  }
  const webinar = { ...registration, status: registration.webinar_status }
  const file = personalCalendar(webinar, registration, { withdrawn: registration.status === 'cancelled' })
  return calendarResponse(file, `${registration.slug}.ics`)
}
