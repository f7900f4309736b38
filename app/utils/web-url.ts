// The links organisers type (the join link, the live stream) end up where links are read
// strictly: an href, a calendar file's URL property, a mail reader's link detection. A link is
// kept in the one form a browser itself would use (its WHATWG serialisation), so what the form
// checked is, byte for byte, what every message and calendar file later writes. No zod here:
// messages and calendar files use it too.

export type WebUrlCheck =
  | { ok: true; url: string }
  /** `rewritten` carries what a browser would make of the link instead. */
  | { ok: false; reason: 'invalid' | 'whitespace' }
  | { ok: false; reason: 'rewritten'; url: string }

/** Whitespace of any kind (a space, a line break, a no-break space), control and invisible format characters. */
const UNSAFE_CHARACTER = /[\s\p{Cc}\p{Cf}]/u

/**
 * Labels of letters, digits and inner hyphens, joined by dots: the host names a calendar file's
 * URL may hold (`ics` refuses an underscore or a trailing dot), and what a browser's punycode
 * makes of any other script.
 */
const HOST_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' }

/** An http(s) URL whose host and port a calendar file can name; null for anything else. */
function parseWebUrl(value: string): URL | null {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return null
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null
  if (!HOST_NAME.test(url.hostname)) return null
  // `ics` writes a port of two to five digits only.
  if (url.port && Number(url.port) < 10) return null
  return url
}

/**
 * A typed link, checked for storing. Refused: anything but http(s)://, a user:password@ (which
 * hides the real host: "https://zoom.us@evil.example"), whitespace and control characters, and
 * whatever the URL parser would silently change (a backslash, an IPv4 shorthand, "..", a
 * character it must percent-encode). Letter case in the scheme and host, a default port and an
 * empty path are only spelling: the link is stored as the parser writes it.
 */
export function checkWebUrl(value: string): WebUrlCheck {
  const typed = /^(https?:\/\/)([^/?#\\]*)(.*)$/is.exec(value)
  if (!typed) return { ok: false, reason: 'invalid' }
  if (UNSAFE_CHARACTER.test(value)) return { ok: false, reason: 'whitespace' }
  const url = parseWebUrl(value)
  const authority = typed[2]!.toLowerCase()
  // A dotless host (localhost, an intranet name) is no link a resident can open.
  if (!url || !url.hostname.includes('.') || authority.includes('@')) return { ok: false, reason: 'invalid' }
  const rest = typed[3]!
  const sameHost =
    authority === url.host ||
    authority === `${url.host}:${DEFAULT_PORT[url.protocol]}` ||
    // A host in another script is written in punycode, as every browser sends it.
    /[^\x00-\x7f]/.test(authority)
  const expected = `${url.protocol}//${url.host}${rest.startsWith('/') ? rest : `/${rest}`}`
  if (!sameHost || url.href !== expected) return { ok: false, reason: 'rewritten', url: url.href }
  return { ok: true, url: url.href }
}

/**
 * A stored link as messages and calendar files write it. Rows saved before links were checked
 * this strictly may hold a space: it goes out as %20, the way a browser would send it. Null
 * when the text is no web link at all; it is then shown as text and linked nowhere.
 */
export function serialiseWebUrl(value: string | null): string | null {
  if (!value) return null
  return parseWebUrl(value.trim())?.href ?? null
}

/** A stored link as text in a message: serialised when it is a web link, as stored when it is not. */
export function webUrlText(value: string | null): string | null {
  return serialiseWebUrl(value) ?? value
}
