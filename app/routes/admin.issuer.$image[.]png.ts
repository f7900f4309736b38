import type { LoaderFunctionArgs } from '@remix-run/node'
import { getIssuerSettings } from '#app/models/site-settings.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { fileDownloadResponse, uploadPath } from '#app/utils/uploads.server'

// The issuer's logo or signature as the certificate prints it, for the organiser's preview only:
// nobody else needs a signature image, and the certificate PDF embeds its own copy.
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const settings = await getIssuerSettings(getDb())
  const image = params.image === 'logo' ? settings.logo : params.image === 'signature' ? settings.signature : null
  const response = image ? await fileDownloadResponse(uploadPath(image.png), { name: `${params.image}.png`, type: 'image/png' }) : null
  if (!response) throw new Response('Not found', { status: 404, headers: { 'Cache-Control': 'private, no-store' } })
  return response
}
