import { sql } from 'kysely'
import { startMailWorker } from '#app/mail/run.server'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { TEST_ENGINE } from '#tests/setup/paths'
import { waitUntil } from './__helpers/mail'

// The mail worker's loop logs what stops a batch as one JSON line, as requests do
// (utils/error-log.server.ts): the error's name and code, never its message.

test('a batch that fails on the database is logged as one JSON line naming the job and the code', async () => {
  const db = getDb()
  const logged: string[] = []
  await sql`alter table outbox rename to outbox_hilang`.execute(db)
  const running = startMailWorker(db, getEnv(), (line) => logged.push(line))
  try {
    await waitUntil(() => logged.length > 0, 10_000, 'the worker to log its failed batch')
  } finally {
    await running.stop()
    await sql`alter table outbox_hilang rename to outbox`.execute(db)
  }
  for (const line of logged) {
    expect(JSON.parse(line)).toMatchObject({ event: 'error', job: 'mail worker', code: TEST_ENGINE === 'postgres' ? '42P01' : 'SQLITE_ERROR' })
    expect(line).not.toMatch(/outbox|no such table|does not exist/)
  }
})
