import { createCanvas } from '@napi-rs/canvas'
import jsQR from 'jsqr'
import * as fontkit from 'fontkit'
import { decodePDFRawStream, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFString } from 'pdf-lib'
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs'
import type { PDFPageProxy } from 'pdfjs-dist/types/src/display/api'
import { CERTIFICATE_ROLE_LABELS, type CertificateData, renderCertificatePdf } from '#app/utils/certificate-pdf.server'

// The real renderer, read back by a real PDF reader (pdf.js): its text, its page, and its QR code
// scanned from the rendered pixels.

const typical: CertificateData = {
  number: '7K3M-9QXD-H2PF-W8RT',
  name: 'Siti Rahayu Wulandari',
  role: 'peserta',
  topic: 'Cakap Bermedia Digital: Mengenali Hoaks dan Menjaga Jejak Digital di Media Sosial',
  dateText: 'Rabu, 1 September 2021',
  place: 'Kabupaten Klaten, Jawa Tengah',
  verifyUrl: 'http://localhost:3000/certificates/7K3M-9QXD-H2PF-W8RT',
  issuedAt: '2021-09-01T09:30:00.000Z',
}

async function firstPage(pdf: Uint8Array): Promise<PDFPageProxy> {
  // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
  const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise
  expect(doc.numPages).toBe(1)
  return doc.getPage(1)
}

/** The page's text as a reader extracts it, whitespace (line ends included) as single spaces. */
async function pageText(pdf: Uint8Array): Promise<string> {
  const content = await (await firstPage(pdf)).getTextContent()
  return content.items
    .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : ''))
    .join('')
    .replace(/\s+/g, ' ')
}

/** Page 1 drawn to pixels at twice its size, then scanned for a QR code. */
async function scanQrCode(pdf: Uint8Array): Promise<string | null> {
  const page = await firstPage(pdf)
  const viewport = page.getViewport({ scale: 2 })
  const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height))
  const context = canvas.getContext('2d')
  await page.render({
    canvas: canvas as unknown as HTMLCanvasElement,
    canvasContext: context as unknown as CanvasRenderingContext2D,
    viewport,
  }).promise
  const image = context.getImageData(0, 0, canvas.width, canvas.height)
  return jsQR(image.data, image.width, image.height)?.data ?? null
}

describe('renderCertificatePdf', () => {
  test('the text read back holds the name, number, role, topic, date and place', async () => {
    const pdf = await renderCertificatePdf(typical)
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-')
    const text = await pageText(pdf)
    expect(text).toContain('SERTIFIKAT')
    expect(text).toContain('GERAKAN NASIONAL LITERASI DIGITAL')
    expect(text).toContain('Literasi Webinar')
    expect(text).toContain('diberikan kepada')
    expect(text).toContain(typical.name)
    expect(text).toContain(`Nomor sertifikat: ${typical.number}`)
    expect(text).toContain('sebagai Peserta')
    expect(text).toContain(typical.topic)
    expect(text).toContain(`${typical.dateText} · ${typical.place}`)
    expect(text).toContain(typical.verifyUrl)
  })

  test('every role is printed with its Indonesian label', async () => {
    expect(CERTIFICATE_ROLE_LABELS).toEqual({ peserta: 'Peserta', narasumber: 'Narasumber', moderator: 'Moderator', kol: 'Key Opinion Leader' })
    for (const role of ['narasumber', 'moderator', 'kol'] as const) {
      const text = await pageText(await renderCertificatePdf({ ...typical, role }))
      expect(text).toContain(`sebagai ${CERTIFICATE_ROLE_LABELS[role]}`)
    }
  })

  test('the QR code, scanned from the rendered page, is exactly the verification URL', async () => {
    const verifyUrl = 'https://literasi-webinar.example.go.id/certificates/7K3M-9QXD-H2PF-W8RT'
    const pdf = await renderCertificatePdf({ ...typical, verifyUrl })
    expect(await scanQrCode(pdf)).toBe(verifyUrl)
    // Drawn as vector shapes, not as a picture.
    const operators = await (await firstPage(pdf)).getOperatorList()
    expect(operators.fnArray).not.toContain(OPS.paintImageXObject)
    expect(operators.fnArray).not.toContain(OPS.paintInlineImageXObject)
  })

  test('the page is A4 landscape', async () => {
    const page = await firstPage(await renderCertificatePdf(typical))
    const [x0, y0, x1, y1] = page.view
    expect(x1 - x0).toBeGreaterThan(y1 - y0)
    expect(x1 - x0).toBeCloseTo(841.89, 1)
    expect(y1 - y0).toBeCloseTo(595.28, 1)
  })

  test('the document names itself: title, author, creator, language', async () => {
    const doc = await PDFDocument.load(await renderCertificatePdf(typical), { updateMetadata: false })
    expect(doc.getTitle()).toBe(`Sertifikat ${typical.number}`)
    expect(doc.getAuthor()).toBe('Literasi Webinar')
    expect(doc.getCreator()).toBe('Literasi Webinar')
    expect(doc.getCreationDate()?.toISOString()).toBe('2021-09-01T09:30:00.000Z')
    expect(doc.catalog.lookup(PDFName.of('Lang'), PDFString).decodeText()).toBe('id')
  })

  test('a name with diacritics outside WinAnsi comes back exactly as registered', async () => {
    const names = ['Ni Putu Ayu Ṣaraswati Nguyễn', 'Çağlar Öztürk', 'Đặng Thị Hương']
    for (const name of names) {
      const text = await pageText(await renderCertificatePdf({ ...typical, name }))
      expect(text).toContain(name)
    }
    // Typed decomposed (e + combining circumflex + combining tilde), printed composed.
    const text = await pageText(await renderCertificatePdf({ ...typical, name: 'Nguye\u0302\u0303n Ṣari' }))
    expect(text).toContain('Nguyễn Ṣari')
  })

  test('the embedded font subsets hold an outline for every glyph they carry', async () => {
    // Text can extract perfectly from a subset whose outlines are broken (a known failure of the
    // @pdf-lib/fontkit fork with Noto Sans): read the font programs themselves.
    const doc = await PDFDocument.load(await renderCertificatePdf({ ...typical, name: 'Ni Putu Ayu Ṣaraswati Nguyễn' }))
    const programs = doc.context
      .enumerateIndirectObjects()
      .map(([, object]) => object)
      .filter((object): object is PDFDict => object instanceof PDFDict && object.get(PDFName.of('Type')) === PDFName.of('FontDescriptor'))
      .map((descriptor) => descriptor.lookup(PDFName.of('FontFile2')))
    expect(programs).toHaveLength(2) // regular and bold
    for (const program of programs) {
      if (!(program instanceof PDFRawStream)) throw new Error('a font descriptor without an embedded TrueType program')
      const font = fontkit.create(Buffer.from(decodePDFRawStream(program).decode())) as fontkit.Font
      expect(font.numGlyphs).toBeGreaterThan(20)
      expect(font.numGlyphs).toBeLessThan(120)
      const blank = []
      for (let id = 1; id < font.numGlyphs; id++) if (font.getGlyph(id).path.commands.length === 0) blank.push(id)
      expect(blank.length).toBeLessThanOrEqual(1) // the space
    }
  })

  test('characters the font lacks fall back without failing: marks stripped, else "?"', async () => {
    // Noto Sans has no CJK and no mathematical bold letters (pasted "fancy" text); NFKD of the
    // latter is plain Latin.
    const pdf = await renderCertificatePdf({ ...typical, name: 'Tanaka 漢字 𝐒𝐢𝐭𝐢 Ｎur\u0007', topic: 'Webinar 日本' })
    const text = await pageText(pdf)
    expect(text).toContain('Tanaka ?? Siti Nur')
    expect(text).toContain('Webinar ??')
    expect(text).not.toContain('漢')
  })

  test('a 100-character name and a 300-character topic fit, and the name is still whole', async () => {
    const name = 'Raden Mas Muhammad Abdurrahman Wahyu Kusumaningrat Hadiningrat Prawirodirdjo Soerjosoemarno Putra Jr'
    expect(name).toHaveLength(100)
    const topic = 'Transformasi digital desa dan ketahanan informasi masyarakat dalam menghadapi disinformasi, misinformasi, dan malinformasi di era kecerdasan buatan generatif: strategi literasi digital bagi aparatur desa, guru, orang tua, pelajar, pelaku UMKM, dan komunitas lokal di seluruh kabupaten dan kota se-Indonesia'
    expect(topic.length).toBeGreaterThanOrEqual(300)
    const pdf = await renderCertificatePdf({ ...typical, name, topic: topic.slice(0, 300) })
    const text = await pageText(pdf)
    expect(text).toContain(name)
    expect(text).toContain(topic.slice(0, 200))
    expect(await scanQrCode(pdf)).toBe(typical.verifyUrl)

    // One 100-letter word: no space to break at, so it is broken between letters, on two lines at most.
    const word = 'A'.repeat(100)
    const lines = (await (await firstPage(await renderCertificatePdf({ ...typical, name: word }))).getTextContent()).items
      .map((item) => ('str' in item ? item.str : ''))
      .filter((s) => /^A+$/.test(s))
    expect(lines.join('')).toBe(word)
    expect(lines.length).toBeLessThanOrEqual(2)
  })

  test('every line stays inside the page', async () => {
    const pdf = await renderCertificatePdf({
      ...typical,
      name: 'Raden Mas Muhammad Abdurrahman Wahyu Kusumaningrat Hadiningrat Prawirodirdjo Soerjosoemarno Putra Jr',
      topic: 'Literasi digital '.repeat(30),
      place: 'Kabupaten Kepulauan Siau Tagulandang Biaro, Sulawesi Utara',
      verifyUrl: `https://literasi-webinar.example.go.id/certificates/${'X'.repeat(120)}`,
    })
    const content = await (await firstPage(pdf)).getTextContent()
    for (const item of content.items) {
      if (!('str' in item) || !item.str.trim()) continue
      const x = item.transform[4]
      expect(x, item.str).toBeGreaterThanOrEqual(29)
      expect(x + item.width, item.str).toBeLessThanOrEqual(841.89 - 29)
    }
  })

  test('a typical certificate is small', async () => {
    const pdf = await renderCertificatePdf(typical)
    console.log(`certificate PDF: ${(pdf.length / 1024).toFixed(1)} KB`)
    expect(pdf.length).toBeLessThan(150 * 1024)
  })

  test('renders 50 certificates', async () => {
    await renderCertificatePdf(typical) // the fonts are read and parsed once per process
    const count = 50
    const started = performance.now()
    for (let i = 0; i < count; i++) {
      const number = `7K3M-9QXD-H2PF-${String(i).padStart(4, '0')}`
      const pdf = await renderCertificatePdf({ ...typical, number, name: `${typical.name} ${i}`, verifyUrl: `http://localhost:3000/certificates/${number}` })
      expect(pdf.length).toBeGreaterThan(0)
    }
    console.log(`certificate PDF: ${((performance.now() - started) / count).toFixed(1)} ms per certificate (${count} rendered)`)
  })
})
