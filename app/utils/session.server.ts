import { createCookie } from '@remix-run/node'
import { getEnv } from './env.server'
import { SESSION_TTL_MS } from '#app/models/session.server'

// The cookie carries only the session id, signed; the session itself lives in the database
// so signing out ends it on the server. Secrets rotate: the first signs, all verify.
let cookie: ReturnType<typeof createCookie> | undefined

export function sessionCookie() {
  if (!cookie) {
    const env = getEnv()
    cookie = createCookie('__session', {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: env.APP_URL.startsWith('https://'),
      secrets: env.SESSION_SECRETS,
      maxAge: SESSION_TTL_MS / 1000,
    })
  }
  return cookie
}

export async function readSessionId(request: Request): Promise<string | null> {
  const value = await sessionCookie().parse(request.headers.get('Cookie'))
  return typeof value === 'string' && value.length > 0 ? value : null
}

export function commitSessionId(sessionId: string): Promise<string> {
  return sessionCookie().serialize(sessionId)
}

export function destroySessionCookie(): Promise<string> {
  return sessionCookie().serialize('', { maxAge: 0 })
}
