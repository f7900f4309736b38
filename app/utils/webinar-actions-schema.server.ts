import { z } from 'zod'
import { ASSIGNMENT_ROLES, PILLARS } from './catalog'
import { isValidLocalTime } from './time'
import { optionalText, requiredText } from './validation.server'

const id = z.string({ message: 'form.required' }).trim().min(1, 'form.required').max(64, 'form.invalidChoice')
const optionalId = z
  .string()
  .trim()
  .max(64, 'form.invalidChoice')
  .optional()
  .transform((value) => (value ? value : null))
const localTime = z
  .string({ message: 'form.required' })
  .trim()
  .min(1, 'form.required')
  .transform((value) => value.replace('.', ':'))
  .refine(isValidLocalTime, 'form.invalidTime')

const rundownFields = { time: localTime, title: requiredText(200), personId: optionalId }

/** Every form on the organiser's webinar page, told apart by its `intent` button. */
export const WebinarPageActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('publish') }),
  z.object({ intent: z.literal('cancel') }),
  z.object({ intent: z.literal('finish') }),
  z
    .object({
      intent: z.literal('assignRole'),
      personId: id,
      role: z.enum(ASSIGNMENT_ROLES, { message: 'form.invalidChoice' }),
      talkTitle: optionalText(200),
      pillar: z.preprocess((v) => (v === '' ? undefined : v), z.enum(PILLARS, { message: 'form.invalidChoice' }).optional()),
    })
    .superRefine((form, ctx) => {
      if (form.role !== 'speaker') return
      if (!form.talkTitle) ctx.addIssue({ code: 'custom', path: ['talkTitle'], message: 'roles.speakerNeedsTalk' })
      if (!form.pillar) ctx.addIssue({ code: 'custom', path: ['pillar'], message: 'roles.speakerNeedsTalk' })
    }),
  z.object({ intent: z.literal('removeRole'), roleId: id }),
  z.object({ intent: z.literal('addRundown'), ...rundownFields }),
  z.object({ intent: z.literal('updateRundown'), itemId: id, ...rundownFields }),
  z.object({ intent: z.literal('removeRundown'), itemId: id }),
])

export type WebinarPageAction = z.infer<typeof WebinarPageActionSchema>
