import type { MailPayload } from '#app/mail/payload'
import { getUserByEmail, verifyLogin } from '#app/models/user.server'
import { headers as staffHeaders, action as staffAction, loader as staffLoader } from '#app/routes/admin.staff'
import { action as setPasswordAction, loader as setPasswordLoader } from '#app/routes/set-password.$token'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { call, createUser, getRequest, postRequest, signedInAs } from '#tests/setup/factories'

const db = getDb()

type Sent = { kind: 'created' | 'replaced'; name: string; email: string }
type Refused = { errors: Record<string, string[]>; values: Record<string, string> }

async function countUsers() {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** The set-password link goes out by e-mail: read it from the newest invitation queued for the address. */
async function invitationFor(email: string) {
  const row = await db
    .selectFrom('outbox')
    .select(['kind', 'recipient_email', 'recipient_name', 'state', 'payload'])
    .where('recipient_email', '=', email)
    .where('kind', '=', 'staff_invitation')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow()
  const payload = JSON.parse(row.payload) as Extract<MailPayload, { kind: 'staff_invitation' }>
  return { ...row, payload }
}

async function invitationCount(email: string) {
  const rows = await db.selectFrom('outbox').select('id').where('recipient_email', '=', email).where('kind', '=', 'staff_invitation').execute()
  return rows.length
}

async function tokenMailedTo(email: string): Promise<string> {
  const { payload } = await invitationFor(email)
  const prefix = `${getEnv().APP_URL}/set-password/`
  expect(payload.setPasswordUrl.startsWith(prefix)).toBe(true)
  return payload.setPasswordUrl.slice(prefix.length)
}

async function setPassword(token: string, password: string) {
  const path = `/set-password/${token}`
  return call(setPasswordAction, postRequest(path, { password, confirm: password }), { token })
}

describe('who may manage staff accounts', () => {
  test('anonymous visitors are sent to the login page, coming back afterwards', async () => {
    const before = await countUsers()
    const responses = [
      await call(staffLoader, getRequest('/admin/staff')),
      await call(staffAction, postRequest('/admin/staff', { intent: 'create', name: 'Intruder', email: 'intruder@example.org', role: 'organiser' })),
    ]
    for (const response of responses) {
      expect(response.status).toBe(302)
      expect(response.headers.get('Location')).toBe('/login?redirectTo=%2Fadmin%2Fstaff')
    }
    expect(await countUsers()).toBe(before)
  })

  test.each(['moderator', 'speaker'] as const)('a %s is refused the list, new accounts and new links (403)', async (role) => {
    const { cookie } = await signedInAs(role)
    const target = await createUser('organiser')
    const before = await countUsers()
    const tokensBefore = await db.selectFrom('password_tokens').select('id').where('user_id', '=', target.id).execute()
    const responses = [
      await call(staffLoader, getRequest('/admin/staff', { cookie })),
      await call(staffAction, postRequest('/admin/staff', { intent: 'create', name: 'Escalation', email: 'escalation@example.org', role: 'organiser' }, { cookie })),
      await call(staffAction, postRequest('/admin/staff', { intent: 'newLink', userId: target.id }, { cookie })),
    ]
    expect(responses.map((response) => response.status)).toEqual([403, 403, 403])
    expect(await countUsers()).toBe(before)
    expect(await db.selectFrom('password_tokens').select('id').where('user_id', '=', target.id).execute()).toEqual(tokensBefore)
  })
})

describe('the account list', () => {
  test('shows name, e-mail, role and whether a password is set', async () => {
    const { cookie } = await signedInAs('organiser')
    const withPassword = await createUser('moderator', { name: 'Dannys Citra', password: 'sandi-rahasia-123' })
    const invited = await createUser('speaker', { name: 'Edy Budiyarso' })
    const response = await call(staffLoader, getRequest('/admin/staff', { cookie }))
    expect(response.status).toBe(200)
    const { users } = (await response.json()) as { users: Array<{ id: string; name: string; email: string; role: string; hasPassword: boolean }> }
    expect(users).toContainEqual({ id: withPassword.id, name: 'Dannys Citra', email: withPassword.email, role: 'moderator', hasPassword: true })
    expect(users).toContainEqual({ id: invited.id, name: 'Edy Budiyarso', email: invited.email, role: 'speaker', hasPassword: false })
  })
})

describe('creating an account', () => {
  test('stores the account without a password and e-mails a set-password link, never showing it', async () => {
    const { cookie } = await signedInAs('organiser')
    const response = await call(
      staffAction,
      postRequest('/admin/staff', { intent: 'create', name: ' Ahmad Muhlisin ', email: 'Ahmad.Muhlisin@Example.org', role: 'speaker' }, { cookie }),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    // The page rendered after a post without JavaScript is not cached either.
    expect(new Headers(staffHeaders({} as Parameters<typeof staffHeaders>[0])).get('Cache-Control')).toBe('no-store')
    const text = await response.text()
    const { sent } = JSON.parse(text) as { sent: Sent }
    expect(sent).toMatchObject({ kind: 'created', name: 'Ahmad Muhlisin', email: 'ahmad.muhlisin@example.org' })
    expect(await getUserByEmail(db, 'ahmad.muhlisin@example.org')).toMatchObject({ name: 'Ahmad Muhlisin', role: 'speaker', password_hash: null })

    // The invitation is queued for the new account, in its name, valid for three days.
    const invitation = await invitationFor('ahmad.muhlisin@example.org')
    expect(invitation).toMatchObject({ recipient_name: 'Ahmad Muhlisin', state: 'queued', payload: { kind: 'staff_invitation', role: 'speaker', validDays: 3 } })
    const token = await tokenMailedTo('ahmad.muhlisin@example.org')
    // The page itself never carries the link.
    expect(text).not.toContain(token)
    expect(text).not.toContain('/set-password/')

    // The link opens the set-password page for that account.
    const page = await call(setPasswordLoader, getRequest(`/set-password/${token}`), { token })
    expect(page.status).toBe(200)
    expect(await page.json()).toEqual({ name: 'Ahmad Muhlisin', email: 'ahmad.muhlisin@example.org' })
  })

  test('the link sets the password once; a second use is refused and changes nothing', async () => {
    const { cookie } = await signedInAs('organiser')
    const response = await call(staffAction, postRequest('/admin/staff', { intent: 'create', name: 'Jota Eko Hapsoro', email: 'jota@example.org', role: 'moderator' }, { cookie }))
    expect(response.status).toBe(200)
    const token = await tokenMailedTo('jota@example.org')

    const first = await setPassword(token, 'kata-sandi-pertama')
    expect(first.status).toBe(302)
    expect(first.headers.get('Location')).toBe('/login?passwordSet')
    const hashAfterFirst = (await getUserByEmail(db, 'jota@example.org'))?.password_hash
    expect(hashAfterFirst).toBeTruthy()

    const second = await setPassword(token, 'kata-sandi-kedua-penyusup')
    expect(second.status).toBe(410)
    expect(await second.json()).toEqual({ errors: { '': ['setPassword.invalidLink'] } })
    expect((await getUserByEmail(db, 'jota@example.org'))?.password_hash).toBe(hashAfterFirst)
    expect(await verifyLogin(db, 'jota@example.org', 'kata-sandi-pertama')).toMatchObject({ role: 'moderator' })
    expect(await verifyLogin(db, 'jota@example.org', 'kata-sandi-kedua-penyusup')).toBeNull()
  })

  test('refuses an e-mail address that another account uses, in any letter case', async () => {
    const { cookie } = await signedInAs('organiser')
    const existing = await createUser('moderator', { email: 'dannys.citra@example.org', name: 'Dannys Citra' })
    const before = await countUsers()
    const response = await call(
      staffAction,
      postRequest('/admin/staff', { intent: 'create', name: 'Someone Else', email: 'Dannys.Citra@example.org', role: 'organiser' }, { cookie }),
    )
    expect(response.status).toBe(400)
    const body = (await response.json()) as Refused
    expect(body.errors).toEqual({ email: ['staff.emailTaken'] })
    expect(body.values).toMatchObject({ name: 'Someone Else', role: 'organiser' })
    expect(await countUsers()).toBe(before)
    expect(await getUserByEmail(db, existing.email)).toMatchObject({ name: 'Dannys Citra', role: 'moderator' })
    expect(await invitationCount('dannys.citra@example.org')).toBe(1)
  })

  test.each([
    ['a missing name', { name: '' }, 'name', 'form.required'],
    ['a 1 MB name', { name: 'x'.repeat(1024 * 1024) }, 'name', 'form.tooLong?max=200'],
    ['a bad e-mail address', { email: 'not-an-address' }, 'email', 'form.invalidEmail'],
    ['a missing e-mail address', { email: '' }, 'email', 'form.required'],
    ['a missing role', { role: '' }, 'role', 'form.required'],
    ['an unknown role', { role: 'admin' }, 'role', 'form.invalidChoice'],
  ])('refuses %s with 400, the error beside its field, and creates nothing', async (_, overrides, field, error) => {
    const { cookie } = await signedInAs('organiser')
    const before = await countUsers()
    const fields = { intent: 'create', name: 'Ronny Rukminto', email: 'ronny@example.org', role: 'speaker', ...overrides }
    const response = await call(staffAction, postRequest('/admin/staff', fields, { cookie }))
    expect(response.status).toBe(400)
    const body = (await response.json()) as Refused
    expect(body.errors).toEqual({ [field]: [error] })
    expect(body).not.toHaveProperty('sent')
    expect(await countUsers()).toBe(before)
    expect(await getUserByEmail(db, 'ronny@example.org')).toBeUndefined()
    expect(await invitationCount('ronny@example.org')).toBe(0)
  })

  test('an unknown intent is a bad request', async () => {
    const { cookie } = await signedInAs('organiser')
    const response = await call(staffAction, postRequest('/admin/staff', { intent: 'delete', userId: 'x' }, { cookie }))
    expect(response.status).toBe(400)
  })
})

describe('a new set-password link for an existing account', () => {
  test('replaces the lost link: the new one works, the old one no longer does', async () => {
    const { cookie } = await signedInAs('organiser')
    const invited = await createUser('speaker', { name: 'Qausar Harta Yudana' })
    const response = await call(staffAction, postRequest('/admin/staff', { intent: 'newLink', userId: invited.id }, { cookie }))
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    const text = await response.text()
    const { sent } = JSON.parse(text) as { sent: Sent }
    expect(sent).toMatchObject({ kind: 'replaced', name: 'Qausar Harta Yudana', email: invited.email })
    // The first invitation went out when the account was made; the new link is a second one.
    expect(await invitationCount(invited.email)).toBe(2)
    const token = await tokenMailedTo(invited.email)
    expect(token).not.toBe(invited.setPasswordToken)
    expect(text).not.toContain(token)

    expect((await setPassword(invited.setPasswordToken, 'kata-sandi-lama-hilang')).status).toBe(410)
    expect((await getUserByEmail(db, invited.email))?.password_hash).toBeNull()
    expect((await setPassword(token, 'kata-sandi-baru-123')).status).toBe(302)
    expect(await verifyLogin(db, invited.email, 'kata-sandi-baru-123')).toMatchObject({ id: invited.id })
  })

  test('works for an account that already has a password (a forgotten one)', async () => {
    const { cookie } = await signedInAs('organiser')
    const moderator = await createUser('moderator', { password: 'sandi-yang-terlupa' })
    const response = await call(staffAction, postRequest('/admin/staff', { intent: 'newLink', userId: moderator.id }, { cookie }))
    expect(response.status).toBe(200)
    // An account made with a password was never invited; the new link is its first e-mail.
    expect(await invitationCount(moderator.email)).toBe(1)
    const token = await tokenMailedTo(moderator.email)
    expect((await setPassword(token, 'sandi-pengganti-456')).status).toBe(302)
    expect(await verifyLogin(db, moderator.email, 'sandi-pengganti-456')).toMatchObject({ id: moderator.id })
    expect(await verifyLogin(db, moderator.email, 'sandi-yang-terlupa')).toBeNull()
  })

  test('an unknown account is a 404 and issues nothing', async () => {
    const { cookie } = await signedInAs('organiser')
    const before = await db.selectFrom('password_tokens').select('id').execute()
    const mailBefore = await db.selectFrom('outbox').select('id').execute()
    const response = await call(staffAction, postRequest('/admin/staff', { intent: 'newLink', userId: 'no-such-account' }, { cookie }))
    expect(response.status).toBe(404)
    expect(await db.selectFrom('password_tokens').select('id').execute()).toEqual(before)
    expect(await db.selectFrom('outbox').select('id').execute()).toEqual(mailBefore)
  })
})
