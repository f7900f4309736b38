import { z } from 'zod'
import { PILLARS } from '#app/utils/catalog'
import { DIFFICULTIES, MAX_OPTIONS, MIN_OPTIONS, type QuestionInput } from '#app/models/question.server'
import { optionalText } from './validation.server'

// The question form, shared by the bank's pages and each row of the CSV import.

export const OPTION_FIELDS = ['option1', 'option2', 'option3', 'option4', 'option5'] as const
export const PROMPT_MAX = 1000
export const OPTION_MAX = 500
export const EXPLANATION_MAX = 2000

const correctField = z
  .string({ message: 'form.required' })
  .trim()
  .regex(/^[1-5]$/, 'form.invalidChoice')
  .transform(Number)

export const QuestionFormSchema = z
  .object({
    pillar: z.enum(PILLARS, { message: 'form.invalidChoice' }),
    difficulty: z.enum(DIFFICULTIES, { message: 'form.invalidChoice' }),
    prompt: optionalText(PROMPT_MAX, { multiline: true }),
    option1: optionalText(OPTION_MAX),
    option2: optionalText(OPTION_MAX),
    option3: optionalText(OPTION_MAX),
    option4: optionalText(OPTION_MAX),
    option5: optionalText(OPTION_MAX),
    correct: correctField,
    explanation: optionalText(EXPLANATION_MAX, { multiline: true }),
  })
  .superRefine((form, ctx) => {
    if (form.prompt === null) ctx.addIssue({ code: 'custom', path: ['prompt'], message: 'form.required' })
    const filled = OPTION_FIELDS.filter((field) => form[field] !== null)
    if (filled.length < MIN_OPTIONS) ctx.addIssue({ code: 'custom', path: ['options'], message: 'questions.error.tooFewOptions' })
    const texts = filled.map((field) => form[field]!.toLocaleLowerCase('id'))
    if (new Set(texts).size !== texts.length) ctx.addIssue({ code: 'custom', path: ['options'], message: 'questions.error.duplicateOptions' })
    if (form[OPTION_FIELDS[form.correct - 1]!] === null) ctx.addIssue({ code: 'custom', path: ['correct'], message: 'questions.error.correctEmpty' })
  })
  .transform((form): QuestionInput => {
    // Empty option fields close up; the correct one keeps pointing at its text.
    const filled = OPTION_FIELDS.map((field, index) => ({ text: form[field], index })).filter((option) => option.text !== null)
    return {
      pillar: form.pillar,
      difficulty: form.difficulty,
      prompt: form.prompt!,
      options: filled.map((option) => option.text!).slice(0, MAX_OPTIONS),
      correctOption: filled.findIndex((option) => option.index === form.correct - 1),
      explanation: form.explanation,
    }
  })

/** A stored question as the form's fields, to fill the edit page. */
export function questionFormValues(question: QuestionInput): Record<string, string> {
  const values: Record<string, string> = {
    pillar: question.pillar,
    difficulty: question.difficulty,
    prompt: question.prompt,
    correct: String(question.correctOption + 1),
    explanation: question.explanation ?? '',
  }
  OPTION_FIELDS.forEach((field, index) => (values[field] = question.options[index] ?? ''))
  return values
}
