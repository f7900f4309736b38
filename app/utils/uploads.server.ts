import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { once } from 'node:events'
import path from 'node:path'
import { Readable } from 'node:stream'
import { createReadableStreamFromReadable } from '@remix-run/node'
import { defaultDatabaseUrl, isPostgresUrl, sqliteFileFromUrl } from './db.server'
import { getEnv } from './env.server'

// Uploaded files live under UPLOAD_DIR (by default an `uploads` folder beside the SQLite file),
// which several machines may share as a mounted volume. A file is streamed to a temporary name in
// that folder (never held whole in memory), checked as it arrives, and only renamed to its final
// name once it passed; a refused or broken upload leaves nothing behind. The rename stays on one
// volume, so it is atomic, and another machine never sees half a file.

export function uploadRoot(): string {
  const env = getEnv()
  if (env.UPLOAD_DIR) return path.resolve(env.UPLOAD_DIR)
  const databaseUrl = env.DATABASE_URL ?? defaultDatabaseUrl()
  if (isPostgresUrl(databaseUrl)) return path.resolve('db', 'uploads')
  return path.join(path.dirname(sqliteFileFromUrl(databaseUrl)), 'uploads')
}

/** An absolute path under the upload folder; a name that would leave it is refused. */
export function uploadPath(...segments: string[]): string {
  const root = uploadRoot()
  const full = path.resolve(root, ...segments)
  if (!full.startsWith(root + path.sep)) throw new Error('An upload path outside UPLOAD_DIR')
  return full
}

export type UploadRefusal = 'empty' | 'tooLarge' | 'wrongType'

/** A file that passed its checks, waiting under a temporary name for `keepUpload` or `discardUpload`. */
export type StoredUpload = { ok: true; tempPath: string; fileName: string; bytes: number; sha256: string }
export type UploadOutcome = StoredUpload | { ok: false; reason: UploadRefusal; fileName: string }

export type FileRule = { maxBytes: number; /** the first bytes of the file say what it is, whatever its name says */ magic: Uint8Array }

export const PDF_MAGIC = new TextEncoder().encode('%PDF-')

function startsWith(head: Buffer, magic: Uint8Array): boolean {
  return head.length >= magic.length && magic.every((byte, i) => head[i] === byte)
}

/**
 * Streams one uploaded file to a temporary file in the upload folder, checking its first bytes
 * and its size as it goes. The whole part is always read (the parser needs it to reach the next
 * field), but nothing past a refusal is written, and a refused file is removed.
 */
export async function streamUpload(data: AsyncIterable<Uint8Array>, fileName: string, rule: FileRule): Promise<UploadOutcome> {
  const dir = uploadPath('tmp')
  await fs.promises.mkdir(dir, { recursive: true })
  const tempPath = path.join(dir, `${randomBytes(16).toString('hex')}.part`)
  const out = fs.createWriteStream(tempPath, { flags: 'wx' })
  const hash = createHash('sha256')
  let bytes = 0
  let head = Buffer.alloc(0)
  let refused: UploadRefusal | null = null
  try {
    for await (const chunk of data) {
      bytes += chunk.byteLength
      if (refused) continue
      if (bytes > rule.maxBytes) {
        refused = 'tooLarge'
        continue
      }
      if (head.length < rule.magic.length) {
        head = Buffer.concat([head, Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.byteLength, rule.magic.length))]).subarray(0, rule.magic.length)
        if (head.length === rule.magic.length && !startsWith(head, rule.magic)) {
          refused = 'wrongType'
          continue
        }
      }
      hash.update(chunk)
      if (!out.write(chunk)) await once(out, 'drain')
    }
  } catch (error) {
    out.destroy()
    await fs.promises.rm(tempPath, { force: true })
    throw error
  }
  out.end()
  await once(out, 'close')
  if (!refused && bytes === 0) refused = 'empty'
  if (!refused && !startsWith(head, rule.magic)) refused = 'wrongType'
  if (refused) {
    await fs.promises.rm(tempPath, { force: true })
    return { ok: false, reason: refused, fileName }
  }
  return { ok: true, tempPath, fileName, bytes, sha256: hash.digest('hex') }
}

/** Moves a checked upload to its final place (a path under the upload folder). */
export async function keepUpload(upload: StoredUpload, finalPath: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(finalPath), { recursive: true })
  await fs.promises.rename(upload.tempPath, finalPath)
}

export async function discardUpload(upload: UploadOutcome | undefined): Promise<void> {
  if (upload?.ok) await fs.promises.rm(upload.tempPath, { force: true })
}

/**
 * The files under one folder of the upload folder (`tmp`, `materials`, …, at any depth) last
 * written before `before`, as paths relative to that folder; none when it does not exist.
 */
export async function listUploadsWrittenBefore(folder: string, before: Date): Promise<string[]> {
  const root = uploadPath(folder)
  let entries: fs.Dirent[]
  try {
    entries = await fs.promises.readdir(root, { recursive: true, withFileTypes: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const old: string[] = []
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const full = path.join(entry.parentPath, entry.name)
    const { mtimeMs } = await fs.promises.stat(full).catch(() => ({ mtimeMs: Infinity }))
    if (mtimeMs < before.getTime()) old.push(path.relative(root, full))
  }
  return old
}

export async function removeUploadFile(finalPath: string): Promise<void> {
  await fs.promises.rm(finalPath, { force: true })
}

/**
 * A stored file as a download, streamed from disk; null when the file is missing (a volume not
 * mounted, a file removed by hand), which the caller answers with a 404.
 */
export async function fileDownloadResponse(finalPath: string, file: { name: string; type: string }): Promise<Response | null> {
  let handle: fs.promises.FileHandle
  try {
    handle = await fs.promises.open(finalPath, 'r')
  } catch {
    return null
  }
  const { size } = await handle.stat()
  const stream = handle.createReadStream()
  return new Response(createReadableStreamFromReadable(stream as unknown as Readable), {
    headers: {
      'Content-Type': file.type,
      'Content-Length': String(size),
      'Content-Disposition': contentDisposition(file.name),
      'Cache-Control': 'private, no-store',
    },
  })
}

/** `attachment` with an ASCII fallback name and the real one in RFC 5987 form. */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_').trim() || 'download'
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`
}
