import path from 'node:path'
import type { Lang } from '#db/schema'
import type { CertificateIssuer } from '#app/utils/certificate-pdf.server'
import { serialiseJob, type DB } from '#app/utils/db.server'
import { issuerNameFor, programmeNameFor } from '#app/utils/site-identity'
import { type CheckedSiteImage, readSiteImagePng, removeSiteImage, storeSiteImage, type StoredSiteImage } from '#app/utils/site-image.server'
import { racePoint } from '#app/utils/race-points.server'
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

/** One setting's row written, or removed when the value is empty. */
async function putSetting(db: DB, key: string, value: string | null, actorId: string, now: string): Promise<void> {
  if (!value) {
    await db.deleteFrom('settings').where('key', '=', key).execute()
    return
  }
  await db
    .insertInto('settings')
    .values({ key, value, updated_by: actorId, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_by: actorId, updated_at: now }))
    .execute()
}

/** Saves every site setting at once; an empty value removes its row. */
export async function saveSiteSettings(db: DB, settings: SiteSettings, actorId: string, now = nowIso()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const [name, key] of Object.entries(KEYS) as [keyof SiteSettings, string][]) await putSetting(trx, key, settings[name], actorId, now)
  })
}

// ---------------------------------------------------------------------------------------------
// The certificate's issuer: the programme's name (shown in every page's header too), the
// ministry that issues it (the footer's "run by"), the signatory, and the logo and signature
// images. An organiser edits them on /admin/issuer. Unset, the dictionary's names stand.

const ISSUER_KEYS = {
  programmeNameId: 'programme_name_id',
  programmeNameEn: 'programme_name_en',
  issuerName: 'issuer_name',
  signatoryName: 'signatory_name',
  signatoryTitle: 'signatory_title',
} as const
const IMAGE_KEYS = { logo: 'certificate_logo', signature: 'certificate_signature' } as const

export type IssuerTexts = { programmeNameId: string | null; programmeNameEn: string | null; issuerName: string | null; signatoryName: string | null; signatoryTitle: string | null }
export type IssuerImageName = keyof typeof IMAGE_KEYS
export type IssuerSettings = IssuerTexts & Record<IssuerImageName, StoredSiteImage | null>
/** A new image, none (removed), or the one already saved. */
type IssuerImageChange = StoredSiteImage | null | 'keep'

/** What every page's header and footer say about who runs the service. */
export type SiteIdentity = Helpdesk & {
  programmeNameId: string | null
  programmeNameEn: string | null
  issuerName: string | null
  /** The uploaded logo's header copy (see site.logo.$file.ts), or null for the built-in mark. */
  logoMark: { url: string; width: number; height: number } | null
}

async function readSettings(db: DB, keys: string[]): Promise<(key: string) => string | null> {
  const rows = await db.selectFrom('settings').select(['key', 'value']).where('key', 'in', keys).execute()
  return (key) => rows.find((row) => row.key === key)?.value || null
}

function parseImage(value: string | null): StoredSiteImage | null {
  if (!value) return null
  try {
    const image = JSON.parse(value) as StoredSiteImage
    return typeof image.png === 'string' ? image : null
  } catch {
    return null
  }
}

export async function getIssuerSettings(db: DB): Promise<IssuerSettings> {
  const value = await readSettings(db, [...Object.values(ISSUER_KEYS), ...Object.values(IMAGE_KEYS)])
  return {
    programmeNameId: value(ISSUER_KEYS.programmeNameId),
    programmeNameEn: value(ISSUER_KEYS.programmeNameEn),
    issuerName: value(ISSUER_KEYS.issuerName),
    signatoryName: value(ISSUER_KEYS.signatoryName),
    signatoryTitle: value(ISSUER_KEYS.signatoryTitle),
    logo: parseImage(value(IMAGE_KEYS.logo)),
    signature: parseImage(value(IMAGE_KEYS.signature)),
  }
}

export async function getSiteIdentity(db: DB): Promise<SiteIdentity> {
  const value = await readSettings(db, [KEYS.helpdeskEmail, KEYS.helpdeskPhone, ISSUER_KEYS.programmeNameId, ISSUER_KEYS.programmeNameEn, ISSUER_KEYS.issuerName, IMAGE_KEYS.logo])
  const mark = parseImage(value(IMAGE_KEYS.logo))?.mark
  return {
    logoMark: mark ? { url: `/site/logo/${path.posix.basename(mark.png)}`, width: mark.width, height: mark.height } : null,
    helpdeskEmail: value(KEYS.helpdeskEmail),
    helpdeskPhone: value(KEYS.helpdeskPhone),
    programmeNameId: value(ISSUER_KEYS.programmeNameId),
    programmeNameEn: value(ISSUER_KEYS.programmeNameEn),
    issuerName: value(ISSUER_KEYS.issuerName),
  }
}

/** The logo's header copy by its file name, only while it is the current logo's: an old name is gone. */
export async function getLogoMarkPath(db: DB, fileName: string): Promise<string | null> {
  const value = await readSettings(db, [IMAGE_KEYS.logo])
  const mark = parseImage(value(IMAGE_KEYS.logo))?.mark
  return mark && path.posix.basename(mark.png) === fileName ? mark.png : null
}

/** Everything the certificate PDF prints about its issuer (certificates are in Indonesian). */
export async function getCertificateIssuer(db: DB): Promise<CertificateIssuer> {
  const settings = await getIssuerSettings(db)
  const [logoPng, signaturePng] = await Promise.all([readSiteImagePng(settings.logo), readSiteImagePng(settings.signature)])
  return {
    programmeName: programmeNameFor(settings, 'id'),
    issuerName: issuerNameFor(settings, 'id'),
    signatoryName: settings.signatoryName,
    signatoryTitle: settings.signatoryTitle,
    logoPng,
    signaturePng,
  }
}

/**
 * Saves the issuer's texts and images at once: the new images' files first, then the settings in
 * one transaction, then the files no longer referenced. A failed save removes the files it wrote.
 */
export async function updateIssuer(
  db: DB,
  texts: IssuerTexts,
  images: Record<IssuerImageName, CheckedSiteImage | 'remove' | 'keep'>,
  actorId: string,
): Promise<void> {
  const stored: Array<StoredSiteImage & { created: boolean }> = []
  const changes = {} as Record<IssuerImageName, IssuerImageChange>
  try {
    for (const name of Object.keys(IMAGE_KEYS) as IssuerImageName[]) {
      const change = images[name]
      if (change === 'keep' || change === 'remove') changes[name] = change === 'keep' ? 'keep' : null
      else {
        const image = await storeSiteImage(name, change)
        stored.push(image)
        const { created: _, ...kept } = image
        changes[name] = kept
      }
    }
    const unused = await saveIssuerSettings(db, texts, changes, actorId)
    for (const image of unused) await removeSiteImage(image)
  } catch (error) {
    for (const image of stored) if (image.created) await removeSiteImage(image)
    throw error
  }
}

/** The settings rows of `updateIssuer`; returns the images no longer referenced. */
async function saveIssuerSettings(
  db: DB,
  texts: IssuerTexts,
  images: Record<IssuerImageName, IssuerImageChange>,
  actorId: string,
  now = nowIso(),
): Promise<StoredSiteImage[]> {
  return db.transaction().execute(async (trx) => {
    // Read, then written: which images this save replaces. Two saves at once take turns (an
    // advisory lock on PostgreSQL; SQLite's write lock already does), so the later one reads the
    // earlier one's images as those it replaces, and their files do not stay behind unreferenced.
    await serialiseJob(trx, 'settings:issuer')
    const put = (key: string, value: string | null) => putSetting(trx, key, value, actorId, now)
    for (const [name, key] of Object.entries(ISSUER_KEYS) as [keyof IssuerTexts, string][]) await put(key, texts[name])
    const unused: StoredSiteImage[] = []
    for (const [name, key] of Object.entries(IMAGE_KEYS) as [IssuerImageName, string][]) {
      const change = images[name]
      if (change === 'keep') continue
      const row = await trx.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst()
      const previous = parseImage(row?.value ?? null)
      await racePoint('issuer:after-read')
      await put(key, change ? JSON.stringify(change) : null)
      if (previous && previous.png !== change?.png) unused.push(previous)
    }
    return unused
  })
}
