import { z } from 'zod'
import { isMessageKey } from '#app/i18n'
import { message, type FieldErrors } from './messages'
import { checkWebUrl, type WebUrlCheck } from './web-url'

// Server-only: zod stays out of the browser bundle. Schemas carry dictionary keys as their
// messages (see messages.ts).

export { message, type FieldErrors }

/**
 * What no text field stores: NUL and the other C0 and C1 control characters (a tab, and in a
 * multi-line field a line break, excepted), lone surrogates, and U+FFFD, which is what bytes
 * that are not UTF-8 decode to. Such a post is refused beside the field, never stored as is.
 */
const BROKEN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd\p{Cs}]/u
const LINE_BREAK = /[\r\n]/

const isCleanLine = (value: string) => !BROKEN_TEXT.test(value) && !LINE_BREAK.test(value)
const isCleanText = (value: string) => !BROKEN_TEXT.test(value)

/** A pasted tab in a one-line field is a space. */
const tabsAsSpaces = (value: string) => value.replace(/\t/g, ' ')

type TextOptions = { multiline?: boolean }

/** A required single-line text field: trimmed, not empty, bounded, no broken text. */
export function requiredText(max = 200) {
  return z
    .string({ message: 'form.required' })
    .overwrite(tabsAsSpaces)
    .trim()
    .min(1, 'form.required')
    .max(max, message('form.tooLong', { max }))
    .refine(isCleanLine, 'form.badCharacters')
}

/** An optional text field: empty becomes null. One line unless `multiline` (a textarea). */
export function optionalText(max = 2000, { multiline = false }: TextOptions = {}) {
  return z
    .string()
    .overwrite((value) => (multiline ? value : tabsAsSpaces(value)))
    .trim()
    .max(max, message('form.tooLong', { max }))
    .refine(multiline ? isCleanText : isCleanLine, 'form.badCharacters')
    .optional()
    .transform((value) => (value ? value : null))
}

/**
 * zod's address rule lets a domain label end in a hyphen or run past 63 characters; the HTML5
 * rule, which the calendar library applies to an ATTENDEE, does not. An address must pass both,
 * or its invitation could never be written.
 */
const isCalendarAddress = (value: string) => z.regexes.html5Email.test(value)

export const emailField = z
  .string({ message: 'form.required' })
  .trim()
  .min(1, 'form.required')
  .max(254, message('form.tooLong', { max: 254 }))
  .refine(isCleanLine, 'form.badCharacters')
  .pipe(z.email('form.invalidEmail'))
  .refine(isCalendarAddress, 'form.invalidEmail')
  .transform((value) => value.toLowerCase())

export const optionalEmail = z
  .string()
  .trim()
  .max(254, message('form.tooLong', { max: 254 }))
  .refine(isCleanLine, 'form.badCharacters')
  .optional()
  .transform((value) => (value ? value.toLowerCase() : null))
  .refine((value) => value === null || (z.email().safeParse(value).success && isCalendarAddress(value)), 'form.invalidEmail')

/**
 * Only web links: a javascript: or data: URL in a join link would run in a resident's browser.
 * Stored as a browser writes it, so every message and calendar file can carry it (see web-url.ts).
 */
export const optionalUrl = z
  .string()
  .trim()
  .max(2000, message('form.tooLong', { max: 2000 }))
  // Controls and line breaks get the link's own message (see web-url.ts); these it lets through.
  .refine((value) => !/[\ufffd\p{Cs}]/u.test(value), 'form.badCharacters')
  .optional()
  .transform((value, ctx) => {
    if (!value) return null
    const checked = checkWebUrl(value)
    if (checked.ok) return checked.url
    ctx.addIssue({ code: 'custom', message: urlError(checked) })
    return z.NEVER
  })

function urlError(checked: Exclude<WebUrlCheck, { ok: true }>): string {
  if (checked.reason === 'whitespace') return 'form.urlWhitespace'
  if (checked.reason === 'rewritten') return message('form.urlRewritten', { url: checked.url })
  return 'form.invalidUrl'
}

/**
 * Indonesian mobile numbers: 08…, +62… and 62… are one number. Stored as +628…;
 * null when it is not an Indonesian mobile number.
 */
export function normaliseIndonesianPhone(input: string): string | null {
  const digits = input.replace(/[\s().-]/g, '')
  let national: string
  if (/^\+62\d+$/.test(digits)) national = digits.slice(3)
  else if (/^62\d+$/.test(digits)) national = digits.slice(2)
  else if (/^0\d+$/.test(digits)) national = digits.slice(1)
  else return null
  return /^8\d{7,11}$/.test(national) ? `+62${national}` : null
}

export const optionalPhone = z
  .string()
  .trim()
  .max(30, 'form.invalidPhone')
  .optional()
  .transform((value, ctx) => {
    if (!value) return null
    const phone = normaliseIndonesianPhone(value)
    if (!phone) {
      ctx.addIssue({ code: 'custom', message: 'form.invalidPhone' })
      return z.NEVER
    }
    return phone
  })

export type ParseResult<T> =
  | { success: true; data: T }
  | { success: false; errors: FieldErrors; values: Record<string, string> }

/** Parses a form with one schema. Errors are grouped by field; "" holds the form-wide ones. */
export function parseForm<T>(schema: z.ZodType<T>, formData: FormData): ParseResult<T> {
  const result = schema.safeParse(formFields(formData))
  if (result.success) return { success: true, data: result.data }
  return { success: false, errors: toFieldErrors(result.error), values: echoForm(formData) }
}

/** Text fields by name; a repeated name (checkboxes) becomes a list. */
function formFields(formData: FormData): Record<string, string | string[]> {
  // A null prototype, so a field named "__proto__" or "constructor" is just a field.
  const all: Record<string, string | string[]> = Object.create(null)
  for (const [key, value] of formData.entries()) {
    if (typeof value !== 'string') continue
    const previous = all[key]
    // Appended in place: copying the list for every repeat made one hostile post quadratic.
    if (previous === undefined) all[key] = value
    else if (Array.isArray(previous)) previous.push(value)
    else all[key] = [previous, value]
  }
  return all
}

export function toFieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {}
  for (const issue of error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : ''
    const text = isMessageKey(issue.message.split('?')[0]) ? issue.message : 'form.invalidChoice'
    ;(errors[field] ??= []).includes(text) || errors[field]!.push(text)
  }
  return errors
}

/**
 * What the person typed, sent back so nothing is lost; long values are cut, secrets dropped.
 * Repeated fields (checkboxes) come back comma-separated.
 */
export function echoForm(formData: FormData): Record<string, string> {
  const echoed: Record<string, string> = {}
  for (const [key, value] of Object.entries(formFields(formData))) {
    if (/password|confirm/i.test(key)) continue
    echoed[key] = (Array.isArray(value) ? value.join(',') : value).slice(0, 5000)
  }
  return echoed
}
