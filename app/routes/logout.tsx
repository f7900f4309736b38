import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { deleteSession } from '#app/models/session.server'
import { getDb } from '#app/utils/db.server'
import { destroySessionCookie, readSessionId } from '#app/utils/session.server'

// Signing out ends the session on the server, not only in this browser.
export async function action({ request }: ActionFunctionArgs) {
  const sessionId = await readSessionId(request)
  if (sessionId) await deleteSession(getDb(), sessionId)
  return redirect('/login?signedOut', { headers: { 'Set-Cookie': await destroySessionCookie() } })
}

export async function loader() {
  return redirect('/')
}
