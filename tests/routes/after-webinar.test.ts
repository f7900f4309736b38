// After the webinar, over the routes: the residents' evaluation, the certificate gate, the
// speakers' slides (upload, refusals, downloads and who may make them), the organiser's settings,
// the report's evaluation section and its CSV, and who may see them.
import fs from 'node:fs'
import path from 'node:path'
import { finaliseAttendance } from '#app/models/attendance.server'
import { getBriefMaterial } from '#app/models/material.server'
import { action as settingsAction, loader as settingsLoader } from '#app/routes/admin.webinars.$slug.after'
import { loader as reportLoader } from '#app/routes/attendance.$slug.report'
import { loader as evaluationsCsvLoader } from '#app/routes/attendance.$slug.evaluations[.]csv'
import { loader as staffMaterialLoader } from '#app/routes/attendance.$slug.materials.$id[.]pdf'
import { loader as briefLoader } from '#app/routes/brief.$token._index'
import { loader as briefCertificateLoader } from '#app/routes/brief.$token.certificate[.]pdf'
import { action as slidesAction } from '#app/routes/brief.$token.slides'
import { loader as ownSlidesLoader } from '#app/routes/brief.$token.slides[.]pdf'
import { loader as personalLoader } from '#app/routes/r.$token._index'
import { loader as certificateLoader } from '#app/routes/r.$token.certificate[.]pdf'
import { action as evaluationAction, loader as evaluationLoader } from '#app/routes/r.$token.evaluation'
import { loader as residentMaterialLoader } from '#app/routes/r.$token.materials.$id[.]pdf'
import { loader as publicLoader } from '#app/routes/webinars.$slug._index'
import { cancelRegistration } from '#app/models/registration.server'
import { finishWebinar } from '#app/models/webinar.server'
import { getDb } from '#app/utils/db.server'
import { message } from '#app/utils/messages'
import { RESIDENT_LIMITS } from '#app/utils/resident-limits.server'
import { uploadRoot } from '#app/utils/uploads.server'
import { setZoomMinutes } from '#tests/setup/attendance'
import { BASE_URL, call, confirmRoles, getRequest, moderatorOf, postRequest, publishedWebinar, register, signedInAs } from '#tests/setup/factories'

const db = getDb()

/** A webinar that has ended (1 September 2021), with a seat holder. */
async function endedWebinar() {
  const webinar = await publishedWebinar({ date: '2021-09-01' })
  const resident = await register(webinar.id, {}, '2021-08-01T00:00:00.000Z')
  return { webinar, resident }
}

async function roleIds(webinarId: string) {
  return db.selectFrom('webinar_roles').select(['id', 'role', 'brief_token']).where('webinar_id', '=', webinarId).orderBy('position').execute()
}

/** Every rating of the evaluation form filled with `rating`. */
async function fullEvaluation(webinarId: string, rating = '4', comment = '') {
  const roles = await roleIds(webinarId)
  const fields: Record<string, string> = { content: rating, platform: rating, moderator: rating, comment }
  for (const r of roles) if (r.role === 'speaker') fields[`speaker-${r.id}`] = rating
  return fields
}

function evaluate(token: string, fields: Record<string, string>) {
  return call(evaluationAction as never, postRequest(`/r/${token}/evaluation`, fields), { token })
}

async function json<T = any>(response: Response): Promise<T> {
  return (await response.json()) as T
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')

/** A brief link of the webinar's speaker (the factory makes one), made the way the mail makes it. */
async function speakerToken(webinarId: string): Promise<string> {
  const { listAssignedRecipients } = await import('#app/models/mail-recipients.server')
  const speaker = (await listAssignedRecipients(db, webinarId)).find((r) => r.role === 'speaker')!
  return speaker.brief_token
}

function uploadRequest(token: string, file: { bytes: Uint8Array; name: string; type?: string } | null) {
  const form = new FormData()
  if (file) form.append('slides', new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'application/pdf' }), file.name)
  else form.append('slides', new Blob([]), '')
  return new Request(new URL(`/brief/${token}/slides`, BASE_URL), { method: 'POST', body: form })
}

function upload(token: string, file: { bytes: Uint8Array; name: string; type?: string } | null) {
  return call(slidesAction as never, uploadRequest(token, file), { token })
}

/** Every file under the upload folder, temporary ones included. */
function filesOnDisk(): string[] {
  const root = uploadRoot()
  if (!fs.existsSync(root)) return []
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(root, f)).isFile())
}

describe('the evaluation', () => {
  test('is not open before the webinar ends: the page says so and a post is refused (409), nothing saved', async () => {
    const webinar = await publishedWebinar()
    const resident = await register(webinar.id)
    const page = await json(await call(evaluationLoader as never, getRequest(`/r/${resident.token}/evaluation`), { token: resident.token }))
    expect(page.form.open).toBe(false)
    const response = await evaluate(resident.token, await fullEvaluation(webinar.id))
    expect(response.status).toBe(409)
    expect(await db.selectFrom('evaluations').select('id').where('webinar_id', '=', webinar.id).execute()).toEqual([])
  })

  test('a missing or out-of-range rating is named beside its field (400) and nothing is saved; what was chosen comes back', async () => {
    const { webinar, resident } = await endedWebinar()
    const fields = await fullEvaluation(webinar.id)
    const speaker = Object.keys(fields).find((k) => k.startsWith('speaker-'))!
    const response = await evaluate(resident.token, { ...fields, content: '', platform: '6', [speaker]: '4', comment: 'Bagus' })
    expect(response.status).toBe(400)
    const body = await json(response)
    expect(body.errors.content).toEqual(['evaluation.ratingRequired'])
    expect(body.errors.platform).toEqual(['evaluation.ratingRequired'])
    expect(body.errors[speaker]).toBeUndefined()
    expect(body.values.comment).toBe('Bagus')
    expect(await db.selectFrom('evaluations').select('id').where('webinar_id', '=', webinar.id).execute()).toEqual([])
  })

  test('is saved once per registration: the second post is refused (409) and the first stays as it was', async () => {
    const { webinar, resident } = await endedWebinar()
    const first = await evaluate(resident.token, await fullEvaluation(webinar.id, '5', 'Materinya sangat bermanfaat.'))
    expect(first.status).toBe(303)
    expect(first.headers.get('Location')).toBe(`/r/${resident.token}?done=evaluated`)
    const second = await evaluate(resident.token, await fullEvaluation(webinar.id, '1', 'Berubah pikiran'))
    expect(second.status).toBe(409)
    expect((await json(second)).errors['']).toEqual(['evaluation.already'])
    const rows = await db.selectFrom('evaluations').select(['id', 'comment', 'registration_id']).where('webinar_id', '=', webinar.id).execute()
    expect(rows).toEqual([expect.objectContaining({ comment: 'Materinya sangat bermanfaat.', registration_id: resident.id })])
    const ratings = await db.selectFrom('evaluation_ratings').select(['item', 'rating']).where('evaluation_id', '=', rows[0]!.id).execute()
    // content, one speaker, the moderator, the platform
    expect(ratings).toHaveLength(4)
    expect(ratings.every((r) => r.rating === 5)).toBe(true)
    const page = await json(await call(evaluationLoader as never, getRequest(`/r/${resident.token}/evaluation`), { token: resident.token }))
    expect(page.form.submittedAt).not.toBeNull()
  })

  test(`after ${RESIDENT_LIMITS.evaluationPerRegistration.limit} posts from one link, the evaluation is refused (429, Retry-After) at the top of the form with the ratings kept, and nothing is saved`, async () => {
    const { webinar, resident } = await endedWebinar()
    const neighbour = await register(webinar.id, {}, '2021-08-01T00:00:00.000Z')
    const { limit, windowMs } = RESIDENT_LIMITS.evaluationPerRegistration
    const fields = await fullEvaluation(webinar.id, '5', 'Bagus')
    // Sent again and again with a rating missing: each post counts.
    for (let i = 0; i < limit; i++) expect((await evaluate(resident.token, { ...fields, content: '' })).status).toBe(400)
    const refused = await evaluate(resident.token, fields)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('Cache-Control')).toBe('private, no-store')
    const retryAfter = Number(refused.headers.get('Retry-After'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(windowMs / 1000)
    const body = await json(refused)
    expect(body.errors).toEqual({ '': [message('evaluation.tooMany', { minutes: Math.ceil(retryAfter / 60) })] })
    expect(body.values).toMatchObject({ content: '5', comment: 'Bagus' })
    expect(await db.selectFrom('evaluations').select('id').where('registration_id', '=', resident.id).execute()).toEqual([])
    // Another resident behind the same address evaluates as usual.
    expect((await evaluate(neighbour.token, fields)).status).toBe(303)
  })

  test('the organiser\'s own questions are asked and required too', async () => {
    const { webinar, resident } = await endedWebinar()
    const organiser = webinar.organiser
    const saved = await call(settingsAction as never, postRequest(`/admin/webinars/${webinar.slug}/after`, { thankYouDelayHours: '1', question1: 'Apakah Anda akan merekomendasikan webinar ini?' }, { cookie: organiser.cookie }), { slug: webinar.slug })
    expect(saved.status).toBe(303)
    const page = await json(await call(evaluationLoader as never, getRequest(`/r/${resident.token}/evaluation`), { token: resident.token }))
    expect(page.form.questions).toEqual([{ field: expect.stringMatching(/^own-/), text: 'Apakah Anda akan merekomendasikan webinar ini?' }])
    const field = page.form.questions[0].field as string
    const without = await evaluate(resident.token, await fullEvaluation(webinar.id))
    expect(without.status).toBe(400)
    expect((await json(without)).errors[field]).toEqual(['evaluation.ratingRequired'])
    expect((await evaluate(resident.token, { ...(await fullEvaluation(webinar.id)), [field]: '3' })).status).toBe(303)
  })

  test('the waitlist, a cancelled registration and an unknown link cannot evaluate', async () => {
    const { webinar } = await endedWebinar()
    const cancelled = await register(webinar.id, {}, '2021-08-01T00:00:00.000Z')
    await cancelRegistration(db, cancelled.token, '2021-08-02T00:00:00.000Z')
    expect((await evaluate(cancelled.token, await fullEvaluation(webinar.id))).status).toBe(409)
    const unknown = 'a'.repeat(43)
    expect((await evaluate(unknown, await fullEvaluation(webinar.id))).status).toBe(404)
    expect((await call(evaluationLoader as never, getRequest(`/r/${unknown}/evaluation`), { token: unknown })).status).toBe(404)
  })
})

describe('the certificate gate', () => {
  async function finalisedPresent(gate: boolean) {
    const { webinar, resident } = await endedWebinar()
    if (gate) await db.updateTable('webinars').set({ certificate_gate: 1 }).where('id', '=', webinar.id).execute()
    await setZoomMinutes(resident.id, 170)
    expect(await finaliseAttendance(db, webinar.id, webinar.organiser.id)).toMatchObject({ ok: true, present: 1 })
    return { webinar, resident }
  }

  const pdf = (token: string) => call(certificateLoader as never, getRequest(`/r/${token}/certificate.pdf`), { token })
  const personal = async (token: string) => json(await call(personalLoader as never, getRequest(`/r/${token}`), { token }))

  test('off (the default): the present resident downloads the certificate without an evaluation', async () => {
    const { resident } = await finalisedPresent(false)
    const response = await pdf(resident.token)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('application/pdf')
    expect((await personal(resident.token)).after.pendingCertificateSteps).toEqual([])
  })

  test('on: the certificate waits for the evaluation; the mail and the personal page say what is left; then it downloads', async () => {
    const { webinar, resident } = await finalisedPresent(true)
    const held = await pdf(resident.token)
    expect(held.status).toBe(303)
    expect(held.headers.get('Location')).toBe(`/r/${resident.token}`)
    const page = await personal(resident.token)
    expect(page.certificate).toEqual({ kind: 'gated', steps: ['evaluation'] })
    expect(page.after.pendingCertificateSteps).toEqual(['evaluation'])
    const mail = await db.selectFrom('outbox').select('payload').where('kind', '=', 'certificate_ready').where('recipient_email', '=', resident.email).executeTakeFirstOrThrow()
    expect(JSON.parse(mail.payload)).toMatchObject({ pending: ['evaluation'] })

    expect((await evaluate(resident.token, await fullEvaluation(webinar.id))).status).toBe(303)
    expect((await personal(resident.token)).certificate).toEqual({ kind: 'ready' })
    const released = await pdf(resident.token)
    expect(released.status).toBe(200)
    expect(released.headers.get('Content-Type')).toBe('application/pdf')
  })

  test('on: a resident who evaluated before finalising gets a plain "ready" mail', async () => {
    const { webinar, resident } = await endedWebinar()
    await db.updateTable('webinars').set({ certificate_gate: 1 }).where('id', '=', webinar.id).execute()
    expect((await evaluate(resident.token, await fullEvaluation(webinar.id))).status).toBe(303)
    await setZoomMinutes(resident.id, 170)
    await finaliseAttendance(db, webinar.id, webinar.organiser.id)
    const mail = await db.selectFrom('outbox').select('payload').where('kind', '=', 'certificate_ready').where('recipient_email', '=', resident.email).executeTakeFirstOrThrow()
    expect(JSON.parse(mail.payload).pending).toBeUndefined()
    expect((await pdf(resident.token)).status).toBe(200)
  })

  test('on, with a post-test: the certificate waits for the post-test and the evaluation, both listed, then downloads', async () => {
    const { webinar, resident } = await endedWebinar()
    await db.insertInto('webinar_tests').values({ webinar_id: webinar.id, pre_enabled: 0, post_enabled: 1, updated_by: null, updated_at: '2021-08-01T00:00:00.000Z', frozen_at: null }).execute()
    await db.updateTable('webinars').set({ certificate_gate: 1 }).where('id', '=', webinar.id).execute()
    await setZoomMinutes(resident.id, 170)
    await finaliseAttendance(db, webinar.id, webinar.organiser.id)
    const mail = await db.selectFrom('outbox').select('payload').where('kind', '=', 'certificate_ready').where('recipient_email', '=', resident.email).executeTakeFirstOrThrow()
    expect(JSON.parse(mail.payload)).toMatchObject({ pending: ['postTest', 'evaluation'] })
    expect((await personal(resident.token)).certificate).toEqual({ kind: 'gated', steps: ['postTest', 'evaluation'] })

    await evaluate(resident.token, await fullEvaluation(webinar.id))
    expect((await personal(resident.token)).certificate).toEqual({ kind: 'gated', steps: ['postTest'] })
    expect((await pdf(resident.token)).status).toBe(303)
    // The post-test as w15a's attempts record it: finished.
    await db
      .insertInto('test_attempts')
      .values({ id: 'attempt-' + resident.id, webinar_id: webinar.id, registration_id: resident.id, kind: 'post', question_order: '[]', started_at: '2021-09-01T06:00:00.000Z', finished_at: '2021-09-01T06:10:00.000Z', total: 0, correct: 0 })
      .execute()
    expect((await personal(resident.token)).certificate).toEqual({ kind: 'ready' })
    expect((await pdf(resident.token)).status).toBe(200)
  })

  test('staff certificates are not gated', async () => {
    const { webinar } = await endedWebinar()
    await db.updateTable('webinars').set({ certificate_gate: 1 }).where('id', '=', webinar.id).execute()
    await confirmRoles(webinar.id)
    await finishWebinar(db, webinar.id)
    const token = await speakerToken(webinar.id)
    const response = await call(briefCertificateLoader as never, getRequest(`/brief/${token}/certificate.pdf`), { token })
    expect(response.status).toBe(200)
  })
})

describe('slides', () => {
  test('a PDF uploaded from the brief link is kept, and the speaker downloads it back', async () => {
    const { webinar } = await endedWebinar()
    const token = await speakerToken(webinar.id)
    const response = await upload(token, { bytes: PDF, name: 'Materi Aman Digital.pdf' })
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/brief/${token}?slides=uploaded#slides-title`)
    const brief = await json(await call(briefLoader as never, getRequest(`/brief/${token}`), { token }))
    expect(brief.slides.material).toMatchObject({ file_name: 'Materi Aman Digital.pdf', bytes: PDF.length })
    const own = await call(ownSlidesLoader as never, getRequest(`/brief/${token}/slides.pdf`), { token })
    expect(own.status).toBe(200)
    expect(Buffer.from(await own.arrayBuffer())).toEqual(PDF)
    expect(own.headers.get('Content-Disposition')).toContain("filename*=UTF-8''Materi%20Aman%20Digital.pdf")
  })

  test('a file that is not a PDF (whatever its name) is refused beside the field, and nothing is kept', async () => {
    const { webinar } = await endedWebinar()
    const token = await speakerToken(webinar.id)
    const before = filesOnDisk()
    const response = await upload(token, { bytes: Buffer.from('PK\u0003\u0004 a pptx in disguise'), name: 'slides.pdf' })
    expect(response.status).toBe(400)
    expect((await json(response)).errors).toEqual(['slides.error.notPdf'])
    expect(await db.selectFrom('materials').select('id').where('webinar_id', '=', webinar.id).execute()).toEqual([])
    expect(filesOnDisk()).toEqual(before)
  })

  test('a file over 20 MB is refused (413) beside the field, and no partial file is left', async () => {
    const { webinar } = await endedWebinar()
    const token = await speakerToken(webinar.id)
    const before = filesOnDisk()
    const big = Buffer.alloc(20 * 1024 * 1024 + 1, 0x20)
    PDF.copy(big)
    const response = await upload(token, { bytes: big, name: 'besar.pdf' })
    expect(response.status).toBe(413)
    expect((await json(response)).errors).toEqual(['slides.error.tooLarge?mb=20'])
    expect(await db.selectFrom('materials').select('id').where('webinar_id', '=', webinar.id).execute()).toEqual([])
    expect(filesOnDisk()).toEqual(before)
  })

  test('no file chosen, or an empty one, is named beside the field', async () => {
    const { webinar } = await endedWebinar()
    const token = await speakerToken(webinar.id)
    expect((await json(await upload(token, null))).errors).toEqual(['slides.error.required'])
    expect((await json(await upload(token, { bytes: new Uint8Array(0), name: 'kosong.pdf' }))).errors).toEqual(['slides.error.empty'])
  })

  test('a new upload replaces the old file on disk', async () => {
    const { webinar } = await endedWebinar()
    const token = await speakerToken(webinar.id)
    await upload(token, { bytes: PDF, name: 'v1.pdf' })
    const first = filesOnDisk().filter((f) => f.startsWith('materials'))
    await upload(token, { bytes: Buffer.concat([PDF, Buffer.from('% v2\n')]), name: 'v2.pdf' })
    const second = filesOnDisk().filter((f) => f.startsWith('materials'))
    const rows = await db.selectFrom('materials').select(['id', 'file_name']).where('webinar_id', '=', webinar.id).execute()
    expect(rows).toEqual([expect.objectContaining({ file_name: 'v2.pdf' })])
    expect(second.filter((f) => f.includes(webinar.id))).toEqual([path.join('materials', webinar.id, `${rows[0]!.id}.pdf`)])
    expect(first.filter((f) => f.includes(webinar.id))).not.toEqual(second.filter((f) => f.includes(webinar.id)))
  })

  test('the moderator\'s brief link has no upload, and an unknown brief link is a 404', async () => {
    const { webinar } = await endedWebinar()
    const moderator = (await roleIds(webinar.id)).find((r) => r.role === 'moderator')!
    await speakerToken(webinar.id) // makes everyone's brief link
    const modToken = (await roleIds(webinar.id)).find((r) => r.id === moderator.id)!.brief_token!
    expect((await getBriefMaterial(db, modToken))!.canUpload).toBe(false)
    expect((await upload(modToken, { bytes: PDF, name: 'x.pdf' })).status).toBe(403)
    expect((await upload('tidak-ada', { bytes: PDF, name: 'x.pdf' })).status).toBe(404)
    expect(filesOnDisk().filter((f) => f.includes(webinar.id))).toEqual([])
  })

  test('downloads check who asks: a seat holder after the end; not a stranger, another webinar\'s resident, the waitlist or before the end', async () => {
    const { webinar, resident } = await endedWebinar()
    const token = await speakerToken(webinar.id)
    await upload(token, { bytes: PDF, name: 'materi.pdf' })
    const material = await db.selectFrom('materials').select('id').where('webinar_id', '=', webinar.id).executeTakeFirstOrThrow()
    const download = (t: string) => call(residentMaterialLoader as never, getRequest(`/r/${t}/materials/${material.id}.pdf`), { token: t, id: material.id })

    const ok = await download(resident.token)
    expect(ok.status).toBe(200)
    expect(Buffer.from(await ok.arrayBuffer())).toEqual(PDF)
    const page = await json(await call(personalLoader as never, getRequest(`/r/${resident.token}`), { token: resident.token }))
    expect(page.after.materials).toEqual([expect.objectContaining({ id: material.id, fileName: 'materi.pdf' })])

    expect((await download('b'.repeat(43))).status).toBe(404)
    const other = await endedWebinar()
    expect((await download(other.resident.token)).status).toBe(404)
    const cancelled = await register(webinar.id, {}, '2021-08-01T00:00:00.000Z')
    await cancelRegistration(db, cancelled.token, '2021-08-02T00:00:00.000Z')
    expect((await download(cancelled.token)).status).toBe(404)

    // The same file asked for through a webinar that has not ended yet.
    const future = await publishedWebinar()
    const early = await register(future.id)
    await db.updateTable('materials').set({ webinar_id: future.id }).where('id', '=', material.id).execute()
    expect((await download(early.token)).status).toBe(404)
  })

  test('staff downloads: the organiser and the webinar\'s moderator; another webinar\'s moderator gets 404, a speaker 403', async () => {
    const { webinar } = await endedWebinar()
    const moderator = await moderatorOf(webinar.id)
    const token = await speakerToken(webinar.id)
    await upload(token, { bytes: PDF, name: 'materi.pdf' })
    const material = await db.selectFrom('materials').select('id').where('webinar_id', '=', webinar.id).executeTakeFirstOrThrow()
    const download = (cookie: string) => call(staffMaterialLoader as never, getRequest(`/attendance/${webinar.slug}/materials/${material.id}.pdf`, { cookie }), { slug: webinar.slug, id: material.id })
    expect((await download(webinar.organiser.cookie)).status).toBe(200)
    expect((await download(moderator.cookie)).status).toBe(200)
    const stranger = await moderatorOf((await endedWebinar()).webinar.id)
    expect((await download(stranger.cookie)).status).toBe(404)
    expect((await download((await signedInAs('speaker')).cookie)).status).toBe(403)
  })
})

describe('the organiser\'s settings and the recording', () => {
  test('a recording marked public shows on the public page once the webinar has ended; residents see it on their page', async () => {
    const { webinar, resident } = await endedWebinar()
    const response = await call(
      settingsAction as never,
      postRequest(`/admin/webinars/${webinar.slug}/after`, { recordingUrl: 'https://www.youtube.com/watch?v=abc123', recordingPublic: 'on', thankYouDelayHours: '2' }, { cookie: webinar.organiser.cookie }),
      { slug: webinar.slug },
    )
    expect(response.status).toBe(303)
    const pub = await json(await call(publicLoader as never, getRequest(`/webinars/${webinar.slug}`), { slug: webinar.slug }))
    expect(pub.recordingUrl).toBe('https://www.youtube.com/watch?v=abc123')
    const page = await json(await call(personalLoader as never, getRequest(`/r/${resident.token}`), { token: resident.token }))
    expect(page.after.recordingUrl).toBe('https://www.youtube.com/watch?v=abc123')
    expect((await db.selectFrom('webinars').select('thank_you_delay_minutes').where('id', '=', webinar.id).executeTakeFirstOrThrow()).thank_you_delay_minutes).toBe(120)

    await call(settingsAction as never, postRequest(`/admin/webinars/${webinar.slug}/after`, { recordingUrl: 'https://www.youtube.com/watch?v=abc123', thankYouDelayHours: '2' }, { cookie: webinar.organiser.cookie }), { slug: webinar.slug })
    const hidden = await json(await call(publicLoader as never, getRequest(`/webinars/${webinar.slug}`), { slug: webinar.slug }))
    expect(hidden.recordingUrl).toBeNull()
  })

  test('a bad recording link or delay is named beside its field (400) and nothing changes', async () => {
    const { webinar } = await endedWebinar()
    const response = await call(
      settingsAction as never,
      postRequest(`/admin/webinars/${webinar.slug}/after`, { recordingUrl: 'javascript:alert(1)', thankYouDelayHours: '999', certificateGate: 'on' }, { cookie: webinar.organiser.cookie }),
      { slug: webinar.slug },
    )
    expect(response.status).toBe(400)
    const body = await json(response)
    expect(body.errors.recordingUrl).toBeDefined()
    expect(body.errors.thankYouDelayHours).toEqual(['after.delayInvalid'])
    const row = await db.selectFrom('webinars').select(['recording_url', 'certificate_gate']).where('id', '=', webinar.id).executeTakeFirstOrThrow()
    expect(row).toEqual({ recording_url: null, certificate_gate: 0 })
  })

  test('only organisers: a moderator of the webinar gets 403', async () => {
    const { webinar } = await endedWebinar()
    const moderator = await moderatorOf(webinar.id)
    expect((await call(settingsLoader as never, getRequest(`/admin/webinars/${webinar.slug}/after`, { cookie: moderator.cookie }), { slug: webinar.slug })).status).toBe(403)
    const post = await call(settingsAction as never, postRequest(`/admin/webinars/${webinar.slug}/after`, { certificateGate: 'on', thankYouDelayHours: '1' }, { cookie: moderator.cookie }), { slug: webinar.slug })
    expect(post.status).toBe(403)
    expect((await db.selectFrom('webinars').select('certificate_gate').where('id', '=', webinar.id).executeTakeFirstOrThrow()).certificate_gate).toBe(0)
  })
})

describe('the report\'s evaluation', () => {
  test('means per question and per speaker, and the comments; the CSV neutralises formulas', async () => {
    const { webinar, resident } = await endedWebinar()
    const second = await register(webinar.id, {}, '2021-08-01T00:00:00.000Z')
    await evaluate(resident.token, await fullEvaluation(webinar.id, '5', '=HYPERLINK("http://x.example","klik")'))
    await evaluate(second.token, { ...(await fullEvaluation(webinar.id, '4')), platform: '2' })
    const report = await json(await call(reportLoader as never, getRequest(`/attendance/${webinar.slug}/report`, { cookie: webinar.organiser.cookie }), { slug: webinar.slug }))
    expect(report.evaluation.evaluations).toBe(2)
    const byItem = Object.fromEntries(report.evaluation.means.map((m: any) => [m.item, m]))
    expect(byItem.content).toMatchObject({ mean: 4.5, responses: 2 })
    expect(byItem.platform).toMatchObject({ mean: 3.5, responses: 2 })
    expect(byItem.speaker).toMatchObject({ label: 'Narasumber Satu', mean: 4.5 })
    expect(report.evaluation.comments.map((c: any) => c.text)).toEqual(['=HYPERLINK("http://x.example","klik")'])

    const csv = await call(evaluationsCsvLoader as never, getRequest(`/attendance/${webinar.slug}/evaluations.csv`, { cookie: webinar.organiser.cookie }), { slug: webinar.slug })
    expect(csv.status).toBe(200)
    const text = await csv.text()
    expect(text).toContain(`"'=HYPERLINK(""http://x.example"",""klik"")"`)
    expect(text).not.toContain(resident.email)
    expect(text).not.toContain(resident.name)
  })

  test('another webinar\'s moderator gets 404 for the report and the CSV', async () => {
    const { webinar } = await endedWebinar()
    const stranger = await moderatorOf((await endedWebinar()).webinar.id)
    expect((await call(reportLoader as never, getRequest(`/attendance/${webinar.slug}/report`, { cookie: stranger.cookie }), { slug: webinar.slug })).status).toBe(404)
    expect((await call(evaluationsCsvLoader as never, getRequest(`/attendance/${webinar.slug}/evaluations.csv`, { cookie: stranger.cookie }), { slug: webinar.slug })).status).toBe(404)
  })
})
