import { Form, Link, useNavigation } from '@remix-run/react'
import { useEffect, useId, useRef, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react'
import { useT } from '#app/i18n'
import { decodeMessage } from '#app/utils/messages'

export function ErrorList({ id, errors }: { id?: string; errors?: string[] | null }) {
  const t = useT()
  if (!errors?.length) return null
  return (
    <ul id={id} className="field-errors">
      {errors.map((encoded) => {
        const { key, vars } = decodeMessage(encoded)
        return <li key={encoded}>{t(key, vars)}</li>
      })}
    </ul>
  )
}

/** Errors that belong to no single field, at the top of the form, announced to screen readers. */
export function FormErrors({ errors }: { errors?: string[] | null }) {
  if (!errors?.length) return null
  return (
    <div role="alert" className="form-errors">
      <ErrorList errors={errors} />
    </div>
  )
}

/**
 * The GOV.UK error summary: at the top of a form, what is wrong with each field, each a link to
 * that field. Announced to screen readers; with a fragment in the form's action it is what a
 * reloaded page shows first, with JavaScript off as well as on.
 */
export function ErrorSummary({ items, general }: { items: Array<{ id: string; label: string; errors?: string[] | null }>; general?: string[] | null }) {
  const t = useT()
  const wrong = items.filter((item) => item.errors?.length)
  if (!wrong.length && !general?.length) return null
  return (
    <div role="alert" className="form-errors error-summary" aria-labelledby="error-summary-title">
      <h3 id="error-summary-title">{t(wrong.length ? 'form.fixErrors' : 'form.problem')}</h3>
      <ErrorList errors={general} />
      {wrong.length ? (
        <ul>
          {wrong.map((item) => {
            const { key, vars } = decodeMessage(item.errors![0]!)
            return (
              <li key={item.id}>
                <a href={`#${item.id}`}>
                  {item.label}: {t(key, vars)}
                </a>
              </li>
            )
          })}
        </ul>
      ) : null}
    </div>
  )
}

type FieldShell = { label: ReactNode; errors?: string[] | null; hint?: ReactNode; optional?: boolean; className?: string }

function useFieldIds(errors?: string[] | null, hint?: ReactNode) {
  const fallback = useId()
  const errorId = errors?.length ? `${fallback}-error` : undefined
  const hintId = hint ? `${fallback}-hint` : undefined
  return { fallback, errorId, hintId, describedBy: [hintId, errorId].filter(Boolean).join(' ') || undefined }
}

function Label({ htmlFor, label, optional }: { htmlFor: string; label: ReactNode; optional?: boolean }) {
  const t = useT()
  return (
    <label htmlFor={htmlFor}>
      {label}
      {optional ? <span className="muted"> {t('form.optional')}</span> : null}
    </label>
  )
}

export function Field({ label, errors, hint, optional, className, ...input }: FieldShell & InputHTMLAttributes<HTMLInputElement>) {
  const { fallback, errorId, hintId, describedBy } = useFieldIds(errors, hint)
  const id = input.id ?? fallback
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <Label htmlFor={id} label={label} optional={optional} />
      {hint ? <p id={hintId} className="hint">{hint}</p> : null}
      <input id={id} aria-invalid={errorId ? true : undefined} aria-describedby={describedBy} {...input} />
      <ErrorList id={errorId} errors={errors} />
    </div>
  )
}

export function TextareaField({ label, errors, hint, optional, className, ...textarea }: FieldShell & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { fallback, errorId, hintId, describedBy } = useFieldIds(errors, hint)
  const id = textarea.id ?? fallback
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <Label htmlFor={id} label={label} optional={optional} />
      {hint ? <p id={hintId} className="hint">{hint}</p> : null}
      <textarea id={id} aria-invalid={errorId ? true : undefined} aria-describedby={describedBy} {...textarea} />
      <ErrorList id={errorId} errors={errors} />
    </div>
  )
}

export type Option = { value: string; label: string }

export function SelectField({
  label,
  errors,
  hint,
  optional,
  className,
  options,
  placeholder,
  ...select
}: FieldShell & SelectHTMLAttributes<HTMLSelectElement> & { options: Option[]; placeholder?: string }) {
  const { fallback, errorId, hintId, describedBy } = useFieldIds(errors, hint)
  const id = select.id ?? fallback
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <Label htmlFor={id} label={label} optional={optional} />
      {hint ? <p id={hintId} className="hint">{hint}</p> : null}
      <select id={id} aria-invalid={errorId ? true : undefined} aria-describedby={describedBy} {...select}>
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <ErrorList id={errorId} errors={errors} />
    </div>
  )
}

/** A group of checkboxes sharing one name, e.g. the pillars. */
export function CheckboxGroup({
  legend,
  name,
  options,
  defaultValues,
  errors,
}: {
  legend: ReactNode
  name: string
  options: Option[]
  defaultValues: string[]
  errors?: string[] | null
}) {
  const errorId = `${name}-error`
  return (
    <fieldset className="field" aria-describedby={errors?.length ? errorId : undefined}>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="checkbox">
          <input type="checkbox" name={name} value={option.value} defaultChecked={defaultValues.includes(option.value)} />
          {option.label}
        </label>
      ))}
      <ErrorList id={errorId} errors={errors} />
    </fieldset>
  )
}

/**
 * The second step of something that cannot be undone: what will happen, the button that does it
 * (posting `intent`), and the way back. Works without JavaScript: the first step is a link.
 */
export function ConfirmForm({ warning, intent, confirm, back, backTo, className = 'stack' }: { warning: ReactNode; intent: string; confirm: string; back: string; backTo: string; className?: string }) {
  return (
    <Form method="post" className={className}>
      <p>{warning}</p>
      <div className="actions">
        <button type="submit" name="intent" value={intent} className="danger">
          {confirm}
        </button>
        <Link to={backTo}>{back}</Link>
      </div>
    </Form>
  )
}

/**
 * A ref for a form that should start empty again after it succeeded: with JavaScript, Remix keeps
 * the page and React the typed values, so the form is reset once its submission (told apart by
 * its `intent`) has settled without errors. Without JavaScript the redirect loads a fresh form.
 */
export function useResetAfterSuccess(intent: string, failed: boolean) {
  const ref = useRef<HTMLFormElement>(null)
  const navigation = useNavigation()
  const pending = useRef(false)
  useEffect(() => {
    if (navigation.state === 'submitting' && navigation.formData?.get('intent') === intent) pending.current = true
    else if (navigation.state === 'idle' && pending.current) {
      pending.current = false
      if (!failed) ref.current?.reset()
    }
  }, [navigation.state, navigation.formData, intent, failed])
  return ref
}
