import { z } from 'zod'
import { RETENTION_MAX_MONTHS } from '#app/models/personal-data.server'
import { optionalEmail, optionalText } from './validation.server'

/** A helpdesk number as people write it: digits, spaces, dashes, brackets, a leading +. */
const helpdeskPhone = optionalText(40).refine((value) => value === null || /^\+?[\d\s().-]{3,40}$/.test(value), 'privacy.site.phoneInvalid')

/** The organiser's privacy page: the retention period (empty keeps data), and a purge now. */
export const PrivacyActionSchema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('setRetention'),
    months: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
      z.coerce.number({ message: 'form.invalidNumber' }).int('form.invalidNumber').min(1, 'privacy.monthsRange').max(RETENTION_MAX_MONTHS, 'privacy.monthsRange').nullable(),
    ),
  }),
  z.object({ intent: z.literal('purge') }),
  // What the public pages say: the helpdesk in the footer, the notice the consent box links to.
  z.object({
    intent: z.literal('setSite'),
    helpdeskEmail: optionalEmail,
    helpdeskPhone,
    privacyNoticeId: optionalText(20_000, { multiline: true }),
    privacyNoticeEn: optionalText(20_000, { multiline: true }),
  }),
])
