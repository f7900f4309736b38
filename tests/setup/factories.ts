import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import type { StaffRole } from '#db/schema'
import { createPerson } from '#app/models/person.server'
import { registerParticipant, type RegistrationInput } from '#app/models/registration.server'
import { createSession } from '#app/models/session.server'
import { createStaffUser } from '#app/models/user.server'
import { publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { assignRole } from '#app/models/webinar-role.server'
import { getDb } from '#app/utils/db.server'
import { commitSessionId } from '#app/utils/session.server'
import type { WebinarForm } from '#app/utils/webinar-schema.server'

export const BASE_URL = 'http://localhost:3000'
let counter = 0
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`

export async function createUser(role: StaffRole, options: { password?: string; email?: string; name?: string } = {}) {
  const email = options.email ?? `${role}-${unique()}@example.org`
  const { userId, setPasswordToken } = await createStaffUser(getDb(), {
    email,
    name: options.name ?? `Test ${role}`,
    role,
    password: options.password,
  })
  return { id: userId, email, role, setPasswordToken }
}

/** A Cookie header for a signed-in user, made the way /login makes it. */
export async function cookieFor(userId: string): Promise<string> {
  const { sessionId } = await createSession(getDb(), userId)
  const setCookie = await commitSessionId(sessionId)
  return setCookie.split(';')[0]!
}

export async function signedInAs(role: StaffRole, options: { name?: string } = {}) {
  const user = await createUser(role, options)
  return { ...user, cookie: await cookieFor(user.id) }
}

export type SignedInUser = Awaited<ReturnType<typeof signedInAs>>

export async function createPersonFor(name: string, options: { userId?: string; email?: string } = {}) {
  return createPerson(getDb(), {
    name,
    title: 'Title',
    organisation: 'Organisation',
    email: options.email ?? `${name.toLowerCase().replace(/\W+/g, '.')}.${unique()}@example.org`,
    whatsapp: null,
    bio: null,
    userId: options.userId ?? null,
  })
}

export function webinarForm(overrides: Partial<WebinarForm> = {}): WebinarForm {
  return {
    topic: 'Literasi Digital untuk Warga',
    description: 'Deskripsi',
    pillars: ['cakap'],
    segment: 'umum',
    regency: '33.10',
    date: '2030-03-04',
    startTime: '09:00',
    endTime: '12:00',
    platformUrl: 'https://zoom.us/j/123456789',
    meetingId: '123 456 789',
    passcode: 'rahasia',
    livestreamUrl: null,
    capacity: 500,
    registrationOpensDate: null,
    registrationOpensTime: null,
    registrationClosesDate: null,
    registrationClosesTime: null,
    attendanceThreshold: 70,
    slug: null,
    ...overrides,
  }
}

/** A draft webinar, optionally with a moderator and speakers so it can be published. */
export async function createWebinar(userId: string, options: { form?: Partial<WebinarForm>; complete?: boolean } = {}) {
  const saved = await saveWebinar(getDb(), webinarForm(options.form), { userId })
  if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
  if (options.complete) {
    await assignRole(getDb(), saved.id, { personId: await createPersonFor('Moderator Satu'), role: 'moderator', talkTitle: null, pillar: null })
    await assignRole(getDb(), saved.id, { personId: await createPersonFor('Narasumber Satu'), role: 'speaker', talkTitle: 'Materi', pillar: 'cakap' })
  }
  return saved
}

/** The factory's webinar, complete and published, by `organiser` (a new signed-in one unless given). */
export async function publishedWebinar(form: Partial<WebinarForm> = {}, organiser?: SignedInUser) {
  const by = organiser ?? (await signedInAs('organiser'))
  const saved = await createWebinar(by.id, { complete: true, form })
  const published = await publishWebinar(getDb(), saved.id)
  if (!published.ok) throw new Error(`not published: ${JSON.stringify(published)}`)
  return { ...saved, organiser: by }
}

/** A signed-in moderator account whose directory person moderates this webinar (replacing the factory's moderator). */
export async function moderatorOf(webinarId: string) {
  const user = await signedInAs('moderator')
  const personId = await createPersonFor('Moderator Webinar', { userId: user.id })
  const assigned = await assignRole(getDb(), webinarId, { personId, role: 'moderator', talkTitle: null, pillar: null })
  if (!assigned.ok) throw new Error(`not assigned: ${JSON.stringify(assigned)}`)
  return user
}

let residents = 0

/** A resident's registration form; name, e-mail and WhatsApp number are their own, so a leak can be told apart (`Warga 1`, `warga1@example.org`). */
export function resident(overrides: Partial<RegistrationInput> = {}): RegistrationInput {
  const n = ++residents
  return {
    name: `Warga ${n}`,
    email: `warga${n}@example.org`,
    whatsapp: `+628129${String(n).padStart(6, '0')}`,
    regencyCode: '33.10',
    occupation: 'pelajar',
    ageRange: '17-24',
    gender: null,
    lang: 'id',
    ...overrides,
  }
}

/** Registers `resident(overrides)` through the model (at `now`, if given) and returns what the tests refer to it by. */
export async function register(webinarId: string, overrides: Partial<RegistrationInput> = {}, now?: string) {
  const input = resident(overrides)
  const result = await registerParticipant(getDb(), webinarId, input, now)
  if (!result.ok) throw new Error(result.reason)
  const row = await getDb().selectFrom('registrations').select(['id', 'status']).where('token', '=', result.token).executeTakeFirstOrThrow()
  return { id: row.id, status: row.status, token: result.token, name: input.name, email: input.email, whatsapp: input.whatsapp }
}

export type Registrant = Awaited<ReturnType<typeof register>>

/** A registration's row, every column. */
export function registrationRow(id: string) {
  return getDb().selectFrom('registrations').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

/** A webinar's row, every column. */
export function webinarRow(id: string) {
  return getDb().selectFrom('webinars').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

type RequestOptions = { cookie?: string; headers?: Record<string, string> }

export function getRequest(path: string, options: RequestOptions = {}): Request {
  const headers = new Headers(options.headers)
  if (options.cookie) headers.set('Cookie', options.cookie)
  return new Request(new URL(path, BASE_URL), { headers })
}

export function postRequest(path: string, fields: Record<string, string | string[]>, options: RequestOptions = {}): Request {
  const body = new URLSearchParams()
  for (const [key, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(key, item)
  }
  const headers = new Headers(options.headers)
  headers.set('Content-Type', 'application/x-www-form-urlencoded')
  if (options.cookie) headers.set('Cookie', options.cookie)
  return new Request(new URL(path, BASE_URL), { method: 'POST', body, headers })
}

const context = { clientIp: '127.0.0.1' }

/** Calls a loader or action and returns its Response, whether it was returned or thrown. */
export async function call(
  fn: (args: LoaderFunctionArgs & ActionFunctionArgs) => unknown,
  request: Request,
  params: Record<string, string> = {},
): Promise<Response> {
  try {
    const result = await fn({ request, params, context } as LoaderFunctionArgs & ActionFunctionArgs)
    if (result instanceof Response) return result
    return new Response(JSON.stringify(result), { status: 200, headers: { 'Content-Type': 'application/json' } })
  } catch (thrown) {
    if (thrown instanceof Response) return thrown
    throw thrown
  }
}

/**
 * Everyone cast in the webinar confirms their brief, as they would before it starts: staff
 * certificates go to those who confirmed (or whom the console records as taking part).
 */
export async function confirmRoles(webinarId: string, db = getDb()) {
  await db.updateTable('webinar_roles').set({ confirmation: 'confirmed', confirmed_at: '2020-01-01T00:00:00.000Z' }).where('webinar_id', '=', webinarId).execute()
}
