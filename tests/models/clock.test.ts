// Machines compare times other machines wrote (the mail lease, registration and check-in windows):
// every start on PostgreSQL compares this machine's clock with the database server's.
import { clockWarning, getDb } from '#app/utils/db.server'
import { TEST_ENGINE } from '#tests/setup/paths'

describe.skipIf(TEST_ENGINE !== 'postgres')('on PostgreSQL', () => {
  test('a clock in step with the database server: no warning', async () => {
    expect(await clockWarning(getDb())).toBeNull()
  })

  test('a clock more than 5 s ahead or behind: one line naming DATABASE_URL, the gap and NTP', async () => {
    const ahead = await clockWarning(getDb(), () => Date.now() + 200_000)
    expect(ahead).toMatch(/^DATABASE_URL: this machine's clock is 200 s ahead of the database server's: .*NTP.*README/)
    expect(ahead).not.toContain('\n')
    expect(await clockWarning(getDb(), () => Date.now() - 90_000)).toMatch(/clock is 90 s behind the database server's/)
  })

  test('a clock 2 s off is within bounds', async () => {
    expect(await clockWarning(getDb(), () => Date.now() + 2_000)).toBeNull()
  })
})

describe.skipIf(TEST_ENGINE !== 'sqlite')('on SQLite', () => {
  test('one machine: nothing to compare', async () => {
    expect(await clockWarning(getDb(), () => Date.now() + 200_000)).toBeNull()
  })
})
