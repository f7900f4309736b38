import { useT } from '#app/i18n'

/**
 * The CSV of one dashboard table, with the page's filters (`query`, e.g. "?province=33"). A plain
 * link: the file downloads with or without JavaScript.
 */
export function ExportLink({ table, query, heading }: { table: string; query: string; heading: string }) {
  const t = useT()
  return (
    <p>
      <a href={`/admin/reports/${table}.csv${query}`} download>
        {t('programme.csv.download', { table: heading })}
      </a>
    </p>
  )
}
