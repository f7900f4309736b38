import { z } from 'zod'

/** The brief page's answer: one of the two submit buttons. */
export const BriefAnswerSchema = z.object({
  answer: z.enum(['confirmed', 'declined'], { message: 'form.invalidChoice' }),
})
