import { translate, type Lang } from '#app/i18n'

// Who runs the service, as the pages and the certificate name it: the settings an organiser
// edits on /admin/issuer, the dictionary's names where they are empty. Not a .server module:
// the header and footer use it in the browser too.

export type ProgrammeNames = { programmeNameId: string | null; programmeNameEn: string | null; issuerName: string | null }

/** The programme's name in the reader's language: the other language's when only that one is set, else the dictionary's. */
export function programmeNameFor(identity: Partial<ProgrammeNames> | null, lang: Lang): string {
  const own = lang === 'en' ? identity?.programmeNameEn : identity?.programmeNameId
  const other = lang === 'en' ? identity?.programmeNameId : identity?.programmeNameEn
  return own ?? other ?? translate(lang, 'app.programme')
}

export function issuerNameFor(identity: Partial<ProgrammeNames> | null, lang: Lang): string {
  return identity?.issuerName ?? translate(lang, 'app.ministry')
}
