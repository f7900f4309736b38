import { Link } from '@remix-run/react'
import type { TimeZoneCode } from '#db/schema'
import { formatDateTime, useLang, useT } from '#app/i18n'

type ImportItem = { id: string; file_name: string; rows: number; uploaded_at: string; committed_at: string | null }

/** The reports uploaded for a webinar: the one in force, a waiting preview, the ones replaced. */
export function ImportList({ slug, zone, imports, currentImportId }: { slug: string; zone: TimeZoneCode; imports: ImportItem[]; currentImportId: string | null }) {
  const t = useT()
  const lang = useLang()
  if (imports.length === 0) return null
  return (
    <section aria-labelledby="imports-title">
      <h2 id="imports-title">{t('import.history')}</h2>
      <ul className="plain-list">
        {imports.map((item) => (
          <li key={item.id} className="card-line">
            <Link to={`/attendance/${slug}/import/${item.id}`}>{item.file_name}</Link>{' '}
            <span className="badge">
              {t(item.id === currentImportId ? 'import.state.current' : item.committed_at ? 'import.state.replaced' : 'import.state.preview')}
            </span>{' '}
            <span className="muted">{formatDateTime(item.uploaded_at, zone, lang)}</span>
          </li>
        ))}
      </ul>
    </section>
  )
}
