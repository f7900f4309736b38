import ICAL from 'ical.js'
import { createMailTransport } from '#app/mail/transport.server'
import { buildMessage, parseSender } from '#app/mail/worker.server'
import { claimDueMail, markMailAttemptFailed, markMailSent } from '#app/models/outbox.server'
import { publishWebinar } from '#app/models/webinar.server'
import { action as messageAction, loader as messageLoader } from '#app/routes/admin.outbox.$id._index'
import { loader as calendarLoader } from '#app/routes/admin.outbox.$id.calendar[.]ics'
import { loader as emlLoader } from '#app/routes/admin.outbox.$id.message[.]eml'
import { loader as listLoader } from '#app/routes/admin.outbox._index'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { nowIso } from '#app/utils/time'
import { call, createWebinar, getRequest, postRequest, signedInAs } from '#tests/setup/factories'

const db = getDb()
const WORKER = 'outbox-test-worker'
const RELAY_REFUSAL = '550 5.1.1 <narasumber@example.org>: Recipient address rejected: User unknown'

type ListRow = { id: string; kind: string; state: string; recipient_email: string; webinar_topic: string | null; last_error: string | null; attempts: number }
type ListData = { counts: Record<string, number>; webinars: Array<{ id: string; topic: string }>; rows: ListRow[]; total: number; errors: Record<string, string[]> | null }
type Preview = { from: string; to: string; subject: string; text: string; html: string; calendar: { method: string; content: string } | null }
type MessageData = { message: Record<string, unknown> & { state: string; hasRaw: boolean }; preview: Preview | null; resent: boolean }

async function outboxRow(id: string) {
  return db.selectFrom('outbox').select(['id', 'state', 'attempts', 'last_error', 'raw', 'next_attempt_at']).where('id', '=', id).executeTakeFirstOrThrow()
}

async function mailFor(webinarId: string, kind: string) {
  return db.selectFrom('outbox').select(['id', 'recipient_email', 'recipient_name']).where('webinar_id', '=', webinarId).where('kind', '=', kind).executeTakeFirstOrThrow()
}

/**
 * Plays the worker once over everything due: the messages named in `fail` fail for good with
 * the relay's reply; every other one is delivered through the real outbox transport (raw MIME).
 */
async function settleDueMail(fail: string[]) {
  const transport = createMailTransport(undefined)
  const from = getEnv().MAIL_FROM
  const claimed = await claimDueMail(db, { workerId: WORKER, limit: 1000, now: nowIso(), leaseMs: 60_000 })
  for (const mail of claimed) {
    if (fail.includes(mail.id)) {
      await markMailAttemptFailed(db, mail.id, WORKER, { error: RELAY_REFUSAL, retryAt: null })
    } else {
      const { raw } = await transport.send(buildMessage(mail, parseSender(from), from))
      await markMailSent(db, mail.id, WORKER, { transport: transport.name, raw })
    }
  }
  transport.close()
}

let organiserCookie: string
let webinarA: { id: string; slug: string; topic: string; calendarUid: string }
let webinarB: { id: string; topic: string }
let failedId: string
let sentBriefId: string
let staffInvitationId: string

beforeAll(async () => {
  const organiser = await signedInAs('organiser')
  organiserCookie = organiser.cookie
  const a = await createWebinar(organiser.id, { complete: true, form: { topic: 'Tata Kelola Pelayanan Publik Berbasis Digital' } })
  const b = await createWebinar(organiser.id, { complete: true, form: { topic: 'Cerdas Bermedia Sosial', date: '2030-05-06' } })
  expect((await publishWebinar(db, a.id)).ok).toBe(true)
  expect((await publishWebinar(db, b.id)).ok).toBe(true)
  const uid = await db.selectFrom('webinars').select('calendar_uid').where('id', '=', a.id).executeTakeFirstOrThrow()
  webinarA = { id: a.id, slug: a.slug, topic: 'Tata Kelola Pelayanan Publik Berbasis Digital', calendarUid: uid.calendar_uid }
  webinarB = { id: b.id, topic: 'Cerdas Bermedia Sosial' }
  failedId = (await mailFor(a.id, 'speaker_brief')).id
  sentBriefId = (await mailFor(b.id, 'speaker_brief')).id
  staffInvitationId = (
    await db.selectFrom('outbox').select('id').where('kind', '=', 'staff_invitation').where('recipient_email', '=', organiser.email).executeTakeFirstOrThrow()
  ).id
  await settleDueMail([failedId])
})

describe('searching the outbox by recipient', () => {
  test('part of the address or the name, in any case; LIKE wildcards are literal; a too-long query is a 400 beside the field', async () => {
    const { cookie } = await signedInAs('organiser')
    const webinar = await createWebinar((await signedInAs('organiser')).id, { complete: true, form: { topic: 'Cari Penerima' } })
    expect((await publishWebinar(db, webinar.id)).ok).toBe(true)
    const mails = await db.selectFrom('outbox').select(['recipient_email', 'recipient_name']).where('webinar_id', '=', webinar.id).execute()
    const target = mails[0]!
    const search = async (recipient: string) => {
      const response = await call(listLoader, getRequest(`/admin/outbox?${new URLSearchParams({ recipient, webinar: webinar.id })}`, { cookie }))
      return { status: response.status, data: (await response.json()) as ListData }
    }
    const local = target.recipient_email.split('@')[0]!
    const byAddress = await search(local.toUpperCase())
    expect(byAddress.data.rows.map((r) => r.recipient_email)).toEqual([target.recipient_email])
    const byName = await search(target.recipient_name.slice(0, 9).toLowerCase())
    expect(byName.data.rows.map((r) => r.recipient_email)).toContain(target.recipient_email)
    expect((await search('%')).data.rows).toEqual([])
    expect((await search('nobody-here@example.org')).data).toMatchObject({ rows: [], total: 0 })
    const tooLong = await search('x'.repeat(201))
    expect(tooLong.status).toBe(400)
    expect(tooLong.data.errors?.recipient).toBeDefined()
  })
})

describe('who may read the outbox', () => {
  test('an anonymous visitor is sent to /login and comes back afterwards', async () => {
    const response = await call(listLoader, getRequest('/admin/outbox?state=failed'))
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/login?redirectTo=%2Fadmin%2Foutbox%3Fstate%3Dfailed')
  })

  test.each(['moderator', 'speaker'] as const)('a %s is refused every outbox page, download and resend (403)', async (role) => {
    const { cookie } = await signedInAs(role)
    const id = failedId
    for (const [fn, request, params] of [
      [listLoader, getRequest('/admin/outbox', { cookie }), {}],
      [messageLoader, getRequest(`/admin/outbox/${id}`, { cookie }), { id }],
      [messageAction, postRequest(`/admin/outbox/${id}`, { intent: 'resend' }, { cookie }), { id }],
      [calendarLoader, getRequest(`/admin/outbox/${id}/calendar.ics`, { cookie }), { id }],
      [emlLoader, getRequest(`/admin/outbox/${sentBriefId}/message.eml`, { cookie }), { id: sentBriefId }],
    ] as const) {
      const response = await call(fn as never, request, params)
      expect(response.status, request.url).toBe(403)
    }
    expect((await outboxRow(failedId)).state).toBe('failed')
  })

  test('an unknown message is a 404 on every route', async () => {
    const cookie = organiserCookie
    const id = 'no-such-message'
    for (const [fn, request] of [
      [messageLoader, getRequest(`/admin/outbox/${id}`, { cookie })],
      [messageAction, postRequest(`/admin/outbox/${id}`, { intent: 'resend' }, { cookie })],
      [calendarLoader, getRequest(`/admin/outbox/${id}/calendar.ics`, { cookie })],
      [emlLoader, getRequest(`/admin/outbox/${id}/message.eml`, { cookie })],
    ] as const) {
      expect((await call(fn as never, request, { id })).status, request.url).toBe(404)
    }
  })
})

describe('the list', () => {
  test('counts messages per state, as stored', async () => {
    const response = await call(listLoader, getRequest('/admin/outbox', { cookie: organiserCookie }))
    expect(response.status).toBe(200)
    const { counts, total } = (await response.json()) as ListData
    const stored = await db.selectFrom('outbox').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute()
    expect(counts).toEqual(Object.fromEntries(stored.map((row) => [row.state, Number(row.n)])))
    expect(counts.failed).toBe(1)
    expect(total).toBe(stored.reduce((sum, row) => sum + Number(row.n), 0))
  })

  test('filters by state: the failed message with its attempts and the relay reply', async () => {
    const response = await call(listLoader, getRequest('/admin/outbox?state=failed', { cookie: organiserCookie }))
    const { rows, total } = (await response.json()) as ListData
    expect(total).toBe(1)
    expect(rows).toEqual([
      expect.objectContaining({ id: failedId, kind: 'speaker_brief', state: 'failed', attempts: 1, last_error: RELAY_REFUSAL, webinar_topic: webinarA.topic }),
    ])

    const sent = (await (await call(listLoader, getRequest('/admin/outbox?state=sent', { cookie: organiserCookie }))).json()) as ListData
    expect(sent.rows.length).toBeGreaterThan(0)
    expect(sent.rows.every((row) => row.state === 'sent')).toBe(true)
    expect(sent.rows.map((row) => row.id)).toContain(sentBriefId)
    expect(sent.rows.map((row) => row.id)).not.toContain(failedId)
  })

  test('filters by webinar, and offers each webinar that has mail', async () => {
    const response = await call(listLoader, getRequest(`/admin/outbox?webinar=${webinarB.id}`, { cookie: organiserCookie }))
    const { rows, total, webinars } = (await response.json()) as ListData
    expect(total).toBe(2)
    expect(rows.map((row) => row.kind).sort()).toEqual(['moderator_assignment', 'speaker_brief'])
    expect(rows.every((row) => row.webinar_topic === webinarB.topic)).toBe(true)
    expect(webinars.map((w) => w.id)).toEqual(expect.arrayContaining([webinarA.id, webinarB.id]))

    const both = (await (await call(listLoader, getRequest(`/admin/outbox?webinar=${webinarA.id}&state=sent`, { cookie: organiserCookie }))).json()) as ListData
    expect(both.rows.map((row) => row.kind)).toEqual(['moderator_assignment'])
  })

  test('an unknown state in the query string is a 400 with the error beside the filter', async () => {
    const response = await call(listLoader, getRequest('/admin/outbox?state=lost', { cookie: organiserCookie }))
    expect(response.status).toBe(400)
    const { errors, rows } = (await response.json()) as ListData
    expect(errors).toEqual({ state: ['form.invalidChoice'] })
    expect(rows).toEqual([])
  })
})

describe('one message, as the recipient sees it', () => {
  test('shows subject, from, to, the HTML and text parts and the calendar part with its METHOD', async () => {
    const id = failedId
    const response = await call(messageLoader, getRequest(`/admin/outbox/${id}`, { cookie: organiserCookie }), { id })
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    const { message, preview } = (await response.json()) as MessageData
    const recipient = await mailFor(webinarA.id, 'speaker_brief')
    const briefToken = (
      await db
        .selectFrom('webinar_roles')
        .innerJoin('people', 'people.id', 'webinar_roles.person_id')
        .select('webinar_roles.brief_token')
        .where('webinar_roles.webinar_id', '=', webinarA.id)
        .where('people.email', '=', recipient.recipient_email)
        .executeTakeFirstOrThrow()
    ).brief_token
    expect(message).toMatchObject({ id, kind: 'speaker_brief', state: 'failed', last_error: RELAY_REFUSAL, hasRaw: false })
    // The stored payload and raw MIME stay on the server.
    expect(message).not.toHaveProperty('payload')
    expect(message).not.toHaveProperty('raw')
    expect(preview).not.toBeNull()
    expect(preview!.subject).toBe(`Brief narasumber: ${webinarA.topic}`)
    expect(preview!.from).toBe(getEnv().MAIL_FROM)
    expect(preview!.to).toBe(`${recipient.recipient_name} <${recipient.recipient_email}>`)
    const briefUrl = `${getEnv().APP_URL}/brief/${briefToken}`
    expect(preview!.html).toContain('<!doctype html>')
    expect(preview!.html).toContain(`href="${briefUrl}"`)
    expect(preview!.text).toContain(briefUrl)
    expect(preview!.text).toContain('Senin, 4 Maret 2030, 09.00 WIB')
    expect(preview!.calendar?.method).toBe('REQUEST')
    expect(preview!.calendar?.content).toContain('METHOD:REQUEST')
  })

  test('a message without a calendar part says so, and has no .ics', async () => {
    const id = staffInvitationId
    const { preview } = (await (await call(messageLoader, getRequest(`/admin/outbox/${id}`, { cookie: organiserCookie }), { id })).json()) as MessageData
    expect(preview?.subject).toBe('Undangan akun Literasi Webinar')
    expect(preview?.calendar).toBeNull()
    expect((await call(calendarLoader, getRequest(`/admin/outbox/${id}/calendar.ics`, { cookie: organiserCookie }), { id })).status).toBe(404)
  })

  test('the .ics download is text/calendar with the METHOD of the file, and parses', async () => {
    const id = failedId
    const response = await call(calendarLoader, getRequest(`/admin/outbox/${id}/calendar.ics`, { cookie: organiserCookie }), { id })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('text/calendar; charset=utf-8; method=REQUEST')
    expect(response.headers.get('Content-Disposition')).toBe('attachment; filename="undangan.ics"')
    const calendar = new ICAL.Component(ICAL.parse(await response.text()))
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST')
    const event = calendar.getFirstSubcomponent('vevent')!
    expect(event.getFirstPropertyValue('uid')).toBe(webinarA.calendarUid)
    const recipient = await mailFor(webinarA.id, 'speaker_brief')
    expect(String(event.getFirstProperty('attendee')!.getFirstValue()).toLowerCase()).toBe(`mailto:${recipient.recipient_email}`)
  })

  test('a message kept as raw MIME downloads as message/rfc822; one never sent has no .eml', async () => {
    const id = sentBriefId
    const { message } = (await (await call(messageLoader, getRequest(`/admin/outbox/${id}`, { cookie: organiserCookie }), { id })).json()) as MessageData
    expect(message.hasRaw).toBe(true)
    const response = await call(emlLoader, getRequest(`/admin/outbox/${id}/message.eml`, { cookie: organiserCookie }), { id })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('message/rfc822')
    expect(response.headers.get('Content-Disposition')).toBe(`attachment; filename="${id}.eml"`)
    const raw = await response.text()
    expect(raw).toBe((await outboxRow(id)).raw)
    // The sender's own domain (MAIL_FROM), not a made-up one.
    const senderDomain = getEnv().MAIL_FROM.replace(/^.*@|>\s*$/g, '')
    expect(raw).toMatch(new RegExp(`^Message-ID: <[^>@]+@${senderDomain.replace(/\./g, '\\.')}>$`, 'm'))
    expect(raw).toMatch(/text\/calendar; ?charset=utf-8; ?method=REQUEST/i)

    expect((await call(emlLoader, getRequest(`/admin/outbox/${failedId}/message.eml`, { cookie: organiserCookie }), { id: failedId })).status).toBe(404)
  })
})

describe('resending', () => {
  test('a failed message is queued again with fresh attempts, and the page says so', async () => {
    const { id: webinarId } = await createWebinar((await signedInAs('organiser')).id, { complete: true, form: { topic: 'Aman Bertransaksi Digital' } })
    await publishWebinar(db, webinarId)
    const target = (await mailFor(webinarId, 'moderator_assignment')).id
    await settleDueMail([target])
    expect(await outboxRow(target)).toMatchObject({ state: 'failed', attempts: 1, last_error: RELAY_REFUSAL })

    const response = await call(messageAction, postRequest(`/admin/outbox/${target}`, { intent: 'resend' }, { cookie: organiserCookie }), { id: target })
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe(`/admin/outbox/${target}?resent`)
    const row = await outboxRow(target)
    expect(row).toMatchObject({ state: 'queued', attempts: 0, last_error: null })
    expect(row.next_attempt_at <= nowIso()).toBe(true)

    const page = await call(messageLoader, getRequest(`/admin/outbox/${target}?resent`, { cookie: organiserCookie }), { id: target })
    expect(((await page.json()) as MessageData).resent).toBe(true)
  })

  test('is refused for a message that was sent, which stays as it was', async () => {
    const before = await outboxRow(sentBriefId)
    const response = await call(messageAction, postRequest(`/admin/outbox/${sentBriefId}`, { intent: 'resend' }, { cookie: organiserCookie }), { id: sentBriefId })
    expect(response.status).toBe(409)
    expect(await response.json()).toEqual({ errors: { '': ['outbox.resendRefused'] } })
    expect(await outboxRow(sentBriefId)).toEqual(before)
  })

  test('an unknown intent is a bad request and changes nothing', async () => {
    const before = await outboxRow(failedId)
    const response = await call(messageAction, postRequest(`/admin/outbox/${failedId}`, { intent: 'delete' }, { cookie: organiserCookie }), { id: failedId })
    expect(response.status).toBe(400)
    expect(await outboxRow(failedId)).toEqual(before)
  })
})
