import { Form, Link } from '@remix-run/react'
import { useT } from '#app/i18n'
import { DIFFICULTIES, PILLARS } from '#app/utils/catalog'
import { ErrorList, FormErrors, SelectField, TextareaField } from './forms'

const OPTIONS = [1, 2, 3, 4, 5] as const

/** A bank question's fields, shared by the new and edit pages: up to five options, one marked correct. */
export function QuestionForm({ values, errors, submitLabel, action }: { values: Record<string, string>; errors?: Record<string, string[]>; submitLabel: string; action?: string }) {
  const t = useT()
  return (
    <Form method="post" action={action} className="stack" noValidate>
      <FormErrors errors={errors?.['']} />
      <SelectField label={t('questions.field.pillar')} name="pillar" options={PILLARS.map((p) => ({ value: p, label: t(`pillar.${p}`) }))} defaultValue={values.pillar ?? 'cakap'} errors={errors?.pillar} />
      <SelectField
        label={t('questions.field.difficulty')}
        name="difficulty"
        options={DIFFICULTIES.map((d) => ({ value: d, label: t(`difficulty.${d}`) }))}
        defaultValue={values.difficulty ?? 'medium'}
        errors={errors?.difficulty}
      />
      <TextareaField label={t('questions.field.prompt')} name="prompt" rows={3} maxLength={1000} required defaultValue={values.prompt ?? ''} errors={errors?.prompt} />
      <fieldset className="field" aria-describedby={`options-hint${errors?.options?.length ? ' options-error' : ''}${errors?.correct?.length ? ' correct-error' : ''}`}>
        <legend>{t('questions.field.correct')}</legend>
        <p id="options-hint" className="hint">
          {t('questions.field.optionsHint')}
        </p>
        {OPTIONS.map((n) => (
          <div key={n} className="option-row">
            <label htmlFor={`option${n}`}>{t('questions.field.option', { n })}</label>
            <input id={`option${n}`} name={`option${n}`} maxLength={500} autoComplete="off" defaultValue={values[`option${n}`] ?? ''} />
            <label className="checkbox">
              <input type="radio" name="correct" value={String(n)} defaultChecked={(values.correct ?? '1') === String(n)} />
              {t('questions.field.correctOption', { n })}
            </label>
          </div>
        ))}
        <ErrorList id="options-error" errors={errors?.options} />
        <ErrorList id="correct-error" errors={errors?.correct} />
      </fieldset>
      <TextareaField
        label={t('questions.field.explanation')}
        hint={t('questions.field.explanationHint')}
        optional
        name="explanation"
        rows={3}
        maxLength={2000}
        defaultValue={values.explanation ?? ''}
        errors={errors?.explanation}
      />
      <div className="actions">
        <button type="submit" name="intent" value="save">
          {submitLabel}
        </button>
        <Link to="/admin/questions">{t('form.cancel')}</Link>
      </div>
    </Form>
  )
}
