import { clearRateLimit } from '#app/models/rate-limit.server'
import { cancelRegistration } from '#app/models/registration.server'
import { assignRole } from '#app/models/webinar-role.server'
import { action as consoleAction } from '#app/routes/attendance.$slug._index'
import { action as personalAction, loader as personalLoader } from '#app/routes/r.$token._index'
import { getDb } from '#app/utils/db.server'
import { decodeMessage } from '#app/utils/messages'
import { limitKey } from '#app/utils/limit-keys.server'
import { RESIDENT_LIMITS } from '#app/utils/resident-limits.server'
import { call, createPersonFor, getRequest, postRequest, publishedWebinar, register, signedInAs } from '#tests/setup/factories'

const db = getDb()

// Every test here posts from 127.0.0.1; each starts with that address's check-in budget unspent.
beforeEach(async () => {
  await clearRateLimit(db, limitKey('checkin', 'ip', '127.0.0.1'))
})

/** Opens a check-in window around now with a known code, as if a moderator had announced it. */
async function openWindowWith(webinarId: string, code: string, minutes = 15) {
  await db
    .updateTable('webinars')
    .set({
      checkin_code: code,
      checkin_opened_at: new Date(Date.now() - 60_000).toISOString(),
      checkin_closes_at: new Date(Date.now() + minutes * 60_000).toISOString(),
    })
    .where('id', '=', webinarId)
    .execute()
}

async function closeWindow(webinarId: string) {
  await db
    .updateTable('webinars')
    .set({ checkin_closes_at: new Date(Date.now() - 60_000).toISOString() })
    .where('id', '=', webinarId)
    .execute()
}

function page(token: string, search = '') {
  return call(personalLoader, getRequest(`/r/${token}${search}`), { token })
}

function checkIn(token: string, code: string) {
  return call(personalAction, postRequest(`/r/${token}`, { intent: 'checkin', code }), { token })
}

async function checkinOf(token: string) {
  const response = await page(token)
  expect(response.status).toBe(200)
  return ((await response.json()) as { checkin: { state: string; checkedInAt: string | null } | null }).checkin
}

async function checkedInAt(id: string) {
  return (await db.selectFrom('registrations').select('checked_in_at').where('id', '=', id).executeTakeFirstOrThrow()).checked_in_at
}

/** Wrong codes counted against this personal link (0 when none). */
async function limitHits(token: string) {
  const row = await db.selectFrom('rate_limits').select('hits').where('key', '=', limitKey('checkin', 'token', token)).executeTakeFirst()
  return row?.hits ?? 0
}

/** The one error beside the code field, decoded to its dictionary key and parameters. */
async function codeError(response: Response) {
  const { errors } = (await response.json()) as { errors: Record<string, string[]> }
  expect(Object.keys(errors)).toEqual(['code'])
  expect(errors.code).toHaveLength(1)
  return decodeMessage(errors.code![0]!)
}

describe('the check-in form on the personal page', () => {
  test('is a form only while the window is open; before and after, the section says so', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    expect(await checkinOf(seated.token)).toEqual({ state: 'notYet', checkedInAt: null })
    await openWindowWith(webinar.id, 'ABCDEF')
    expect(await checkinOf(seated.token)).toEqual({ state: 'open', checkedInAt: null })
    await closeWindow(webinar.id)
    expect(await checkinOf(seated.token)).toEqual({ state: 'closed', checkedInAt: null })
  })

  test('is not offered to someone on the waitlist, nor after cancelling', async () => {
    const webinar = await publishedWebinar({ capacity: 1 })
    const seated = await register(webinar.id)
    const waiting = await register(webinar.id)
    expect(waiting.status).toBe('waitlisted')
    await openWindowWith(webinar.id, 'ABCDEF')
    expect(await checkinOf(waiting.token)).toBeNull()
    expect(await cancelRegistration(db, seated.token)).toBe(true)
    expect(await checkinOf(seated.token)).toBeNull()
    // The seat went to the person waiting, who now sees the form.
    expect(await checkinOf(waiting.token)).toEqual({ state: 'open', checkedInAt: null })
  })

  test('opened by the moderator in the console, the announced code works on the personal page', async () => {
    const webinar = await publishedWebinar()
    const moderator = await signedInAs('moderator')
    const personId = await createPersonFor('Moderator Check-in', { userId: moderator.id })
    expect((await assignRole(db, webinar.id, { personId, role: 'moderator', talkTitle: null, pillar: null })).ok).toBe(true)
    const seated = await register(webinar.id)
    const opened = await call(consoleAction, postRequest(`/attendance/${webinar.slug}`, { intent: 'openWindow', minutes: '5' }, { cookie: moderator.cookie }), {
      slug: webinar.slug,
    })
    expect(opened.status).toBe(303)
    const { checkin_code } = await db.selectFrom('webinars').select('checkin_code').where('id', '=', webinar.id).executeTakeFirstOrThrow()
    expect(checkin_code).toMatch(/^[A-Z2-9]{6}$/)
    const typed = ` ${checkin_code!.slice(0, 3).toLowerCase()}-${checkin_code!.slice(3).toLowerCase()} `
    expect((await checkIn(seated.token, typed)).status).toBe(303)
    expect(await checkedInAt(seated.id)).not.toBeNull()
  })
})

describe('checking in', () => {
  test('the right code, typed in lower case with spaces, checks in and goes back to the page', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    await openWindowWith(webinar.id, 'ABCDEF')
    const before = Date.now()
    const response = await checkIn(seated.token, ' ab c d ef')
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/r/${seated.token}?done=checkedin`)
    expect(response.headers.get('Cache-Control')).toBe('private, no-store')
    const at = await checkedInAt(seated.id)
    expect(at).not.toBeNull()
    expect(Date.parse(at!)).toBeGreaterThanOrEqual(before - 1000)
    expect(Date.parse(at!)).toBeLessThanOrEqual(Date.now() + 1000)
    expect(await checkinOf(seated.token)).toEqual({ state: 'done', checkedInAt: at })

    // Checking in again keeps the first time.
    expect((await checkIn(seated.token, 'ABCDEF')).status).toBe(303)
    expect(await checkedInAt(seated.id)).toBe(at)
  })

  test('a wrong code is a 400 with the message beside the code field, and no check-in', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    await openWindowWith(webinar.id, 'ABCDEF')
    const response = await checkIn(seated.token, 'ABCDEG')
    expect(response.status).toBe(400)
    expect(response.headers.get('Cache-Control')).toBe('private, no-store')
    expect((await codeError(response)).key).toBe('checkin.wrongCode')
    expect(await checkedInAt(seated.id)).toBeNull()
  })

  test('a code from another webinar is wrong here', async () => {
    const webinar = await publishedWebinar()
    const other = await publishedWebinar()
    const seated = await register(webinar.id)
    await openWindowWith(webinar.id, 'ABCDEF')
    await openWindowWith(other.id, 'HJKMNP')
    const response = await checkIn(seated.token, 'HJKMNP')
    expect(response.status).toBe(400)
    expect((await codeError(response)).key).toBe('checkin.wrongCode')
    expect(await checkedInAt(seated.id)).toBeNull()
  })

  test.each([
    ['five characters', 'ABCDE', 'checkin.codeFormat'],
    ['seven characters', 'ABCDEFG', 'checkin.codeFormat'],
    ['a letter the alphabet leaves out (O)', 'ABCDEO', 'checkin.codeFormat'],
    ['a 41-character paste', 'A'.repeat(41), 'checkin.codeFormat'],
  ])('%s is a 400 beside the code field, and does not count as a guess', async (_, code, key) => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    await openWindowWith(webinar.id, 'ABCDEF')
    const response = await checkIn(seated.token, code)
    expect(response.status).toBe(400)
    expect(await codeError(response)).toEqual({ key })
    expect(await checkedInAt(seated.id)).toBeNull()
    expect(await limitHits(seated.token)).toBe(0)
  })

  test('an empty code (only spaces) is one "required" message beside the code field, not two', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    await openWindowWith(webinar.id, 'ABCDEF')
    const response = await checkIn(seated.token, '   ')
    expect(response.status).toBe(400)
    expect(((await response.json()) as { errors: Record<string, string[]> }).errors).toEqual({ code: ['form.required'] })
    expect(await checkedInAt(seated.id)).toBeNull()
  })

  test('with the window closed, even the right code is a 409', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    await openWindowWith(webinar.id, 'ABCDEF')
    await closeWindow(webinar.id)
    const response = await checkIn(seated.token, 'ABCDEF')
    expect(response.status).toBe(409)
    expect((await codeError(response)).key).toBe('checkin.windowClosed')
    expect(await checkedInAt(seated.id)).toBeNull()
  })

  test('with no window ever opened, a code is a 409', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    const response = await checkIn(seated.token, 'ABCDEF')
    expect(response.status).toBe(409)
    expect((await codeError(response)).key).toBe('checkin.windowClosed')
  })

  test('once attendance is finalised, the section says check-in is closed and the right code is a 409', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    await openWindowWith(webinar.id, 'ABCDEF')
    await db.updateTable('webinars').set({ attendance_finalised_at: new Date().toISOString() }).where('id', '=', webinar.id).execute()
    expect(await checkinOf(seated.token)).toEqual({ state: 'closed', checkedInAt: null })
    const response = await checkIn(seated.token, 'ABCDEF')
    expect(response.status).toBe(409)
    expect((await codeError(response)).key).toBe('checkin.finalised')
    expect(await checkedInAt(seated.id)).toBeNull()
  })

  test('someone on the waitlist cannot check in (409), even with the right code', async () => {
    const webinar = await publishedWebinar({ capacity: 1 })
    await register(webinar.id)
    const waiting = await register(webinar.id)
    expect(waiting.status).toBe('waitlisted')
    await openWindowWith(webinar.id, 'ABCDEF')
    const response = await checkIn(waiting.token, 'ABCDEF')
    expect(response.status).toBe(409)
    expect((await codeError(response)).key).toBe('checkin.notSeated')
    expect(await checkedInAt(waiting.id)).toBeNull()
  })

  test(`after ${RESIDENT_LIMITS.checkinPerRegistration.limit} wrong codes, even the right one is a 429 with Retry-After`, async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    await openWindowWith(webinar.id, 'ABCDEF')
    for (let i = 0; i < RESIDENT_LIMITS.checkinPerRegistration.limit; i++) {
      expect((await checkIn(seated.token, 'ZZZZZZ')).status).toBe(400)
    }
    const response = await checkIn(seated.token, 'ABCDEF')
    expect(response.status).toBe(429)
    expect(response.headers.get('Cache-Control')).toBe('private, no-store')
    const retryAfter = Number(response.headers.get('Retry-After'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(RESIDENT_LIMITS.checkinPerRegistration.windowMs / 1000)
    expect(await codeError(response)).toEqual({ key: 'resident.tooMany', vars: { minutes: String(Math.ceil(retryAfter / 60)) } })
    expect(await checkedInAt(seated.id)).toBeNull()
    // The count is kept per registration under a hash: the token is a credential.
    expect(await limitHits(seated.token)).toBe(RESIDENT_LIMITS.checkinPerRegistration.limit)
    const keys = (await db.selectFrom('rate_limits').select('key').execute()).map((r) => r.key)
    expect(keys.some((key) => key.includes(seated.token))).toBe(false)
  })

  test('wrong codes of one resident do not lock out another behind the same address', async () => {
    const webinar = await publishedWebinar()
    const guesser = await register(webinar.id)
    const neighbour = await register(webinar.id)
    await openWindowWith(webinar.id, 'ABCDEF')
    for (let i = 0; i < RESIDENT_LIMITS.checkinPerRegistration.limit; i++) await checkIn(guesser.token, 'ZZZZZZ')
    expect((await checkIn(guesser.token, 'ABCDEF')).status).toBe(429)
    expect((await checkIn(neighbour.token, 'ABCDEF')).status).toBe(303)
    expect(await checkedInAt(neighbour.id)).not.toBeNull()
  })

  test('a burst of simultaneous guesses gets no more comparisons than the limit, and a right code in it is refused once the limit is used up', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    await openWindowWith(webinar.id, 'ABCDEF')
    const { limit } = RESIDENT_LIMITS.checkinPerRegistration
    const letters = 'ABCDEFGHJKMNPQRSTUVWXYZ'
    const guesses = Array.from({ length: 3 * limit }, (_, i) => checkIn(seated.token, `ZZZZ${letters[i % 23]}${letters[Math.floor(i / 23)]}`))
    guesses.push(checkIn(seated.token, 'ABCDEF'))
    const responses = await Promise.all(guesses)
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 429)).toHaveLength(2 * limit + 1)
    expect(await limitHits(seated.token)).toBe(limit)
    expect(await checkedInAt(seated.id)).toBeNull()
  })

  test('a right code does not count against the limit', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    await openWindowWith(webinar.id, 'ABCDEF')
    expect((await checkIn(seated.token, 'ABCDEF')).status).toBe(303)
    expect(await limitHits(seated.token)).toBe(0)
    expect(await db.selectFrom('rate_limits').select('key').where('key', '=', limitKey('checkin', 'ip', '127.0.0.1')).execute()).toEqual([])
  })
})

describe('the personal link', () => {
  test.each([
    ['an unknown token of the right shape', 'A'.repeat(43)],
    ['a malformed token', 'abc'],
    ['a token with a character outside base64url', `${'A'.repeat(42)}=`],
  ])('%s is a 404 for the page and for a check-in', async (_, token) => {
    const webinar = await publishedWebinar()
    await openWindowWith(webinar.id, 'ABCDEF')
    const shown = await page(token)
    expect(shown.status).toBe(404)
    expect(shown.headers.get('Cache-Control')).toBe('private, no-store')
    const posted = await checkIn(token, 'ABCDEF')
    expect(posted.status).toBe(404)
    expect(posted.headers.get('Cache-Control')).toBe('private, no-store')
  })

  test('the page says Cache-Control: private, no-store', async () => {
    const webinar = await publishedWebinar()
    const seated = await register(webinar.id)
    await openWindowWith(webinar.id, 'ABCDEF')
    const response = await page(seated.token, '?done=checkedin')
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('private, no-store')
    // The check-in code itself is never on the resident's page.
    expect(await response.text()).not.toContain('ABCDEF')
  })
})
