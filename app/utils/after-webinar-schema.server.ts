import { z } from 'zod'
import { COMMENT_MAX } from '#app/models/evaluation.server'
import { THANK_YOU_MAX_DELAY_MINUTES } from '#app/models/mail-recipients.server'
import { optionalText, optionalUrl } from './validation.server'

// The forms after a webinar: a resident's evaluation, and the organiser's settings for it.

const rating = z.string({ message: 'evaluation.ratingRequired' }).regex(/^[1-5]$/, 'evaluation.ratingRequired').transform(Number)

/** The evaluation form: one 1–5 rating per field (they differ per webinar: its speakers, its own questions) and a comment. */
export function evaluationSchema(fields: string[]): z.ZodType<{ ratings: Record<string, number>; comment: string | null }> {
  const ratings = z.object(Object.fromEntries(fields.map((field) => [field, rating])) as Record<string, typeof rating>)
  return z
    .object({ comment: optionalText(COMMENT_MAX, { multiline: true }) })
    .and(ratings)
    .transform(({ comment, ...given }) => ({ comment: comment as string | null, ratings: given as Record<string, number> }))
}

const checkbox = z
  .literal('on')
  .optional()
  .transform((value) => value === 'on')

/** The organiser's settings after a webinar: the gate, the recording, the "thank you" time and their own questions (three at most). */
export const AfterWebinarSettingsSchema = z.object({
  certificateGate: checkbox,
  recordingUrl: optionalUrl,
  recordingPublic: checkbox,
  thankYouDelayHours: z
    .string({ message: 'form.required' })
    .trim()
    .regex(/^\d+$/, 'after.delayInvalid')
    .transform(Number)
    .refine((hours) => hours * 60 <= THANK_YOU_MAX_DELAY_MINUTES, 'after.delayInvalid'),
  question1: optionalText(300),
  question2: optionalText(300),
  question3: optionalText(300),
})

/** The own questions as the form lists them, in order. */
export const OWN_QUESTION_FIELDS = ['question1', 'question2', 'question3'] as const satisfies ReadonlyArray<keyof z.infer<typeof AfterWebinarSettingsSchema>>
