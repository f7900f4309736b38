// E-certificates over the routes: the public verification page and its lookup form, the PDF
// downloads (personal link, brief link, a staff member's own), the organiser's revoke/reissue
// page, and the certificate section of a resident's personal page.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs'
import { formatDate } from '#app/i18n'
import { finaliseAttendance } from '#app/models/attendance.server'
import { revokeCertificate, reissueCertificate } from '#app/models/certificate.server'
import { eraseRegistrationByToken } from '#app/models/personal-data.server'
import { finishWebinar, publishWebinar } from '#app/models/webinar.server'
import { assignRole } from '#app/models/webinar-role.server'
import { action as organiserAction, loader as organiserLoader } from '#app/routes/admin.webinars.$slug.certificates'
import { loader as briefPdfLoader } from '#app/routes/brief.$token.certificate[.]pdf'
import { loader as lookupLoader } from '#app/routes/certificates._index'
import { headers as verifyHeaders, loader as verifyLoader, meta as verifyMeta } from '#app/routes/certificates.$number'
import { loader as myPdfLoader } from '#app/routes/me.certificates.$number[.]pdf'
import { loader as meLoader } from '#app/routes/me'
import { loader as personalLoader } from '#app/routes/r.$token._index'
import { loader as residentPdfLoader } from '#app/routes/r.$token.certificate[.]pdf'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { message } from '#app/utils/messages'
import { RESIDENT_LIMITS } from '#app/utils/resident-limits.server'
import { afterEnd, setZoomMinutes, START } from '#tests/setup/attendance'
import { call, confirmRoles, createPersonFor, createWebinar, getRequest, postRequest, register, signedInAs } from '#tests/setup/factories'
import { scanQrCode } from '#tests/setup/qr'

const db = getDb()

const NUMBER_FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/

let topics = 0
let ipCounter = 0
/** A fresh client address per use, so the verification rate limit of one test never touches another. */
const freshIp = () => `198.51.100.${++ipCounter}`

// --- Helpers ---------------------------------------------------------------------------------

/** Like `call`, but from a given client address. */
async function callFrom(fn: (args: LoaderFunctionArgs & ActionFunctionArgs) => unknown, request: Request, params: Record<string, string>, clientIp: string) {
  try {
    const result = await fn({ request, params, context: { clientIp } } as LoaderFunctionArgs & ActionFunctionArgs)
    if (result instanceof Response) return result
    return new Response(JSON.stringify(result), { status: 200, headers: { 'Content-Type': 'application/json' } })
  } catch (thrown) {
    if (thrown instanceof Response) return thrown
    throw thrown
  }
}

type Verification =
  | { state: 'tooMany'; minutes: number }
  | { state: 'notFound'; number: string }
  | {
      state: 'valid' | 'revoked' | 'replaced'
      certificate: {
        number: string
        topic: string
        startAt: string
        zone: string
        holder: { name: string; role: string; place: string } | null
        replacedBy: string | null
      }
    }

function verify(number: string, ip = freshIp()) {
  return callFrom(verifyLoader as never, getRequest(`/certificates/${encodeURIComponent(number)}`), { number }, ip)
}

/** A published webinar by a signed-in organiser, with a moderator and a speaker. */
async function publishedWebinar(options: { topic?: string; moderatorUserId?: string } = {}) {
  const organiser = await signedInAs('organiser')
  const saved = await createWebinar(organiser.id, { complete: true, form: { topic: options.topic ?? `Aman Bermedia Sosial ${++topics}` } })
  if (options.moderatorUserId) {
    const personId = await createPersonFor('Moderator Berakun', { userId: options.moderatorUserId })
    const assigned = await assignRole(db, saved.id, { personId, role: 'moderator', talkTitle: null, pillar: null })
    if (!assigned.ok) throw new Error(JSON.stringify(assigned))
  }
  expect((await publishWebinar(db, saved.id)).ok).toBe(true)
  await confirmRoles(saved.id)
  return { ...saved, organiser }
}

/** A finalised webinar: `holder` was present and holds a certificate, `absent` was not. */
async function finalisedWebinar(holderName = 'Dewi Anggraini') {
  const webinar = await publishedWebinar()
  const holder = await register(webinar.id, { name: holderName })
  const absent = await register(webinar.id)
  await setZoomMinutes(holder.id, 150)
  expect(await finaliseAttendance(db, webinar.id, webinar.organiser.id, afterEnd(10))).toMatchObject({ ok: true, present: 1 })
  const certificate = await db.selectFrom('certificates').selectAll().where('registration_id', '=', holder.id).executeTakeFirstOrThrow()
  return { webinar, holder, absent, certificate }
}

async function regencyPlace(code: string) {
  const row = await db
    .selectFrom('regencies')
    .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select(['regencies.name as regency', 'provinces.name as province'])
    .where('regencies.code', '=', code)
    .executeTakeFirstOrThrow()
  return { ...row, place: `${row.regency}, ${row.province}` }
}

async function readyMails(email: string) {
  return db.selectFrom('outbox').select(['payload', 'created_at']).where('kind', '=', 'certificate_ready').where('recipient_email', '=', email).execute()
}

// --- PDF reading (pdfjs-dist for the text, tests/setup/qr for the QR code) ---------

type ReadPdf = { text: string; qr: string | null }

async function readPdf(bytes: Uint8Array): Promise<ReadPdf> {
  const doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false }).promise
  try {
    expect(doc.numPages).toBe(1)
    const page = await doc.getPage(1)
    const content = await page.getTextContent()
    const text = content.items
      .map((item) => ('str' in item ? item.str : ''))
      .join(' ')
      .replace(/\s+/g, ' ')
    return { text, qr: await scanQrCode(page) }
  } finally {
    await doc.destroy()
  }
}

async function expectPdf(response: Response): Promise<ReadPdf> {
  expect(response.status).toBe(200)
  expect(response.headers.get('Content-Type')).toBe('application/pdf')
  const bytes = new Uint8Array(await response.arrayBuffer())
  expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-')
  return readPdf(bytes)
}

function residentPdf(token: string) {
  return call(residentPdfLoader as never, getRequest(`/r/${token}/certificate.pdf`), { token })
}

// --- Verification ----------------------------------------------------------------------------

describe('the verification page', () => {
  test('a valid number shows the name, role, topic, date and regency, never cached', async () => {
    const { webinar, certificate } = await finalisedWebinar('Dewi Anggraini')
    const response = await verify(certificate.number)
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    const data = (await response.json()) as Verification
    const { place, regency } = await regencyPlace('33.10')
    expect(data).toEqual({
      state: 'valid',
      // Unset, the page names the dictionary's ministry (the organiser's setting otherwise, see issuer.test.ts).
      issuerName: null,
      certificate: {
        number: certificate.number,
        topic: expect.any(String),
        startAt: START,
        zone: 'WIB',
        holder: { name: 'Dewi Anggraini', role: 'peserta', place },
        replacedBy: null,
      },
    })
    if (data.state !== 'valid') throw new Error(data.state)
    const topic = await db.selectFrom('webinars').select('topic').where('id', '=', webinar.id).executeTakeFirstOrThrow()
    expect(data.certificate.topic).toBe(topic.topic)
    expect(data.certificate.holder!.place).toContain(regency)
    expect(formatDate(data.certificate.startAt, data.certificate.zone as never, 'id')).toMatch(/4 Maret 2030/)
    // The route passes the loader's headers on as the document's.
    const headers = new Headers(verifyHeaders({ loaderHeaders: response.headers, parentHeaders: new Headers(), actionHeaders: new Headers(), errorHeaders: undefined } as never))
    expect(headers.get('Cache-Control')).toBe('no-store')
  })

  test('the page asks search engines not to index it', () => {
    const tags = verifyMeta({ matches: [], data: undefined, params: {}, location: { pathname: '/certificates/X' } } as never) as Array<Record<string, string>>
    expect(tags).toContainEqual({ name: 'robots', content: 'noindex' })
  })

  test('a typed form of the number (lower case, no dashes) finds the same certificate', async () => {
    const { certificate } = await finalisedWebinar()
    const response = await verify(certificate.number.replace(/-/g, '').toLowerCase())
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ state: 'valid', certificate: { number: certificate.number } })
  })

  test('a revoked certificate is shown as revoked', async () => {
    const { webinar, certificate } = await finalisedWebinar('Eko Prasetyo')
    await revokeCertificate(db, webinar.id, certificate.id, webinar.organiser.id, 'Kehadiran tidak sah')
    const response = await verify(certificate.number)
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(await response.json()).toMatchObject({ state: 'revoked', certificate: { number: certificate.number, holder: { name: 'Eko Prasetyo' }, replacedBy: null } })
  })

  test('a replaced certificate is shown as replaced, with the number that replaces it', async () => {
    const { webinar, certificate } = await finalisedWebinar('Fajar Nugroho')
    const reissued = await reissueCertificate(db, webinar.id, certificate.id, 'Fajar Nugroho, S.Kom.')
    if (!reissued.ok) throw new Error(reissued.reason)
    const old = await verify(certificate.number)
    expect(old.status).toBe(200)
    expect(await old.json()).toMatchObject({ state: 'replaced', certificate: { number: certificate.number, replacedBy: reissued.number } })
    const fresh = await verify(reissued.number!)
    expect(await fresh.json()).toMatchObject({ state: 'valid', certificate: { number: reissued.number, holder: { name: 'Fajar Nugroho, S.Kom.' }, replacedBy: null } })
  })

  test('an unknown number is a 404 with a not-found state; a malformed one too', async () => {
    const unknown = await verify('0000-0000-0000-0000')
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('Cache-Control')).toBe('no-store')
    expect(await unknown.json()).toEqual({ state: 'notFound', number: '0000-0000-0000-0000' })

    const malformed = await verify('not-a-number')
    expect(malformed.status).toBe(404)
    expect(await malformed.json()).toMatchObject({ state: 'notFound' })
    // What is echoed back is bounded.
    const long = await verify('X'.repeat(500))
    expect(long.status).toBe(404)
    const body = (await long.json()) as { number: string }
    expect(body.number.length).toBeLessThanOrEqual(40)
  })

  test('the request after the limit from one address is a 429 with Retry-After; another address still verifies', async () => {
    const { certificate } = await finalisedWebinar()
    const ip = freshIp()
    const { limit, windowMs } = RESIDENT_LIMITS.verifyPerIp
    for (let i = 0; i < limit; i++) {
      const response = await verify(i % 2 ? certificate.number : '0000-0000-0000-0000', ip)
      expect(response.status, `request ${i + 1}`).toBe(i % 2 ? 200 : 404)
    }
    const refused = await verify(certificate.number, ip)
    expect(refused.status).toBe(429)
    const retryAfter = Number(refused.headers.get('Retry-After'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(windowMs / 1000)
    expect(refused.headers.get('Cache-Control')).toBe('no-store')
    const body = (await refused.json()) as Verification
    expect(body).toMatchObject({ state: 'tooMany' })
    // Nothing about the certificate leaks in the refusal.
    expect(JSON.stringify(body)).not.toContain(certificate.number)

    const other = await verify(certificate.number, freshIp())
    expect(other.status).toBe(200)
    expect(await other.json()).toMatchObject({ state: 'valid' })
  })
})

describe('the lookup form', () => {
  test('a number typed with spaces and in lower case redirects to its verification page', async () => {
    const typed = ' 7k3m 9qxd h2pf w8rt '
    const response = await call(lookupLoader as never, getRequest(`/certificates?${new URLSearchParams({ number: typed })}`))
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/certificates/7K3M-9QXD-H2PF-W8RT')
    const noDashes = await call(lookupLoader as never, getRequest('/certificates?number=ok3m9qxdh2pfw8rt'))
    expect(noDashes.headers.get('Location')).toBe('/certificates/0K3M-9QXD-H2PF-W8RT')
  })

  test('garbage is a 400 with the message on the number field, and the typed text kept', async () => {
    const response = await call(lookupLoader as never, getRequest(`/certificates?${new URLSearchParams({ number: 'bukan nomor' })}`))
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ errors: ['certificate.invalidNumber'], number: 'bukan nomor' })
    const empty = await call(lookupLoader as never, getRequest('/certificates?number=+'))
    expect(empty.status).toBe(400)
    expect(await empty.json()).toMatchObject({ errors: ['form.required'] })
  })

  test('without a number the empty form is shown', async () => {
    const response = await call(lookupLoader as never, getRequest('/certificates'))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ errors: null, number: '' })
  })
})

// --- Downloads -------------------------------------------------------------------------------

describe('downloads', () => {
  test('the personal link downloads a PDF with the name, the number and a QR code of the verification address', async () => {
    const { holder, certificate } = await finalisedWebinar('Gita Permatasari')
    const response = await residentPdf(holder.token)
    expect(response.headers.get('Content-Disposition')).toContain(`sertifikat-${certificate.number}.pdf`)
    expect(response.headers.get('Cache-Control')).toContain('no-store')
    const pdf = await expectPdf(response)
    expect(pdf.text).toContain('Gita Permatasari')
    expect(pdf.text).toContain(certificate.number)
    expect(pdf.text).toContain('Peserta')
    expect(pdf.qr).toBe(`${getEnv().APP_URL}/certificates/${certificate.number}`)
  })

  test('no PDF before finalising, nor for someone absent', async () => {
    const webinar = await publishedWebinar()
    const person = await register(webinar.id)
    await setZoomMinutes(person.id, 150)
    expect((await residentPdf(person.token)).status).toBe(404)
    expect(await finishWebinar(db, webinar.id, afterEnd(1))).toEqual({ ok: true })
    expect((await residentPdf(person.token)).status).toBe(404)

    const { absent } = await finalisedWebinar()
    expect((await residentPdf(absent.token)).status).toBe(404)
  })

  test('a revoked certificate no longer downloads', async () => {
    const { webinar, holder, certificate } = await finalisedWebinar()
    expect((await residentPdf(holder.token)).status).toBe(200)
    await revokeCertificate(db, webinar.id, certificate.id, webinar.organiser.id, 'Dicabut')
    const response = await residentPdf(holder.token)
    expect(response.status).toBe(404)
    expect(response.headers.get('Content-Type')).not.toBe('application/pdf')
  })

  test('after a reissue the PDF carries the corrected name and the new number', async () => {
    const { webinar, holder, certificate } = await finalisedWebinar('Hendra Gunawan')
    const reissued = await reissueCertificate(db, webinar.id, certificate.id, 'Hendra Gunawan Saputra')
    if (!reissued.ok) throw new Error(reissued.reason)
    const pdf = await expectPdf(await residentPdf(holder.token))
    expect(pdf.text).toContain('Hendra Gunawan Saputra')
    expect(pdf.text).toContain(reissued.number)
    expect(pdf.text).not.toContain(certificate.number)
    expect(pdf.qr).toBe(`${getEnv().APP_URL}/certificates/${reissued.number}`)
  })

  test('a malformed or unknown personal token is a 404', async () => {
    for (const token of ['abc', 'x'.repeat(43), `${'A'.repeat(42)}!`, '']) {
      const response = await residentPdf(token)
      expect(response.status, token).toBe(404)
    }
  })

  test('the speaker downloads theirs through the brief link; an unknown brief token is a 404', async () => {
    const webinar = await publishedWebinar()
    const speaker = await db
      .selectFrom('webinar_roles')
      .innerJoin('people', 'people.id', 'webinar_roles.person_id')
      .select(['webinar_roles.brief_token', 'people.name'])
      .where('webinar_roles.webinar_id', '=', webinar.id)
      .where('webinar_roles.role', '=', 'speaker')
      .executeTakeFirstOrThrow()
    expect(speaker.brief_token).toBeTruthy()
    const token = speaker.brief_token!
    // Before the webinar is finished there is nothing to download.
    expect((await call(briefPdfLoader as never, getRequest(`/brief/${token}/certificate.pdf`), { token })).status).toBe(404)
    expect(await finishWebinar(db, webinar.id, afterEnd(1))).toEqual({ ok: true })

    const pdf = await expectPdf(await call(briefPdfLoader as never, getRequest(`/brief/${token}/certificate.pdf`), { token }))
    const certificate = await db.selectFrom('certificates').select('number').where('webinar_id', '=', webinar.id).where('role', '=', 'narasumber').executeTakeFirstOrThrow()
    expect(pdf.text).toContain(speaker.name)
    expect(pdf.text).toContain('Narasumber')
    expect(pdf.text).toContain(certificate.number)
    expect(pdf.qr).toBe(`${getEnv().APP_URL}/certificates/${certificate.number}`)

    expect((await call(briefPdfLoader as never, getRequest('/brief/no-such-token/certificate.pdf'), { token: 'no-such-token' })).status).toBe(404)
  })

  test('a staff member downloads their own certificate from /me; another staff member gets a 404; signed out goes to login', async () => {
    const moderator = await signedInAs('moderator')
    const webinar = await publishedWebinar({ moderatorUserId: moderator.id })
    expect(await finishWebinar(db, webinar.id, afterEnd(1))).toEqual({ ok: true })
    const certificate = await db.selectFrom('certificates').select('number').where('webinar_id', '=', webinar.id).where('role', '=', 'moderator').executeTakeFirstOrThrow()
    const path = `/me/certificates/${certificate.number}.pdf`

    const pdf = await expectPdf(await call(myPdfLoader as never, getRequest(path, { cookie: moderator.cookie }), { number: certificate.number }))
    expect(pdf.text).toContain('Moderator Berakun')
    expect(pdf.text).toContain(certificate.number)
    // A typed form of the number works too.
    const typed = certificate.number.toLowerCase()
    expect((await call(myPdfLoader as never, getRequest(`/me/certificates/${typed}.pdf`, { cookie: moderator.cookie }), { number: typed })).status).toBe(200)

    const other = await signedInAs('speaker')
    await createPersonFor('Narasumber Lain', { userId: other.id })
    expect((await call(myPdfLoader as never, getRequest(path, { cookie: other.cookie }), { number: certificate.number })).status).toBe(404)
    const organiser = await signedInAs('organiser')
    expect((await call(myPdfLoader as never, getRequest(path, { cookie: organiser.cookie }), { number: certificate.number })).status).toBe(404)

    const signedOut = await call(myPdfLoader as never, getRequest(path), { number: certificate.number })
    expect(signedOut.status).toBe(302)
    expect(signedOut.headers.get('Location')).toBe(`/login?${new URLSearchParams({ redirectTo: path })}`)
  })
  test('/me lists a staff member’s current certificates only, and nobody else’s', async () => {
    const moderator = await signedInAs('moderator')
    const webinar = await publishedWebinar({ moderatorUserId: moderator.id })
    expect(await finishWebinar(db, webinar.id, afterEnd(1))).toEqual({ ok: true })
    const certificate = await db.selectFrom('certificates').select(['id', 'number']).where('webinar_id', '=', webinar.id).where('role', '=', 'moderator').executeTakeFirstOrThrow()
    const listed = async (cookie: string) => {
      const response = await call(meLoader as never, getRequest('/me', { cookie }))
      expect(response.status).toBe(200)
      return ((await response.json()) as { certificates: Array<{ number: string; role: string; topic: string; startAt: string }> }).certificates
    }
    expect(await listed(moderator.cookie)).toEqual([{ number: certificate.number, role: 'moderator', topic: expect.any(String), startAt: START, zone: 'WIB' }])
    const other = await signedInAs('speaker')
    await createPersonFor('Narasumber Tanpa Sertifikat', { userId: other.id })
    expect(await listed(other.cookie)).toEqual([])

    // Reissued, only the new number is listed; revoked, none.
    const reissued = await reissueCertificate(db, webinar.id, certificate.id, 'Moderator Berakun, M.Si.')
    if (!reissued.ok) throw new Error(reissued.reason)
    expect((await listed(moderator.cookie)).map((c) => c.number)).toEqual([reissued.number])
    expect((await call(myPdfLoader as never, getRequest(`/me/certificates/${certificate.number}.pdf`, { cookie: moderator.cookie }), { number: certificate.number })).status).toBe(404)
    const fresh = await db.selectFrom('certificates').select('id').where('number', '=', reissued.number!).executeTakeFirstOrThrow()
    await revokeCertificate(db, webinar.id, fresh.id, webinar.organiser.id, 'Dicabut')
    expect(await listed(moderator.cookie)).toEqual([])
    expect((await call(myPdfLoader as never, getRequest(`/me/certificates/${reissued.number}.pdf`, { cookie: moderator.cookie }), { number: reissued.number! })).status).toBe(404)
  })
})

// --- The organiser's page --------------------------------------------------------------------

describe('the organiser’s certificates page', () => {
  const page = (slug: string) => `/admin/webinars/${slug}/certificates`

  function submit(slug: string, cookie: string, fields: Record<string, string>) {
    return call(organiserAction as never, postRequest(page(slug), fields, { cookie }), { slug })
  }

  async function certificateRow(id: string) {
    return db.selectFrom('certificates').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  }

  test('the list is searched by name (any case) or by number (typed any way), a page at a time', async () => {
    const { webinar, certificate } = await finalisedWebinar('Indah Permata Sari')
    type ListData = { list: { rows: Array<{ id: string; name: string }>; total: number; pages: number } }
    const list = async (query: string) => {
      const response = await call(organiserLoader as never, getRequest(`${page(webinar.slug)}?${query}`, { cookie: webinar.organiser.cookie }), { slug: webinar.slug })
      expect(response.status).toBe(200)
      return ((await response.json()) as ListData).list
    }
    expect(await list('q=permata')).toMatchObject({ total: 1, rows: [{ id: certificate.id }] })
    expect(await list(`q=${encodeURIComponent(certificate.number.replaceAll('-', ' ').toLowerCase())}`)).toMatchObject({ total: 1, rows: [{ id: certificate.id }] })
    expect(await list('q=%25')).toMatchObject({ total: 0, rows: [] })
    expect((await list('q=')).total).toBe(3)
    // 12,000 participants: pages of 100, never one list.
    await db.insertInto('certificates').values(
      Array.from({ length: 230 }, (_, i) => ({
        id: `bulk-${webinar.id}-${i}`,
        number: `BULK-${String(i).padStart(4, '0')}-${webinar.id.slice(-8)}`,
        webinar_id: webinar.id,
        registration_id: null,
        webinar_role_id: null,
        person_id: null,
        holder_key: `bulk:${i}`,
        role: 'peserta' as const,
        name: `Peserta Massal ${i}`,
        issued_at: afterEnd(11),
        revoked_at: null,
        revoked_by: null,
        revoked_reason: null,
        replaces_id: null,
        replaced_by_id: null,
      })),
    ).execute()
    expect(await list('q=massal')).toMatchObject({ total: 230, pages: 3 })
    expect((await list('q=massal')).rows).toHaveLength(100)
    expect((await list('q=massal&page=3')).rows).toHaveLength(30)
  })

  test('an organiser sees the webinar’s certificates; a moderator or speaker is refused', async () => {
    const { webinar, certificate } = await finalisedWebinar('Indah Sari')
    const response = await call(organiserLoader as never, getRequest(page(webinar.slug), { cookie: webinar.organiser.cookie }), { slug: webinar.slug })
    expect(response.status).toBe(200)
    const data = (await response.json()) as { list: { rows: Array<{ id: string; number: string; name: string; role: string }>; total: number } }
    // The participant plus the moderator and the speaker, issued when finalising finished the webinar.
    expect(data.list.total).toBe(3)
    expect(data.list.rows.map((r) => r.role).sort()).toEqual(['moderator', 'narasumber', 'peserta'])
    expect(data.list.rows).toContainEqual(expect.objectContaining({ id: certificate.id, number: certificate.number, name: 'Indah Sari' }))

    for (const role of ['moderator', 'speaker'] as const) {
      const staff = await signedInAs(role)
      const refused = await call(organiserLoader as never, getRequest(page(webinar.slug), { cookie: staff.cookie }), { slug: webinar.slug })
      expect(refused.status, role).toBe(403)
      const posted = await submit(webinar.slug, staff.cookie, { intent: 'revoke', certificateId: certificate.id, reason: 'Coba-coba' })
      expect(posted.status, role).toBe(403)
    }
    expect(await certificateRow(certificate.id)).toEqual(certificate)

    const unknown = await call(organiserLoader as never, getRequest(page('tidak-ada'), { cookie: webinar.organiser.cookie }), { slug: 'tidak-ada' })
    expect(unknown.status).toBe(404)
  })

  test('revoking without a reason is a 400 beside the reason field and changes nothing', async () => {
    const { webinar, certificate } = await finalisedWebinar()
    const response = await submit(webinar.slug, webinar.organiser.cookie, { intent: 'revoke', certificateId: certificate.id, reason: '   ' })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { certificateId: string; intent: string; errors: Record<string, string[]> }
    expect(body).toMatchObject({ certificateId: certificate.id, intent: 'revoke' })
    expect(body.errors).toEqual({ reason: ['form.required'] })
    expect(await certificateRow(certificate.id)).toEqual(certificate)
  })

  test('revoking with a reason redirects (303); revoking again is refused', async () => {
    const { webinar, holder, certificate } = await finalisedWebinar()
    const response = await submit(webinar.slug, webinar.organiser.cookie, { intent: 'revoke', certificateId: certificate.id, reason: 'Kehadiran dipalsukan' })
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`${page(webinar.slug)}?done=revoked`)
    expect(await certificateRow(certificate.id)).toMatchObject({ revoked_by: webinar.organiser.id, revoked_reason: 'Kehadiran dipalsukan' })
    expect((await residentPdf(holder.token)).status).toBe(404)

    const again = await submit(webinar.slug, webinar.organiser.cookie, { intent: 'revoke', certificateId: certificate.id, reason: 'Sekali lagi' })
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ errors: { '': ['certificates.alreadyRevoked'] } })
  })

  test('reissuing with an empty name is a 400 beside the name field and changes nothing', async () => {
    const { webinar, certificate } = await finalisedWebinar()
    const count = await db.selectFrom('certificates').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    const response = await submit(webinar.slug, webinar.organiser.cookie, { intent: 'reissue', certificateId: certificate.id, name: '' })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { errors: Record<string, string[]>; intent: string }
    expect(body.intent).toBe('reissue')
    expect(body.errors).toEqual({ name: ['form.required'] })
    expect(await certificateRow(certificate.id)).toEqual(certificate)
    expect(await db.selectFrom('certificates').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual(count)
  })

  test('reissuing with a name the certificate cannot print is a 400 naming the characters, and changes nothing', async () => {
    const { webinar, certificate } = await finalisedWebinar()
    const count = await db.selectFrom('certificates').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    const cases: Array<[string, string]> = [
      ['Joko 😀', message('form.nameUnprintable', { chars: '😀' })],
      ['\u200b\u200d', 'form.nameNeedsLetter'],
      ['Joko\u0000Susilo', 'form.badCharacters'],
      ['Joko\u0001Susilo', 'form.badCharacters'],
    ]
    for (const [name, error] of cases) {
      const response = await submit(webinar.slug, webinar.organiser.cookie, { intent: 'reissue', certificateId: certificate.id, name })
      expect(response.status, name).toBe(400)
      expect(((await response.json()) as { errors: Record<string, string[]> }).errors, name).toEqual({ name: [error] })
    }
    expect(await certificateRow(certificate.id)).toEqual(certificate)
    expect(await db.selectFrom('certificates').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual(count)
  })

  test('reissuing with a name in Arabic script and Han is accepted, and the PDF prints it', async () => {
    const { webinar, holder, certificate } = await finalisedWebinar()
    const name = 'Siti 陳美玲 محمد'
    const response = await submit(webinar.slug, webinar.organiser.cookie, { intent: 'reissue', certificateId: certificate.id, name })
    expect(response.status).toBe(303)
    const number = new URL(response.headers.get('Location')!, 'http://localhost').searchParams.get('number')!
    expect(await db.selectFrom('certificates').select('name').where('number', '=', number).executeTakeFirstOrThrow()).toEqual({ name })
    const pdf = await expectPdf(await residentPdf(holder.token))
    for (const word of name.split(' ')) expect(pdf.text).toContain(word)
  })

  test('reissuing with a corrected name redirects (303) with the new number and mails the holder', async () => {
    const { webinar, holder, certificate } = await finalisedWebinar('Joko Susilo')
    const mailsBefore = await readyMails(holder.email)
    expect(mailsBefore).toHaveLength(1)

    const response = await submit(webinar.slug, webinar.organiser.cookie, { intent: 'reissue', certificateId: certificate.id, name: '  Joko Susilo, M.Pd.  ' })
    expect(response.status).toBe(303)
    const location = new URL(response.headers.get('Location')!, 'http://localhost')
    expect(location.pathname).toBe(page(webinar.slug))
    expect(location.searchParams.get('done')).toBe('reissued')
    const number = location.searchParams.get('number')!
    expect(number).toMatch(NUMBER_FORMAT)
    expect(number).not.toBe(certificate.number)

    const fresh = await db.selectFrom('certificates').selectAll().where('number', '=', number).executeTakeFirstOrThrow()
    expect(fresh).toMatchObject({ name: 'Joko Susilo, M.Pd.', registration_id: holder.id, replaces_id: certificate.id })
    expect(await certificateRow(certificate.id)).toMatchObject({ replaced_by_id: fresh.id })

    const mailsAfter = await readyMails(holder.email)
    expect(mailsAfter).toHaveLength(2)
    expect(mailsAfter.map((m) => JSON.parse(m.payload).certificateUrl)).toEqual([`${getEnv().APP_URL}/r/${holder.token}`, `${getEnv().APP_URL}/r/${holder.token}`])

    // The old one cannot be changed any more.
    const stale = await submit(webinar.slug, webinar.organiser.cookie, { intent: 'reissue', certificateId: certificate.id, name: 'Nama Lain' })
    expect(stale.status).toBe(409)
    expect(await stale.json()).toMatchObject({ errors: { '': ['certificates.notCurrent'] } })
  })

  test('reissuing the certificate of a holder who erased their data is not offered, and is refused (409) beside it: no name is written', async () => {
    const { webinar, holder, certificate } = await finalisedWebinar('Lina Marlina')
    expect(await eraseRegistrationByToken(db, holder.token, afterEnd(30))).toEqual({ slug: webinar.slug })
    // The page marks it, so it shows the reason instead of the reissue form; staff certificates stay reissuable.
    const listed = await call(organiserLoader as never, getRequest(page(webinar.slug), { cookie: webinar.organiser.cookie }), { slug: webinar.slug })
    const rows = ((await listed.json()) as { list: { rows: Array<{ id: string; role: string; holder_erased_at: string | null }> } }).list.rows
    expect(rows.map((r) => [r.role, r.holder_erased_at !== null]).sort()).toEqual([
      ['moderator', false],
      ['narasumber', false],
      ['peserta', true],
    ])
    const response = await submit(webinar.slug, webinar.organiser.cookie, { intent: 'reissue', certificateId: certificate.id, name: 'Lina Marlina, S.E.' })
    expect(response.status).toBe(409)
    expect(await response.json()).toEqual({ certificateId: certificate.id, intent: 'reissue', errors: { '': ['certificates.erased'] } })
    expect(await certificateRow(certificate.id)).toMatchObject({ name: null, replaced_by_id: null })
    expect(await db.selectFrom('certificates').select('id').where('registration_id', '=', holder.id).execute()).toHaveLength(1)
  })

  test('a certificate of another webinar cannot be changed through this webinar’s page', async () => {
    const { certificate } = await finalisedWebinar()
    const other = await publishedWebinar()
    const response = await submit(other.slug, other.organiser.cookie, { intent: 'revoke', certificateId: certificate.id, reason: 'Salah webinar' })
    expect(response.status).toBe(404)
    expect(await certificateRow(certificate.id)).toEqual(certificate)
  })
})

// --- The personal page -----------------------------------------------------------------------

describe('the certificate section of the personal page', () => {
  async function sectionOf(token: string) {
    const response = await call(personalLoader as never, getRequest(`/r/${token}`), { token })
    expect(response.status).toBe(200)
    return ((await response.json()) as { certificate: { kind: string } | null }).certificate?.kind ?? null
  }

  test('pending before finalising, ready after, absent for someone not present, revoked after revocation', async () => {
    const webinar = await publishedWebinar()
    const present = await register(webinar.id)
    const absent = await register(webinar.id)
    await setZoomMinutes(present.id, 150)
    // Not over yet: no certificate section at all.
    expect(await sectionOf(present.token)).toBeNull()

    expect(await finishWebinar(db, webinar.id, afterEnd(1))).toEqual({ ok: true })
    expect(await sectionOf(present.token)).toBe('pending')
    expect(await sectionOf(absent.token)).toBe('pending')

    await finaliseAttendance(db, webinar.id, webinar.organiser.id, afterEnd(10))
    expect(await sectionOf(present.token)).toBe('ready')
    expect(await sectionOf(absent.token)).toBe('absent')

    const certificate = await db.selectFrom('certificates').select('id').where('registration_id', '=', present.id).executeTakeFirstOrThrow()
    await revokeCertificate(db, webinar.id, certificate.id, webinar.organiser.id, 'Dicabut')
    expect(await sectionOf(present.token)).toBe('revoked')

    // Reissued, it is ready again.
    await reissueCertificate(db, webinar.id, certificate.id, 'Nama Benar')
    expect(await sectionOf(present.token)).toBe('ready')
  })
})
