import type { Lang } from '#db/schema'
import type { DB } from '#app/utils/db.server'
import { nowIso } from '#app/utils/time'

// What the public pages say about who runs the service: the helpdesk in every page's footer (and
// on a personal page that has bad news), and the privacy notice the consent box links to. An
// organiser edits them on /admin/privacy; they live in the settings table, one row per key.

const KEYS = {
  helpdeskEmail: 'helpdesk_email',
  helpdeskPhone: 'helpdesk_phone',
  privacyNoticeId: 'privacy_notice_id',
  privacyNoticeEn: 'privacy_notice_en',
} as const

export type SiteSettings = { helpdeskEmail: string | null; helpdeskPhone: string | null; privacyNoticeId: string | null; privacyNoticeEn: string | null }
export type Helpdesk = Pick<SiteSettings, 'helpdeskEmail' | 'helpdeskPhone'>

export async function getSiteSettings(db: DB): Promise<SiteSettings> {
  const rows = await db.selectFrom('settings').select(['key', 'value']).where('key', 'in', Object.values(KEYS)).execute()
  const value = (key: string) => rows.find((row) => row.key === key)?.value || null
  return {
    helpdeskEmail: value(KEYS.helpdeskEmail),
    helpdeskPhone: value(KEYS.helpdeskPhone),
    privacyNoticeId: value(KEYS.privacyNoticeId),
    privacyNoticeEn: value(KEYS.privacyNoticeEn),
  }
}

export async function getHelpdesk(db: DB): Promise<Helpdesk> {
  const { helpdeskEmail, helpdeskPhone } = await getSiteSettings(db)
  return { helpdeskEmail, helpdeskPhone }
}

/** The privacy notice in the reader's language, or the other language's when only that one is written. */
export async function getPrivacyNotice(db: DB, lang: Lang): Promise<string | null> {
  const { privacyNoticeId, privacyNoticeEn } = await getSiteSettings(db)
  return lang === 'en' ? (privacyNoticeEn ?? privacyNoticeId) : (privacyNoticeId ?? privacyNoticeEn)
}

/** Saves every site setting at once; an empty value removes its row. */
export async function saveSiteSettings(db: DB, settings: SiteSettings, actorId: string, now = nowIso()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const [name, key] of Object.entries(KEYS) as [keyof SiteSettings, string][]) {
      const value = settings[name]
      if (!value) {
        await trx.deleteFrom('settings').where('key', '=', key).execute()
        continue
      }
      await trx
        .insertInto('settings')
        .values({ key, value, updated_by: actorId, updated_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_by: actorId, updated_at: now }))
        .execute()
    }
  })
}
