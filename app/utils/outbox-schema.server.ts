import { z } from 'zod'
import { MAIL_STATES } from '#app/mail/payload'
import { message } from '#app/utils/messages'

const emptyToUndefined = (value: unknown) => (value === '' || value === null ? undefined : value)

/** The Outbox page's filters, from the query string. */
export const OutboxFilterSchema = z.object({
  state: z.preprocess(emptyToUndefined, z.enum(MAIL_STATES, { message: 'form.invalidChoice' }).optional()),
  webinar: z.preprocess(emptyToUndefined, z.string().trim().max(64, 'form.invalidChoice').optional()),
  recipient: z.preprocess(emptyToUndefined, z.string().trim().max(200, message('form.tooLong', { max: 200 })).optional()),
  page: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(100_000).default(1)),
})

/** The one form on a message's page. */
export const OutboxMessageActionSchema = z.object({ intent: z.literal('resend') })
