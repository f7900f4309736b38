import { z } from 'zod'
import { optionalText } from './validation.server'

/** The certificate issuer's texts on /admin/issuer (the images are read beside them, as files). */
export const IssuerSchema = z.object({
  programmeNameId: optionalText(120),
  programmeNameEn: optionalText(120),
  issuerName: optionalText(200),
  signatoryName: optionalText(120),
  signatoryTitle: optionalText(160),
  removeLogo: z.literal('on').optional(),
  removeSignature: z.literal('on').optional(),
})
