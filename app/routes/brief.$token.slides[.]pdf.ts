import type { LoaderFunctionArgs } from '@remix-run/node'
import { getBriefMaterialFile } from '#app/models/material.server'
import { getDb } from '#app/utils/db.server'
import { fileDownloadResponse } from '#app/utils/uploads.server'

// The speaker's own slides, by their brief link; anyone else finds nothing.
export async function loader({ params }: LoaderFunctionArgs) {
  const file = params.token ? await getBriefMaterialFile(getDb(), params.token) : null
  const response = file ? await fileDownloadResponse(file.path, { name: file.name, type: 'application/pdf' }) : null
  if (!response) throw new Response('Not found', { status: 404, headers: { 'Cache-Control': 'private, no-store' } })
  return response
}
