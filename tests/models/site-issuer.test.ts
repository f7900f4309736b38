// The certificate issuer's settings and images: what an upload must be to be kept (checked by its
// content: a PNG decoded whole, an SVG parsed, refused when it could run or fetch anything), and
// how the settings keep, replace and remove the files under UPLOAD_DIR.
import fs from 'node:fs'
import path from 'node:path'
import { PNG } from 'pngjs'
import { getCertificateIssuer, getIssuerSettings, getLogoMarkPath, getSiteIdentity, updateIssuer } from '#app/models/site-settings.server'
import { getDb } from '#app/utils/db.server'
import { onRacePoint } from '#app/utils/race-points.server'
import { checkSiteImage, readImageField, SITE_IMAGE_MAX_BYTES, SITE_IMAGE_RULE, type CheckedSiteImage } from '#app/utils/site-image.server'
import { issuerNameFor, programmeNameFor } from '#app/utils/site-identity'
import { streamUpload, uploadRoot } from '#app/utils/uploads.server'
import { signedInAs } from '#tests/setup/factories'
import { pngBytes } from '#tests/setup/images'

const db = getDb()

const PLAIN_SVG = '<?xml version="1.0" encoding="UTF-8"?>\n<!-- a logo -->\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><defs><linearGradient id="g"><stop offset="0" stop-color="#0b5cad"/></linearGradient></defs><rect width="40" height="20" fill="url(#g)"/><use href="#g"/></svg>'

function svg(inner: string, attributes = '') {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"${attributes}>${inner}<rect width="10" height="10"/></svg>`)
}

/** Every file under the upload folder, relative to it. */
function uploadedFiles(): string[] {
  const root = uploadRoot()
  if (!fs.existsSync(root)) return []
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((file) => fs.statSync(path.join(root, file)).isFile()).sort()
}

async function checked(bytes: Buffer): Promise<CheckedSiteImage> {
  const result = await checkSiteImage(bytes)
  if (!result.ok) throw new Error(result.reason)
  return result
}

async function* chunks(bytes: Buffer) {
  for (let at = 0; at < bytes.length; at += 64 * 1024) yield new Uint8Array(bytes.subarray(at, at + 64 * 1024))
}

describe('checkSiteImage', () => {
  test('a PNG is kept as it is, with its size in pixels', async () => {
    const bytes = pngBytes(120, 60)
    expect(await checkSiteImage(bytes)).toEqual({ ok: true, png: bytes, svg: null, width: 120, height: 60 })
  })

  test('a PNG larger than print needs is scaled down to 1,000 pixels on its longer side, its proportions kept', async () => {
    const wide = await checked(pngBytes(3000, 600, [200, 30, 30, 255]))
    expect([wide.width, wide.height]).toEqual([1000, 200])
    const decoded = PNG.sync.read(wide.png)
    expect([decoded.width, decoded.height]).toEqual([1000, 200])
    // The same colour, still opaque.
    expect([...decoded.data.subarray(4 * 500 * 100 + 4 * 500, 4 * 500 * 100 + 4 * 500 + 4)]).toEqual([200, 30, 30, 255])
    const tall = await checked(pngBytes(500, 2000))
    expect([tall.width, tall.height]).toEqual([250, 1000])
  })

  test('a PNG that does not decode whole is refused: a cut file, a damaged chunk', async () => {
    const bytes = pngBytes(120, 60)
    expect(await checkSiteImage(bytes.subarray(0, bytes.length - 20))).toEqual({ ok: false, reason: 'badPng' })
    const damaged = Buffer.from(bytes)
    damaged[damaged.length - 30] ^= 0xff
    expect(await checkSiteImage(damaged)).toEqual({ ok: false, reason: 'badPng' })
    // The signature alone, no header chunk.
    expect(await checkSiteImage(bytes.subarray(0, 8))).toEqual({ ok: false, reason: 'badPng' })
  })

  test('a PNG whose header claims an absurd size is refused before it is decoded', async () => {
    const bytes = Buffer.from(pngBytes(10, 10))
    bytes.writeUInt32BE(100_000, 16)
    expect(await checkSiteImage(bytes)).toEqual({ ok: false, reason: 'badSize' })
  })

  test('what is not a PNG or an SVG is refused, whatever it is called', async () => {
    for (const bytes of [Buffer.from('%PDF-1.7 a document'), Buffer.from('just some text'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), Buffer.from('<html><body><svg></svg></body></html>')]) {
      expect(await checkSiteImage(bytes)).toEqual({ ok: false, reason: 'notImage' })
    }
  })

  test('a plain SVG is kept sanitised and rasterised to a PNG for the PDF', async () => {
    const image = await checked(Buffer.from(PLAIN_SVG))
    expect(image.svg).toMatch(/^<svg[\s>]/)
    expect(image.svg).toContain('url(#g)')
    expect(image.png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    // Rasterised at 800 px wide, the SVG's proportions kept.
    expect([image.width, image.height]).toEqual([800, 400])
    expect(PNG.sync.read(image.png)).toMatchObject({ width: 800, height: 400 })
  })

  test('an SVG that could run or fetch anything is refused', async () => {
    const hostile = {
      script: svg('<script>alert(1)</script>'),
      'script in a namespace': svg('<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>'),
      onload: svg('', ' onload="alert(1)"'),
      'onclick on a shape': svg('<circle r="2" onclick="alert(1)"/>'),
      'an external image': svg('<image href="https://tracker.example/pixel.png" width="5" height="5"/>'),
      'an external xlink:href': svg('<use xlink:href="http://evil.example/sprite.svg#a"/>'),
      'a javascript: link': svg('<a href="javascript:alert(1)"><circle r="2"/></a>'),
      foreignObject: svg('<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'),
      'a style that fetches': svg('<style>rect { fill: url(https://evil.example/x.svg#p) }</style>'),
      'a style attribute that imports': svg('<g style="background: url(//evil.example/x.png)"/>'),
      'an animation that sets a link': svg('<a><set attributeName="href" to="javascript:alert(1)"/><circle r="2"/></a>'),
      'an entity declaration': Buffer.from('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'),
    }
    for (const [name, bytes] of Object.entries(hostile)) expect(await checkSiteImage(bytes), name).toEqual({ ok: false, reason: 'unsafeSvg' })
  })

  test('an SVG that is not well-formed XML is refused', async () => {
    expect(await checkSiteImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>'))).toEqual({ ok: false, reason: 'badSvg' })
  })
})

describe('readImageField', () => {
  test('a file over the limit is refused while it streams, and nothing is left on disk', async () => {
    const before = uploadedFiles()
    const tooLarge = Buffer.concat([pngBytes(10, 10), Buffer.alloc(SITE_IMAGE_MAX_BYTES)])
    const upload = await streamUpload(chunks(tooLarge), 'logo.png', SITE_IMAGE_RULE)
    expect(await readImageField(upload)).toEqual({ ok: false, error: `issuer.error.tooLarge?kb=${SITE_IMAGE_MAX_BYTES / 1024}`, status: 413 })
    expect(uploadedFiles()).toEqual(before)
  })

  test('a checked file is read and its streamed copy removed; a refused one too', async () => {
    const before = uploadedFiles()
    const good = await readImageField(await streamUpload(chunks(pngBytes(20, 10)), 'logo.png', SITE_IMAGE_RULE))
    expect(good).toMatchObject({ ok: true, image: { width: 20, height: 10 } })
    const bad = await readImageField(await streamUpload(chunks(svg('<script>1</script>')), 'logo.svg', SITE_IMAGE_RULE))
    expect(bad).toEqual({ ok: false, error: 'issuer.error.unsafeSvg', status: 400 })
    expect(uploadedFiles()).toEqual(before)
  })

  test('no file chosen is no change; an empty file with a name is refused', async () => {
    expect(await readImageField(undefined)).toEqual({ ok: true, image: null })
    expect(await readImageField(await streamUpload(chunks(Buffer.alloc(0)), '', SITE_IMAGE_RULE))).toEqual({ ok: true, image: null })
    expect(await readImageField(await streamUpload(chunks(Buffer.alloc(0)), 'logo.png', SITE_IMAGE_RULE))).toEqual({ ok: false, error: 'issuer.error.empty', status: 400 })
  })
})

describe('the issuer settings', () => {
  const texts = {
    programmeNameId: 'Program Cakap Digital',
    programmeNameEn: null,
    issuerName: 'Direktorat Jenderal Aplikasi Informatika',
    signatoryName: 'Dr. Bambang Sutejo, M.Sc.',
    signatoryTitle: 'Direktur Pemberdayaan Informatika',
  }

  test('unset, the dictionary names the programme and the ministry, and the certificate has no signatory', async () => {
    const identity = await getSiteIdentity(db)
    expect(programmeNameFor(identity, 'id')).toBe('Gerakan Nasional Literasi Digital')
    expect(issuerNameFor(identity, 'en')).toBe('Ministry of Communication and Digital Affairs of the Republic of Indonesia')
    expect(await getCertificateIssuer(db)).toEqual({
      programmeName: 'Gerakan Nasional Literasi Digital',
      issuerName: 'Kementerian Komunikasi dan Digital Republik Indonesia',
      signatoryName: null,
      signatoryTitle: null,
      logoPng: null,
      signaturePng: null,
    })
  })

  test('saved texts and images reach the pages and the certificate; replacing and removing an image removes its files', async () => {
    const organiser = await signedInAs('organiser')
    const logo = await checked(Buffer.from(PLAIN_SVG))
    const signature = await checked(pngBytes(300, 90, [20, 20, 20, 200]))
    await updateIssuer(db, texts, { logo, signature }, organiser.id)

    const settings = await getIssuerSettings(db)
    expect(settings).toMatchObject({ ...texts, logo: { width: 800, height: 400 }, signature: { width: 300, height: 90, svg: null } })
    expect(settings.logo!.svg).toMatch(/^site\/logo-[0-9a-f]{32}\.svg$/)
    // The logo has a small copy for the header, 64 px tall (2:1, as the SVG); the signature none.
    expect(settings.logo!.mark).toEqual({ png: expect.stringMatching(/^site\/mark-[0-9a-f]{32}\.png$/), width: 128, height: 64 })
    expect(settings.signature!.mark).toBeNull()
    expect(PNG.sync.read(fs.readFileSync(path.join(uploadRoot(), settings.logo!.mark!.png)))).toMatchObject({ width: 128, height: 64 })
    expect(uploadedFiles()).toEqual([settings.logo!.png, settings.logo!.svg, settings.logo!.mark!.png, settings.signature!.png].sort())
    const identity = await getSiteIdentity(db)
    expect(identity.logoMark).toEqual({ url: `/site/logo/${path.basename(settings.logo!.mark!.png)}`, width: 128, height: 64 })
    expect(await getLogoMarkPath(db, path.basename(settings.logo!.mark!.png))).toBe(settings.logo!.mark!.png)
    expect(await getLogoMarkPath(db, 'mark-0000.png')).toBeNull()
    // The English name falls back to the Indonesian one that was set.
    expect(programmeNameFor(identity, 'en')).toBe('Program Cakap Digital')
    expect(issuerNameFor(identity, 'id')).toBe(texts.issuerName)
    const issuer = await getCertificateIssuer(db)
    expect(issuer).toMatchObject({ programmeName: 'Program Cakap Digital', issuerName: texts.issuerName, signatoryName: texts.signatoryName, signatoryTitle: texts.signatoryTitle })
    expect(Buffer.from(issuer.logoPng!)).toEqual(logo.png)
    expect(Buffer.from(issuer.signaturePng!)).toEqual(signature.png)

    // Keep the logo, replace the signature: the old signature's file goes.
    const newSignature = await checked(pngBytes(200, 60, [0, 0, 0, 255]))
    await updateIssuer(db, texts, { logo: 'keep', signature: newSignature }, organiser.id)
    const replaced = await getIssuerSettings(db)
    expect(replaced.logo).toEqual(settings.logo)
    expect(uploadedFiles()).toEqual([settings.logo!.png, settings.logo!.svg, settings.logo!.mark!.png, replaced.signature!.png].sort())

    // The same image again keeps its file (it is named by its content).
    await updateIssuer(db, texts, { logo: 'keep', signature: newSignature }, organiser.id)
    expect(uploadedFiles()).toContain(replaced.signature!.png)

    // Remove both, and empty the texts: the defaults are back, no file is left.
    await updateIssuer(db, { programmeNameId: null, programmeNameEn: null, issuerName: null, signatoryName: null, signatoryTitle: null }, { logo: 'remove', signature: 'remove' }, organiser.id)
    expect(await getIssuerSettings(db)).toEqual({ programmeNameId: null, programmeNameEn: null, issuerName: null, signatoryName: null, signatoryTitle: null, logo: null, signature: null })
    expect(uploadedFiles()).toEqual([])
    expect((await getSiteIdentity(db)).logoMark).toBeNull()
    expect(await db.selectFrom('settings').select('key').where('key', 'in', ['certificate_logo', 'certificate_signature', 'issuer_name']).execute()).toEqual([])
  })

  test('an image uploaded again while another save removes it as replaced keeps its files', async () => {
    const organiser = await signedInAs('organiser')
    const first = await checked(pngBytes(120, 60, [200, 0, 0, 255]))
    const second = await checked(pngBytes(120, 60, [0, 0, 200, 255]))
    await updateIssuer(db, texts, { logo: first, signature: 'keep' }, organiser.id)
    const firstFiles = uploadedFiles()
    // The second logo replaces the first; between that save's commit and its removal of the
    // first logo's files, another organiser puts the first logo back.
    let putBack = false
    const stop = onRacePoint('issuer:after-commit', async () => {
      if (putBack) return
      putBack = true
      await updateIssuer(db, texts, { logo: first, signature: 'keep' }, organiser.id)
    })
    try {
      await updateIssuer(db, texts, { logo: second, signature: 'keep' }, organiser.id)
    } finally {
      stop()
    }
    const kept = (await getIssuerSettings(db)).logo!
    expect(firstFiles).toContain(kept.png)
    expect(uploadedFiles()).toEqual(firstFiles)
    expect(Buffer.from((await getCertificateIssuer(db)).logoPng!)).toEqual(first.png)
    await updateIssuer(db, texts, { logo: 'remove', signature: 'remove' }, organiser.id)
    expect(uploadedFiles()).toEqual([])
  })
})
