import { Form } from '@remix-run/react'
import { ErrorList, FormErrors, TextareaField } from '#app/components/forms'
import { useT } from '#app/i18n'
import type { FieldErrors } from '#app/utils/messages'

export type RatingQuestion = { field: string; label: string; hint?: string | null }

/** One 1–5 rating as a group of five radio buttons: large targets at 360 px, no JavaScript needed. */
function Rating({ question, value, errors }: { question: RatingQuestion; value?: string; errors?: string[] }) {
  const t = useT()
  const errorId = `${question.field}-error`
  const hintId = `${question.field}-hint`
  return (
    <fieldset className="field rating" aria-describedby={[hintId, errors?.length ? errorId : null].filter(Boolean).join(' ')}>
      <legend>{question.label}</legend>
      <p id={hintId} className="hint">
        {question.hint ? `${question.hint} · ` : ''}
        {t('evaluation.scale')}
      </p>
      <div className="rating-options">
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n}>
            <input type="radio" name={question.field} value={n} defaultChecked={value === String(n)} required />
            <span>{n}</span>
          </label>
        ))}
      </div>
      <ErrorList id={errorId} errors={errors} />
    </fieldset>
  )
}

/** The evaluation: every rating, then the comment. What was chosen comes back after a refusal. */
export function EvaluationForm({ questions, values, errors }: { questions: RatingQuestion[]; values?: Record<string, string>; errors?: FieldErrors }) {
  const t = useT()
  return (
    <Form method="post" className="stack" noValidate>
      <FormErrors errors={errors?.['']} />
      {questions.map((q) => (
        <Rating key={q.field} question={q} value={values?.[q.field]} errors={errors?.[q.field]} />
      ))}
      <TextareaField label={t('evaluation.comment')} hint={t('evaluation.commentHint')} name="comment" rows={4} maxLength={2000} optional defaultValue={values?.comment} errors={errors?.comment} />
      <div className="actions">
        <button type="submit">{t('evaluation.submit')}</button>
      </div>
    </Form>
  )
}
