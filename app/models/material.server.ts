import type { Transaction } from 'kysely'
import type { AssignmentRole, Database } from '#db/schema'
import { lockWebinars, type DB } from '#app/utils/db.server'
import { createId } from '#app/utils/crypto.server'
import { racePoint } from '#app/utils/race-points.server'
import { nowIso } from '#app/utils/time'
import { keepUpload, listUploadsWrittenBefore, removeUploadFile, uploadPath, type StoredUpload } from '#app/utils/uploads.server'
import { evaluationOpen } from './evaluation.server'
import { webinarTests } from './learning-test.server'

// The speakers' slides and the recording. A speaker (or the KOL or keynote official) uploads one
// PDF from their brief link, before or after the session; a new upload replaces it. Registered
// residents see the slides and the recording link on their personal page once the webinar has
// ended; the organiser may make the recording link public. Every download checks its link: the
// brief link (the speaker's own file), the personal link (a seat holder of that webinar, after
// the end), or a staff session (organisers, the webinar's own moderator).

export const MATERIAL_MAX_BYTES = 20 * 1024 * 1024

type Conn = DB | Transaction<Database>

/** Roles that bring slides: not the moderator, who leads rather than presents. */
const PRESENTING_ROLES: AssignmentRole[] = ['speaker', 'kol', 'keynote']

function materialFile(webinarId: string, materialId: string): string {
  return uploadPath('materials', webinarId, `${materialId}.pdf`)
}

/** The role behind a brief link, if it may upload slides (a webinar not cancelled). */
async function findPresenter(db: Conn, briefToken: string) {
  if (!briefToken) return null
  return db
    .selectFrom('webinar_roles')
    .innerJoin('webinars', 'webinars.id', 'webinar_roles.webinar_id')
    .select(['webinar_roles.id', 'webinar_roles.role', 'webinar_roles.webinar_id', 'webinars.status'])
    .where('webinar_roles.brief_token', '=', briefToken)
    .executeTakeFirst()
}

/** The speaker's own slides, for their brief page; null when they have none or cannot upload. */
export async function getBriefMaterial(db: DB, briefToken: string) {
  const role = await findPresenter(db, briefToken)
  if (!role) return null
  const material = await db.selectFrom('materials').select(['id', 'file_name', 'bytes', 'uploaded_at']).where('webinar_role_id', '=', role.id).executeTakeFirst()
  return { canUpload: PRESENTING_ROLES.includes(role.role) && role.status !== 'cancelled', material: material ?? null }
}

export type SaveMaterialResult = { ok: true } | { ok: false; reason: 'notFound' | 'notPresenter' }

/**
 * Keeps a checked upload as the speaker's slides, replacing their earlier file. The file is moved
 * into place first and the row written after; if the row cannot be written (or the role went
 * meanwhile) the file goes again, and the replaced file is removed only once the new row is
 * committed.
 *
 * The lock rule: the speaker's row is read again, and their earlier slides found, under the
 * webinar's lock (materials belong to its roles), so two uploads at once take turns (the later
 * replaces the earlier, with no unique violation and no file left behind) and an upload never
 * lands on a role that removeRole is deleting.
 */
export async function saveMaterial(db: DB, briefToken: string, upload: StoredUpload, now = nowIso()): Promise<SaveMaterialResult> {
  const found = await findPresenter(db, briefToken)
  if (!found) return { ok: false, reason: 'notFound' }
  if (!PRESENTING_ROLES.includes(found.role) || found.status === 'cancelled') return { ok: false, reason: 'notPresenter' }
  const id = createId()
  const finalPath = materialFile(found.webinar_id, id)
  await keepUpload(upload, finalPath)
  let saved: SaveMaterialResult & { replaced?: string | null }
  try {
    saved = await db.transaction().execute(async (trx) => {
      await lockWebinars(trx, [found.webinar_id])
      const role = await findPresenter(trx, briefToken)
      if (!role) return { ok: false, reason: 'notFound' } as const
      if (!PRESENTING_ROLES.includes(role.role) || role.status === 'cancelled') return { ok: false, reason: 'notPresenter' } as const
      const old = await trx.selectFrom('materials').select('id').where('webinar_role_id', '=', role.id).executeTakeFirst()
      await racePoint('material:after-read')
      if (old) await trx.deleteFrom('materials').where('id', '=', old.id).execute()
      await trx
        .insertInto('materials')
        .values({ id, webinar_id: role.webinar_id, webinar_role_id: role.id, file_name: safeFileName(upload.fileName), bytes: upload.bytes, sha256: upload.sha256, uploaded_at: now })
        .execute()
      return { ok: true, replaced: old?.id ?? null } as const
    })
  } catch (error) {
    await removeUploadFile(finalPath)
    throw error
  }
  if (!saved.ok) {
    await removeUploadFile(finalPath)
    return saved
  }
  if (saved.replaced) await removeUploadFile(materialFile(found.webinar_id, saved.replaced))
  return { ok: true }
}

/**
 * The slide files of roles about to be deleted, read inside the deleting transaction (under the
 * webinar's lock): the caller removes them with removeMaterialFiles once that transaction has
 * committed, never inside it, since a file removed cannot come back if the transaction rolls back.
 */
export async function materialFilesOfRoles(trx: Conn, roleIds: string[]): Promise<string[]> {
  if (roleIds.length === 0) return []
  const rows = await trx.selectFrom('materials').select(['id', 'webinar_id']).where('webinar_role_id', 'in', roleIds).execute()
  return rows.map((row) => materialFile(row.webinar_id, row.id))
}

/** After the commit: the files of slides whose rows are gone. */
export async function removeMaterialFiles(paths: string[]): Promise<void> {
  for (const file of paths) await removeUploadFile(file)
}

/** The name to offer the download under: the uploaded name without folders or control characters, ending in .pdf. */
function safeFileName(name: string): string {
  const base = name.replace(/[\u0000-\u001f\u007f]/g, '').split(/[/\\]/).pop()!.trim().slice(0, 150) || 'slides'
  return /\.pdf$/i.test(base) ? base : `${base}.pdf`
}

const MATERIAL_COLUMNS = ['materials.id', 'materials.webinar_id', 'materials.file_name', 'materials.bytes', 'materials.uploaded_at', 'people.name as speaker_name', 'webinar_roles.talk_title'] as const

function materialsOf(db: DB, webinarId: string) {
  return db
    .selectFrom('materials')
    .innerJoin('webinar_roles', 'webinar_roles.id', 'materials.webinar_role_id')
    .innerJoin('people', 'people.id', 'webinar_roles.person_id')
    .select(MATERIAL_COLUMNS)
    .where('materials.webinar_id', '=', webinarId)
    .orderBy('webinar_roles.position')
}

/** A webinar's slides, for its staff pages. */
export async function listWebinarMaterials(db: DB, webinarId: string) {
  return materialsOf(db, webinarId).execute()
}

/** The seat holder behind a personal link, and whether the webinar's after-part is open to them. */
async function findAudience(db: DB, token: string, now: string) {
  const r = await db
    .selectFrom('registrations')
    .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
    .select(['registrations.status', 'webinars.id as webinar_id', 'webinars.status as webinar_status', 'webinars.end_at', 'webinars.recording_url'])
    .where('registrations.token', '=', token)
    .where('registrations.data_deleted_at', 'is', null)
    .executeTakeFirst()
  if (!r || r.status !== 'registered' || !evaluationOpen({ status: r.webinar_status, end_at: r.end_at }, now)) return null
  return r
}

/** What a registered resident sees after the webinar: the slides and the recording; null before the end or without a seat. */
export async function getResidentMaterials(db: DB, token: string, now = nowIso()) {
  const audience = await findAudience(db, token, now)
  if (!audience) return null
  const materials = await materialsOf(db, audience.webinar_id).execute()
  return { recordingUrl: audience.recording_url, materials: materials.map((m) => ({ id: m.id, fileName: m.file_name, bytes: m.bytes, speaker: m.speaker_name, talkTitle: m.talk_title })) }
}

/** One file for a resident's download: found only through their own webinar. */
export async function getResidentMaterialFile(db: DB, token: string, materialId: string, now = nowIso()) {
  const audience = await findAudience(db, token, now)
  if (!audience) return null
  const m = await materialsOf(db, audience.webinar_id).where('materials.id', '=', materialId).executeTakeFirst()
  return m ? { path: materialFile(m.webinar_id, m.id), name: m.file_name } : null
}

/** The speaker's own file, by their brief link. */
export async function getBriefMaterialFile(db: DB, briefToken: string) {
  const m = await db
    .selectFrom('materials')
    .innerJoin('webinar_roles', 'webinar_roles.id', 'materials.webinar_role_id')
    .select(['materials.id', 'materials.webinar_id', 'materials.file_name'])
    .where('webinar_roles.brief_token', '=', briefToken)
    .executeTakeFirst()
  return m ? { path: materialFile(m.webinar_id, m.id), name: m.file_name } : null
}

/** A file of a webinar the caller was already allowed to open (the staff guard ran first). */
export async function getWebinarMaterialFile(db: DB, webinarId: string, materialId: string) {
  const m = await db.selectFrom('materials').select(['id', 'webinar_id', 'file_name']).where('webinar_id', '=', webinarId).where('id', '=', materialId).executeTakeFirst()
  return m ? { path: materialFile(m.webinar_id, m.id), name: m.file_name } : null
}

/** What the "thank you" mail mentions. */
export async function getThankYouExtras(db: DB, webinarId: string) {
  const [webinar, count] = await Promise.all([
    db.selectFrom('webinars').select('recording_url').where('id', '=', webinarId).executeTakeFirstOrThrow(),
    db.selectFrom('materials').select((eb) => eb.fn.countAll<number>().as('n')).where('webinar_id', '=', webinarId).executeTakeFirstOrThrow(),
  ])
  return { recordingUrl: webinar.recording_url, materials: Number(count.n), postTest: (await webinarTests(db, webinarId)).post }
}

/** The recording link for the public page: only when the organiser made it public and the webinar has ended. */
export async function getPublicRecording(db: DB, webinarId: string, now = nowIso()): Promise<string | null> {
  const webinar = await db.selectFrom('webinars').select(['recording_url', 'recording_public', 'status', 'end_at']).where('id', '=', webinarId).executeTakeFirst()
  if (!webinar?.recording_url || webinar.recording_public !== 1 || !evaluationOpen(webinar, now)) return null
  return webinar.recording_url
}

/** How old a file nothing refers to must be before it goes: an upload in progress is never that old. */
export const ORPHAN_UPLOAD_AGE_MS = 60 * 60_000

/**
 * Removes what the upload folder holds that nothing refers to, once it is an hour old: slide
 * files whose row is gone (the process stopped between the commit that removed a role and the
 * removal of its file, or a file kept whose row was never written) and temporary files of
 * uploads that never finished. A file renamed into place a moment ago, its row not yet
 * committed, is younger than that and stays. Each machine sharing the folder may run it; a file
 * removed twice is no error. Returns how many files went.
 */
export async function removeOrphanUploads(db: DB, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - ORPHAN_UPLOAD_AGE_MS)
  const orphans = (await listUploadsWrittenBefore('tmp', before)).map((name) => uploadPath('tmp', name))
  const slides = (await listUploadsWrittenBefore('materials', before))
    .map((name) => ({ name, id: /^[^/]+\/([^/]+)\.pdf$/.exec(name)?.[1] ?? null }))
  for (let at = 0; at < slides.length; at += 500) {
    const batch = slides.slice(at, at + 500)
    const ids = batch.flatMap((slide) => (slide.id ? [slide.id] : []))
    const kept = new Set(ids.length ? (await db.selectFrom('materials').select('id').where('id', 'in', ids).execute()).map((row) => row.id) : [])
    for (const slide of batch) if (!slide.id || !kept.has(slide.id)) orphans.push(uploadPath('materials', slide.name))
  }
  for (const file of orphans) await removeUploadFile(file)
  return orphans.length
}
