// The public pages' caches against real servers: two app processes on one database (PostgreSQL
// on the PostgreSQL run, one SQLite file otherwise), as two machines behind a load balancer.
// Each keeps rendered pages; every write, through either process or straight into the database
// (an organiser elsewhere), must show on the next request to either.
import { cancelRegistration } from '#app/models/registration.server'
import { cancelWebinar } from '#app/models/webinar.server'
import { translate } from '#app/i18n'
import { createStaff, get, postForm, publishWebinarOn, residentForm, signIn, startTestServer, type TestServer } from '#tests/e2e/harness'

const CAPACITY = 40
const seatsLeft = (count: number) => translate('id', 'catalogue.seatsLeft', { count, capacity: CAPACITY })

let first: TestServer
let second: TestServer
let servers: TestServer[]
let organiser: Awaited<ReturnType<typeof createStaff>>

beforeAll(async () => {
  first = await startTestServer()
  second = await startTestServer({ databaseUrl: first.dbFile })
  servers = [first, second]
  organiser = await createStaff(first.db, 'organiser', { password: 'kata-sandi-yang-panjang-1', name: 'Organiser Cache' })
})

afterAll(async () => {
  await second?.stop()
  await first?.stop()
})

/**
 * Requests the page from a server until its cache holds it, then returns what the hit serves. On
 * PostgreSQL a commit anywhere on the server empties the caches (the test files running beside
 * this one write to their own databases there), so a few misses in a row may come first.
 */
async function cached(server: TestServer, pathname: string, options: Parameters<typeof get>[2] = {}) {
  for (let tries = 1; ; tries++) {
    const response = await get(server, pathname, options)
    if (response.headers.get('X-Page-Cache') === 'hit' || tries === 10) {
      expect(response.headers.get('X-Page-Cache'), `${pathname} on ${server.url}`).toBe('hit')
      return { response, text: await response.text() }
    }
    await response.arrayBuffer()
  }
}

describe('the public pages in each process’s cache', () => {
  test('a second request is served from the cache, with an ETag, a short shared lifetime and Vary: Cookie', async () => {
    const webinar = await publishWebinarOn(first.db, organiser.id, { capacity: CAPACITY })
    for (const pathname of ['/webinars', `/webinars/${webinar.slug}`]) {
      const miss = await get(first, pathname)
      expect(miss.status).toBe(200)
      const { response } = await cached(first, pathname)
      expect(response.headers.get('ETag')).toBe(miss.headers.get('ETag'))
      expect(response.headers.get('ETag')).toMatch(/^W\/".+"$/)
      expect(response.headers.get('Cache-Control')).toBe('public, max-age=0, s-maxage=2, stale-while-revalidate=3')
      expect(response.headers.get('Vary')).toBe('Cookie, Accept-Encoding')
    }
  })

  test('If-None-Match with the page’s ETag is a 304 without a body; after a change it is a 200 with another ETag', async () => {
    const webinar = await publishWebinarOn(first.db, organiser.id, { capacity: CAPACITY })
    const pathname = `/webinars/${webinar.slug}`
    const { response } = await cached(first, pathname)
    const etag = response.headers.get('ETag')!
    for (const server of servers) {
      const revalidated = await get(server, pathname, { headers: { 'If-None-Match': etag } })
      expect(revalidated.status).toBe(304)
      expect(await revalidated.text()).toBe('')
      expect(revalidated.headers.get('ETag')).toBe(etag)
    }
    expect((await get(first, pathname, { headers: { 'If-None-Match': '"something-else", W/"nor-this"' } })).status).toBe(200)

    expect((await postForm(first, pathname, residentForm('Etag', 1))).status).toBe(303)
    const changed = await get(second, pathname, { headers: { 'If-None-Match': etag } })
    expect(changed.status).toBe(200)
    expect(changed.headers.get('ETag')).not.toBe(etag)
    expect(await changed.text()).toContain(seatsLeft(CAPACITY - 1))
  })

  test('a registration through one process changes the seats left on the next request to either', async () => {
    const webinar = await publishWebinarOn(first.db, organiser.id, { capacity: CAPACITY })
    const pages = ['/webinars', `/webinars/${webinar.slug}`]
    for (const server of servers) for (const pathname of pages) expect((await cached(server, pathname)).text).toContain(seatsLeft(CAPACITY))

    for (const [n, through] of [first, second].entries()) {
      expect((await postForm(through, `/webinars/${webinar.slug}`, residentForm('Kursi Cache', n))).status).toBe(303)
      for (const server of servers) {
        for (const pathname of pages) {
          const response = await get(server, pathname)
          expect(response.headers.get('X-Page-Cache'), `${pathname} after registration ${n + 1}`).toBe('miss')
          expect(await response.text()).toContain(seatsLeft(CAPACITY - n - 1))
        }
      }
    }
  })

  test('a resident’s cancellation and an organiser’s cancel, written elsewhere, show at once in both processes', async () => {
    const webinar = await publishWebinarOn(first.db, organiser.id, { capacity: CAPACITY })
    const pathname = `/webinars/${webinar.slug}`
    expect((await postForm(first, pathname, residentForm('Batal Cache', 1))).status).toBe(303)
    const { token } = await first.db.selectFrom('registrations').select('token').where('webinar_id', '=', webinar.id).executeTakeFirstOrThrow()
    for (const server of servers) expect((await cached(server, pathname)).text).toContain(seatsLeft(CAPACITY - 1))

    // Straight into the database, as from another machine: neither process saw the write happen.
    expect(await cancelRegistration(first.db, token)).toBe(true)
    for (const server of servers) expect(await (await get(server, pathname)).text()).toContain(seatsLeft(CAPACITY))
    for (const server of servers) await cached(server, pathname)

    expect((await cancelWebinar(first.db, webinar.id)).ok).toBe(true)
    for (const server of servers) {
      const text = await (await get(server, pathname)).text()
      expect(text).toContain(translate('id', 'register.cancelled'))
      expect(text).not.toContain(translate('id', 'register.submit'))
    }
    // The catalogue lists upcoming webinars only: the cancelled one is gone from it at once.
    for (const server of servers) expect(await (await get(server, '/webinars')).text()).not.toContain(`/webinars/${webinar.slug}"`)
  })

  test('a request with a session cookie is neither served from nor stored in any cache', async () => {
    const session = await signIn(first, organiser)
    const { text: anonymous } = await cached(first, '/webinars')
    expect(anonymous).not.toContain('Organiser Cache')

    const staff = await get(first, '/webinars', { cookie: session })
    expect(staff.headers.get('X-Page-Cache')).toBe('bypass')
    expect(staff.headers.get('Cache-Control')).toBe('private, no-store')
    expect(staff.headers.get('ETag')).toBeNull()
    expect(staff.headers.get('Vary')).toContain('Cookie')
    // Rendered for them (their name in the header), not the anonymous page from the cache.
    expect(await staff.text()).toContain('Organiser Cache')

    // Nor was their page kept for the next anonymous reader.
    expect((await cached(first, '/webinars')).text).not.toContain('Organiser Cache')
    // A cookie of any other name is treated the same: the page might be someone's own.
    expect((await get(first, '/webinars', { cookie: 'tracking=1' })).headers.get('X-Page-Cache')).toBe('bypass')
  })

  test('each language has its own entry; the language cookie alone keeps a page shareable', async () => {
    const webinar = await publishWebinarOn(first.db, organiser.id, { capacity: CAPACITY })
    const switched = await postForm(first, '/lang', { lang: 'en', redirectTo: '/webinars' })
    const langCookie = switched.headers.getSetCookie()[0]!.split(';')[0]!
    const pathname = `/webinars/${webinar.slug}`
    const { text: indonesian } = await cached(first, pathname)
    const { response: english, text } = await cached(first, pathname, { cookie: langCookie })
    expect(english.headers.get('Cache-Control')).toContain('public')
    expect(text).toContain('<html lang="en"')
    expect(text).toContain(translate('en', 'catalogue.seatsLeft', { count: CAPACITY, capacity: CAPACITY }))
    expect(indonesian).toContain('<html lang="id"')
  })

  test('pages that are someone’s own are never public: a personal page is private', async () => {
    const webinar = await publishWebinarOn(first.db, organiser.id, { capacity: CAPACITY })
    expect((await postForm(first, `/webinars/${webinar.slug}`, residentForm('Pribadi Cache', 1))).status).toBe(303)
    const { token } = await first.db.selectFrom('registrations').select('token').where('webinar_id', '=', webinar.id).executeTakeFirstOrThrow()
    const personal = await get(first, `/r/${token}`)
    expect(personal.status).toBe(200)
    expect(personal.headers.get('Cache-Control')).toBe('private, no-store')
    expect(personal.headers.get('X-Page-Cache')).toBeNull()
  })
})
