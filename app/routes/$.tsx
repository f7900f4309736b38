import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { NO_SCRIPTS } from '#app/utils/page-scripts'

// A resident page: plain HTML, no scripts (utils/page-scripts.ts).
export const handle = NO_SCRIPTS

// Catches every URL no other route matches. Without it Remix answers 404 before any loader
// runs, so the root loader never reads the language cookie and the page is always Indonesian.
export async function loader() {
  throw new Response('Not found', { status: 404 })
}

export async function action() {
  throw new Response('Not found', { status: 404 })
}

export default function NotFound() {
  return <GeneralErrorBoundary />
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
