import { useMatches } from '@remix-run/react'

/**
 * Resident pages work as plain HTML (every form is a real form post), and their readers are on
 * cheap phones and weak signals: such a route exports `handle = NO_SCRIPTS`, and root.tsx then
 * leaves out React's and Remix's scripts, so the page is its HTML and one stylesheet. Staff
 * pages keep their scripts (live counts, previews).
 */
export const NO_SCRIPTS = { scripts: false } as const

/** Whether the page being rendered loads React and Remix in the browser. */
export function usePageScripts(): boolean {
  return !useMatches().some((match) => (match.handle as { scripts?: boolean } | undefined)?.scripts === false)
}
