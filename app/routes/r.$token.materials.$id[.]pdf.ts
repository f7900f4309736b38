import type { LoaderFunctionArgs } from '@remix-run/node'
import { getResidentMaterialFile } from '#app/models/material.server'
import { getDb } from '#app/utils/db.server'
import { PERSONAL_TOKEN } from '#app/utils/registration-fields'
import { fileDownloadResponse } from '#app/utils/uploads.server'

// A speaker's slides for a seat holder of that webinar, once it has ended: the personal link is
// the credential, and another webinar's file (or a link on the waitlist) finds nothing.
export async function loader({ params }: LoaderFunctionArgs) {
  const token = params.token ?? ''
  const file = PERSONAL_TOKEN.test(token) && params.id ? await getResidentMaterialFile(getDb(), token, params.id) : null
  const response = file ? await fileDownloadResponse(file.path, { name: file.name, type: 'application/pdf' }) : null
  if (!response) throw new Response('Not found', { status: 404, headers: { 'Cache-Control': 'private, no-store' } })
  return response
}
