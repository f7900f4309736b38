import type { LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { pendingCertificateSteps } from '#app/models/certificate-gate.server'
import { getResidentCertificate } from '#app/models/certificate.server'
import { getCertificateIssuer } from '#app/models/site-settings.server'
import { certificatePdfResponse } from '#app/utils/certificate.server'
import { getDb } from '#app/utils/db.server'
import { PERSONAL_TOKEN } from '#app/utils/registration-fields'

// The personal link is the credential. No certificate (yet), or a revoked one: a 404 that says nothing more.
export async function loader({ params }: LoaderFunctionArgs) {
  const token = params.token ?? ''
  const certificate = PERSONAL_TOKEN.test(token) ? await getResidentCertificate(getDb(), token) : null
  if (!certificate) throw new Response('Not found', { status: 404, headers: { 'Cache-Control': 'private, no-store' } })
  // A gated certificate waits for the evaluation: the personal page says what is left to do.
  if ((await pendingCertificateSteps(getDb(), certificate.registration_id!)).length) return redirect(`/r/${token}`, { status: 303, headers: { 'Cache-Control': 'private, no-store' } })
  return certificatePdfResponse(certificate, await getCertificateIssuer(getDb()))
}
