import { formatDate } from '#app/i18n'
import type { CertificateRecord } from '#app/models/certificate.server'
import { type CertificateIssuer, renderCertificatePdf } from './certificate-pdf.server'
import { getEnv } from './env.server'

type Printable = Pick<CertificateRecord, 'number' | 'name' | 'role' | 'topic' | 'start_at' | 'time_zone' | 'regency_name' | 'province_name' | 'issued_at'>

export function verificationUrl(number: string): string {
  return `${getEnv().APP_URL}/certificates/${number}`
}

/**
 * A certificate as a PDF download. The PDF is drawn when asked for, from the current data, so
 * a reissued name or a purged one never lingers in a stored file. Certificates are in Indonesian.
 */
export async function certificatePdfResponse(certificate: Printable, issuer: CertificateIssuer): Promise<Response> {
  const pdf = await renderCertificatePdf({
    number: certificate.number,
    name: certificate.name ?? '',
    role: certificate.role,
    topic: certificate.topic,
    dateText: formatDate(certificate.start_at, certificate.time_zone, 'id'),
    place: `${certificate.regency_name}, ${certificate.province_name}`,
    verifyUrl: verificationUrl(certificate.number),
    issuedAt: certificate.issued_at,
    issuer,
  })
  return new Response(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength), {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="sertifikat-${certificate.number}.pdf"`,
      'Cache-Control': 'private, no-store',
    },
  })
}
