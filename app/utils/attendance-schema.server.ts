import { z } from 'zod'
import { ATTENDANCE_FILTERS, CHECKIN_CODE_ALPHABET, CHECKIN_CODE_LENGTH, CHECKIN_WINDOW_MINUTES, MANUAL_REASONS, normaliseCheckinCode } from './attendance-rules'
import { emailField, optionalText, requiredText } from './validation.server'

const id = z.string({ message: 'form.required' }).trim().min(1, 'form.required').max(64, 'form.invalidChoice')
const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value)

/** The console's query string: search, filter and page. */
// A bad value falls back on its own, so a mistyped filter keeps the search term.
export const AttendanceQuerySchema = z.object({
  q: z.preprocess(emptyToUndefined, z.string().trim().max(200).optional()).catch(undefined),
  filter: z.preprocess(emptyToUndefined, z.enum(ATTENDANCE_FILTERS).default('all')).catch('all'),
  page: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(100_000).default(1)).catch(1),
})

const windowMinutes = z.coerce
  .number({ message: 'form.invalidChoice' })
  .refine((value) => (CHECKIN_WINDOW_MINUTES as readonly number[]).includes(value), 'form.invalidChoice')

/** Every form of the attendance console, told apart by its `intent` button. */
export const AttendanceActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('openWindow'), minutes: windowMinutes }),
  z.object({ intent: z.literal('closeWindow') }),
  z
    .object({
      intent: z.literal('mark'),
      registrationId: id,
      mark: z.enum(['present', 'absent', 'clear'], { message: 'attendance.mark.required' }),
      reason: z.preprocess(emptyToUndefined, z.enum(MANUAL_REASONS, { message: 'attendance.reason.required' }).optional()),
      note: optionalText(500),
    })
    .superRefine((form, ctx) => {
      if (form.mark === 'clear') return
      if (!form.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'attendance.reason.required' })
      else if (form.reason === 'other' && !form.note) ctx.addIssue({ code: 'custom', path: ['note'], message: 'attendance.reason.noteRequired' })
    }),
  z.object({ intent: z.literal('markStaff'), roleId: id, tookPart: z.enum(['yes', 'no', 'clear'], { message: 'form.invalidChoice' }) }),
  z.object({ intent: z.literal('finalise') }),
  z.object({ intent: z.literal('reopen'), reason: requiredText(500) }),
])

export type AttendanceAction = z.infer<typeof AttendanceActionSchema>

/** The forms of an import's preview: commit it, or link one of its rows to a registrant. */
export const ImportActionSchema = z.discriminatedUnion('intent', [
  // `mismatchChecked`: the person saving a report that looks like another meeting's says they checked it.
  z.object({ intent: z.literal('commit'), mismatchChecked: z.preprocess(emptyToUndefined, z.literal('yes').optional()) }),
  z
    .object({
      intent: z.literal('link'),
      personId: id,
      registrationId: z.preprocess(emptyToUndefined, id.optional()),
      email: z.preprocess(emptyToUndefined, emailField.optional()),
    })
    .superRefine((form, ctx) => {
      if (!form.registrationId && !form.email) ctx.addIssue({ code: 'custom', path: ['email'], message: 'import.link.required' })
    }),
])

export const ImportPeopleQuerySchema = z.object({
  show: z.preprocess(emptyToUndefined, z.enum(['attention', 'matched', 'staff'], { message: 'form.invalidChoice' }).default('attention')),
  page: z.preprocess(emptyToUndefined, z.coerce.number({ message: 'form.invalidNumber' }).int('form.invalidNumber').min(1, 'form.invalidNumber').max(100_000, 'form.invalidNumber').default(1)),
})

/** What a resident types on the personal page; spaces, dashes and case do not matter. */
export const checkinCodeField = z
  .string({ message: 'form.required' })
  .max(40, 'checkin.codeFormat')
  .transform(normaliseCheckinCode)
  .refine((code) => code.length > 0, { message: 'form.required', abort: true })
  .refine((code) => code.length === CHECKIN_CODE_LENGTH && [...code].every((c) => CHECKIN_CODE_ALPHABET.includes(c)), 'checkin.codeFormat')
