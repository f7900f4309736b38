import { isMessageKey, type MessageKey, type Vars } from '#app/i18n'

// Errors travel from server to page as dictionary keys, so the server stays language-neutral
// and the page shows each error in the reader's language. Parameters ride along as a query
// string: "form.tooLong?max=200". No zod here: this file ships to the browser.

export type FieldErrors = Record<string, string[]>

export function message(key: MessageKey, vars?: Record<string, string | number>): string {
  if (!vars) return key
  const params = new URLSearchParams(Object.entries(vars).map(([k, v]) => [k, String(v)]))
  return `${key}?${params}`
}

export function decodeMessage(encoded: string): { key: MessageKey; vars?: Vars } {
  const [key, query] = encoded.split('?', 2)
  if (!isMessageKey(key)) return { key: 'error.generic.body' }
  return query ? { key, vars: Object.fromEntries(new URLSearchParams(query)) } : { key }
}
