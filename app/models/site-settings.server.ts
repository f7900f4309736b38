import path from 'node:path'
import type { Lang } from '#db/schema'
import type { CertificateIssuer } from '#app/utils/certificate-pdf.server'
import { serialiseJob, type DB } from '#app/utils/db.server'
import { issuerNameFor, programmeNameFor } from '#app/utils/site-identity'
import { type CheckedSiteImage, prepareSiteImage, type PreparedSiteImage, readSiteImagePng, removeSiteImage, type StoredSiteImage, writeSiteImage } from '#app/utils/site-image.server'
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
 * Saves the issuer's texts and images at once, in one transaction that also writes the new images'
 * files; then removes the files of the images it replaced. Files are named by their content, so two
 * saves may name the same file: everything that writes or removes a site image's files does it in
 * the issuer saves' turn (serialiseJob), and a file is removed only while no setting refers to it.
 * A failed save removes the files it wrote that nothing refers to.
 */
export async function updateIssuer(
  db: DB,
  texts: IssuerTexts,
  images: Record<IssuerImageName, CheckedSiteImage | 'remove' | 'keep'>,
  actorId: string,
): Promise<void> {
  const changes = {} as Record<IssuerImageName, PreparedSiteImage | null | 'keep'>
  for (const name of Object.keys(IMAGE_KEYS) as IssuerImageName[]) {
    const change = images[name]
    changes[name] = change === 'keep' ? 'keep' : change === 'remove' ? null : await prepareSiteImage(name, change)
  }
  let replaced: StoredSiteImage[]
  try {
    replaced = await saveIssuerSettings(db, texts, changes, actorId)
  } catch (error) {
    // Whatever of the new images' files the save wrote (a file it never reached is already absent).
    await removeUnreferencedSiteImages(
      db,
      Object.values(changes).flatMap((change) => (change && change !== 'keep' ? [change.image] : [])),
    )
    throw error
  }
  await racePoint('issuer:after-commit')
  await removeUnreferencedSiteImages(db, replaced)
}

/**
 * Removes the files of these images unless a setting refers to them, in the issuer saves' turn:
 * a save that names the same file either committed before (and the file stays) or writes it after.
 */
async function removeUnreferencedSiteImages(db: DB, images: StoredSiteImage[]): Promise<void> {
  if (images.length === 0) return
  await db.transaction().execute(async (trx) => {
    await serialiseJob(trx, 'settings:issuer')
    const value = await readSettings(trx, Object.values(IMAGE_KEYS))
    const inUse = new Set(Object.values(IMAGE_KEYS).map((key) => parseImage(value(key))?.png))
    await racePoint('issuer:cleanup-after-read')
    for (const image of images) if (!inUse.has(image.png)) await removeSiteImage(image)
  })
}

/** The settings rows of `updateIssuer`; returns the images no longer referenced. */
async function saveIssuerSettings(
  db: DB,
  texts: IssuerTexts,
  images: Record<IssuerImageName, PreparedSiteImage | null | 'keep'>,
  actorId: string,
  now = nowIso(),
): Promise<StoredSiteImage[]> {
  return db.transaction().execute(async (trx) => {
    // Read, then written: which images this save replaces. Two saves at once take turns (an
    // advisory lock on PostgreSQL; SQLite's write lock already does), so the later one reads the
    // earlier one's images as those it replaces, and their files do not stay behind unreferenced.
    await serialiseJob(trx, 'settings:issuer')
    // The files in the turn too: a removal of a file of the same name has finished, or waits.
    for (const prepared of Object.values(images)) {
      if (prepared && prepared !== 'keep') await writeSiteImage(prepared)
    }
    const put = (key: string, value: string | null) => putSetting(trx, key, value, actorId, now)
    for (const [name, key] of Object.entries(ISSUER_KEYS) as [keyof IssuerTexts, string][]) await put(key, texts[name])
    const unused: StoredSiteImage[] = []
    for (const [name, key] of Object.entries(IMAGE_KEYS) as [IssuerImageName, string][]) {
      const prepared = images[name]
      if (prepared === 'keep') continue
      const change = prepared?.image ?? null
      const row = await trx.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst()
      const previous = parseImage(row?.value ?? null)
      await racePoint('issuer:after-read')
      await put(key, change ? JSON.stringify(change) : null)
      if (previous && previous.png !== change?.png) unused.push(previous)
    }
    return unused
  })
}
