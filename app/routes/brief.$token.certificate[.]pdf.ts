import type { LoaderFunctionArgs } from '@remix-run/node'
import { getBriefCertificate } from '#app/models/certificate.server'
import { getCertificateIssuer } from '#app/models/site-settings.server'
import { certificatePdfResponse } from '#app/utils/certificate.server'
import { getDb } from '#app/utils/db.server'

// The brief link is the credential: a speaker or moderator downloads theirs without signing in.
export async function loader({ params }: LoaderFunctionArgs) {
  const certificate = params.token ? await getBriefCertificate(getDb(), params.token) : null
  if (!certificate) throw new Response('Not found', { status: 404, headers: { 'Cache-Control': 'private, no-store' } })
  return certificatePdfResponse(certificate, await getCertificateIssuer(getDb()))
}
