import { z } from 'zod'
import type { TestSetupInput } from '#app/models/learning-test.server'

const checkbox = z
  .string()
  .optional()
  .transform((value) => value === 'on')

const wholeNumber = (min: number, max: number, error: 'tests.error.days' | 'tests.error.perPillar') =>
  z
    .string({ message: 'form.required' })
    .trim()
    .regex(/^\d{1,3}$/, error)
    .transform(Number)
    .refine((n) => n >= min && n <= max, error)

/** The webinar's test switches: the post-test open 1–90 days, 1–20 questions per pillar. */
export const TestSetupSchema = z
  .object({ pre: checkbox, post: checkbox, postOpenDays: wholeNumber(1, 90, 'tests.error.days'), questionsPerPillar: wholeNumber(1, 20, 'tests.error.perPillar') })
  .transform((form): TestSetupInput => form)
