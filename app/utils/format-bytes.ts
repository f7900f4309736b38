import type { Lang } from '#app/i18n'

/** A file size as people read it: "2,4 MB" in Indonesian, "2.4 MB" in English. */
export function formatBytes(bytes: number, lang: Lang): string {
  const locale = lang === 'id' ? 'id-ID' : 'en-GB'
  if (bytes < 1024 * 1024) return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(Math.max(1, Math.round(bytes / 1024)))} KB`
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(bytes / (1024 * 1024))} MB`
}
