// U+0000 (NUL, `%00` in a URL) is refused wherever input enters: PostgreSQL refuses it in any text
// value (SQLSTATE 22021), where SQLite stores it, so a lookup or a write that it reached would be
// a 500 on one engine only. No page, form or file of ours has a use for it. The URL is checked in
// front of Remix (scripts/server.ts), forms in readForm and the upload readers, and a parsed
// upload's text before it is stored.

const NUL = '\u0000'

/** Whether `value` (a string, or strings anywhere inside arrays and plain objects) holds a NUL. */
export function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(NUL)
  if (Array.isArray(value)) return value.some(holdsNul)
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).some(holdsNul)
  return false
}

/** Whether a form holds a NUL in a field's name, a text value or a file's name. */
export function formHoldsNul(form: FormData): boolean {
  for (const [name, value] of form) {
    if (name.includes(NUL) || (typeof value === 'string' ? value.includes(NUL) : value.name.includes(NUL))) return true
  }
  return false
}

/**
 * Whether a request's URL holds a NUL once decoded, in its path (a route's params) or its query,
 * read as the routes read it (URLSearchParams). A path that does not decode is checked elsewhere.
 */
export function urlHoldsNul(url: string): boolean {
  const queryAt = url.indexOf('?')
  const path = queryAt === -1 ? url : url.slice(0, queryAt)
  try {
    if (decodeURIComponent(path).includes(NUL)) return true
  } catch {
    return false
  }
  if (queryAt === -1) return false
  for (const [name, value] of new URLSearchParams(url.slice(queryAt + 1))) if (name.includes(NUL) || value.includes(NUL)) return true
  return false
}
