import { checkConnection, createDb, DatabaseUrlError, redactDatabaseUrl } from '#app/utils/db.server'

// DATABASE_URL in messages (npm start, db:transfer, db:backup): every password it can carry is
// masked, wherever it is written in the URL.

const SECRET = 'rahasia-basis-data-42'

describe('redactDatabaseUrl', () => {
  test.each([
    ['in the user part', `postgres://lit:${SECRET}@db.example.org:5432/literasi`, 'postgres://lit:***@db.example.org:5432/literasi'],
    ['as a query parameter', `postgres://db.example.org/literasi?user=lit&password=${SECRET}`, 'postgres://db.example.org/literasi?user=lit&password=***'],
    ['as the client key’s passphrase', `postgresql://lit@db.example.org/literasi?sslmode=verify-full&sslpassword=${SECRET}`, 'postgresql://lit@db.example.org/literasi?sslmode=verify-full&sslpassword=***'],
    ['percent-encoded, in both places', `postgres://lit:${encodeURIComponent(`${SECRET}@#`)}@db/literasi?Password=${encodeURIComponent(`${SECRET}&`)}`, 'postgres://lit:***@db/literasi?Password=***'],
  ])('masks a password %s, and keeps the rest', (_case, url, expected) => {
    expect(redactDatabaseUrl(url)).toBe(expected)
  })

  test('a URL that does not parse shows no part of it after the scheme', () => {
    for (const url of ['postgres://lit:pa#ss@127.0.0.1:55432/lit', 'postgres://lit:p@ss:w/rd#1?@host/db', 'postgres://lit:pw@127.0.0.1:99999/lit']) {
      const shown = redactDatabaseUrl(url)
      expect(shown).toMatch(/^postgres:\/\/\*\*\*/)
      expect(shown).not.toMatch(/lit|pa#|ss|rd#|pw|host|127/)
    }
  })
})

describe('checkConnection', () => {
  // The environment refuses such a URL at start; db:transfer takes its URLs from the command line.
  test.each(['postgres://lit:pa#ss@127.0.0.1:55432/lit', 'postgres://lit:p@ss:w/rd#1?@host/db', 'postgres://lit:pw@127.0.0.1:99999/lit'])(
    'a URL that does not parse (%s) fails as DATABASE_URL, in one line, without the password',
    async (url) => {
      const db = createDb(url)
      try {
        const error = await checkConnection(db, url).then(() => null, (caught: unknown) => caught)
        expect(error).toBeInstanceOf(DatabaseUrlError)
        const message = (error as Error).message
        expect(message).toMatch(/^DATABASE_URL: /)
        expect(message).not.toContain('\n')
        expect(message).not.toMatch(/pa#ss|p@ss|rd#1|:pw@/)
      } finally {
        await db.destroy()
      }
    },
  )

  test('a password given as a query parameter is not printed when the connection fails', async () => {
    // Port 9 listens nowhere here: the connection is refused.
    const url = `postgres://lit@127.0.0.1:9/literasi?password=${SECRET}&sslpassword=${SECRET}x`
    const db = createDb(url)
    try {
      const error = await checkConnection(db, url).then(() => null, (caught: unknown) => caught)
      expect(error).toBeInstanceOf(DatabaseUrlError)
      expect((error as Error).message).toMatch(/^DATABASE_URL: cannot connect to postgres:\/\/lit@127\.0\.0\.1:9\/literasi\?password=\*\*\*&sslpassword=\*\*\*/)
      expect((error as Error).message).not.toContain(SECRET)
    } finally {
      await db.destroy()
    }
  })
})
