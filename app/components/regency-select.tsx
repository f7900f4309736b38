import { useId, type ReactNode } from 'react'
import { ErrorList } from '#app/components/forms'
import { useT } from '#app/i18n'
import { REGENCY_PICKER_SCRIPT } from '#app/utils/inline-scripts'

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

/** The province whose regencies the resident's picker shows, with those regencies. */
export type Residence = { province: string; regencies: Array<[string, string]> }

/**
 * Where a resident lives, for the registration form: the province first (38 names), then a
 * regency of that province (a few dozen), never all 514 at once. Without JavaScript, "show
 * regencies" sends the form back as typed with the chosen province's list; with it, a few
 * hundred bytes of inline script fetch the list instead. The server accepts only official codes.
 */
export function ResidencePicker({
  provinces,
  residence,
  value,
  errors,
  idPrefix,
}: {
  provinces: Array<[string, string]>
  residence: Residence
  value: string
  errors?: string[] | null
  /** makes the selects' ids `<prefix>-province` and `<prefix>-regency`, for an error summary's links */
  idPrefix?: string
}) {
  const t = useT()
  const generatedId = useId()
  const id = idPrefix ?? generatedId
  const errorId = errors?.length ? `${id}-regency-error` : undefined
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-province`}>{t('register.province')}</label>
        <p id={`${id}-province-hint`} className="hint">
          {t('register.provinceHint')}
        </p>
        <div className="picker-row">
          <select id={`${id}-province`} name="province" defaultValue={residence.province} aria-describedby={`${id}-province-hint`} data-regencies-of="regency">
            {provinces.map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </select>
          <button type="submit" name="intent" value="province" formNoValidate className="secondary" data-show-regencies="">
            {t('register.showRegencies')}
          </button>
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-regency`}>{t('register.regency')}</label>
        <p id={`${id}-regency-hint`} className="hint">
          {t('register.regencyHint')}
        </p>
        <select
          id={`${id}-regency`}
          name="regency"
          defaultValue={value}
          aria-invalid={errorId ? true : undefined}
          aria-describedby={[`${id}-regency-hint`, errorId].filter(Boolean).join(' ')}
        >
          <option value="">{t('webinar.field.regencyPlaceholder')}</option>
          {residence.regencies.map(([code, name]) => (
            <option key={code} value={code}>
              {name}
            </option>
          ))}
        </select>
        <ErrorList id={errorId} errors={errors} />
      </div>
      <script dangerouslySetInnerHTML={{ __html: REGENCY_PICKER_SCRIPT }} />
    </>
  )
}
