import { createCookie } from '@remix-run/node'
import { DEFAULT_LANG, isLang, type Lang } from './index'

// The chosen language, remembered for a year. Indonesian unless the person switched.
export const langCookie = createCookie('lang', { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 24 * 60 * 60 })

export async function getLang(request: Request): Promise<Lang> {
  const value = await langCookie.parse(request.headers.get('Cookie'))
  return isLang(value) ? value : DEFAULT_LANG
}
