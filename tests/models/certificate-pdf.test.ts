import * as fontkit from 'fontkit'
import { decodePDFRawStream, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFString } from 'pdf-lib'
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs'
import type { PDFPageProxy } from 'pdfjs-dist/types/src/display/api'
import { unprintableCharacters } from '#app/utils/certificate-fonts.server'
import { CERTIFICATE_ROLE_LABELS, type CertificateData, renderCertificatePdf } from '#app/utils/certificate-pdf.server'
import { pngBytes } from '#tests/setup/images'
import { scanQrCode } from '#tests/setup/qr'

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
  issuer: {
    programmeName: 'Gerakan Nasional Literasi Digital',
    issuerName: 'Kementerian Komunikasi dan Digital Republik Indonesia',
    signatoryName: null,
    signatoryTitle: null,
    logoPng: null,
    signaturePng: null,
  },
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

type DrawnGlyph = { char: string; code: number; inFont: boolean; x: number; y: number; font: string }

/**
 * Every glyph the page shows, as pdf.js draws it: the character it stands for (from the font's
 * ToUnicode map), its code in the font (0 is .notdef), whether the font has it, where it lands,
 * and the name of the font it comes from. Positions follow the text operators, so glyphs drawn
 * right to left come out with falling x.
 */
async function drawnGlyphs(pdf: Uint8Array): Promise<DrawnGlyph[]> {
  const page = await firstPage(pdf)
  const { fnArray, argsArray } = await page.getOperatorList()
  const glyphs: DrawnGlyph[] = []
  let font = ''
  let size = 0
  let leading = 0
  let line = { x: 0, y: 0 }
  let at = { x: 0, y: 0 }
  fnArray.forEach((fn, i) => {
    const args = argsArray[i] as unknown[]
    if (fn === OPS.setFont) {
      font = (page.commonObjs.get(args[0] as string) as { name: string }).name
      size = args[1] as number
    } else if (fn === OPS.beginText) {
      line = { x: 0, y: 0 }
      at = { ...line }
    } else if (fn === OPS.setTextMatrix) {
      const matrix = args[0] as number[]
      line = { x: matrix[4]!, y: matrix[5]! }
      at = { ...line }
    } else if (fn === OPS.moveText) {
      line = { x: line.x + (args[0] as number), y: line.y + (args[1] as number) }
      at = { ...line }
    } else if (fn === OPS.setLeading) {
      leading = args[0] as number
    } else if (fn === OPS.nextLine) {
      line = { x: line.x, y: line.y - leading }
      at = { ...line }
    } else if (fn === OPS.showText || fn === OPS.showSpacedText) {
      for (const glyph of args[0] as Array<number | { unicode: string; originalCharCode: number; isInFont: boolean; width: number }>) {
        if (typeof glyph === 'number') {
          at.x -= (glyph * size) / 1000
          continue
        }
        glyphs.push({ char: glyph.unicode, code: glyph.originalCharCode, inFont: glyph.isInFont, x: at.x, y: at.y, font })
        at.x += (glyph.width * size) / 1000
      }
    }
  })
  return glyphs
}

/** The glyphs of the name: it sits between "diberikan kepada" (y 414) and its rule (y 346). The
 * Arabic font draws the dots of a letter as glyphs of their own, which stand for no letter. */
const nameGlyphs = (glyphs: DrawnGlyph[]) => glyphs.filter((glyph) => glyph.y > 346 && glyph.y < 405 && glyph.char.trim() && glyph.char !== '\u200b')

/** "NotoSans-Bold" from "/ABCDEF+NotoSans-Bold-1275": no subset tag, no pdf-lib suffix. */
const fontName = (name: string) => name.replace(/^\/?([A-Z]{6}\+)?/, '').replace(/-\d+$/, '')

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

  test('a QR code that one scan size misses is read at another, as a phone held nearer reads it', async () => {
    // jsQR cannot read this one when the page is drawn at 3×; a scan at that size alone failed CI.
    const verifyUrl = 'http://localhost:3000/certificates/PN9N-ENQJ-7CR3-QFSF'
    expect(await scanQrCode(await firstPage(await renderCertificatePdf({ ...typical, verifyUrl })))).toBe(verifyUrl)
  })

  test('the QR code, scanned from the rendered page, is exactly the verification URL', async () => {
    const verifyUrl = 'https://literasi-webinar.example.go.id/certificates/7K3M-9QXD-H2PF-W8RT'
    const pdf = await renderCertificatePdf({ ...typical, verifyUrl })
    expect(await scanQrCode(await firstPage(pdf))).toBe(verifyUrl)
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
    expect(doc.getAuthor()).toBe(typical.issuer.issuerName)
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

  test('names in Latin with diacritics, Arabic, Jawi, Han and mixed scripts print whole, every glyph a real one', async () => {
    const names = [
      'Ni Putu Ayu Ṣaraswati Nguyễn',
      'محمد عبد الله',
      // Jawi: the Malay letters nga, nya, pa, ga and va.
      'ݢوستي ڽاي ڤوتري ڠاتين ۏيرا',
      '李小龙',
      '陳美玲',
      'Siti 李 محمد',
    ]
    for (const name of names) {
      expect(unprintableCharacters(name), name).toEqual([])
      const pdf = await renderCertificatePdf({ ...typical, name })
      const glyphs = nameGlyphs(await drawnGlyphs(pdf))
      // Each letter of the name is drawn by a glyph the font has (never .notdef, never "?").
      for (const glyph of glyphs) {
        expect(glyph.code, `${name}: ${glyph.char}`).not.toBe(0)
        expect(glyph.inFont, `${name}: ${glyph.char}`).toBe(true)
        expect(glyph.char, name).not.toBe('?')
      }
      expect([...new Set(glyphs.map((glyph) => glyph.char).join(''))].sort(), name).toEqual([...new Set(name.replace(/ /g, ''))].sort())
      // Copied or searched, the name reads as typed (a dot glyph reads as an invisible U+200B).
      const text = (await pageText(pdf)).replace(/\u200b/g, '')
      for (const word of name.split(' ')) expect(text, name).toContain(word)
    }
  })

  test('Arabic is shaped (joined letters take their contextual forms) and drawn right to left', async () => {
    // Muhammad: meem (initial), hah (medial), meem (medial), dal (final).
    const glyphs = nameGlyphs(await drawnGlyphs(await renderCertificatePdf({ ...typical, name: 'محمد' })))
    expect(glyphs.map((glyph) => fontName(glyph.font))).toEqual(Array(4).fill('NotoNaskhArabic-Bold'))
    const byX = [...glyphs].sort((a, b) => b.x - a.x)
    expect(byX.map((glyph) => glyph.char).join('')).toBe('محمد')
    const [meemInitial, , meemMedial] = byX
    expect(meemInitial!.code).not.toBe(meemMedial!.code)
  })

  test('the dots of Arabic and Jawi letters are drawn: the font draws them as glyphs of their own', async () => {
    // Putri, with veh (three dots), teh (two) and yeh (two): five dot glyphs, and no space drawn.
    const band = (await drawnGlyphs(await renderCertificatePdf({ ...typical, name: 'ڤوتري' }))).filter((glyph) => glyph.y > 346 && glyph.y < 405)
    expect(band.filter((glyph) => glyph.char === '\u200b').length).toBeGreaterThanOrEqual(3)
    expect(band.filter((glyph) => glyph.char === ' ')).toEqual([])
  })

  test('a mixed name reads left to right by script run, the Arabic run right to left within it', async () => {
    const glyphs = nameGlyphs(await drawnGlyphs(await renderCertificatePdf({ ...typical, name: 'Siti 李 محمد' })))
    const visual = [...glyphs].sort((a, b) => a.x - b.x).map((glyph) => glyph.char).join('')
    expect(visual).toBe('Siti李دمحم')
    const fontOf = (char: string) => fontName(glyphs.find((glyph) => glyph.char === char)!.font)
    expect(fontOf('S')).toBe('NotoSans-Bold')
    expect(fontOf('李')).toMatch(/^NotoSansSC/)
    expect(fontOf('م')).toBe('NotoNaskhArabic-Bold')
  })

  test('a name written right to left keeps its first word on the right', async () => {
    const glyphs = nameGlyphs(await drawnGlyphs(await renderCertificatePdf({ ...typical, name: 'محمد Siti' })))
    const visual = [...glyphs].sort((a, b) => a.x - b.x).map((glyph) => glyph.char).join('')
    expect(visual).toBe('Sitiدمحم')
  })

  test('what no font can draw is named: emoji, and scripts left out (Thai); invisible format characters are not', () => {
    expect(unprintableCharacters('Siti 😀 Rahayu 😀')).toEqual(['😀'])
    expect(unprintableCharacters('สมชาย')).toEqual(['ส', 'ม', 'ช', 'า', 'ย'])
    expect(unprintableCharacters('Siti\u200bRahayu\u200d')).toEqual([])
    // Pasted "fancy" letters print as their plain forms.
    expect(unprintableCharacters('𝐒𝐢𝐭𝐢 Ｎur')).toEqual([])
  })

  test('characters no font has fall back without failing: plain forms for fancy letters, else "?"', async () => {
    // Mathematical bold letters (pasted "fancy" text) are plain Latin under NFKD; full-width Ｎ is
    // in the Han font. A topic is not checked the way a name is: an emoji in it prints as "?".
    const pdf = await renderCertificatePdf({ ...typical, name: 'Tanaka 漢字 𝐒𝐢𝐭𝐢 Ｎur\u0007', topic: 'Webinar 日本 😀' })
    const text = await pageText(pdf)
    expect(text).toContain('Tanaka 漢字 Siti Ｎur')
    expect(text).toContain('Webinar 日本 ?')
  })

  test('only the fonts a certificate uses are embedded', async () => {
    const fontsOf = async (name: string) => {
      const doc = await PDFDocument.load(await renderCertificatePdf({ ...typical, name }))
      return doc.context
        .enumerateIndirectObjects()
        .map(([, object]) => object)
        .filter((object): object is PDFDict => object instanceof PDFDict && object.get(PDFName.of('Type')) === PDFName.of('FontDescriptor'))
        .map((descriptor) => fontName(descriptor.lookup(PDFName.of('FontName'), PDFName).asString()))
        .sort()
    }
    expect(await fontsOf('Siti Rahayu')).toEqual(['NotoSans-Bold', 'NotoSans-Regular'])
    expect(await fontsOf('Siti 李 محمد')).toEqual(['NotoNaskhArabic-Bold', 'NotoSans-Bold', 'NotoSans-Regular', 'NotoSansSC-Bold'])
  })

  test('a certificate with an Arabic and Han name is still small', async () => {
    const pdf = await renderCertificatePdf({ ...typical, name: 'Siti 陳美玲 محمد عبد الله' })
    expect(pdf.length).toBeLessThan(150 * 1024)
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
    expect(await scanQrCode(await firstPage(pdf))).toBe(typical.verifyUrl)

    // One 100-letter word: no space to break at, so it is broken between letters, on two lines at most.
    const word = 'A'.repeat(100)
    const lines = (await (await firstPage(await renderCertificatePdf({ ...typical, name: word }))).getTextContent()).items
      .map((item) => ('str' in item ? item.str : ''))
      .filter((s) => /^A+$/.test(s))
    expect(lines.join('')).toBe(word)
    expect(lines.length).toBeLessThanOrEqual(2)
  })

  test('the issuer is printed: programme, ministry, logo, signature, and the signatory\'s name and title', async () => {
    const issuer = {
      programmeName: 'Program Cakap Digital Nusantara',
      issuerName: 'Direktorat Jenderal Aplikasi Informatika',
      signatoryName: 'Dr. Ir. Bambang Sutejo, M.Sc.',
      signatoryTitle: 'Direktur Pemberdayaan Informatika',
      logoPng: pngBytes(120, 120, [16, 70, 128, 255]),
      signaturePng: pngBytes(300, 90, [20, 20, 20, 255]),
    }
    const pdf = await renderCertificatePdf({ ...typical, issuer })
    const text = await pageText(pdf)
    expect(text).toContain('PROGRAM CAKAP DIGITAL NUSANTARA')
    expect(text).toContain(issuer.issuerName)
    expect(text).toContain(issuer.signatoryName)
    expect(text).toContain(issuer.signatoryTitle)
    expect(text).toContain(`Diterbitkan secara elektronik oleh ${issuer.issuerName} melalui Literasi Webinar.`)
    expect(text).not.toContain('GERAKAN NASIONAL LITERASI DIGITAL')
    // The logo and the signature are drawn as pictures, inside the page; the QR code still scans.
    const operators = await (await firstPage(pdf)).getOperatorList()
    expect(operators.fnArray.filter((fn) => fn === OPS.paintImageXObject)).toHaveLength(2)
    expect(await scanQrCode(await firstPage(pdf))).toBe(typical.verifyUrl)
    // Without a signatory, nothing is printed in its place.
    const plain = await pageText(await renderCertificatePdf(typical))
    expect(plain).toContain('GERAKAN NASIONAL LITERASI DIGITAL')
    expect(plain).toContain(typical.issuer.issuerName)
    expect(plain).not.toContain('Direktur')
  })

  test('every line stays inside the page', async () => {
    const pdf = await renderCertificatePdf({
      ...typical,
      name: 'Raden Mas Muhammad Abdurrahman Wahyu Kusumaningrat Hadiningrat Prawirodirdjo Soerjosoemarno Putra Jr',
      topic: 'Literasi digital '.repeat(30),
      place: 'Kabupaten Kepulauan Siau Tagulandang Biaro, Sulawesi Utara',
      issuer: {
        programmeName: 'Program '.repeat(20),
        issuerName: 'Kementerian '.repeat(20),
        signatoryName: 'Nama '.repeat(30),
        signatoryTitle: 'Jabatan '.repeat(30),
        logoPng: null,
        signaturePng: null,
      },
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
