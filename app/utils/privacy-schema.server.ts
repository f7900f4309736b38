import { z } from 'zod'
import { RETENTION_MAX_MONTHS } from '#app/models/personal-data.server'

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
])
