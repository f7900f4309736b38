import { z } from 'zod'
import { PILLARS, SEGMENTS, WEBINAR_STATUSES } from './catalog'
import { isValidLocalDate, isValidLocalTime } from './time'
import { message, optionalText, optionalUrl, requiredText } from './validation.server'

const optionalDate = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : null))
  .refine((value) => value === null || isValidLocalDate(value), 'form.invalidDate')

const optionalTime = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value.replace('.', ':') : null))
  .refine((value) => value === null || isValidLocalTime(value), 'form.invalidTime')

const asArray = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value])

/**
 * The organiser's webinar form. Times are wall-clock times in the regency's zone; the model
 * converts them to UTC once it knows the regency. Ordering checks work on local text because
 * every time on the form is in the same zone.
 */
export const WebinarFormSchema = z
  .object({
    topic: requiredText(200),
    description: optionalText(5000, { multiline: true }).transform((value) => value ?? ''),
    pillars: z.preprocess(asArray, z.array(z.enum(PILLARS, { message: 'form.invalidChoice' }))),
    segment: z.enum(SEGMENTS, { message: 'form.required' }),
    regency: z
      .string()
      .trim()
      .max(10, 'webinar.unknownRegency')
      .optional()
      .transform((value) => (value ? value : null)),
    date: optionalDate,
    startTime: optionalTime,
    endTime: optionalTime,
    platformUrl: optionalUrl,
    meetingId: optionalText(50),
    passcode: optionalText(50),
    livestreamUrl: optionalUrl,
    capacity: z
      .string({ message: 'form.required' })
      .trim()
      .min(1, 'form.required')
      .regex(/^-?\d+$/, 'form.invalidNumber')
      .transform(Number)
      .refine((value) => value > 0, 'webinar.capacityPositive')
      .refine((value) => value <= 100_000, message('webinar.capacityTooLarge', { max: 100000 })),
    registrationOpensDate: optionalDate,
    registrationOpensTime: optionalTime,
    registrationClosesDate: optionalDate,
    registrationClosesTime: optionalTime,
    attendanceThreshold: z
      .string()
      .trim()
      .optional()
      .transform((value) => (value ? value : '70'))
      .pipe(z.string().regex(/^\d+$/, 'form.invalidNumber'))
      .transform(Number)
      .refine((value) => value >= 1 && value <= 100, 'webinar.thresholdRange'),
    slug: z
      .string()
      .trim()
      .toLowerCase()
      .max(100, message('form.tooLong', { max: 100 }))
      .optional()
      .transform((value) => (value ? value : null))
      .refine((value) => value === null || /^[a-z0-9]+(-[a-z0-9]+)*$/.test(value), 'webinar.slugFormat'),
  })
  .superRefine((form, ctx) => {
    const issue = (path: string, msg: string) => ctx.addIssue({ code: 'custom', path: [path], message: msg })
    const anySchedule = form.date || form.startTime || form.endTime
    if (anySchedule) {
      if (!form.date) issue('date', 'form.required')
      if (!form.startTime) issue('startTime', 'form.required')
      if (!form.endTime) issue('endTime', 'form.required')
      if (!form.regency) issue('regency', 'webinar.regencyNeededForTime')
    }
    if (form.startTime && form.endTime && form.endTime <= form.startTime) issue('endTime', 'webinar.endBeforeStart')
    for (const prefix of ['registrationOpens', 'registrationCloses'] as const) {
      const date = form[`${prefix}Date`]
      const time = form[`${prefix}Time`]
      if ((date && !time) || (!date && time)) issue(date ? `${prefix}Time` : `${prefix}Date`, 'form.required')
      if ((date || time) && !form.regency) issue('regency', 'webinar.regencyNeededForTime')
    }
    const opens = form.registrationOpensDate && form.registrationOpensTime ? `${form.registrationOpensDate}T${form.registrationOpensTime}` : null
    const closes = form.registrationClosesDate && form.registrationClosesTime ? `${form.registrationClosesDate}T${form.registrationClosesTime}` : null
    const end = form.date && form.endTime ? `${form.date}T${form.endTime}` : null
    if (opens && closes && closes <= opens) issue('registrationClosesDate', 'webinar.registrationClosesBeforeOpens')
    if (closes && end && closes > end) issue('registrationClosesDate', 'webinar.registrationClosesAfterEnd')
    if (opens && end && opens >= end) issue('registrationOpensDate', 'webinar.registrationOpensAfterEnd')
  })

export type WebinarForm = z.infer<typeof WebinarFormSchema>

const emptyToNull = (value: unknown) => (value === '' || value === null ? undefined : value)
const dateFilter = z.preprocess(emptyToNull, z.string().refine(isValidLocalDate, 'form.invalidDate').optional())

/** The organiser's list filters, from the query string. */
export const WebinarFilterSchema = z.object({
  status: z.preprocess(emptyToNull, z.enum(WEBINAR_STATUSES, { message: 'form.invalidChoice' }).optional()),
  province: z.preprocess(emptyToNull, z.string().regex(/^\d{2}$/, 'form.invalidChoice').optional()),
  pillar: z.preprocess(emptyToNull, z.enum(PILLARS, { message: 'form.invalidChoice' }).optional()),
  from: dateFilter,
  to: dateFilter,
  page: z.preprocess(emptyToNull, z.coerce.number().int().min(1).max(100_000).default(1)),
})
