import { z } from 'zod'
import { echoForm } from './validation.server'

// What a resident's test page posts: start, one answer (one question per screen), every answer
// of the all-on-one-page form, or finish. Answers of the one-page form arrive as `a.<question id>`.

const questionId = z.string().trim().min(1).max(64)
const option = z.string({ message: 'tests.error.chooseOne' }).trim().regex(/^\d{1}$/, 'tests.error.chooseOne').transform(Number)

export const TestActionSchema = z.discriminatedUnion(
  'intent',
  [
    z.object({ intent: z.literal('start') }),
    z.object({ intent: z.literal('answer'), question: questionId, answer: option }),
    z.object({ intent: z.literal('answers') }),
    z.object({ intent: z.literal('finish') }),
  ],
  { error: 'form.invalidChoice' },
)

/** The one-page form's answers; a question left blank is simply not posted. */
export function pageAnswers(form: FormData): Array<{ questionId: string; option: number }> {
  const answers: Array<{ questionId: string; option: number }> = []
  for (const [key, value] of form.entries()) {
    if (!key.startsWith('a.') || typeof value !== 'string' || !/^\d$/.test(value)) continue
    answers.push({ questionId: key.slice(2, 66), option: Number(value) })
  }
  return answers
}

/** What a refused post chose (the question and answer, or the one-page form's answers), to show it chosen again. */
export function echoAnswers(form: FormData): Record<string, string> {
  const { intent: _intent, ...values } = echoForm(form)
  return values
}
