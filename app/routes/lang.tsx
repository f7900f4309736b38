import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { isLang } from '#app/i18n'
import { langCookie } from '#app/i18n/lang.server'
import { safeRedirect } from '#app/utils/auth.server'
import { readForm } from '#app/utils/read-form.server'

// Anyone may switch the language; the choice is remembered in a cookie.
export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request)
  const lang = form.get('lang')
  if (!isLang(lang)) throw new Response('Unknown language', { status: 400 })
  return redirect(safeRedirect(form.get('redirectTo')), { headers: { 'Set-Cookie': await langCookie.serialize(lang) } })
}

export async function loader() {
  return redirect('/')
}
