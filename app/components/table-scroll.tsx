import type { ReactNode } from 'react'

/**
 * A table that may be wider than a phone scrolls inside this box instead of widening the page.
 * Keyboard users can scroll it too (WCAG 2.1.1): it takes focus, named by the table's heading.
 */
export function TableScroll({ labelledBy, children }: { labelledBy: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-labelledby={labelledBy} tabIndex={0}>
      {children}
    </div>
  )
}
