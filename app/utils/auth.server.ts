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

/** Only same-site relative paths, so /login?redirectTo=https://evil.example cannot bounce users away. */
export function safeRedirect(target: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) {
    return fallback
  }
  return target
}

export function homeFor(role: StaffRole): string {
  return role === 'organiser' ? '/admin/webinars' : '/me'
}
