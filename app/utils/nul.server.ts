// U+0000 (NUL, `%00` in a URL) never reaches a query: PostgreSQL refuses it in any text value
// (SQLSTATE 22021), where SQLite stores it, so a lookup or a write that it reached would be a 500
// on one engine only. The URL is checked in front of Remix (scripts/server.ts); the names in a form
// (a field's, a file's), which no page of ours lets anyone type, in readForm and the upload
// readers; a Zoom report's text in its parser. A NUL in a value is the user's input like any other: the field's own check refuses it
// beside the field (form.badCharacters), and one that reaches the database unchecked is a 400
// there (isUnstorableText, answered by the routes' outer layer), never a 500.

const NUL = '\u0000'

/** Whether any of these strings holds a NUL. */
export function holdsNul(values: Array<string | undefined>): boolean {
  return values.some((value) => value?.includes(NUL))
}

/** Whether a form holds a NUL in a field's name or a file's name (its values are checked beside their fields). */
export function formNamesHoldNul(form: FormData): boolean {
  for (const [name, value] of form) if (holdsNul([name, typeof value === 'string' ? '' : value.name])) return true
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
