import type { LoaderFunctionArgs } from '@remix-run/node'
import { calendarResponse } from '#app/mail/calendar-files.server'
import { previewMail } from '#app/mail/preview.server'
import { getOutboxMessage } from '#app/models/outbox.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'

// The calendar part of one message, exactly as it is attached to the e-mail.
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const message = await getOutboxMessage(getDb(), params.id ?? '')
  const calendar = message ? previewMail(message, null)?.calendar : null
  if (!calendar) throw new Response('Not found', { status: 404 })
  return calendarResponse(calendar, 'undangan.ics')
}
