import type { LoaderFunctionArgs } from '@remix-run/node'
import { getWebinarMaterialFile } from '#app/models/material.server'
import { getDb } from '#app/utils/db.server'
import { fileDownloadResponse } from '#app/utils/uploads.server'
import { requireAttendanceWebinar } from '#app/utils/webinar-guards.server'

// A webinar's slides for its staff: organisers and the webinar's own moderator (another
// webinar's moderator finds nothing).
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { webinar } = await requireAttendanceWebinar(request, params.slug)
  const file = params.id ? await getWebinarMaterialFile(getDb(), webinar.id, params.id) : null
  const response = file ? await fileDownloadResponse(file.path, { name: file.name, type: 'application/pdf' }) : null
  if (!response) throw new Response('Not found', { status: 404, headers: { 'Cache-Control': 'private, no-store' } })
  return response
}
