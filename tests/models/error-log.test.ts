// The error log's line for real database errors: the kind of failure (name, code), never what the
// error quotes. PostgreSQL's unique violation carries the e-mail in its detail ("Key (email)=(…)").
import { randomUUID } from 'node:crypto'
import { createStaffUser } from '#app/models/user.server'
import { getDb } from '#app/utils/db.server'
import { errorLogLine } from '#app/utils/error-log.server'
import { TEST_ENGINE } from '#tests/setup/paths'

const db = getDb()

test('a unique violation is logged by its code, without the e-mail in its message or detail', async () => {
  const email = `rahasia-${randomUUID().slice(0, 8)}@example.org`
  const { userId } = await createStaffUser(db, { email, name: 'Satu', role: 'organiser' })
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow()
  const failed = await db
    .insertInto('users')
    .values({ ...user, id: randomUUID() })
    .execute()
    .then(
      () => null,
      (error: unknown) => error,
    )
  expect(failed).toBeInstanceOf(Error)
  // The error itself quotes it (PostgreSQL in its detail); the line does not.
  if (TEST_ENGINE === 'postgres') expect((failed as { detail?: string }).detail).toContain(email)
  const line = errorLogLine(failed, { requestId: 'req-1', route: 'routes/admin.staff' })
  expect(JSON.parse(line)).toEqual({
    time: expect.any(String),
    event: 'error',
    id: 'req-1',
    route: 'routes/admin.staff',
    name: TEST_ENGINE === 'postgres' ? 'error' : 'SqliteError',
    code: TEST_ENGINE === 'postgres' ? '23505' : 'SQLITE_CONSTRAINT_UNIQUE',
  })
  expect(line).not.toContain('@')
  expect(line).not.toContain('\n')
})

test('a code that is not a plain code, or a name that is not a plain name, is left out', () => {
  const odd = Object.assign(new Error('x'), { code: 'alice@example.org' })
  odd.name = 'Error for alice@example.org'
  expect(JSON.parse(errorLogLine(odd))).toEqual({ time: expect.any(String), event: 'error', name: 'Error' })
})
