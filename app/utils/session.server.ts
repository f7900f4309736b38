import { createCookie } from '@remix-run/node'
import { getEnv } from './env.server'
import { SESSION_TTL_MS, type KnownDevice } from '#app/models/session.server'
import { createToken } from './crypto.server'

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

// A browser where an account has signed in keeps a signed device token for it (OWASP's "device
// cookies"): sign-in attempts from there count against that device, not the account, so nobody
// can lock the owner out of their own browser by failing on purpose (see signIn). Only the
// sign-in page reads it. A shared computer may hold tokens for a few accounts.
const DEVICE_COOKIE_ACCOUNTS = 5
const DEVICE_TTL_SECONDS = 365 * 24 * 60 * 60
let device: ReturnType<typeof createCookie> | undefined

function deviceCookie() {
  if (!device) {
    const env = getEnv()
    device = createCookie('__device', {
      httpOnly: true,
      sameSite: 'lax',
      path: '/login',
      secure: env.APP_URL.startsWith('https://'),
      secrets: env.SESSION_SECRETS,
      maxAge: DEVICE_TTL_SECONDS,
    })
  }
  return device
}

function isKnownDevice(value: unknown): value is KnownDevice {
  return typeof value === 'object' && value !== null && typeof (value as KnownDevice).userId === 'string' && typeof (value as KnownDevice).token === 'string'
}

/** The device tokens the browser holds; a forged or tampered cookie holds none. */
export async function readKnownDevices(request: Request): Promise<KnownDevice[]> {
  const value: unknown = await deviceCookie().parse(request.headers.get('Cookie'))
  return Array.isArray(value) ? value.filter(isKnownDevice).slice(0, DEVICE_COOKIE_ACCOUNTS) : []
}

/** The cookie after `userId` signed in: its token kept (or a new one), newest account first. */
export function rememberDevice(devices: KnownDevice[], userId: string): Promise<string> {
  const own = devices.find((known) => known.userId === userId) ?? { userId, token: createToken() }
  const others = devices.filter((known) => known.userId !== userId)
  return deviceCookie().serialize([own, ...others].slice(0, DEVICE_COOKIE_ACCOUNTS))
}
