import { z } from 'zod'
import { checkinCodeField } from './attendance-schema.server'
import { AGE_RANGES, GENDERS, OCCUPATIONS, PILLARS } from './catalog'
import { NAME_MAX } from './registration-fields'
import { isValidLocalDate } from './time'
import { printableName } from './name-field.server'
import { emailField, normaliseIndonesianPhone } from './validation.server'

// The resident's side: the registration form, the lost-link form, the personal page's cancel,
// and the catalogue's query string (shared by the HTML page and the JSON feed).

export const REGENCY_CODE = /^\d{2}\.\d{2}$/

const emptyToUndefined = (value: unknown) => (value === '' || value === null ? undefined : value)

/** A required choice: missing says "required", anything off the list says "unknown choice". */
function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(
    emptyToUndefined,
    z.enum(values, { error: (issue) => (issue.input === undefined ? 'form.required' : 'form.invalidChoice') }),
  )
}

const requiredPhone = z
  .string({ message: 'form.required' })
  .trim()
  .min(1, 'form.required')
  .max(30, 'form.invalidPhone')
  .transform((value, ctx) => {
    const phone = normaliseIndonesianPhone(value)
    if (!phone) {
      ctx.addIssue({ code: 'custom', message: 'form.invalidPhone' })
      return z.NEVER
    }
    return phone
  })

/**
 * The registration form. The regency's format is checked here; whether the code is on the
 * official list is checked against the database by the route.
 */
export const RegistrationSchema = z.object({
  // Printed on the certificate as written here.
  name: printableName(NAME_MAX),
  email: emailField,
  whatsapp: requiredPhone,
  regency: z
    .string({ message: 'form.required' })
    .trim()
    .min(1, 'form.required')
    .regex(REGENCY_CODE, 'registration.unknownRegency'),
  occupation: choice(OCCUPATIONS),
  ageRange: choice(AGE_RANGES),
  gender: z.preprocess(emptyToUndefined, z.enum(GENDERS, { message: 'form.invalidChoice' }).optional()).transform((value) => value ?? null),
  consent: z.literal('yes', { error: 'registration.consentRequired' }),
})

export type RegistrationForm = z.infer<typeof RegistrationSchema>

export const LostLinkSchema = z.object({ email: emailField })

/** The personal page's forms: cancel, erase my data, and check in with the announced code. */
export const PersonalActionSchema = z.discriminatedUnion(
  'intent',
  [z.object({ intent: z.literal('cancel') }), z.object({ intent: z.literal('erase') }), z.object({ intent: z.literal('checkin'), code: checkinCodeField })],
  { error: 'form.invalidChoice' },
)

const optionalCode = (pattern: RegExp) => z.preprocess(emptyToUndefined, z.string().regex(pattern, 'form.invalidChoice').optional())
const optionalDate = z.preprocess(emptyToUndefined, z.string().refine(isValidLocalDate, 'form.invalidDate').optional())

/** The catalogue's filters, from the query string of /webinars and /api/webinars. */
export const CatalogueQuerySchema = z
  .object({
    province: optionalCode(/^\d{2}$/),
    regency: optionalCode(REGENCY_CODE),
    pillar: z.preprocess(emptyToUndefined, z.enum(PILLARS, { message: 'form.invalidChoice' }).optional()),
    from: optionalDate,
    to: optionalDate,
    page: z.preprocess(emptyToUndefined, z.coerce.number({ message: 'form.invalidNumber' }).int('form.invalidNumber').min(1, 'form.invalidNumber').max(100_000, 'form.invalidNumber').default(1)),
  })
  .superRefine((query, ctx) => {
    if (query.from && query.to && query.to < query.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'catalogue.toBeforeFrom' })
  })

export type CatalogueQuery = z.infer<typeof CatalogueQuerySchema>
