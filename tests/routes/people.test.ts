import { action as editAction, loader as editLoader } from '#app/routes/admin.people.$personId'
import { loader as listLoader } from '#app/routes/admin.people._index'
import { action as newAction, loader as newLoader } from '#app/routes/admin.people.new'
import { getDb } from '#app/utils/db.server'
import { message } from '#app/utils/messages'
import { call, createPersonFor, createUser, getRequest, postRequest, signedInAs } from '#tests/setup/factories'

const db = getDb()

async function readPerson(id: string) {
  return db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst()
}

async function countPeople() {
  const row = await db.selectFrom('people').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

function personFields(overrides: Record<string, string> = {}) {
  return {
    name: 'Edy Budiyarso',
    title: 'Managing Director',
    organisation: 'Indoplus Communications',
    email: 'Edy.Budiyarso@Example.org',
    whatsapp: '0812 3456 7890',
    bio: 'Praktisi komunikasi digital.',
    account: '',
    ...overrides,
  }
}

function personIdFrom(response: Response): string {
  const location = response.headers.get('Location') ?? ''
  const match = location.match(/^\/admin\/people\/([^/?]+)/)
  if (!match) throw new Error(`unexpected redirect: ${location}`)
  return match[1]!
}

describe('who may use the people directory', () => {
  test('anonymous visitors are sent to the login page, coming back afterwards', async () => {
    const personId = await createPersonFor('Ahmad Muhlisin')
    const cases: Array<[Response, string]> = [
      [await call(listLoader, getRequest('/admin/people?q=ahmad')), '/admin/people?q=ahmad'],
      [await call(newLoader, getRequest('/admin/people/new')), '/admin/people/new'],
      [await call(newAction, postRequest('/admin/people/new', personFields())), '/admin/people/new'],
      [await call(editLoader, getRequest(`/admin/people/${personId}`), { personId }), `/admin/people/${personId}`],
      [await call(editAction, postRequest(`/admin/people/${personId}`, personFields()), { personId }), `/admin/people/${personId}`],
    ]
    for (const [response, path] of cases) {
      expect(response.status).toBe(302)
      expect(response.headers.get('Location')).toBe(`/login?${new URLSearchParams({ redirectTo: path })}`)
    }
    expect((await readPerson(personId))?.name).toBe('Ahmad Muhlisin')
  })

  test.each(['moderator', 'speaker'] as const)('a %s is refused every page and every change (403)', async (role) => {
    const { cookie } = await signedInAs(role)
    const personId = await createPersonFor('Jota Eko Hapsoro')
    const before = await countPeople()
    const responses = [
      await call(listLoader, getRequest('/admin/people', { cookie })),
      await call(newLoader, getRequest('/admin/people/new', { cookie })),
      await call(newAction, postRequest('/admin/people/new', personFields(), { cookie })),
      await call(editLoader, getRequest(`/admin/people/${personId}`, { cookie }), { personId }),
      await call(editAction, postRequest(`/admin/people/${personId}`, personFields(), { cookie }), { personId }),
    ]
    expect(responses.map((response) => response.status)).toEqual([403, 403, 403, 403, 403])
    expect(await countPeople()).toBe(before)
    expect((await readPerson(personId))?.name).toBe('Jota Eko Hapsoro')
  })
})

describe('creating a directory entry', () => {
  test('saves every field, normalising the e-mail and WhatsApp number, and opens the entry', async () => {
    const { cookie } = await signedInAs('organiser')
    const response = await call(newAction, postRequest('/admin/people/new', personFields(), { cookie }))
    expect(response.status).toBe(302)
    const id = personIdFrom(response)
    expect(response.headers.get('Location')).toBe(`/admin/people/${id}?created`)
    expect(await readPerson(id)).toMatchObject({
      name: 'Edy Budiyarso',
      title: 'Managing Director',
      organisation: 'Indoplus Communications',
      email: 'edy.budiyarso@example.org',
      whatsapp: '+6281234567890',
      bio: 'Praktisi komunikasi digital.',
      user_id: null,
    })
  })

  test('only the name is required', async () => {
    const { cookie } = await signedInAs('organiser')
    const fields = { name: 'Qausar Harta Yudana', title: '', organisation: '', email: '', whatsapp: '', bio: '', account: '' }
    const response = await call(newAction, postRequest('/admin/people/new', fields, { cookie }))
    expect(response.status).toBe(302)
    expect(await readPerson(personIdFrom(response))).toMatchObject({ name: 'Qausar Harta Yudana', email: null, whatsapp: null, user_id: null })
  })

  test('links a staff account', async () => {
    const { cookie } = await signedInAs('organiser')
    const moderator = await createUser('moderator', { name: 'Dannys Citra' })
    const response = await call(newAction, postRequest('/admin/people/new', personFields({ name: 'Dannys Citra', account: moderator.id }), { cookie }))
    expect(response.status).toBe(302)
    expect((await readPerson(personIdFrom(response)))?.user_id).toBe(moderator.id)
  })

  test.each([
    ['a missing name', { name: '   ' }, 'name', 'form.required'],
    ['a 1 MB name', { name: 'x'.repeat(1024 * 1024) }, 'name', 'form.tooLong?max=200'],
    ['a bad e-mail address', { email: 'edy@' }, 'email', 'form.invalidEmail'],
    ['a non-Indonesian WhatsApp number', { whatsapp: '+44 20 7946 0958' }, 'whatsapp', 'form.invalidPhone'],
    ['an account that does not exist', { account: 'no-such-account' }, 'account', 'form.invalidChoice'],
  ])('refuses %s with 400, the error beside its field, and saves nothing', async (_, overrides, field, error) => {
    const { cookie } = await signedInAs('organiser')
    const before = await countPeople()
    const response = await call(newAction, postRequest('/admin/people/new', personFields(overrides), { cookie }))
    expect(response.status).toBe(400)
    const body = (await response.json()) as { errors: Record<string, string[]>; values: Record<string, string> }
    expect(body.errors[field]).toEqual([error])
    expect(Object.keys(body.errors)).toEqual([field])
    // What was typed comes back, so nothing has to be typed again.
    expect(body.values.organisation).toBe('Indoplus Communications')
    expect(await countPeople()).toBe(before)
  })

  test('refuses an account that is already linked to someone else', async () => {
    const { cookie } = await signedInAs('organiser')
    const speaker = await createUser('speaker')
    await createPersonFor('Ronny Rukminto', { userId: speaker.id })
    const before = await countPeople()
    const response = await call(newAction, postRequest('/admin/people/new', personFields({ account: speaker.id }), { cookie }))
    expect(response.status).toBe(400)
    const body = (await response.json()) as { errors: Record<string, string[]>; values: Record<string, string> }
    expect(body.errors).toEqual({ account: ['people.accountTaken'] })
    expect(body.values).toMatchObject({ name: 'Edy Budiyarso', account: speaker.id })
    expect(await countPeople()).toBe(before)
  })

  test('the new-entry page lists the staff accounts to link', async () => {
    const { cookie } = await signedInAs('organiser')
    const moderator = await createUser('moderator', { name: 'Dannys Citra' })
    const response = await call(newLoader, getRequest('/admin/people/new', { cookie }))
    expect(response.status).toBe(200)
    const { accounts } = (await response.json()) as { accounts: Array<{ id: string; name: string; email: string; role: string }> }
    expect(accounts).toContainEqual({ id: moderator.id, name: 'Dannys Citra', email: moderator.email, role: 'moderator' })
  })
})

describe('editing a directory entry', () => {
  test('shows the stored entry in the form', async () => {
    const { cookie } = await signedInAs('organiser')
    const personId = await createPersonFor('Ahmad Muhlisin', { email: 'ahmad@example.org' })
    const response = await call(editLoader, getRequest(`/admin/people/${personId}`, { cookie }), { personId })
    expect(response.status).toBe(200)
    const body = (await response.json()) as { name: string; values: Record<string, string>; notice: string | null }
    expect(body.name).toBe('Ahmad Muhlisin')
    expect(body.values).toMatchObject({ name: 'Ahmad Muhlisin', email: 'ahmad@example.org', whatsapp: '', account: '' })
    expect(body.notice).toBeNull()
  })

  test('saves every field and comes back to the entry with a notice', async () => {
    const { cookie } = await signedInAs('organiser')
    const moderator = await createUser('moderator')
    const personId = await createPersonFor('Ahmad Muhlisin')
    const fields = personFields({ name: 'Ahmad Muhlisin, S.Kom.', title: 'Editor', organisation: 'Betanews.id', whatsapp: '+62 857-1234-5678', account: moderator.id })
    const response = await call(editAction, postRequest(`/admin/people/${personId}`, fields, { cookie }), { personId })
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe(`/admin/people/${personId}?saved`)
    expect(await readPerson(personId)).toMatchObject({
      name: 'Ahmad Muhlisin, S.Kom.',
      title: 'Editor',
      organisation: 'Betanews.id',
      whatsapp: '+6285712345678',
      user_id: moderator.id,
    })
    const page = await call(editLoader, getRequest(`/admin/people/${personId}?saved`, { cookie }), { personId })
    expect(((await page.json()) as { notice: string }).notice).toBe('form.saved')
  })

  test('clearing the account unlinks it', async () => {
    const { cookie } = await signedInAs('organiser')
    const speaker = await createUser('speaker')
    const personId = await createPersonFor('Jota Eko Hapsoro', { userId: speaker.id })
    const response = await call(editAction, postRequest(`/admin/people/${personId}`, personFields({ account: '' }), { cookie }), { personId })
    expect(response.status).toBe(302)
    expect((await readPerson(personId))?.user_id).toBeNull()
  })

  test('keeping its own linked account is allowed', async () => {
    const { cookie } = await signedInAs('organiser')
    const speaker = await createUser('speaker')
    const personId = await createPersonFor('Jota Eko Hapsoro', { userId: speaker.id })
    const response = await call(editAction, postRequest(`/admin/people/${personId}`, personFields({ name: 'Jota Eko Hapsoro', account: speaker.id }), { cookie }), {
      personId,
    })
    expect(response.status).toBe(302)
    expect((await readPerson(personId))?.user_id).toBe(speaker.id)
  })

  test('refuses to link an account that belongs to another entry, and changes nothing', async () => {
    const { cookie } = await signedInAs('organiser')
    const speaker = await createUser('speaker')
    await createPersonFor('Ronny Rukminto', { userId: speaker.id })
    const personId = await createPersonFor('Edy Budiyarso')
    const before = await readPerson(personId)
    const response = await call(editAction, postRequest(`/admin/people/${personId}`, personFields({ name: 'Changed', account: speaker.id }), { cookie }), {
      personId,
    })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { errors: Record<string, string[]>; values: Record<string, string> }
    expect(body.errors).toEqual({ account: ['people.accountTaken'] })
    expect(body.values.name).toBe('Changed')
    expect(await readPerson(personId)).toEqual(before)
  })

  test('refuses bad input with 400 and changes nothing', async () => {
    const { cookie } = await signedInAs('organiser')
    const personId = await createPersonFor('Edy Budiyarso')
    const before = await readPerson(personId)
    const response = await call(editAction, postRequest(`/admin/people/${personId}`, personFields({ name: '', whatsapp: '12345' }), { cookie }), {
      personId,
    })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { errors: Record<string, string[]> }
    expect(body.errors).toEqual({ name: ['form.required'], whatsapp: ['form.invalidPhone'] })
    expect(await readPerson(personId)).toEqual(before)
  })

  test('a name the certificate cannot print, or broken text in any field, is a 400 beside that field and changes nothing', async () => {
    // Speakers, moderators and KOLs get certificates with the name in the directory.
    const { cookie } = await signedInAs('organiser')
    const personId = await createPersonFor('Edy Budiyarso')
    const before = await readPerson(personId)
    const people = await countPeople()
    const cases: Array<[Record<string, string>, Record<string, string[]>]> = [
      [{ name: 'Edy 😀' }, { name: [message('form.nameUnprintable', { chars: '😀' })] }],
      [{ name: 'สมชาย' }, { name: [message('form.nameUnprintable', { chars: 'ส ม ช า ย' })] }],
      [{ name: '\u200b\u200c\u2060' }, { name: ['form.nameNeedsLetter'] }],
      [{ organisation: 'Indoplus\u0000' }, { organisation: ['form.badCharacters'] }],
      [{ organisation: 'Indoplus\u0001' }, { organisation: ['form.badCharacters'] }],
      [{ title: 'Direktur\u0085' }, { title: ['form.badCharacters'] }],
      [{ bio: 'Praktisi \ufffd digital.' }, { bio: ['form.badCharacters'] }],
      [{ bio: 'Baris satu\u0007' }, { bio: ['form.badCharacters'] }],
    ]
    for (const [overrides, errors] of cases) {
      const edit = await call(editAction, postRequest(`/admin/people/${personId}`, personFields(overrides), { cookie }), { personId })
      expect(edit.status, JSON.stringify(overrides)).toBe(400)
      expect(((await edit.json()) as { errors: Record<string, string[]> }).errors, JSON.stringify(overrides)).toEqual(errors)
      const create = await call(newAction, postRequest('/admin/people/new', personFields(overrides), { cookie }))
      expect(create.status, JSON.stringify(overrides)).toBe(400)
    }
    expect(await readPerson(personId)).toEqual(before)
    expect(await countPeople()).toBe(people)
  })

  test('names in Arabic script (Jawi too) and Han are saved as typed; a bio keeps its lines and tabs', async () => {
    const { cookie } = await signedInAs('organiser')
    for (const name of ['ݢوستي ڤوتري ڠاتين', '陳美玲', 'Nguyễn Thị Ṣari']) {
      const response = await call(newAction, postRequest('/admin/people/new', personFields({ name, bio: 'Baris satu\r\n\tBaris dua' }), { cookie }))
      expect(response.status, name).toBe(302)
      expect(await readPerson(personIdFrom(response)), name).toMatchObject({ name, bio: 'Baris satu\r\n\tBaris dua' })
    }
  })

  test('an unknown entry is a 404, to read and to change', async () => {
    const { cookie } = await signedInAs('organiser')
    const before = await countPeople()
    const personId = 'no-such-person'
    const page = await call(editLoader, getRequest(`/admin/people/${personId}`, { cookie }), { personId })
    expect(page.status).toBe(404)
    const save = await call(editAction, postRequest(`/admin/people/${personId}`, personFields(), { cookie }), { personId })
    expect(save.status).toBe(404)
    expect(await countPeople()).toBe(before)
  })
})

describe('searching the directory', () => {
  test('finds people by name, title, organisation or e-mail, ignoring case', async () => {
    const { cookie } = await signedInAs('organiser')
    const search = async (q: string) => {
      const response = await call(listLoader, getRequest(`/admin/people?${new URLSearchParams({ q })}`, { cookie }))
      expect(response.status).toBe(200)
      const body = (await response.json()) as { q: string; people: Array<{ name: string }> }
      return body.people.map((person) => person.name)
    }
    const add = async (fields: Record<string, string>) => {
      const response = await call(newAction, postRequest('/admin/people/new', personFields({ title: '', organisation: '', email: '', ...fields }), { cookie }))
      expect(response.status).toBe(302)
    }
    await add({ name: 'Wirasena Kartolo', email: 'wirasena@tanjungpura.example.org' })
    await add({ name: 'Sekar Ayuningtyas', title: 'Juru Penerang Madya' })
    await add({ name: 'Bayu Prakoso', organisation: 'Kriyasa 50% Nusantara' })
    await add({ name: 'Laras_Wening' })

    expect(await search('KARTOLO')).toEqual(['Wirasena Kartolo'])
    expect(await search('juru penerang')).toEqual(['Sekar Ayuningtyas'])
    expect(await search('kriyasa')).toEqual(['Bayu Prakoso'])
    expect(await search('tanjungpura.example')).toEqual(['Wirasena Kartolo'])
    expect(await search('no such person anywhere')).toEqual([])
    // LIKE wildcards typed by the organiser are plain characters.
    expect(await search('50%')).toEqual(['Bayu Prakoso'])
    expect(await search('s_w')).toEqual(['Laras_Wening'])
    expect(await search('%')).toEqual(['Bayu Prakoso'])
    expect(await search('')).toEqual(expect.arrayContaining(['Wirasena Kartolo', 'Sekar Ayuningtyas', 'Bayu Prakoso', 'Laras_Wening']))
  })
})
