import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import http from 'node:http'
import ICAL from 'ical.js'
import { translate } from '#app/i18n'
import { langCookie } from '#app/i18n/lang.server'
import type { MailPayload } from '#app/mail/payload'
import { renderMail } from '#app/mail/templates.server'
import { parseSender } from '#app/mail/worker.server'
import { clearRateLimit } from '#app/models/rate-limit.server'
import { cancelWebinar, finishWebinar, publishWebinar } from '#app/models/webinar.server'
import { action as personalAction, loader as personalLoader } from '#app/routes/r.$token._index'
import { loader as personalCalendarLoader } from '#app/routes/r.$token.calendar[.]ics'
import { action as registerAction, loader as webinarLoader } from '#app/routes/webinars.$slug._index'
import { action as lostLinkAction, loader as lostLinkLoader } from '#app/routes/webinars.$slug.link'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { limitKey } from '#app/utils/limit-keys.server'
import { decodeMessage, message } from '#app/utils/messages'
import { RESIDENT_LIMITS } from '#app/utils/resident-limits.server'
import type { WebinarForm } from '#app/utils/webinar-schema.server'
import { postForm, startTestServer, type TestServer } from '#tests/e2e/harness'
import { call, createWebinar, getRequest, postRequest, signedInAs } from '#tests/setup/factories'

const db = getDb()
let organiserId: string
let n = 0

beforeAll(async () => {
  organiserId = (await signedInAs('organiser')).id
})

// Every test here posts from 127.0.0.1; each starts with that address's budget unspent.
beforeEach(async () => {
  await clearRateLimit(db, limitKey('register', 'ip', '127.0.0.1'))
  await clearRateLimit(db, limitKey('link', 'ip', '127.0.0.1'))
})

async function publishedWebinar(form: Partial<WebinarForm> = {}) {
  const webinar = await createWebinar(organiserId, { complete: true, form })
  const published = await publishWebinar(db, webinar.id)
  if (!published.ok) throw new Error(`not published: ${JSON.stringify(published)}`)
  return webinar
}

/** A complete, valid form as a resident's browser posts it. */
function fields(overrides: Record<string, string> = {}): Record<string, string> {
  n++
  return {
    name: `Warga Klaten ${n}`,
    email: `warga${n}@example.org`,
    whatsapp: '0812-3456-7890',
    regency: '33.10',
    occupation: 'guru',
    ageRange: '25-34',
    gender: '',
    consent: 'yes',
    website: '',
    ...overrides,
  }
}

type Fn = (args: LoaderFunctionArgs & ActionFunctionArgs) => unknown

/** Like factories.call, from a chosen address. */
async function callFrom(ip: string, fn: Fn, request: Request, params: Record<string, string>): Promise<Response> {
  try {
    const result = await fn({ request, params, context: { clientIp: ip } } as LoaderFunctionArgs & ActionFunctionArgs)
    return result instanceof Response ? result : new Response(JSON.stringify(result))
  } catch (thrown) {
    if (thrown instanceof Response) return thrown
    throw thrown
  }
}

function register(slug: string, form: Record<string, string>, options: { cookie?: string } = {}) {
  return call(registerAction as Fn, postRequest(`/webinars/${slug}`, form, options), { slug })
}

async function rowsFor(webinarId: string) {
  return db
    .selectFrom('registrations')
    .select(['name', 'email', 'whatsapp', 'regency_code', 'occupation', 'age_range', 'gender', 'lang', 'status', 'token', 'consent_at'])
    .where('webinar_id', '=', webinarId)
    .orderBy('created_at')
    .execute()
}

async function mailsTo(email: string) {
  return db.selectFrom('outbox').select(['kind', 'payload', 'recipient_email', 'recipient_name', 'lang']).where('recipient_email', '=', email).orderBy('created_at').execute()
}

/** What a client can observe of a response: status, where it points, and its body. */
async function observable(response: Response) {
  return { status: response.status, location: response.headers.get('Location'), body: await response.text(), cookies: response.headers.getSetCookie() }
}

async function errorsOf(response: Response) {
  return ((await response.json()) as { errors: Record<string, string[]>; values: Record<string, string> })
}

describe('registering', () => {
  test('a valid form registers the resident, stores clean values and their language, and sends the invitation', async () => {
    const webinar = await publishedWebinar()
    const cookie = (await langCookie.serialize('en')).split(';')[0]!
    const response = await register(
      webinar.slug,
      fields({ name: '  Budi   Santoso ', email: ' Budi.Santoso@Example.ORG ', whatsapp: '0812 3456 7890', gender: 'lakilaki' }),
      { cookie },
    )
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/webinars/${webinar.slug}/registered`)
    const rows = await rowsFor(webinar.id)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      name: 'Budi Santoso',
      email: 'budi.santoso@example.org',
      whatsapp: '+6281234567890',
      regency_code: '33.10',
      occupation: 'guru',
      age_range: '25-34',
      gender: 'lakilaki',
      lang: 'en',
      status: 'registered',
    })
    expect(rows[0]!.consent_at).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    const mails = await mailsTo('budi.santoso@example.org')
    expect(mails.map((m) => [m.kind, m.lang])).toEqual([['participant_invitation', 'en']])
    expect(JSON.parse(mails[0]!.payload).personalUrl).toBe(`${getEnv().APP_URL}/r/${rows[0]!.token}`)
  })

  test('gender may be left out', async () => {
    const webinar = await publishedWebinar()
    const form = fields()
    delete (form as Record<string, string | undefined>).gender
    expect((await register(webinar.slug, form)).status).toBe(303)
    expect((await rowsFor(webinar.id))[0]!.gender).toBeNull()
  })

  test.each([
    ['a missing name', { name: '   ' }, 'name', 'form.required'],
    ['an invalid e-mail', { email: 'budi@' }, 'email', 'form.invalidEmail'],
    ['a missing e-mail', { email: '' }, 'email', 'form.required'],
    ['a phone number that is not Indonesian', { whatsapp: '+1 415 555 0100' }, 'whatsapp', 'form.invalidPhone'],
    ['a landline-length number', { whatsapp: '0812' }, 'whatsapp', 'form.invalidPhone'],
    ['an unknown regency code', { regency: '99.99' }, 'regency', 'registration.unknownRegency'],
    ['a malformed regency code', { regency: 'Klaten' }, 'regency', 'registration.unknownRegency'],
    ['no consent', { consent: '' }, 'consent', 'registration.consentRequired'],
    ['an occupation off the list', { occupation: 'astronaut' }, 'occupation', 'form.invalidChoice'],
    ['a missing age range', { ageRange: '' }, 'ageRange', 'form.required'],
    ['a gender off the list', { gender: 'x' }, 'gender', 'form.invalidChoice'],
  ])('%s is a 400 with the error beside its field, nothing saved, and the typing kept', async (_, override, field, error) => {
    const webinar = await publishedWebinar()
    const form = fields(override)
    const response = await register(webinar.slug, form)
    expect(response.status).toBe(400)
    const { errors, values } = await errorsOf(response)
    expect(errors).toEqual({ [field]: [error] })
    expect(values.email).toBe(form.email)
    expect(values.name).toBe(form.name)
    expect(await rowsFor(webinar.id)).toEqual([])
    expect(await mailsTo(form.email!.trim().toLowerCase())).toEqual([])
  })

  test('a missing consent field (unticked box sends nothing) is refused too', async () => {
    const webinar = await publishedWebinar()
    const form = fields()
    delete (form as Record<string, string | undefined>).consent
    const response = await register(webinar.slug, form)
    expect(response.status).toBe(400)
    expect((await errorsOf(response)).errors).toEqual({ consent: ['registration.consentRequired'] })
    expect(await rowsFor(webinar.id)).toEqual([])
  })

  test('a 1 MB name is a 400 "too long", not a crash, and is not echoed back whole', async () => {
    const webinar = await publishedWebinar()
    const response = await register(webinar.slug, fields({ name: 'A'.repeat(1024 * 1024) }))
    expect(response.status).toBe(400)
    const { errors, values } = await errorsOf(response)
    expect(errors).toEqual({ name: ['form.tooLong?max=100'] })
    expect(values.name!.length).toBeLessThanOrEqual(5000)
    expect(await rowsFor(webinar.id)).toEqual([])
  })

  test('several bad fields are all reported at once', async () => {
    const webinar = await publishedWebinar()
    const response = await register(webinar.slug, fields({ name: '', email: 'x', whatsapp: '12345', consent: '' }))
    expect(response.status).toBe(400)
    expect(Object.keys((await errorsOf(response)).errors).sort()).toEqual(['consent', 'email', 'name', 'whatsapp'])
  })

  test('08…, +62… and 62… are one number', async () => {
    const webinar = await publishedWebinar()
    for (const whatsapp of ['081234567890', '+62 812-3456-7890', '6281234567890', '(0812) 3456 7890']) {
      expect((await register(webinar.slug, fields({ whatsapp }))).status).toBe(303)
    }
    const numbers = (await rowsFor(webinar.id)).map((r) => r.whatsapp)
    expect(numbers).toEqual(['+6281234567890', '+6281234567890', '+6281234567890', '+6281234567890'])
  })

  test('the same e-mail in another case is one registration; the answer is identical and the link is mailed again', async () => {
    const webinar = await publishedWebinar()
    const first = await observable(await register(webinar.slug, fields({ email: 'Sari@Example.org' })))
    const again = await observable(await register(webinar.slug, fields({ email: ' sari@EXAMPLE.ORG ', name: 'Nama Lain' })))
    expect(again).toEqual(first)
    expect(first.status).toBe(303)
    const rows = await rowsFor(webinar.id)
    expect(rows.map((r) => r.email)).toEqual(['sari@example.org'])
    const mails = await mailsTo('sari@example.org')
    expect(mails.map((m) => m.kind)).toEqual(['participant_invitation', 'participant_invitation'])
    expect(JSON.parse(mails[1]!.payload).personalUrl).toBe(JSON.parse(mails[0]!.payload).personalUrl)
  })

  test('the honeypot: a bot is answered exactly as a resident is, and nothing is saved or mailed', async () => {
    const webinar = await publishedWebinar()
    const human = await observable(await register(webinar.slug, fields()))
    const botForm = fields({ website: 'https://spam.example' })
    const bot = await observable(await register(webinar.slug, botForm))
    expect(bot).toEqual(human)
    expect((await rowsFor(webinar.id)).map((r) => r.email)).not.toContain(botForm.email)
    expect(await rowsFor(webinar.id)).toHaveLength(1)
    expect(await mailsTo(botForm.email!)).toEqual([])
  })

  test('when the seats are gone the answer is the same, and the resident waits', async () => {
    const webinar = await publishedWebinar({ capacity: 1 })
    const seated = await observable(await register(webinar.slug, fields()))
    const waiting = fields()
    expect(await observable(await register(webinar.slug, waiting))).toEqual(seated)
    expect((await rowsFor(webinar.id)).map((r) => r.status)).toEqual(['registered', 'waitlisted'])
    expect((await mailsTo(waiting.email!)).map((m) => m.kind)).toEqual(['waitlist_joined'])
  })

  test('an unknown slug and a draft are 404s, and nothing is saved', async () => {
    const draft = await createWebinar(organiserId, { complete: true })
    expect((await register('no-such-webinar', fields())).status).toBe(404)
    expect((await register(draft.slug, fields())).status).toBe(404)
    expect(await rowsFor(draft.id)).toEqual([])
  })
})

describe('names the certificate must print, and broken text', () => {
  /** A registration posted as raw bytes, the way a hostile client can send it. */
  function registerRaw(slug: string, body: Uint8Array<ArrayBuffer> | string) {
    const request = new Request(new URL(`/webinars/${slug}`, 'http://localhost:3000'), {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    })
    return call(registerAction as Fn, request, { slug })
  }

  /** The rest of a valid form, URL-encoded, after a name given as it is. */
  const restOfForm = () => `&${new URLSearchParams(fields({ name: '' })).toString().replace(/^name=&/, '')}`

  test('a name in Latin with diacritics, Arabic, Jawi, Han or a mix registers, stored as typed', async () => {
    const webinar = await publishedWebinar()
    const names = ['Ni Putu Ayu Ṣaraswati Nguyễn', 'محمد عبد الله', 'ݢوستي ڽاي ڤوتري ڠاتين ۏيرا', '陳美玲', 'Siti 李 محمد']
    for (const name of names) expect((await register(webinar.slug, fields({ name }))).status, name).toBe(303)
    expect((await rowsFor(webinar.id)).map((row) => row.name)).toEqual(names)
  })

  test('an emoji-only name, or a name with emoji or Thai, is a 400 naming what cannot be printed; nothing is saved', async () => {
    const webinar = await publishedWebinar()
    const cases: Array<[string, string]> = [
      ['😀😀', '😀'],
      ['Budi 😀 Santoso 🇮🇩', '😀 🇮 🇩'],
      ['สมชาย', 'ส ม ช า ย'],
    ]
    for (const [name, chars] of cases) {
      const form = fields({ name })
      const response = await register(webinar.slug, form)
      expect(response.status, name).toBe(400)
      const { errors, values } = await errorsOf(response)
      expect(errors, name).toEqual({ name: [message('form.nameUnprintable', { chars })] })
      expect(values.name).toBe(name)
      expect(await mailsTo(form.email!)).toEqual([])
    }
    // What the resident reads beside the field, in either language.
    const { key, vars } = decodeMessage(message('form.nameUnprintable', { chars: '😀' }))
    expect(translate('id', key, vars)).toBe('Nama ini memuat karakter yang tidak dapat dicetak di sertifikat: 😀. Tulis nama dengan huruf Latin, Arab/Jawi, atau Han (Tionghoa).')
    expect(translate('en', key, vars)).toBe('This name contains characters that cannot be printed on the certificate: 😀. Write the name in Latin, Arabic/Jawi or Han (Chinese) characters.')
    expect(await rowsFor(webinar.id)).toEqual([])
  })

  test('a name of zero-width or format characters alone has no letter: a 400, nothing saved', async () => {
    const webinar = await publishedWebinar()
    // Hangul fillers are letters (Lo) that print as nothing.
    for (const name of ['\u200b\u200c\u200d', '\u2060\u200b', '\u00ad\u200e', '\u3164\u3164']) {
      const response = await register(webinar.slug, fields({ name }))
      expect(response.status).toBe(400)
      expect((await errorsOf(response)).errors).toEqual({ name: ['form.nameNeedsLetter'] })
    }
    expect(await rowsFor(webinar.id)).toEqual([])
  })

  test('NUL, other control characters and invalid UTF-8 are a 400 beside the field; nothing is saved', async () => {
    const webinar = await publishedWebinar()
    const nul = await register(webinar.slug, fields({ name: 'Budi\u0000Santoso' }))
    expect(nul.status).toBe(400)
    expect((await errorsOf(nul)).errors).toEqual({ name: ['form.badCharacters'] })

    const nulEmail = await register(webinar.slug, fields({ email: 'budi\u0000@example.org' }))
    expect(nulEmail.status).toBe(400)
    expect((await errorsOf(nulEmail)).errors).toEqual({ email: ['form.badCharacters'] })

    const control = await register(webinar.slug, fields({ name: 'Budi\u0001Santoso' }))
    expect(control.status).toBe(400)
    expect((await errorsOf(control)).errors).toEqual({ name: ['form.badCharacters'] })

    const email = await register(webinar.slug, fields({ email: 'budi\u0007@example.org' }))
    expect(email.status).toBe(400)
    expect((await errorsOf(email)).errors).toEqual({ email: ['form.badCharacters'] })

    // Percent-encoded bytes that are not UTF-8 (they decode to U+FFFD), a C1 control (NEL), and
    // a line break in a one-line field.
    for (const encoded of ['Budi%FF%FESantoso', '%ED%A0%80Budi', 'Budi%C2%85Santoso', 'Budi%0ASantoso', 'Budi%1BSantoso']) {
      const response = await registerRaw(webinar.slug, `name=${encoded}${restOfForm()}`)
      expect(response.status, encoded).toBe(400)
      expect((await errorsOf(response)).errors, encoded).toEqual({ name: ['form.badCharacters'] })
    }

    // Raw bytes that are not UTF-8 in the body itself.
    const raw = Buffer.concat([Buffer.from('name=Budi'), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from(`Santoso${restOfForm()}`)])
    const response = await registerRaw(webinar.slug, new Uint8Array(raw))
    expect(response.status).toBe(400)
    expect((await errorsOf(response)).errors).toEqual({ name: ['form.badCharacters'] })

    expect(await rowsFor(webinar.id)).toEqual([])
  })

  test('a NUL in a value, %00 or raw, urlencoded or multipart, is a 400 beside the field; one in a field name is a 400; nothing is saved', async () => {
    // PostgreSQL refuses U+0000 in text: it must never reach a query, and the resident keeps what they typed.
    const webinar = await publishedWebinar()
    const multipart = new FormData()
    for (const [key, value] of Object.entries(fields({ name: 'Budi\u0000Santoso' }))) multipart.append(key, value)
    const besideTheField = [
      await register(webinar.slug, fields({ name: 'Budi\u0000Santoso' })),
      await registerRaw(webinar.slug, `name=Budi%00Santoso${restOfForm()}`),
      await registerRaw(webinar.slug, new Uint8Array(Buffer.from(`name=Budi\u0000Santoso${restOfForm()}`))),
      await call(registerAction as Fn, new Request(new URL(`/webinars/${webinar.slug}`, 'http://localhost:3000'), { method: 'POST', body: multipart }), { slug: webinar.slug }),
    ]
    for (const answer of besideTheField) {
      expect(answer.status).toBe(400)
      expect((await errorsOf(answer)).errors).toEqual({ name: ['form.badCharacters'] })
    }
    const named = await register(webinar.slug, { ...fields({}), ['regency\u0000']: 'x' })
    expect(named.status).toBe(400)
    expect(await named.text()).not.toContain('errors')
    expect(await rowsFor(webinar.id)).toEqual([])
  })

  test('a tab in a one-line field is a space; a zero-width joiner inside a name is kept', async () => {
    const webinar = await publishedWebinar()
    expect((await register(webinar.slug, fields({ name: 'Budi\tSantoso' }))).status).toBe(303)
    expect((await register(webinar.slug, fields({ name: 'می\u200cخواهم' }))).status).toBe(303)
    expect((await rowsFor(webinar.id)).map((row) => row.name)).toEqual(['Budi Santoso', 'می\u200cخواهم'])
  })
})

describe('registration windows and lifecycle', () => {
  test.each([
    ['not open yet', { registrationOpensDate: '2031-01-01', registrationOpensTime: '08:00' }, 'notOpenYet'],
    ['closed', { registrationClosesDate: '2021-01-01', registrationClosesTime: '08:00' }, 'closed'],
  ])('a window that is %s refuses with a clear 409, and saves nothing', async (_, form, reason) => {
    const webinar = await publishedWebinar({ date: '2031-03-04', ...form })
    const response = await register(webinar.slug, fields())
    expect(response.status).toBe(409)
    expect(await response.json()).toEqual({ refusal: reason })
    expect(await rowsFor(webinar.id)).toEqual([])
    const page = (await (await call(webinarLoader as Fn, getRequest(`/webinars/${webinar.slug}`), { slug: webinar.slug })).json()) as {
      refusal: string
    }
    expect(page.refusal).toBe(reason)
  })

  test('a cancelled webinar refuses registration with a clear page', async () => {
    const webinar = await publishedWebinar()
    await cancelWebinar(db, webinar.id)
    const response = await register(webinar.slug, fields())
    expect(response.status).toBe(409)
    expect(await response.json()).toEqual({ refusal: 'cancelled' })
    expect(await rowsFor(webinar.id)).toEqual([])
  })

  test('a finished webinar, and one whose end has passed, refuse registration', async () => {
    const finished = await publishedWebinar({ date: '2020-01-01' })
    await finishWebinar(db, finished.id)
    const ended = await publishedWebinar({ date: '2020-01-02' })
    for (const webinar of [finished, ended]) {
      const response = await register(webinar.slug, fields())
      expect(response.status).toBe(409)
      expect(await response.json()).toEqual({ refusal: 'finished' })
      expect(await rowsFor(webinar.id)).toEqual([])
    }
  })
})

describe('rate limits', () => {
  test(`one e-mail may post ${RESIDENT_LIMITS.registerPerEmail.limit} times an hour; then a 429 with Retry-After`, async () => {
    const webinar = await publishedWebinar()
    const form = fields({ email: 'rajin@example.org' })
    for (let i = 0; i < RESIDENT_LIMITS.registerPerEmail.limit; i++) {
      expect((await register(webinar.slug, form)).status).toBe(303)
    }
    const mailsBefore = (await mailsTo('rajin@example.org')).length
    // Another case of the same address is the same address.
    const response = await register(webinar.slug, { ...form, email: 'RAJIN@example.org' })
    expect(response.status).toBe(429)
    const retryAfter = Number(response.headers.get('Retry-After'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(3600)
    const { errors, values } = await errorsOf(response)
    expect(errors['']).toEqual([`resident.tooMany?minutes=${Math.ceil(retryAfter / 60)}`])
    expect(values.email).toBe('RAJIN@example.org')
    expect((await mailsTo('rajin@example.org')).length).toBe(mailsBefore)
    // The count is kept under a hash: the rate-limit table holds no addresses.
    const keys = (await db.selectFrom('rate_limits').select(['key']).execute()).map((r) => r.key)
    expect(keys.some((key) => key.startsWith('register:email:'))).toBe(true)
    expect(keys.some((key) => key.includes('@'))).toBe(false)
  })

  test(`one address may post ${RESIDENT_LIMITS.registerPerIp.limit} registrations in 10 minutes; then a 429, and nothing saved`, async () => {
    const webinar = await publishedWebinar({ capacity: 1000 })
    const ip = '198.51.100.7'
    const post = (form: Record<string, string>) => callFrom(ip, registerAction as Fn, postRequest(`/webinars/${webinar.slug}`, form), { slug: webinar.slug })
    for (let i = 0; i < RESIDENT_LIMITS.registerPerIp.limit; i++) expect((await post(fields())).status).toBe(303)
    const refused = fields()
    const response = await post(refused)
    expect(response.status).toBe(429)
    expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect((await rowsFor(webinar.id)).map((r) => r.email)).not.toContain(refused.email)
    // Others are not affected.
    expect((await callFrom('198.51.100.8', registerAction as Fn, postRequest(`/webinars/${webinar.slug}`, fields()), { slug: webinar.slug })).status).toBe(303)
  })

  test('the 429 message reads in the resident’s language', () => {
    expect(translate('id', 'resident.tooMany', { minutes: 5 })).toContain('5 menit')
    expect(translate('en', 'resident.tooMany', { minutes: 5 })).toContain('5 minutes')
  })
})

describe('the personal page', () => {
  async function registeredPair(capacity = 1) {
    const webinar = await publishedWebinar({ capacity })
    const seatedForm = fields()
    const waitingForm = fields()
    await register(webinar.slug, seatedForm)
    await register(webinar.slug, waitingForm)
    const rows = await rowsFor(webinar.id)
    return { webinar, seated: { ...rows[0]!, form: seatedForm }, waiting: { ...rows[1]!, form: waitingForm } }
  }

  type PersonalData = {
    registration: { name: string; email: string; status: string }
    webinar: { topic: string; slug: string }
    join: { url: string; meetingId: string; passcode: string } | null
    calendar: boolean
    cancellable: boolean
    confirming: boolean
  }

  async function personal(token: string, query = '') {
    const response = await call(personalLoader as Fn, getRequest(`/r/${token}${query}`), { token })
    return { response, data: response.status === 200 ? ((await response.json()) as PersonalData) : null }
  }

  test('shows the details and the join link, meeting ID and passcode to a seat holder; never cached', async () => {
    const { seated } = await registeredPair()
    const { response, data } = await personal(seated.token)
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('private, no-store')
    expect(data).toMatchObject({
      registration: { name: seated.name, email: seated.email, status: 'registered' },
      webinar: { topic: 'Literasi Digital untuk Warga' },
      join: { url: 'https://zoom.us/j/123456789', meetingId: '123 456 789', passcode: 'rahasia' },
      calendar: true,
      cancellable: true,
      confirming: false,
    })
  })

  test('someone on the waitlist sees their status but not the join details', async () => {
    const { waiting } = await registeredPair()
    const { response, data } = await personal(waiting.token)
    expect(response.status).toBe(200)
    expect(data).toMatchObject({ registration: { status: 'waitlisted' }, join: null, calendar: false })
    const text = JSON.stringify(data)
    for (const secret of ['zoom.us', '123 456 789', 'rahasia']) expect(text).not.toContain(secret)
  })

  test('a wrong, malformed or over-long token is a 404 that reveals nothing, and is not cached', async () => {
    const { seated } = await registeredPair()
    const wrong = `${seated.token.slice(0, -1)}${seated.token.endsWith('A') ? 'B' : 'A'}`
    for (const token of [wrong, 'abc', 'x'.repeat(5000), `${seated.token}x`]) {
      const { response } = await personal(token)
      expect(response.status).toBe(404)
      expect(response.headers.get('Cache-Control')).toBe('private, no-store')
      expect(await response.text()).not.toContain(seated.email)
      expect((await call(personalAction as Fn, postRequest(`/r/${token}`, { intent: 'cancel' }), { token })).status).toBe(404)
    }
    expect((await personal(seated.token)).data!.registration.status).toBe('registered')
  })

  test('cancelling takes a confirmation step, then cancels, promotes the first person waiting, and mails a CANCEL', async () => {
    const { webinar, seated, waiting } = await registeredPair()
    // Opening the page (or a link checker following it) changes nothing; the confirm step only shows a form.
    expect((await personal(seated.token)).data!.confirming).toBe(false)
    expect((await personal(seated.token, '?confirm=cancel')).data!.confirming).toBe(true)
    expect((await rowsFor(webinar.id)).map((r) => r.status)).toEqual(['registered', 'waitlisted'])

    // A post without the confirm form's intent does nothing.
    const stray = await call(personalAction as Fn, postRequest(`/r/${seated.token}`, {}), { token: seated.token })
    expect(stray.status).toBe(400)
    expect((await rowsFor(webinar.id)).map((r) => r.status)).toEqual(['registered', 'waitlisted'])

    const response = await call(personalAction as Fn, postRequest(`/r/${seated.token}?confirm=cancel`, { intent: 'cancel' }), { token: seated.token })
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/r/${seated.token}?done=cancelled`)
    expect((await rowsFor(webinar.id)).map((r) => [r.email, r.status])).toEqual([
      [seated.email, 'cancelled'],
      [waiting.email, 'registered'],
    ])
    const seats = await db.selectFrom('webinars').select(['registered_count']).where('id', '=', webinar.id).executeTakeFirstOrThrow()
    expect(seats.registered_count).toBe(1)

    const cancelMail = (await mailsTo(seated.email)).find((m) => m.kind === 'registration_cancelled')!
    expect(cancelMail).toBeDefined()
    const rendered = renderMail(JSON.parse(cancelMail.payload) as MailPayload, { name: cancelMail.recipient_name, email: seated.email, lang: cancelMail.lang }, parseSender(getEnv().MAIL_FROM))
    expect(rendered.calendar?.method).toBe('CANCEL')
    const calendar = new ICAL.Component(ICAL.parse(rendered.calendar!.content))
    expect(calendar.getFirstPropertyValue('method')).toBe('CANCEL')
    // Only this resident leaves the event: no STATUS, which would cancel the webinar (RFC 5546 §3.2.5).
    expect(calendar.getFirstSubcomponent('vevent')!.getFirstProperty('status')).toBeNull()
    expect((await mailsTo(waiting.email)).map((m) => m.kind)).toEqual(['waitlist_joined', 'waitlist_promotion'])

    // Afterwards: the page shows the cancellation, no join details, and no second cancel.
    const after = await personal(seated.token)
    expect(after.data).toMatchObject({ registration: { status: 'cancelled' }, join: null, cancellable: false })
    expect((await personal(waiting.token)).data).toMatchObject({ registration: { status: 'registered' }, join: { passcode: 'rahasia' } })
    const twice = await call(personalAction as Fn, postRequest(`/r/${seated.token}`, { intent: 'cancel' }), { token: seated.token })
    expect(twice.status).toBe(409)
  })

  test('someone waiting may leave the waitlist; nobody is promoted', async () => {
    const { webinar, seated, waiting } = await registeredPair()
    const response = await call(personalAction as Fn, postRequest(`/r/${waiting.token}`, { intent: 'cancel' }), { token: waiting.token })
    expect(response.status).toBe(303)
    expect((await rowsFor(webinar.id)).map((r) => [r.email, r.status])).toEqual([
      [seated.email, 'registered'],
      [waiting.email, 'cancelled'],
    ])
  })

  test('once the webinar is cancelled or over, the registration cannot be cancelled', async () => {
    const { webinar, seated } = await registeredPair()
    await cancelWebinar(db, webinar.id)
    expect((await personal(seated.token)).data).toMatchObject({ cancellable: false, join: null })
    const response = await call(personalAction as Fn, postRequest(`/r/${seated.token}`, { intent: 'cancel' }), { token: seated.token })
    expect(response.status).toBe(409)
    expect((await rowsFor(webinar.id))[0]!.status).toBe('registered')
  })

  test('"add to calendar" is a REQUEST naming the resident; after cancelling it is a CANCEL; the waitlist gets none', async () => {
    const { webinar, seated, waiting } = await registeredPair()
    const calendarOf = (token: string) => call(personalCalendarLoader as Fn, getRequest(`/r/${token}/calendar.ics`), { token })

    const request = await calendarOf(seated.token)
    expect(request.status).toBe(200)
    expect(request.headers.get('Content-Type')).toBe('text/calendar; charset=utf-8; method=REQUEST')
    expect(request.headers.get('Cache-Control')).toBe('private, no-store')
    const invite = new ICAL.Component(ICAL.parse(await request.text()))
    const event = invite.getFirstSubcomponent('vevent')!
    expect(invite.getFirstPropertyValue('method')).toBe('REQUEST')
    expect(String(event.getFirstPropertyValue('attendee')).toLowerCase()).toBe(`mailto:${seated.email}`)
    const stored = await db.selectFrom('webinars').select(['calendar_uid', 'calendar_sequence']).where('id', '=', webinar.id).executeTakeFirstOrThrow()
    expect(event.getFirstPropertyValue('uid')).toBe(stored.calendar_uid)
    expect(event.getFirstPropertyValue('sequence')).toBe(stored.calendar_sequence)
    expect(String(event.getFirstPropertyValue('description'))).toContain('https://zoom.us/j/123456789')

    expect((await calendarOf(waiting.token)).status).toBe(404)
    expect((await calendarOf('not-a-token')).status).toBe(404)

    await call(personalAction as Fn, postRequest(`/r/${seated.token}`, { intent: 'cancel' }), { token: seated.token })
    const cancel = await calendarOf(seated.token)
    expect(cancel.headers.get('Content-Type')).toBe('text/calendar; charset=utf-8; method=CANCEL')
    const cancelText = await cancel.text()
    const cancelled = new ICAL.Component(ICAL.parse(cancelText))
    expect(cancelled.getFirstPropertyValue('method')).toBe('CANCEL')
    expect(cancelled.getFirstSubcomponent('vevent')!.getFirstPropertyValue('uid')).toBe(stored.calendar_uid)
    expect(cancelText).not.toContain('zoom.us')
  })
})

describe('a lost link', () => {
  function askForLink(slug: string, email: string) {
    return call(lostLinkAction as Fn, postRequest(`/webinars/${slug}/link`, { email }), { slug })
  }

  test('is mailed again to a registered address; the answer is the same for an unknown one', async () => {
    const webinar = await publishedWebinar()
    const form = fields({ email: 'lupa@example.org' })
    await register(webinar.slug, form)
    const known = await observable(await askForLink(webinar.slug, ' LUPA@example.org '))
    const unknown = await observable(await askForLink(webinar.slug, 'siapa@example.org'))
    expect(known).toEqual(unknown)
    expect(known.status).toBe(303)
    expect(known.location).toBe(`/webinars/${webinar.slug}/link?sent`)
    expect((await mailsTo('lupa@example.org')).map((m) => m.kind)).toEqual(['participant_invitation', 'participant_invitation'])
    expect(await mailsTo('siapa@example.org')).toEqual([])
    const page = (await (await call(lostLinkLoader as Fn, getRequest(`/webinars/${webinar.slug}/link?sent`), { slug: webinar.slug })).json()) as { sent: boolean }
    expect(page.sent).toBe(true)
  })

  test('a cancelled registration gets nothing, with the same answer', async () => {
    const webinar = await publishedWebinar()
    await register(webinar.slug, fields({ email: 'batal@example.org' }))
    const [row] = await rowsFor(webinar.id)
    await call(personalAction as Fn, postRequest(`/r/${row!.token}`, { intent: 'cancel' }), { token: row!.token })
    const before = (await mailsTo('batal@example.org')).length
    expect((await askForLink(webinar.slug, 'batal@example.org')).status).toBe(303)
    expect((await mailsTo('batal@example.org')).length).toBe(before)
  })

  /** A webinar that took place: registered while ahead, then moved into the past and finished (or only ended). */
  async function pastWebinar(emails: { seated: string; waiting?: string }, options: { finish: boolean }) {
    const webinar = await publishedWebinar({ capacity: 1 })
    await register(webinar.slug, fields({ email: emails.seated }))
    if (emails.waiting) await register(webinar.slug, fields({ email: emails.waiting }))
    await db.updateTable('webinars').set({ start_at: '2021-09-01T02:00:00.000Z', end_at: '2021-09-01T05:00:00.000Z' }).where('id', '=', webinar.id).execute()
    if (options.finish) expect(await finishWebinar(db, webinar.id)).toEqual({ ok: true })
    return webinar
  }

  test('after the webinar, a seat holder gets the personal page (where the certificate is), with the same answer as anyone', async () => {
    for (const finish of [true, false]) {
      const tag = finish ? 'selesai' : 'lewat'
      const seated = `hadir.${tag}@example.org`
      const waiting = `tunggu.${tag}@example.org`
      const webinar = await pastWebinar({ seated, waiting }, { finish })
      const page = (await (await call(lostLinkLoader as Fn, getRequest(`/webinars/${webinar.slug}/link`), { slug: webinar.slug })).json()) as { over: boolean }
      expect(page.over).toBe(true)

      const known = await observable(await askForLink(webinar.slug, seated))
      const stranger = await observable(await askForLink(webinar.slug, `siapa.${tag}@example.org`))
      const onlyWaited = await observable(await askForLink(webinar.slug, waiting))
      expect(known).toEqual(stranger)
      expect(onlyWaited).toEqual(stranger)
      expect(known).toMatchObject({ status: 303, location: `/webinars/${webinar.slug}/link?sent` })

      const mails = await mailsTo(seated)
      expect(mails.map((m) => m.kind)).toEqual(['participant_invitation', 'personal_link'])
      const [row] = await db.selectFrom('registrations').select('token').where('email', '=', seated).execute()
      const payload = JSON.parse(mails[1]!.payload) as Extract<MailPayload, { kind: 'personal_link' }>
      expect(payload.personalUrl).toBe(`${getEnv().APP_URL}/r/${row!.token}`)
      // Over: no join details to use and no event to put in a calendar.
      const rendered = renderMail(payload, { name: 'Warga', email: seated, lang: 'id' }, { name: 'Literasi', email: 'literasi@example.org' })
      expect(rendered.calendar).toBeNull()
      expect(rendered.text).toContain(payload.personalUrl)
      expect(rendered.text).not.toContain('zoom.us')
      // Someone who only waited had no seat, so nothing is left for them.
      expect((await mailsTo(waiting)).map((m) => m.kind)).toEqual(['waitlist_joined'])
    }
  })

  test('a cancelled webinar has nothing left to offer: nothing is sent, with the same answer', async () => {
    const webinar = await publishedWebinar()
    await register(webinar.slug, fields({ email: 'dibatalkan@example.org' }))
    await cancelWebinar(db, webinar.id)
    const before = (await mailsTo('dibatalkan@example.org')).length
    expect(await observable(await askForLink(webinar.slug, 'dibatalkan@example.org'))).toEqual(await observable(await askForLink(webinar.slug, 'orang.lain@example.org')))
    expect((await mailsTo('dibatalkan@example.org')).length).toBe(before)
  })

  test('an invalid address is a 400 beside the field; an unknown webinar a 404', async () => {
    const webinar = await publishedWebinar()
    const response = await askForLink(webinar.slug, 'nope')
    expect(response.status).toBe(400)
    expect((await errorsOf(response)).errors).toEqual({ email: ['form.invalidEmail'] })
    expect((await askForLink('no-such-webinar', 'a@example.org')).status).toBe(404)
  })

  test(`is limited to ${RESIDENT_LIMITS.linkPerEmail.limit} requests an hour per address`, async () => {
    const webinar = await publishedWebinar()
    await register(webinar.slug, fields({ email: 'sering@example.org' }))
    for (let i = 0; i < RESIDENT_LIMITS.linkPerEmail.limit; i++) expect((await askForLink(webinar.slug, 'sering@example.org')).status).toBe(303)
    const response = await askForLink(webinar.slug, 'sering@example.org')
    expect(response.status).toBe(429)
    expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect((await mailsTo('sering@example.org')).length).toBe(1 + RESIDENT_LIMITS.linkPerEmail.limit)
  })
})

describe('over real HTTP', () => {
  let server: TestServer
  let slug: string
  let webinarId: string

  beforeAll(async () => {
    server = await startTestServer()
    // The server has its own database: arrange the webinar there.
    const { createStaffUser } = await import('#app/models/user.server')
    const { saveWebinar, publishWebinar: publish } = await import('#app/models/webinar.server')
    const { createPerson } = await import('#app/models/person.server')
    const { assignRole } = await import('#app/models/webinar-role.server')
    const { webinarForm } = await import('#tests/setup/factories')
    const { userId } = await createStaffUser(server.db, { email: 'org-http@example.org', name: 'Org', role: 'organiser' })
    const saved = await saveWebinar(server.db, webinarForm({ capacity: 1000 }), { userId })
    if (!saved.ok) throw new Error('not saved')
    for (const [name, role] of [
      ['Moderator', 'moderator'],
      ['Narasumber', 'speaker'],
    ] as const) {
      const personId = await createPerson(server.db, { name, title: 'T', organisation: 'O', email: `${role}-http@example.org`, whatsapp: null, bio: null, userId: null })
      await assignRole(server.db, saved.id, { personId, role, talkTitle: role === 'speaker' ? 'Materi' : null, pillar: role === 'speaker' ? 'cakap' : null })
    }
    expect((await publish(server.db, saved.id)).ok).toBe(true)
    slug = saved.slug
    webinarId = saved.id
  })

  afterAll(async () => {
    await server?.stop()
  })

  async function httpRows() {
    return server.db.selectFrom('registrations').select(['email']).where('webinar_id', '=', webinarId).execute()
  }

  test('a same-origin registration post is processed', async () => {
    const response = await postForm(server, `/webinars/${slug}`, fields({ email: 'http@example.org' }))
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/webinars/${slug}/registered`)
    expect((await httpRows()).map((r) => r.email)).toContain('http@example.org')
  })

  test('a registration posted from another site is refused with 403 and saves nothing', async () => {
    const form = fields()
    const response = await postForm(server, `/webinars/${slug}`, form, { headers: { Origin: 'https://evil.example' } })
    expect(response.status).toBe(403)
    expect((await httpRows()).map((r) => r.email)).not.toContain(form.email)
  })

  test('a body over 1 MB is refused with 413 before it is read', async () => {
    // Only the headers are sent: the answer must come without the server waiting for the body.
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(new URL(`/webinars/${slug}`, server.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(1024 * 1024 + 1), Origin: server.url },
      })
      request.on('response', (response) => {
        resolve(response.statusCode ?? 0)
        response.resume()
        request.destroy()
      })
      request.on('error', reject)
      request.flushHeaders()
    })
    expect(status).toBe(413)
  })

  test('X-Forwarded-For is not trusted unless configured: changing it does not escape the per-address limit', async () => {
    let last: Response | null = null
    for (let i = 0; i <= RESIDENT_LIMITS.registerPerIp.limit; i++) {
      last = await postForm(server, `/webinars/${slug}`, fields(), { headers: { 'X-Forwarded-For': `203.0.113.${i}` } })
      if (last.status === 429) break
    }
    expect(last!.status).toBe(429)
    expect(Number(last!.headers.get('Retry-After'))).toBeGreaterThan(0)
    // The page says so in the resident's language (Indonesian by default), with the form still there.
    const html = await last!.text()
    expect(html).toContain('Terlalu banyak permintaan dari Anda')
    expect(html).toContain('name="email"')
  })
})
