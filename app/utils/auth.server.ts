import { redirect } from '@remix-run/node'
import type { StaffRole } from '#db/schema'
import { getDb } from './db.server'
import { readSessionId } from './session.server'
import { getSessionUser } from '#app/models/session.server'

export type SessionUser = NonNullable<Awaited<ReturnType<typeof getSessionUser>>>

export async function getOptionalUser(request: Request): Promise<SessionUser | null> {
  const sessionId = await readSessionId(request)
  if (!sessionId) return null
  return (await getSessionUser(getDb(), sessionId)) ?? null
}

/** Not signed in → redirect to /login, coming back here afterwards. */
export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await getOptionalUser(request)
  if (!user) {
    const url = new URL(request.url)
    const redirectTo = `${url.pathname}${url.search}`
    throw redirect(`/login?${new URLSearchParams({ redirectTo })}`)
  }
  return user
}

/** Signed in with another role → 403, shown by the route's ErrorBoundary. */
export async function requireRole(request: Request, ...roles: StaffRole[]): Promise<SessionUser> {
  const user = await requireUser(request)
  if (!roles.includes(user.role)) throw new Response('Forbidden', { status: 403 })
  return user
}

export const requireOrganiser = (request: Request) => requireRole(request, 'organiser')

// Browsers drop tabs and newlines from URLs and read "\\" as "/", so "/\t/evil.example" and
// "/\\evil.example" both lead off-site; any control character or backslash is refused outright.
const UNSAFE_IN_REDIRECT = /[\u0000-\u001f\u007f-\u009f\\]/
const THIS_SITE = 'http://this.site.invalid'

/**
 * A redirect target from the request (a `redirectTo` field or parameter), made safe: only a path
 * on this site, written as plain ASCII (non-ASCII is percent-encoded), so it is always a valid
 * Location header. Anything else, e.g. //evil.example or https://evil.example, gives `fallback`.
 */
export function safeRedirect(target: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//') || UNSAFE_IN_REDIRECT.test(target)) {
    return fallback
  }
  let url: URL
  try {
    url = new URL(target, THIS_SITE)
  } catch {
    return fallback
  }
  if (url.origin !== THIS_SITE) return fallback
  const path = `${url.pathname}${url.search}${url.hash}`
  // The parser may have rewritten the path (dot segments); what it gives must still be a plain path.
  return path.startsWith('/') && !path.startsWith('//') ? path : fallback
}

export function homeFor(role: StaffRole): string {
  return role === 'organiser' ? '/admin/webinars' : '/me'
}
