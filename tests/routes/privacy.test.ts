// Personal data over the routes: erasing from the personal page (with its confirmation step),
// and the organiser's privacy page (the retention period, a purge now, and the log).
import { finaliseAttendance } from '#app/models/attendance.server'
import { getRetentionMonths, setRetentionMonths } from '#app/models/personal-data.server'
import { getPersonalRegistration } from '#app/models/registration.server'
import { langCookie } from '#app/i18n/lang.server'
import { getSiteSettings } from '#app/models/site-settings.server'
import { action as privacyAction, loader as privacyLoader } from '#app/routes/admin.privacy'
import { loader as noticeLoader } from '#app/routes/privacy'
import { action as personalAction, loader as personalLoader } from '#app/routes/r.$token._index'
import { getDb } from '#app/utils/db.server'
import { call, getRequest, postRequest, publishedWebinar, register, registrationRow, signedInAs, type SignedInUser } from '#tests/setup/factories'

const db = getDb()
let organiser: SignedInUser

beforeAll(async () => {
  organiser = await signedInAs('organiser')
})

function personalPage(token: string, search = '') {
  return call(personalLoader as never, getRequest(`/r/${token}${search}`), { token })
}

function personalPost(token: string, fields: Record<string, string>) {
  return call(personalAction as never, postRequest(`/r/${token}`, fields), { token })
}

function privacyPage(cookie?: string) {
  return call(privacyLoader as never, getRequest('/admin/privacy', { cookie }))
}

function privacyPost(fields: Record<string, string>, cookie?: string) {
  return call(privacyAction as never, postRequest('/admin/privacy', fields, { cookie }))
}

type PrivacyData = {
  months: number | null
  due: number
  purges: Array<{
    id: string
    at: string
    scope: string
    registrations: number
    detail: Record<string, number>
    topic: string | null
    slug: string | null
    actor_name: string | null
  }>
}

// --- The personal page ---------------------------------------------------------------------------

describe('erasing from the personal page', () => {
  test('?confirm=erase shows the confirmation step; without it the page only offers the link', async () => {
    const webinar = await publishedWebinar({}, organiser)
    const person = await register(webinar.id)

    const plain = await personalPage(person.token)
    expect(plain.status).toBe(200)
    expect(((await plain.json()) as { confirmingErase: boolean }).confirmingErase).toBe(false)

    const confirming = await personalPage(person.token, '?confirm=erase')
    expect(confirming.status).toBe(200)
    expect(confirming.headers.get('Cache-Control')).toBe('private, no-store')
    expect(((await confirming.json()) as { confirmingErase: boolean; confirming: boolean }).confirmingErase).toBe(true)
    // Showing the confirmation erases nothing.
    expect(await registrationRow(person.id)).toMatchObject({ name: person.name, email: person.email, data_deleted_at: null })
  })

  test('posting intent=erase is a 303 to /data-deleted; the old link is then a 404', async () => {
    const webinar = await publishedWebinar({}, organiser)
    const person = await register(webinar.id)

    const response = await personalPost(person.token, { intent: 'erase' })
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe('/data-deleted')
    expect(response.headers.get('Cache-Control')).toBe('private, no-store')

    expect(await registrationRow(person.id)).toMatchObject({ name: '', whatsapp: '', status: 'cancelled' })
    expect((await registrationRow(person.id)).data_deleted_at).not.toBeNull()
    expect((await personalPage(person.token)).status).toBe(404)
    expect((await personalPage(person.token, '?confirm=erase')).status).toBe(404)
    // Posting to the dead link again finds nothing either.
    expect((await personalPost(person.token, { intent: 'erase' })).status).toBe(404)
    expect((await personalPost(person.token, { intent: 'cancel' })).status).toBe(404)
    const purges = await db.selectFrom('data_purges').select('scope').where('webinar_id', '=', webinar.id).execute()
    expect(purges).toEqual([{ scope: 'request' }])
  })

  test('the erased registration’s stored token does not open a personal page either', async () => {
    const webinar = await publishedWebinar({}, organiser)
    const person = await register(webinar.id)
    expect((await personalPost(person.token, { intent: 'erase' })).status).toBe(303)
    const stored = (await registrationRow(person.id)).token

    expect(stored).not.toBe(person.token)
    // Whoever knows the registration's id (organisers see it in exports and forms) knows this value.
    const page = await personalPage(stored)
    expect(page.status).toBe(404)
    expect((await personalPost(stored, { intent: 'erase' })).status).toBe(404)
    expect(await getPersonalRegistration(db, stored)).toBeNull()
    expect(await db.selectFrom('data_purges').select('scope').where('webinar_id', '=', webinar.id).execute()).toEqual([{ scope: 'request' }])
  })

  test('a malformed or unknown token is a 404, for the page and for erasing', async () => {
    const webinar = await publishedWebinar({}, organiser)
    const person = await register(webinar.id)
    for (const token of ['abc', `${person.token}x`, person.token.slice(1), 'a'.repeat(43), `${person.token.slice(0, 42)}!`]) {
      expect((await personalPage(token, '?confirm=erase')).status).toBe(404)
      expect((await personalPost(token, { intent: 'erase' })).status).toBe(404)
    }
    expect(await registrationRow(person.id)).toMatchObject({ name: person.name, email: person.email, data_deleted_at: null })
    expect(await db.selectFrom('data_purges').select('id').where('webinar_id', '=', webinar.id).execute()).toEqual([])
  })
})

// --- The organiser's privacy page ----------------------------------------------------------------

describe('/admin/privacy', () => {
  beforeEach(async () => {
    await setRetentionMonths(db, null, organiser.id)
  })

  test('an organiser sees the period, what is due and the log', async () => {
    const response = await privacyPage(organiser.cookie)
    expect(response.status).toBe(200)
    const data = (await response.json()) as PrivacyData
    expect(data).toMatchObject({ months: null, due: 0 })
    expect(Array.isArray(data.purges)).toBe(true)
  })

  test.each(['moderator', 'speaker'] as const)('a %s is refused the page, saving and purging (403)', async (role) => {
    const { cookie } = await signedInAs(role)
    const responses = [
      await privacyPage(cookie),
      await privacyPost({ intent: 'setRetention', months: '1' }, cookie),
      await privacyPost({ intent: 'purge' }, cookie),
    ]
    expect(responses.map((r) => r.status)).toEqual([403, 403, 403])
    expect(await getRetentionMonths(db)).toBeNull()
  })

  test('someone not signed in is sent to the login page, coming back afterwards', async () => {
    const responses = [await privacyPage(), await privacyPost({ intent: 'setRetention', months: '1' }), await privacyPost({ intent: 'purge' })]
    for (const response of responses) {
      expect(response.status).toBe(302)
      expect(response.headers.get('Location')).toBe('/login?redirectTo=%2Fadmin%2Fprivacy')
    }
    expect(await getRetentionMonths(db)).toBeNull()
  })

  test.each([
    ['0', 'privacy.monthsRange'],
    ['121', 'privacy.monthsRange'],
    ['-3', 'privacy.monthsRange'],
    ['abc', 'form.invalidNumber'],
    ['6.5', 'form.invalidNumber'],
  ])('months %j is a 400 with the error beside months, and nothing is saved', async (months, error) => {
    await setRetentionMonths(db, 24, organiser.id)
    const response = await privacyPost({ intent: 'setRetention', months }, organiser.cookie)
    expect(response.status).toBe(400)
    const body = (await response.json()) as { errors: Record<string, string[]>; values: Record<string, string> }
    expect(body.errors).toEqual({ months: [error] })
    expect(body.values.months).toBe(months)
    expect(await getRetentionMonths(db)).toBe(24)
  })

  test('a valid period is saved (303), the bounds 1 and 120 included, with who saved it', async () => {
    for (const months of ['6', '1', '120']) {
      const response = await privacyPost({ intent: 'setRetention', months }, organiser.cookie)
      expect(response.status).toBe(303)
      expect(response.headers.get('Location')).toBe('/admin/privacy?done=saved')
      expect(await getRetentionMonths(db)).toBe(Number(months))
    }
    const setting = await db.selectFrom('settings').selectAll().where('key', '=', 'retention_months').executeTakeFirstOrThrow()
    expect(setting).toMatchObject({ value: '120', updated_by: organiser.id })
    expect(((await (await privacyPage(organiser.cookie)).json()) as PrivacyData).months).toBe(120)
  })

  test('an empty period clears it: data is kept until its owner deletes it', async () => {
    await setRetentionMonths(db, 12, organiser.id)
    for (const months of ['', '   ']) {
      await setRetentionMonths(db, 12, organiser.id)
      const response = await privacyPost({ intent: 'setRetention', months }, organiser.cookie)
      expect(response.status).toBe(303)
      expect(response.headers.get('Location')).toBe('/admin/privacy?done=saved')
      expect(await getRetentionMonths(db)).toBeNull()
    }
    expect((await (await privacyPage(organiser.cookie)).json()) as PrivacyData).toMatchObject({ months: null, due: 0 })
  })

  test('purging now purges the webinars that are due, redirects with the counts, and the log lists it', async () => {
    // Ended on 10 Jan 2025, long before the real "now" the page uses; a webinar still ahead is not due.
    const due = await publishedWebinar({ topic: 'Webinar Lama Privasi', date: '2025-01-10' }, organiser)
    const ahead = await publishedWebinar({ topic: 'Webinar Mendatang Privasi' }, organiser)
    const people = [
      await register(due.id, { name: 'Ani Lama' }, '2025-01-01T00:00:00.000Z'),
      await register(due.id, { name: 'Budi Lama' }, '2025-01-01T00:00:00.000Z'),
      await register(due.id, { name: 'Citra Lama' }, '2025-01-02T00:00:00.000Z'),
    ]
    await db.updateTable('registrations').set({ zoom_minutes: 150 }).where('id', '=', people[0]!.id).execute()
    expect(await finaliseAttendance(db, due.id, organiser.id, '2025-01-10T06:00:00.000Z')).toEqual({ ok: true, present: 1, registered: 3 })
    const later = await register(ahead.id, { name: 'Dewi Mendatang' })

    await setRetentionMonths(db, 6, organiser.id)
    const before = (await (await privacyPage(organiser.cookie)).json()) as PrivacyData
    expect(before).toMatchObject({ months: 6, due: 1 })

    const response = await privacyPost({ intent: 'purge' }, organiser.cookie)
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe('/admin/privacy?done=purged&webinars=1&registrations=3')

    for (const person of people) {
      const row = await registrationRow(person.id)
      expect(row).toMatchObject({ name: '', whatsapp: '' })
      expect(row.email).not.toBe(person.email)
      expect(row.data_deleted_at).not.toBeNull()
    }
    expect(await registrationRow(later.id)).toMatchObject({ name: 'Dewi Mendatang', email: later.email, data_deleted_at: null })
    expect(
      (await db.selectFrom('webinars').select('personal_data_purged_at').where('id', '=', due.id).executeTakeFirstOrThrow()).personal_data_purged_at,
    ).not.toBeNull()

    const after = (await (await privacyPage(organiser.cookie)).json()) as PrivacyData
    expect(after.due).toBe(0)
    const line = after.purges.find((p) => p.slug === due.slug)
    expect(line).toMatchObject({ scope: 'retention', registrations: 3, topic: 'Webinar Lama Privasi', actor_name: 'Test organiser' })
    expect(line!.detail).toMatchObject({ certificates: 1 })
    expect(line!.detail.messages).toBeGreaterThan(0)
    const text = JSON.stringify(after.purges).toLowerCase()
    for (const person of people) for (const secret of [person.name, person.email, person.whatsapp]) expect(text).not.toContain(secret.toLowerCase())

    // Nothing is due any more: purging again purges nothing and adds no line.
    const again = await privacyPost({ intent: 'purge' }, organiser.cookie)
    expect(again.headers.get('Location')).toBe('/admin/privacy?done=purged&webinars=0&registrations=0')
    expect(((await (await privacyPage(organiser.cookie)).json()) as PrivacyData).purges).toHaveLength(after.purges.length)
  })

  test('a resident’s own erasure appears in the log as a request, without an actor', async () => {
    const webinar = await publishedWebinar({ topic: 'Webinar Permintaan Hapus' }, organiser)
    const person = await register(webinar.id, { name: 'Eko Minta Hapus' })
    expect((await personalPost(person.token, { intent: 'erase' })).status).toBe(303)
    const data = (await (await privacyPage(organiser.cookie)).json()) as PrivacyData
    const line = data.purges.find((p) => p.slug === webinar.slug)
    expect(line).toMatchObject({ scope: 'request', registrations: 1, topic: 'Webinar Permintaan Hapus', actor_name: null })
    expect(JSON.stringify(data.purges)).not.toContain('Eko Minta Hapus')
    expect(JSON.stringify(data.purges)).not.toContain(person.email)
  })
})

// --- The helpdesk and the privacy notice ------------------------------------------------------------

describe('the helpdesk and the privacy notice', () => {
  async function noticePage(lang?: 'id' | 'en') {
    const cookie = lang ? (await langCookie.serialize(lang)).split(';')[0] : undefined
    return call(noticeLoader as never, getRequest('/privacy', { cookie }))
  }

  test('an organiser saves them; the footer data and /privacy show them, each language its own notice', async () => {
    const response = await privacyPost(
      {
        intent: 'setSite',
        helpdeskEmail: ' Bantuan@Example.org ',
        helpdeskPhone: '+62 21 1500-000',
        privacyNoticeId: 'Kami memproses data Anda.\n\nHubungi kami.',
        privacyNoticeEn: '',
      },
      organiser.cookie,
    )
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe('/admin/privacy?done=saved#site')
    expect(await getSiteSettings(db)).toEqual({ helpdeskEmail: 'bantuan@example.org', helpdeskPhone: '+62 21 1500-000', privacyNoticeId: 'Kami memproses data Anda.\n\nHubungi kami.', privacyNoticeEn: null })
    const page = (await (await privacyPage(organiser.cookie)).json()) as { site: Record<string, string | null> }
    expect(page.site.helpdeskEmail).toBe('bantuan@example.org')

    const notice = (await (await noticePage('id')).json()) as { notice: string | null; helpdesk: Record<string, string | null> }
    expect(notice).toEqual({ notice: 'Kami memproses data Anda.\n\nHubungi kami.', helpdesk: { helpdeskEmail: 'bantuan@example.org', helpdeskPhone: '+62 21 1500-000' } })
    // No English text yet: the Indonesian one, rather than nothing; once written, English readers get theirs.
    expect(((await (await noticePage('en')).json()) as { notice: string | null }).notice).toBe('Kami memproses data Anda.\n\nHubungi kami.')
    await privacyPost({ intent: 'setSite', helpdeskEmail: '', helpdeskPhone: '', privacyNoticeId: 'Teks Indonesia', privacyNoticeEn: 'English text' }, organiser.cookie)
    expect(((await (await noticePage('en')).json()) as { notice: string | null }).notice).toBe('English text')
    expect(((await (await noticePage('id')).json()) as { notice: string | null }).notice).toBe('Teks Indonesia')

    // Emptied, the rows go: the page falls back to the default text.
    await privacyPost({ intent: 'setSite', helpdeskEmail: '', helpdeskPhone: '', privacyNoticeId: '', privacyNoticeEn: '' }, organiser.cookie)
    expect(((await (await noticePage()).json()) as { notice: string | null }).notice).toBeNull()
  })

  test('a bad e-mail or phone is a 400 beside the field, and nothing is saved', async () => {
    await privacyPost({ intent: 'setSite', helpdeskEmail: 'lama@example.org', helpdeskPhone: '', privacyNoticeId: '', privacyNoticeEn: '' }, organiser.cookie)
    const response = await privacyPost({ intent: 'setSite', helpdeskEmail: 'bukan-email', helpdeskPhone: 'telepon saya', privacyNoticeId: 'Baru', privacyNoticeEn: '' }, organiser.cookie)
    expect(response.status).toBe(400)
    const { errors } = (await response.json()) as { errors: Record<string, string[]> }
    expect(errors.helpdeskEmail).toEqual(['form.invalidEmail'])
    expect(errors.helpdeskPhone).toEqual(['privacy.site.phoneInvalid'])
    expect(await getSiteSettings(db)).toMatchObject({ helpdeskEmail: 'lama@example.org', privacyNoticeId: null })
  })

  test('only an organiser may change them', async () => {
    const moderator = await signedInAs('moderator')
    const response = await privacyPost({ intent: 'setSite', helpdeskEmail: 'x@example.org', helpdeskPhone: '', privacyNoticeId: '', privacyNoticeEn: '' }, moderator.cookie).catch((r: Response) => r)
    expect(response.status).toBe(403)
  })
})
