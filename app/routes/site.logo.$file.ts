import type { LoaderFunctionArgs } from '@remix-run/node'
import fs from 'node:fs'
import { getLogoMarkPath } from '#app/models/site-settings.server'
import { getDb } from '#app/utils/db.server'
import { uploadPath } from '#app/utils/uploads.server'

// The uploaded logo's small copy in every page's header: public, and named by its content, so a
// browser keeps it for a year and a new logo is a new address. Only the current logo's is served.
// It is a PNG re-encoded by resvg from a checked upload, never the uploaded bytes themselves.
export async function loader({ params }: LoaderFunctionArgs) {
  const file = await getLogoMarkPath(getDb(), params.file ?? '')
  const bytes = file ? await fs.promises.readFile(uploadPath(file)).catch(() => null) : null
  if (!bytes) throw new Response('Not found', { status: 404, headers: { 'Cache-Control': 'no-store' } })
  return new Response(bytes, {
    headers: { 'Content-Type': 'image/png', 'Content-Length': String(bytes.length), 'Cache-Control': 'public, max-age=31536000, immutable' },
  })
}
