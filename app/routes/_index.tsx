import { redirect } from '@remix-run/node'

// The front door is the catalogue: residents come for the webinars. Staff sign in from the footer.
export async function loader() {
  return redirect('/webinars')
}
