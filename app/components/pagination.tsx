import { Link, useLocation, useSearchParams } from '@remix-run/react'
import { useT } from '#app/i18n'

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize))
}

/**
 * Previous/next links that keep the list's filters; nothing when everything fits on one page.
 * The page count comes from the loader: page sizes live in server modules.
 */
export function Pagination({ page, pages, label }: { page: number; pages: number; label?: string }) {
  const [searchParams] = useSearchParams()
  const { pathname } = useLocation()
  const t = useT()
  if (pages <= 1) return null
  const pageLink = (n: number) => {
    const next = new URLSearchParams(searchParams)
    next.set('page', String(n))
    return `${pathname}?${next}`
  }
  return (
    <nav className="actions pager" aria-label={label ?? t('webinar.list.page', { page, pages })}>
      {page > 1 ? (
        <Link to={pageLink(page - 1)} rel="prev">
          {t('webinar.list.previous')}
        </Link>
      ) : null}
      <span aria-current="page">{t('webinar.list.page', { page, pages })}</span>
      {page < pages ? (
        <Link to={pageLink(page + 1)} rel="next">
          {t('webinar.list.next')}
        </Link>
      ) : null}
    </nav>
  )
}
