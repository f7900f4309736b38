import { DEFAULT_LANG, isLang, type Lang } from '#app/i18n'

/** The reader's language, from the root loader's data, for a route's meta(). */
export function metaLang(matches: ReadonlyArray<{ id: string; data: unknown }>): Lang {
  const lang = (matches.find((match) => match.id === 'root')?.data as { lang?: unknown } | undefined)?.lang
  return isLang(lang) ? lang : DEFAULT_LANG
}

/** "Topic · Literasi Webinar" */
export function pageTitle(text: string): Array<{ title: string }> {
  return [{ title: `${text} · Literasi Webinar` }]
}
