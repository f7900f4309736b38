import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { DOMPurify } from 'dompurify'
import type { JSDOM } from 'jsdom'
import { message } from './messages'
import { discardUpload, removeUploadFile, uploadPath, type UploadOutcome } from './uploads.server'

// The certificate issuer's logo and signature, uploaded by an organiser as PNG or SVG. Checked by
// their content, never by their name or declared type:
// - a PNG must decode whole (pngjs checks every chunk's CRC), at a sane size;
// - an SVG must parse as XML with an <svg> root, and may carry nothing that runs or fetches:
//   no script, no event handler, no foreignObject, no reference outside the file itself. Such an
//   SVG is refused (the organiser is told to export a plain one) rather than quietly changed, and
//   what is kept is still DOMPurify's sanitised copy, so a miss in our check is not served.
// pdf-lib cannot draw SVG, so an SVG is also rasterised once, at upload, by resvg (which runs no
// script and loads nothing); the PDF draws that PNG. Both files are stored under UPLOAD_DIR/site.
// The checking libraries are imported when an upload arrives: every page's loader reads the
// settings module, and jsdom alone takes a noticeable while to load.

export const SITE_IMAGE_MAX_BYTES = 500 * 1024
/** Larger than any logo or signature needs; a PNG of 4,000 × 4,000 decodes to 64 MB already. */
export const SITE_IMAGE_MAX_SIDE = 4000
/** The width an SVG is rasterised at for print: sharp at the size the certificate draws it. */
const RASTER_WIDTH = 800
/**
 * A PNG larger than this on a side is scaled down for print: the certificate draws a logo 84 pt
 * wide, and the PDF holds the pixels, so a 4,000-pixel photograph would weigh on every download.
 */
const PRINT_MAX_SIDE = 1000

export type SiteImageRefusal = 'notImage' | 'badPng' | 'badSize' | 'badSvg' | 'unsafeSvg'

export type CheckedSiteImage = { ok: true; png: Buffer; svg: string | null; width: number; height: number }
export type SiteImageCheck = CheckedSiteImage | { ok: false; reason: SiteImageRefusal }

/** What is kept in the settings row: paths under UPLOAD_DIR and the size in pixels. */
export type StoredSiteImage = {
  png: string
  svg: string | null
  width: number
  height: number
  /** The logo's small copy for the public header (64 px tall: 32 CSS pixels at twice the density). */
  mark?: { png: string; width: number; height: number } | null
}

/** The header mark's height in pixels, and the widest it may be (a wide logo is scaled to fit). */
const MARK_HEIGHT = 64
const MARK_MAX_WIDTH = 192

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

export async function checkSiteImage(bytes: Buffer): Promise<SiteImageCheck> {
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return checkPng(bytes)
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '')
  if (looksLikeSvg(text)) return checkSvg(text)
  return { ok: false, reason: 'notImage' }
}

/**
 * Whether the text opens like an SVG: a prolog, comments, then <svg. A loop, not a regular
 * expression: comments matched by a pattern can backtrack exponentially on a hostile file.
 */
function looksLikeSvg(text: string): boolean {
  let at = 0
  for (;;) {
    while (at < text.length && /\s/.test(text[at]!)) at++
    const end = text.startsWith('<?', at) ? text.indexOf('?>', at) + 2 : text.startsWith('<!--', at) ? text.indexOf('-->', at + 4) + 3 : -1
    if (end === 1 || end === 2) return false // an unclosed prolog or comment (-1 + its length)
    if (end > 0) {
      at = end
      continue
    }
    // checkSvg refuses a DOCTYPE with its reason.
    return /^<!DOCTYPE/i.test(text.slice(at, at + 9)) || /^<svg[\s>]/i.test(text.slice(at, at + 5))
  }
}

async function checkPng(bytes: Buffer): Promise<SiteImageCheck> {
  // The header first: its size is refused before anything is decoded.
  if (bytes.length < 33 || bytes.toString('latin1', 12, 16) !== 'IHDR') return { ok: false, reason: 'badPng' }
  const width = bytes.readUInt32BE(16)
  const height = bytes.readUInt32BE(20)
  if (width < 1 || height < 1 || width > SITE_IMAGE_MAX_SIDE || height > SITE_IMAGE_MAX_SIDE) return { ok: false, reason: 'badSize' }
  const { PNG } = await import('pngjs')
  try {
    PNG.sync.read(bytes)
  } catch {
    return { ok: false, reason: 'badPng' }
  }
  if (width <= PRINT_MAX_SIDE && height <= PRINT_MAX_SIDE) return { ok: true, png: bytes, svg: null, width, height }
  const scaled = await scalePng(bytes, width, height, width >= height ? { mode: 'width', value: PRINT_MAX_SIDE } : { mode: 'height', value: PRINT_MAX_SIDE })
  return { ok: true, png: scaled.png, svg: null, width: scaled.width, height: scaled.height }
}

let purifier: { window: JSDOM['window']; purify: DOMPurify } | null = null

/** One DOM for the process: jsdom takes tens of milliseconds to start, and uploads are rare. */
async function sanitiser() {
  if (purifier) return purifier
  const [{ JSDOM }, { default: createDOMPurify }] = await Promise.all([import('jsdom'), import('dompurify')])
  const { window } = new JSDOM('')
  const purify = createDOMPurify(window as unknown as Parameters<typeof createDOMPurify>[0])
  // A reference may only point inside the file; anything else is dropped.
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    if (/(^|:)href$/i.test(data.attrName) && !isInsideReference(data.attrValue)) data.keepAttr = false
    if (data.attrName === 'style' && hasOutsideUrl(data.attrValue)) data.keepAttr = false
  })
  purifier = { window, purify }
  return purifier
}

/** A fragment of this file (href="#gradient"), or a bitmap embedded in it: nothing is fetched. */
function isInsideReference(value: string): boolean {
  const trimmed = value.trim()
  return trimmed.startsWith('#') || /^data:image\/(png|jpeg);base64,[a-z0-9+/=\s]*$/i.test(trimmed)
}

/** A url(...) in CSS that is not a fragment of this file, or an @import. */
function hasOutsideUrl(css: string): boolean {
  if (/@import/i.test(css)) return true
  for (const match of css.matchAll(/url\(\s*(['"]?)([^)'"]*)\1\s*\)/gi)) if (!match[2]!.trim().startsWith('#')) return true
  return false
}

const RUNNABLE_ELEMENTS = new Set(['script', 'foreignobject', 'iframe', 'embed', 'object', 'handler', 'listener', 'audio', 'video', 'animate', 'set', 'animatemotion', 'animatetransform'])

/** What the organiser is told about: anything that would run, or fetch something from elsewhere. */
function unsafeParts(root: Element): string[] {
  const found: string[] = []
  const walk = (element: Element) => {
    const name = element.localName.toLowerCase()
    if (RUNNABLE_ELEMENTS.has(name)) found.push(`<${element.localName}>`)
    if (name === 'style' && hasOutsideUrl(element.textContent ?? '')) found.push('<style> url()')
    for (const attribute of Array.from(element.attributes)) {
      const attr = attribute.localName.toLowerCase()
      if (attr.startsWith('on')) found.push(attribute.name)
      else if ((attr === 'href' || attr === 'src') && !isInsideReference(attribute.value)) found.push(`${attribute.name}="${attribute.value.slice(0, 40)}"`)
      else if (attr === 'style' && hasOutsideUrl(attribute.value)) found.push('style url()')
    }
    for (const child of Array.from(element.children)) walk(child)
  }
  walk(root)
  return found
}

async function checkSvg(text: string): Promise<SiteImageCheck> {
  const { window, purify } = await sanitiser()
  // A DOCTYPE can declare entities (the "billion laughs"); a logo needs none.
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) return { ok: false, reason: 'unsafeSvg' }
  const parsed = new window.DOMParser().parseFromString(text, 'image/svg+xml')
  const root = parsed.documentElement
  if (!root || root.localName !== 'svg' || parsed.getElementsByTagName('parsererror').length > 0) return { ok: false, reason: 'badSvg' }
  if (unsafeParts(root).length > 0) return { ok: false, reason: 'unsafeSvg' }
  const clean = purify.sanitize(text, { USE_PROFILES: { svg: true, svgFilters: true }, FORBID_TAGS: ['foreignObject'] })
  if (!/^<svg[\s>]/.test(clean)) return { ok: false, reason: 'badSvg' }
  const { Resvg } = await import('@resvg/resvg-js')
  try {
    const rendered = new Resvg(clean, { fitTo: { mode: 'width', value: RASTER_WIDTH }, font: { loadSystemFonts: false } }).render()
    if (rendered.width < 1 || rendered.height < 1 || rendered.height > SITE_IMAGE_MAX_SIDE) return { ok: false, reason: 'badSize' }
    return { ok: true, png: rendered.asPng(), svg: clean, width: rendered.width, height: rendered.height }
  } catch {
    return { ok: false, reason: 'badSvg' }
  }
}

type FitTo = { mode: 'width' | 'height'; value: number }

/** A checked PNG scaled by resvg: the PNG as the one image of an SVG of its own size, drawn at the new size. */
async function scalePng(bytes: Buffer, width: number, height: number, fitTo: FitTo): Promise<{ png: Buffer; width: number; height: number }> {
  const { Resvg } = await import('@resvg/resvg-js')
  const wrapper = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><image width="${width}" height="${height}" href="data:image/png;base64,${bytes.toString('base64')}"/></svg>`
  const rendered = new Resvg(wrapper, { fitTo, font: { loadSystemFonts: false } }).render()
  return { png: rendered.asPng(), width: rendered.width, height: rendered.height }
}

/** The upload rule: only the size is checked while streaming; an SVG has no fixed first bytes. */
export const SITE_IMAGE_RULE = { maxBytes: SITE_IMAGE_MAX_BYTES, magic: new Uint8Array(0) }

const REFUSALS: Record<SiteImageRefusal, string> = {
  notImage: message('issuer.error.notImage'),
  badPng: message('issuer.error.badPng'),
  badSize: message('issuer.error.badSize', { max: SITE_IMAGE_MAX_SIDE }),
  badSvg: message('issuer.error.badSvg'),
  unsafeSvg: message('issuer.error.unsafeSvg'),
}

export type ImageField = { ok: true; image: CheckedSiteImage | null } | { ok: false; error: string; status: 400 | 413 }

/**
 * One file field of the issuer form: nothing chosen (null), a checked image, or the message shown
 * beside the field. The streamed file is always removed: what is kept is written from the
 * checked (sanitised, rasterised) content by `storeSiteImage`.
 */
export async function readImageField(upload: UploadOutcome | undefined): Promise<ImageField> {
  try {
    if (!upload || (!upload.ok && upload.reason === 'empty' && !upload.fileName)) return { ok: true, image: null }
    if (!upload.ok) {
      if (upload.reason === 'tooLarge') return { ok: false, error: message('issuer.error.tooLarge', { kb: SITE_IMAGE_MAX_BYTES / 1024 }), status: 413 }
      return { ok: false, error: message(upload.reason === 'empty' ? 'issuer.error.empty' : 'issuer.error.notImage'), status: 400 }
    }
    const checked = await checkSiteImage(await fs.promises.readFile(upload.tempPath))
    return checked.ok ? { ok: true, image: checked } : { ok: false, error: REFUSALS[checked.reason], status: 400 }
  } finally {
    await discardUpload(upload)
  }
}

/** A checked image named by its content, with the bytes of each of its files (see writeSiteImage). */
export type PreparedSiteImage = { image: StoredSiteImage; files: Array<[file: string, data: Buffer | string]> }

/**
 * Names a checked image's files by its content and makes their bytes (a logo's header copy too),
 * writing nothing: the same image uploaded again names the files already in use.
 */
export async function prepareSiteImage(kind: 'logo' | 'signature', checked: CheckedSiteImage): Promise<PreparedSiteImage> {
  const sha = createHash('sha256').update(checked.png).digest('hex').slice(0, 32)
  const png = path.posix.join('site', `${kind}-${sha}.png`)
  const svg = checked.svg === null ? null : path.posix.join('site', `${kind}-${sha}.svg`)
  const files: PreparedSiteImage['files'] = [[png, checked.png]]
  if (svg) files.push([svg, checked.svg!])
  let mark: StoredSiteImage['mark'] = null
  if (kind === 'logo') {
    // The header's copy: a few kB, so the public pages stay within their weight budget.
    const fitTo: FitTo = checked.width / checked.height > MARK_MAX_WIDTH / MARK_HEIGHT ? { mode: 'width', value: MARK_MAX_WIDTH } : { mode: 'height', value: MARK_HEIGHT }
    const small = await scalePng(checked.png, checked.width, checked.height, fitTo)
    mark = { png: path.posix.join('site', `mark-${sha}.png`), width: small.width, height: small.height }
    files.push([mark.png, small.png])
  }
  return { image: { png, svg, width: checked.width, height: checked.height, mark }, files }
}

/** Writes a prepared image's files under UPLOAD_DIR/site, each atomically. */
export async function writeSiteImage(prepared: PreparedSiteImage): Promise<void> {
  for (const [file, data] of prepared.files) await writeAtomically(uploadPath(file), data)
}

async function writeAtomically(finalPath: string, data: Buffer | string) {
  await fs.promises.mkdir(path.dirname(finalPath), { recursive: true })
  const temp = `${finalPath}.${randomBytes(6).toString('hex')}.part`
  await fs.promises.writeFile(temp, data, { flag: 'wx' })
  await fs.promises.rename(temp, finalPath)
}

export async function removeSiteImage(image: StoredSiteImage | null): Promise<void> {
  if (!image) return
  await removeUploadFile(uploadPath(image.png))
  if (image.svg) await removeUploadFile(uploadPath(image.svg))
  if (image.mark) await removeUploadFile(uploadPath(image.mark.png))
}

// Image bytes for the PDF, read once per process: files are named by their content, so a path
// never changes what it holds. Only the current logo and signature are ever asked for.
const printCache = new Map<string, Buffer>()

/** The PNG the certificate draws, or null when the file is gone (a volume not mounted). */
export async function readSiteImagePng(image: StoredSiteImage | null): Promise<Buffer | null> {
  if (!image) return null
  const cached = printCache.get(image.png)
  if (cached) return cached
  try {
    const bytes = await fs.promises.readFile(uploadPath(image.png))
    if (printCache.size >= 4) printCache.clear()
    printCache.set(image.png, bytes)
    return bytes
  } catch {
    return null
  }
}
