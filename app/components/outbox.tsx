import { formatDateTime, isMessageKey, type Lang, type Translate } from '#app/i18n'

/** A message kind in the reader's language; a kind newer than the dictionary shows as stored. */
export function kindLabel(t: Translate, kind: string): string {
  const key = `outbox.kind.${kind}`
  return isMessageKey(key) ? t(key) : kind
}

// Organisers work from the ministry in Jakarta: the Outbox's own times read in WIB.
export function outboxTime(iso: string, lang: Lang): string {
  return formatDateTime(iso, 'WIB', lang)
}
