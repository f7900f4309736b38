import type { LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { requireOrganiser } from '#app/utils/auth.server'

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  return redirect('/admin/webinars')
}
