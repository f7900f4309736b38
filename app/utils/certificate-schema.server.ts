import { z } from 'zod'
import { NAME_MAX } from './registration-fields'
import { printableName } from './name-field.server'
import { requiredText } from './validation.server'

const id = z.string({ message: 'form.required' }).trim().min(1, 'form.required').max(64, 'form.invalidChoice')

/** The organiser's forms on a webinar's certificates: revoke one, or reissue it with a corrected name. */
export const CertificateActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('revoke'), certificateId: id, reason: requiredText(500) }),
  z.object({ intent: z.literal('reissue'), certificateId: id, name: printableName(NAME_MAX) }),
])

export const CertificateListQuerySchema = z.object({
  q: z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().max(200).optional()),
  page: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).max(100_000).default(1)),
})
