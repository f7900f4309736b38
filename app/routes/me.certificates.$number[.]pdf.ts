import type { LoaderFunctionArgs } from '@remix-run/node'
import { getUserCertificate, normaliseCertificateNumber } from '#app/models/certificate.server'
import { getCertificateIssuer } from '#app/models/site-settings.server'
import { requireUser } from '#app/utils/auth.server'
import { certificatePdfResponse } from '#app/utils/certificate.server'
import { getDb } from '#app/utils/db.server'

// A staff member's own certificate: the query only finds certificates of the person linked to this account.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  const number = normaliseCertificateNumber(params.number ?? '')
  const certificate = number ? await getUserCertificate(getDb(), user.id, number) : null
  if (!certificate) throw new Response('Not found', { status: 404 })
  return certificatePdfResponse(certificate, await getCertificateIssuer(getDb()))
}
