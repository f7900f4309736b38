import { useId, type ReactNode } from 'react'
import { ErrorList } from '#app/components/forms'

/** [code, name, province name]: compact, since hundreds of them travel with a page. */
export type RegencyChoice = [string, string, string]

/**
 * A native select of regencies grouped by province: works without JavaScript, and a phone shows
 * it in its own picker. `firstProvince` (the webinar's) is listed first, where most readers live.
 */
export function RegencySelect({
  label,
  name,
  regencies,
  defaultValue,
  placeholder,
  firstProvince,
  hint,
  errors,
  id: givenId,
}: {
  id?: string
  label: ReactNode
  name: string
  regencies: RegencyChoice[]
  defaultValue: string
  placeholder?: string
  firstProvince?: string
  hint?: ReactNode
  errors?: string[] | null
}) {
  const generatedId = useId()
  const id = givenId ?? generatedId
  const groups = new Map<string, RegencyChoice[]>()
  if (firstProvince) groups.set(firstProvince, [])
  for (const regency of regencies) {
    const list = groups.get(regency[2]) ?? []
    list.push(regency)
    groups.set(regency[2], list)
  }
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = errors?.length ? `${id}-error` : undefined
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      <select
        id={id}
        name={name}
        defaultValue={defaultValue}
        aria-invalid={errorId ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
      >
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {[...groups].map(([province, list]) =>
          list.length ? (
            <optgroup key={province} label={province}>
              {list.map(([code, regencyName]) => (
                <option key={code} value={code}>
                  {regencyName}
                </option>
              ))}
            </optgroup>
          ) : null,
        )}
      </select>
      <ErrorList id={errorId} errors={errors} />
    </div>
  )
}
