import {
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler as createMemoryUploadHandler,
  unstable_parseMultipartFormData as parseMultipartFormData,
} from '@remix-run/node'
import { formNamesHoldNul, holdsNul } from './nul.server'

/**
 * Every action reads its form through readForm, never through request.formData() directly:
 * a request that is not a form, a broken body, or a form with far more fields than any of
 * ours is answered with a 4xx before any work is done on it, instead of a 500 (or a process
 * busy for seconds on one small hostile post). A NUL (U+0000) in a field's or a file's name,
 * which no page of ours sends and PostgreSQL refuses in text, is refused the same way; one in a
 * value is checked beside its field (utils/nul.server.ts).
 */

/**
 * The most fields any form of ours sends is about 30 (the webinar form with its pillar
 * checkboxes); a post with more is not from our pages. Counted before the body is parsed.
 */
export const FORM_FIELD_LIMIT = 200

const URLENCODED = 'application/x-www-form-urlencoded'
const MULTIPART = 'multipart/form-data'

/** A thrown 4xx: the route's ErrorBoundary says what happened in the reader's language. */
function refuse(status: 400 | 413 | 415, reason: string): Response {
  return new Response(reason, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
}

/** The media type of a Content-Type header, lower-cased, without its parameters. */
export function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase()
}

/** How many fields a urlencoded body holds: one more than its separators. Linear, no parsing. */
export function countUrlencodedFields(body: string): number {
  if (body.length === 0) return 0
  let fields = 1
  for (let at = body.indexOf('&'); at !== -1; at = body.indexOf('&', at + 1)) fields++
  return fields
}

const UNREADABLE = 'The form could not be read'
const NUL_IN_FORM = 'A form field or file name holds a NUL character'

/** The form, or a thrown 400 when a field's name or a file's name holds a NUL. */
function withoutNul(form: FormData): FormData {
  if (formNamesHoldNul(form)) throw refuse(400, NUL_IN_FORM)
  return form
}

/**
 * The posted form. Throws a 415 Response for anything that is not a form, 413 for a form with
 * more than FORM_FIELD_LIMIT fields, 400 for a body that cannot be parsed or a NUL in a field's or file's name.
 */
export async function readForm(request: Request): Promise<FormData> {
  const contentType = request.headers.get('Content-Type')
  const type = mediaType(contentType)
  if (type === URLENCODED) {
    let body: string
    try {
      body = await request.text()
    } catch {
      throw refuse(400, UNREADABLE)
    }
    if (countUrlencodedFields(body) > FORM_FIELD_LIMIT) throw refuse(413, 'Too many form fields')
    const form = new FormData()
    for (const [key, value] of new URLSearchParams(body)) form.append(key, value)
    return withoutNul(form)
  }
  if (type === MULTIPART) {
    if (!/;\s*boundary=/i.test(contentType ?? '')) throw refuse(400, 'A multipart form without a boundary')
    let form: FormData
    try {
      form = await request.formData()
    } catch {
      throw refuse(400, UNREADABLE)
    }
    let fields = 0
    for (const _ of form.keys()) if (++fields > FORM_FIELD_LIMIT) throw refuse(413, 'Too many form fields')
    return withoutNul(form)
  }
  throw refuse(415, 'Only form posts are accepted')
}

/** A text field of a multipart form: far more than any of ours holds, and read into memory. */
const MULTIPART_TEXT_LIMIT = 64 * 1024

/**
 * A multipart form whose files are streamed to disk by `storeFile` instead of being held in
 * memory. The form's text fields come back as `form`; each file field's outcome as `files`.
 * The same refusals as readForm (415, 400 also for a NUL in a name, 413); on any of them, files already stored are
 * removed again, so nothing is left behind.
 */
export async function readUploadForm<Outcome extends { ok: boolean }>(
  request: Request,
  storeFile: (data: AsyncIterable<Uint8Array>, fileName: string) => Promise<Outcome>,
  discard: (outcome: Outcome) => Promise<void>,
): Promise<{ form: FormData; files: Map<string, Outcome> }> {
  const contentType = request.headers.get('Content-Type')
  if (mediaType(contentType) !== MULTIPART) throw refuse(415, 'Only multipart form posts are accepted here')
  if (!/;\s*boundary=/i.test(contentType ?? '')) throw refuse(400, 'A multipart form without a boundary')
  const files = new Map<string, Outcome>()
  let fields = 0
  let tooMany = false
  let nul = false
  const handler = async (part: { name: string; filename?: string; data: AsyncIterable<Uint8Array> }) => {
    if (++fields > FORM_FIELD_LIMIT || files.has(part.name)) {
      tooMany = true
      for await (const _ of part.data);
      return undefined
    }
    if (part.filename !== undefined) {
      // A file's name (or its field's) with a NUL: the form is refused below, so nothing is stored.
      if (holdsNul([part.name, part.filename])) {
        nul = true
        for await (const _ of part.data);
        return undefined
      }
      files.set(part.name, await storeFile(part.data, part.filename))
      return undefined
    }
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of part.data) {
      size += chunk.byteLength
      if (size <= MULTIPART_TEXT_LIMIT) chunks.push(chunk)
    }
    if (size > MULTIPART_TEXT_LIMIT) {
      tooMany = true
      return undefined
    }
    return new TextDecoder().decode(Buffer.concat(chunks))
  }
  let form: FormData
  try {
    form = await parseMultipartFormData(request, handler)
  } catch {
    await Promise.all([...files.values()].map(discard))
    throw refuse(400, UNREADABLE)
  }
  if (tooMany) {
    await Promise.all([...files.values()].map(discard))
    throw refuse(413, 'Too many form fields')
  }
  if (nul || formNamesHoldNul(form)) {
    await Promise.all([...files.values()].map(discard))
    throw refuse(400, NUL_IN_FORM)
  }
  return { form, files }
}

/** Why an uploaded file held in memory was not read: none chosen, an empty file, or over its limit. */
export type SmallFileRefusal = 'required' | 'empty' | 'tooLarge'

/**
 * One small file (a CSV report, a question bank) posted in a multipart form, held in memory.
 * A body that is not multipart or cannot be parsed counts as no file chosen: the form was not
 * sent the way the page sends it. A NUL in a field's or the file's name is a thrown 400, as in readForm.
 */
export async function readSmallFile(
  request: Request,
  field: string,
  maxBytes: number,
): Promise<{ ok: true; name: string; bytes: Uint8Array } | { ok: false; reason: SmallFileRefusal }> {
  let form: FormData
  try {
    form = await parseMultipartFormData(request, createMemoryUploadHandler({ maxPartSize: maxBytes }))
  } catch (error) {
    return { ok: false, reason: error instanceof MaxPartSizeExceededError ? 'tooLarge' : 'required' }
  }
  withoutNul(form)
  const file = form.get(field)
  if (!(file instanceof File) || file.size === 0) return { ok: false, reason: file instanceof File && file.name ? 'empty' : 'required' }
  return { ok: true, name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }
}
