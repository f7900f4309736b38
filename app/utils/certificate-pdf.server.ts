import { deflateSync } from 'node:zlib'
import {
  beginText,
  concatTransformationMatrix,
  drawObject,
  endText,
  PDFDocument,
  type PDFFont,
  PDFHexString,
  type PDFPage,
  popGraphicsState,
  pushGraphicsState,
  type RGB,
  rgb,
  setFillingColor,
  setFontAndSize,
  setTextMatrix,
  showText,
} from 'pdf-lib'
import { PNG } from 'pngjs'
import QRCode from 'qrcode'
import { type FontStyle, fontsOf, lineOf, type LoadedFont, loadedFontFor, type Piece, printable } from './certificate-fonts.server'

// The e-certificate as a PDF: one A4 landscape page, its fonts embedded as subsets so a name is
// printed as registered, in Latin with any diacritics, Arabic script (Jawi too) or Han (see
// certificate-fonts.server.ts), and a vector QR code that opens the public verification page,
// with that address printed under it so it can be typed.

export type CertificateRole = 'peserta' | 'narasumber' | 'moderator' | 'kol'

export type CertificateData = {
  /** e.g. "7K3M-9QXD-H2PF-W8RT" */
  number: string
  /** as registered */
  name: string
  role: CertificateRole
  topic: string
  /** already formatted by the caller: "Rabu, 1 September 2021" */
  dateText: string
  /** "Kabupaten Klaten, Jawa Tengah" */
  place: string
  /** absolute URL of the verification page */
  verifyUrl: string
  /** ISO UTC */
  issuedAt: string
  issuer: CertificateIssuer
}

/** Who issues the certificate, from the settings an organiser edits (see site-settings.server.ts). */
export type CertificateIssuer = {
  programmeName: string
  /** the ministry */
  issuerName: string
  signatoryName: string | null
  signatoryTitle: string | null
  /** PNG bytes (an SVG upload is rasterised once, when it is uploaded) */
  logoPng: Uint8Array | null
  signaturePng: Uint8Array | null
}

export const CERTIFICATE_ROLE_LABELS: Record<CertificateRole, string> = {
  peserta: 'Peserta',
  narasumber: 'Narasumber',
  moderator: 'Moderator',
  kol: 'Key Opinion Leader',
}

const APP_NAME = 'Literasi Webinar'

// ---------------------------------------------------------------------------------------------
// Fonts

// pdf-lib parses the font again for every document (~20 ms for Noto Sans, more than the rest of
// a page). It gets the font parsed once instead. Sharing it is safe: fontkit only caches what it
// reads, and each document makes its own subset.
const cachingFontkit = { create: loadedFontFor } as unknown as Parameters<PDFDocument['registerFontkit']>[0]

/** A style of type in one document: the fonts of the chain it embeds, each as a subset. */
type Face = { style: FontStyle; embedded: Map<LoadedFont, PDFFont> }

/** Embeds, as subsets, the fonts of the chain that these texts need, and only those. */
async function embedFace(doc: PDFDocument, style: FontStyle, texts: string[]): Promise<Face> {
  const fonts = new Set<LoadedFont>()
  for (const text of texts) for (const font of fontsOf(text, style)) fonts.add(font)
  const embedded = new Map<LoadedFont, PDFFont>()
  await Promise.all([...fonts].map(async (font) => embedded.set(font, await doc.embedFont(font.bytes, { subset: true }))))
  return { style, embedded }
}

/** Width in points, from the advance widths and the shaper's advances (what is drawn). */
function widthOf(text: string, face: Face, size: number): number {
  return lineOf(text, face.style).em * size
}

// ---------------------------------------------------------------------------------------------
// Line breaking

/** Greedy: as many words on a line as fit; a word longer than a line is broken between letters. */
function wrap(text: string, face: Face, size: number, maxWidth: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word
    if (widthOf(candidate, face, size) <= maxWidth) {
      line = candidate
      continue
    }
    if (line) lines.push(line)
    line = ''
    if (widthOf(word, face, size) <= maxWidth) {
      line = word
      continue
    }
    for (const char of word) {
      if (line && widthOf(line + char, face, size) > maxWidth) {
        lines.push(line)
        line = ''
      }
      line += char
    }
  }
  if (line) lines.push(line)
  return lines
}

/** Two lines of even width, split at a space, or null when no split fits. */
function splitInTwo(text: string, face: Face, size: number, maxWidth: number): [string, string] | null {
  let best: [string, string] | null = null
  let bestWidth = Infinity
  for (let i = text.indexOf(' '); i !== -1; i = text.indexOf(' ', i + 1)) {
    const first = text.slice(0, i)
    const second = text.slice(i + 1)
    const width = Math.max(widthOf(first, face, size), widthOf(second, face, size))
    if (width <= maxWidth && width < bestWidth) {
      best = [first, second]
      bestWidth = width
    }
  }
  return best
}

/** Cut the last line so it fits with an ellipsis after it. */
function withEllipsis(line: string, face: Face, size: number, maxWidth: number): string {
  const chars = [...line]
  while (chars.length && widthOf(`${chars.join('').trimEnd()}…`, face, size) > maxWidth) chars.pop()
  return `${chars.join('').trimEnd()}…`
}

// ---------------------------------------------------------------------------------------------
// Drawing

const PAGE_WIDTH = 841.89
const PAGE_HEIGHT = 595.28
const CENTER_X = PAGE_WIDTH / 2

const INK = rgb(0.11, 0.13, 0.17)
const MUTED = rgb(0.36, 0.4, 0.46)
const ACCENT = rgb(0.06, 0.27, 0.5)
const RULE = rgb(0.78, 0.81, 0.86)

type Run = { text: string; face: Face }

/** Hundredths of a point are plenty, and shorter numbers make a smaller content stream. */
const round = (n: number) => Math.round(n * 100) / 100

/**
 * A shaped piece (Arabic), glyph by glyph at the shaper's positions: pdf-lib draws a string at
 * the glyphs' advance widths and would lose the joins' and the marks' offsets.
 */
function drawShaped(page: PDFPage, piece: Piece, pdf: PDFFont, x: number, y: number, size: number, color: RGB) {
  const { glyphs, positions } = piece.shaped!
  // The same memoised layout pdf-lib encodes, so the codes come in the order of `glyphs`.
  const codes = pdf.encodeText(piece.text).asString()
  const scale = size / piece.font.unitsPerEm
  const fontKey = page.node.newFontDictionary(pdf.name, pdf.ref)
  const operators = [pushGraphicsState(), beginText(), setFillingColor(color), setFontAndSize(fontKey, round(size))]
  const placed = glyphs.map((_, i) => {
    const { xAdvance, xOffset, yOffset } = positions[i]!
    const at = { code: codes.slice(i * 4, i * 4 + 4), x: round(x + xOffset * scale), y: round(y + yOffset * scale), mark: xAdvance === 0 }
    x += xAdvance * scale
    return at
  })
  // Right to left, a letter's marks (its dots) come before it; they are drawn after it, so a
  // reader that follows the pen (copy, search) meets the letter and its dots together.
  let marks: typeof placed = []
  for (const glyph of placed) {
    if (glyph.mark) {
      marks.push(glyph)
      continue
    }
    for (const each of [glyph, ...marks]) operators.push(setTextMatrix(1, 0, 0, 1, each.x, each.y), showText(PDFHexString.of(each.code)))
    marks = []
  }
  for (const each of marks) operators.push(setTextMatrix(1, 0, 0, 1, each.x, each.y), showText(PDFHexString.of(each.code)))
  operators.push(endText(), popGraphicsState())
  page.pushOperators(...operators)
}

/** One line of text starting at x: each piece in its font, left to right. */
function drawLine(page: PDFPage, text: string, face: Face, size: number, x: number, y: number, color: RGB) {
  for (const piece of lineOf(text, face.style).pieces) {
    const pdf = face.embedded.get(piece.font)!
    if (piece.shaped) drawShaped(page, piece, pdf, x, y, size, color)
    else if (piece.text) page.drawText(piece.text, { x: round(x), y: round(y), size: round(size), font: pdf, color })
    x += piece.em * size
  }
}

/** Runs side by side on one baseline, centred on the page. */
function drawCentered(page: PDFPage, runs: Run[], size: number, y: number, color = INK) {
  const widths = runs.map((run) => widthOf(run.text, run.face, size))
  let x = CENTER_X - widths.reduce((a, b) => a + b, 0) / 2
  runs.forEach((run, i) => {
    if (run.text) drawLine(page, run.text, run.face, size, x, y, color)
    x += widths[i]
  })
}

/** The name: one line as large as fits, else two even lines, smaller; never wider than the page. */
function layoutName(name: string, face: Face, maxWidth: number): { size: number; lines: string[] } {
  for (let size = 32; size >= 20; size--) if (widthOf(name, face, size) <= maxWidth) return { size, lines: [name] }
  for (let size = 22; size >= 12; size--) {
    const lines = splitInTwo(name, face, size, maxWidth)
    if (lines) return { size, lines }
  }
  // No space to split at that fits (very long words): break anywhere, at most two lines.
  for (let size = 16; size >= 8; size--) {
    const lines = wrap(name, face, size, maxWidth)
    if (lines.length <= 2) return { size, lines }
  }
  const lines = wrap(name, face, 8, maxWidth)
  return { size: 8, lines: [lines[0], withEllipsis(lines[1], face, 8, maxWidth)] }
}

/** The topic: up to three lines, as large as fits, the lines of even length (no lone last word). */
function layoutTopic(topic: string, face: Face, maxWidth: number): { size: number; lines: string[] } {
  for (let size = 16; size >= 11; size--) {
    const lines = wrap(topic, face, size, maxWidth)
    if (lines.length > 3) continue
    if (lines.length === 1) return { size, lines }
    // The narrowest measure that still needs no more lines, and breaks no word.
    let low = Math.min(maxWidth, Math.max(...topic.split(' ').map((word) => widthOf(word, face, size)))) - 0.01
    let high = maxWidth
    while (high - low > 1) {
      const mid = (low + high) / 2
      if (wrap(topic, face, size, mid).length <= lines.length) high = mid
      else low = mid
    }
    return { size, lines: wrap(topic, face, size, high) }
  }
  const lines = wrap(topic, face, 11, maxWidth)
  return { size: 11, lines: [lines[0], lines[1], withEllipsis(lines.slice(2).join(' '), face, 11, maxWidth)] }
}

/** The largest size from `max` down to `min` at which the text fits on one line, or null. */
function fitSize(text: string, face: Face, max: number, min: number, maxWidth: number): number | null {
  for (let size = max; size >= min; size -= 0.5) if (widthOf(text, face, size) <= maxWidth) return size
  return null
}

/**
 * The QR code as filled squares: one path in module units (each row's dark runs merged into one
 * rectangle), with its quiet zone of 4 modules kept white. Written as a content stream of its own:
 * hundreds of rectangles through pdf-lib's operator objects cost more than the rest of the page.
 */
function drawQrCode(doc: PDFDocument, page: PDFPage, text: string, x: number, y: number, codeSize: number) {
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules
  const module = codeSize / size
  const quiet = 4 * module
  page.drawRectangle({ x: x - quiet, y: y - quiet, width: codeSize + 2 * quiet, height: codeSize + 2 * quiet, color: rgb(1, 1, 1) })
  const ops = [`q ${module.toFixed(4)} 0 0 ${module.toFixed(4)} ${x.toFixed(2)} ${y.toFixed(2)} cm 0 0 0 rg`]
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!data[row * size + col]) continue
      let end = col
      while (end + 1 < size && data[row * size + end + 1]) end++
      ops.push(`${col} ${size - 1 - row} ${end - col + 1} 1 re`)
      col = end
    }
  }
  ops.push('f Q')
  page.node.addContentStream(doc.context.register(doc.context.flateStream(ops.join('\n'))))
}

/** One line centred on the page, as large as fits between `max` and `min`, else cut with an ellipsis. */
function drawFitted(page: PDFPage, text: string, face: Face, max: number, min: number, maxWidth: number, y: number, color: RGB) {
  const size = fitSize(text, face, max, min, maxWidth)
  drawCentered(page, [{ text: size ? text : withEllipsis(text, face, min, maxWidth), face }], size ?? min, y, color)
}

/** A PNG decoded once and its pixels compressed once, ready to be written into any document. */
type PreparedImage = { width: number; height: number; color: Buffer; alpha: Buffer | null }

// pdf-lib's embedPng decodes the PNG and compresses its pixels again for every document, in
// JavaScript: a logo and a signature took ~130 ms per certificate, five times the rest of it.
// The issuer's images are the same bytes for every certificate (the settings cache them by
// their content), so they are prepared once, here, and each document only copies the streams.
const preparedImages = new WeakMap<Uint8Array, PreparedImage>()

function prepareImage(png: Uint8Array): PreparedImage {
  const cached = preparedImages.get(png)
  if (cached) return cached
  const { width, height, data } = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength))
  const color = Buffer.alloc(width * height * 3)
  const alpha = Buffer.alloc(width * height)
  let opaque = true
  for (let i = 0; i < width * height; i++) {
    color[i * 3] = data[i * 4]!
    color[i * 3 + 1] = data[i * 4 + 1]!
    color[i * 3 + 2] = data[i * 4 + 2]!
    alpha[i] = data[i * 4 + 3]!
    if (alpha[i] !== 255) opaque = false
  }
  const prepared = { width, height, color: deflateSync(color), alpha: opaque ? null : deflateSync(alpha) }
  preparedImages.set(png, prepared)
  return prepared
}

/** A PNG scaled to fit a box, keeping its proportions, at the box's bottom (left or centred). */
function drawImageIn(doc: PDFDocument, page: PDFPage, png: Uint8Array, box: { x: number; y: number; width: number; height: number }, align: 'left' | 'center') {
  const image = prepareImage(png)
  const context = doc.context
  const pixels = { Type: 'XObject', Subtype: 'Image', Width: image.width, Height: image.height, BitsPerComponent: 8, Filter: 'FlateDecode' }
  const mask = image.alpha ? context.register(context.stream(image.alpha, { ...pixels, ColorSpace: 'DeviceGray' })) : null
  const ref = context.register(context.stream(image.color, { ...pixels, ColorSpace: 'DeviceRGB', ...(mask ? { SMask: mask } : {}) }))
  const name = page.node.newXObject('Image', ref)
  const scale = Math.min(box.width / image.width, box.height / image.height)
  const width = round(image.width * scale)
  const height = round(image.height * scale)
  const x = round(align === 'left' ? box.x : box.x + (box.width - width) / 2)
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(width, 0, 0, height, x, round(box.y)), drawObject(name), popGraphicsState())
}

/** The certificate as PDF bytes (backed by a plain ArrayBuffer, so it can be a Response body as is). */
export async function renderCertificatePdf(data: CertificateData): Promise<Uint8Array<ArrayBuffer>> {
  const doc = await PDFDocument.create()
  doc.registerFontkit(cachingFontkit)
  // The font subsets, their ToUnicode maps and the QR code compressed by Node's zlib rather than
  // pdf-lib's JavaScript deflate: the same FlateDecode streams, a few milliseconds sooner.
  const context = doc.context
  context.flateStream = (contents, dict = {}) =>
    context.stream(deflateSync(typeof contents === 'string' ? Buffer.from(contents, 'latin1') : contents), { ...dict, Filter: 'FlateDecode' })
  const name = printable(data.name, 'bold')
  const roleLabel = CERTIFICATE_ROLE_LABELS[data.role] ?? data.role
  const topic = printable(data.topic, 'bold')
  const dateText = printable(data.dateText, 'regular')
  const place = printable(data.place, 'regular')
  const number = printable(data.number, 'bold')
  const verifyUrl = printable(data.verifyUrl, 'regular')
  const programme = printable(data.issuer.programmeName, 'bold')
  const issuerName = printable(data.issuer.issuerName, 'regular')
  const signatoryName = data.issuer.signatoryName ? printable(data.issuer.signatoryName, 'bold') : ''
  const signatoryTitle = data.issuer.signatoryTitle ? printable(data.issuer.signatoryTitle, 'regular') : ''
  const issuedBy = `Diterbitkan secara elektronik oleh ${issuerName} melalui ${APP_NAME}.`
  const [regular, bold] = await Promise.all([
    embedFace(doc, 'regular', [APP_NAME, dateText, place, verifyUrl, issuerName, signatoryTitle, issuedBy, '·…']),
    embedFace(doc, 'bold', [programme.toUpperCase(), name, roleLabel, topic, number, signatoryName, '…']),
  ])

  const title = `Sertifikat ${number}`
  const issued = new Date(data.issuedAt)
  doc.setTitle(title, { showInWindowTitleBar: true })
  doc.setSubject(`Sertifikat ${roleLabel} webinar ${programme}: ${topic}`)
  doc.setAuthor(issuerName)
  doc.setCreator(APP_NAME)
  doc.setProducer(`${APP_NAME} (pdf-lib)`)
  doc.setKeywords(['sertifikat', 'literasi digital', number])
  doc.setLanguage('id')
  if (!Number.isNaN(issued.getTime())) {
    doc.setCreationDate(issued)
    doc.setModificationDate(issued)
  }

  const page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT])

  // A restrained frame: a thin accent line, and a hairline just inside it.
  page.drawRectangle({ x: 22, y: 22, width: PAGE_WIDTH - 44, height: PAGE_HEIGHT - 44, borderColor: ACCENT, borderWidth: 1.5 })
  page.drawRectangle({ x: 29, y: 29, width: PAGE_WIDTH - 58, height: PAGE_HEIGHT - 58, borderColor: RULE, borderWidth: 0.5 })

  // The head: the logo at the top left, the programme and its issuer centred.
  if (data.issuer.logoPng) drawImageIn(doc, page, data.issuer.logoPng, { x: 46, y: 494, width: 84, height: 64 }, 'left')
  drawFitted(page, programme.toUpperCase(), bold, 13, 8, 560, 527, ACCENT)
  drawFitted(page, issuerName, regular, 10.5, 7, 560, 510, MUTED)
  page.drawLine({ start: { x: CENTER_X - 30, y: 497 }, end: { x: CENTER_X + 30, y: 497 }, thickness: 1.2, color: ACCENT })

  drawCentered(page, [{ text: 'SERTIFIKAT', face: bold }], 40, 446)
  drawCentered(page, [{ text: 'diberikan kepada', face: regular }], 13, 414, MUTED)

  const nameLayout = layoutName(name, bold, 680)
  if (nameLayout.lines.length === 1) drawCentered(page, [{ text: nameLayout.lines[0], face: bold }], nameLayout.size, 372)
  else {
    // Two lines, centred on the same middle as one line would be.
    const first = 380 + 0.36 * nameLayout.size
    nameLayout.lines.forEach((line, i) => drawCentered(page, [{ text: line, face: bold }], nameLayout.size, first - i * 1.2 * nameLayout.size))
  }
  page.drawLine({ start: { x: CENTER_X - 220, y: 346 }, end: { x: CENTER_X + 220, y: 346 }, thickness: 0.6, color: RULE })

  drawCentered(page, [{ text: 'sebagai ', face: regular }, { text: roleLabel, face: bold }], 13, 322)
  drawCentered(page, [{ text: 'dalam webinar', face: regular }], 12, 296, MUTED)
  const topicLayout = layoutTopic(topic, bold, 660)
  topicLayout.lines.forEach((line, i) => drawCentered(page, [{ text: line, face: bold }], topicLayout.size, 274 - i * 1.28 * topicLayout.size))

  const when = [dateText, place].filter(Boolean).join(' · ')
  const whenSize = fitSize(when, regular, 12, 9, 680)
  if (whenSize) drawCentered(page, [{ text: when, face: regular }], whenSize, 200)
  else {
    // Too long for one line (a very long place name): the date, then the place under it.
    drawCentered(page, [{ text: dateText, face: regular }], 11, 208)
    const placeSize = fitSize(place, regular, 11, 7, 680)
    drawCentered(page, [{ text: placeSize ? place : withEllipsis(place, regular, 7, 680), face: regular }], placeSize ?? 7, 192)
  }

  // Bottom right: the QR code, the verification address under it. Bottom left: the number.
  const qrSize = 90
  const qrX = PAGE_WIDTH - 62 - qrSize
  const qrY = 62
  drawQrCode(doc, page, data.verifyUrl, qrX, qrY, qrSize)
  const urlRight = PAGE_WIDTH - 38
  const urlMaxWidth = 360
  const urlSize = fitSize(verifyUrl, regular, 6.5, 5, urlMaxWidth)
  // A verification URL is ~70 characters; one too long for two lines of 5 pt ends in an ellipsis.
  const wrapped = urlSize ? [verifyUrl] : wrap(verifyUrl, regular, 5, urlMaxWidth)
  const urlLines = wrapped.length <= 2 ? wrapped : [wrapped[0], withEllipsis(wrapped.slice(1).join(''), regular, 5, urlMaxWidth)]
  urlLines.forEach((line, i) => {
    const size = urlSize ?? 5
    const width = widthOf(line, regular, size)
    const x = Math.min(qrX + qrSize / 2 - width / 2, urlRight - width)
    drawLine(page, line, regular, size, round(x), 50 - i * 6.5, MUTED)
  })

  const left = 62
  const label = 'Nomor sertifikat: '
  drawLine(page, label, regular, 10.5, left, 94, INK)
  drawLine(page, number, bold, 10.5, round(left + widthOf(label, regular, 10.5)), 94, INK)
  drawLine(page, 'Pindai kode QR, atau buka alamat di bawahnya, untuk memeriksa keaslian sertifikat ini.', regular, 8, left, 78, MUTED)
  const issuedBySize = fitSize(issuedBy, regular, 8, 5.5, 570)
  drawLine(page, issuedBySize ? issuedBy : withEllipsis(issuedBy, regular, 5.5, 570), regular, issuedBySize ?? 5.5, left, 66, MUTED)

  // The signature block, centred above the number: the title, the signature, the name.
  if (signatoryTitle) drawFitted(page, signatoryTitle, regular, 10, 7, 300, 172, MUTED)
  if (data.issuer.signaturePng) drawImageIn(doc, page, data.issuer.signaturePng, { x: CENTER_X - 80, y: 124, width: 160, height: 42 }, 'center')
  if (signatoryName) {
    drawFitted(page, signatoryName, bold, 11, 7, 300, 110, INK)
    page.drawLine({ start: { x: CENTER_X - 110, y: 121 }, end: { x: CENTER_X + 110, y: 121 }, thickness: 0.5, color: RULE })
  }

  // No pauses between objects: a certificate is small, and yielding would only add timer latency.
  return (await doc.save({ objectsPerTick: Infinity })) as Uint8Array<ArrayBuffer>
}
