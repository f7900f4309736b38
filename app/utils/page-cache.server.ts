import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { gzip as gzipCallback } from 'node:zlib'

const gzip = promisify(gzipCallback)

// The rendered public pages, kept in each process and in any shared cache (a CDN, nginx) in
// front of it, so a viral link costs one render per change instead of one per visitor.
//
// Freshness: an entry is served only while the database's change counter (see
// createChangeCounter in db.server.ts) still reads what it read before the page was rendered,
// so any committed write (a registration, a cancellation, publish, edit, reschedule, cancel), by
// this process, another process or another machine, retires every entry at once. Pages also
// depend on the clock (registration opens, a webinar ends): no entry outlives MAX_AGE_MS.

/** How long a process keeps a page at most; the shared cache's lifetime below adds up to the same. */
export const MAX_AGE_MS = 5_000
/**
 * What a shared cache may do with a public page: keep it 2 s, then serve it for up to 3 s more
 * while fetching a fresh one, so nothing it serves is older than 5 s. Browsers revalidate every
 * time (max-age=0), which the ETag makes a 304.
 */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=0, s-maxage=2, stale-while-revalidate=3'
/** Anything that depends on a cookie (a signed-in member of staff) or is nobody else's business. */
export const PRIVATE_CACHE_CONTROL = 'private, no-store'
/** A shared cache must not hand a page rendered for one Cookie header to a request with another. */
export const VARY = 'Cookie, Accept-Encoding'

// The resident pages everyone sees alike. Personal pages (/r/…) carry a token and stay out.
const PUBLIC_PATHS = [/^\/$/, /^\/webinars\/?$/, /^\/webinars\/[^/]+\/?$/, /^\/webinars\/[^/]+\/registered\/?$/, /^\/certificates\/?$/, /^\/privacy\/?$/]
const MAX_ENTRIES = 2_000
const MAX_URL_LENGTH = 512

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.some((pattern) => pattern.test(pathname))
}

/**
 * Whether the request may be answered from, and its answer stored in, a cache shared by
 * everyone: only cookie-less requests and those whose one cookie is the language (which the key
 * carries). A session cookie, or any other, means the page may be someone's own.
 */
export function isAnonymous(cookieHeader: string | undefined): boolean {
  if (!cookieHeader) return true
  return cookieHeader.split(';').every((pair) => {
    const name = pair.slice(0, pair.indexOf('=')).trim()
    return name === '' || name === 'lang'
  })
}

export type CachedPage = {
  status: number
  headers: Array<[string, string]>
  body: Buffer
  gzipped: Buffer
  etag: string
  version: string
  storedAt: number
}

/** A weak validator: the same page gzipped or not is the same page. */
export function etagOf(body: Buffer): string {
  return `W/"${createHash('sha1').update(body).digest('base64url')}"`
}

/** Whether an If-None-Match header names this ETag (weak comparison, as RFC 9110 asks for GET). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  const bare = etag.replace(/^W\//, '')
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim()
    return candidate === '*' || candidate.replace(/^W\//, '') === bare
  })
}

export async function toCachedPage(status: number, headers: Array<[string, string]>, body: Buffer, version: string, now: number): Promise<CachedPage> {
  return { status, headers, body, gzipped: await gzip(body), etag: etagOf(body), version, storedAt: now }
}

/** An LRU of rendered pages keyed by language and URL. */
export class PageCache {
  readonly #entries = new Map<string, CachedPage>()
  constructor(readonly maxEntries = MAX_ENTRIES) {}

  static key(lang: string, url: string): string | null {
    return url.length > MAX_URL_LENGTH ? null : `${lang} ${url}`
  }

  /** The page, if it was rendered under the same database version and is young enough. */
  get(key: string, version: string, now: number): CachedPage | null {
    const entry = this.#entries.get(key)
    if (!entry) return null
    if (entry.version !== version || now - entry.storedAt >= MAX_AGE_MS) {
      this.#entries.delete(key)
      return null
    }
    // Most recently used last, so the first key is the one to drop.
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    return entry
  }

  set(key: string, page: CachedPage): void {
    this.#entries.delete(key)
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!)
    this.#entries.set(key, page)
  }

  get size(): number {
    return this.#entries.size
  }
}
