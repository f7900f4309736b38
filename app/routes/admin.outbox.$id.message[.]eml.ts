import type { LoaderFunctionArgs } from '@remix-run/node'
import { getOutboxMessage } from '#app/models/outbox.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'

// Without SMTP_URL the worker keeps each message as raw MIME; this hands it out byte for byte.
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const message = await getOutboxMessage(getDb(), params.id ?? '')
  if (!message?.raw) throw new Response('Not found', { status: 404 })
  return new Response(message.raw, {
    headers: {
      'Content-Type': 'message/rfc822',
      'Content-Disposition': `attachment; filename="${message.id}.eml"`,
      'Cache-Control': 'private, no-store',
    },
  })
}
