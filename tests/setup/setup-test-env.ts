import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { createDatabaseFrom } from '../../scripts/test-postgres'
import { POSTGRES_TEMPLATE, TEMPLATE_DB, TEST_DB_DIR, TEST_POSTGRES_URL } from './paths'

// A database of its own per test file, so tests never share rows: a SQLite file copied from the
// migrated template, or on the PostgreSQL run a database copied from the template database.
const name = `test-${process.pid}-${randomBytes(4).toString('hex')}`
if (TEST_POSTGRES_URL) {
  const database = name.replaceAll('-', '_')
  await createDatabaseFrom(TEST_POSTGRES_URL, POSTGRES_TEMPLATE, database)
  process.env.DATABASE_URL = `${TEST_POSTGRES_URL}${database}`
} else {
  const file = path.join(TEST_DB_DIR, `${name}.sqlite`)
  fs.copyFileSync(TEMPLATE_DB, file)
  process.env.DATABASE_URL = file
}
// Uploaded files (speakers' slides) get a folder of their own per test file too.
process.env.UPLOAD_DIR = path.join(TEST_DB_DIR, `${name}-uploads`)
process.env.NODE_ENV = 'test'
process.env.SESSION_SECRET ??= 'test-session-secret-that-is-long-enough-0123456789'
process.env.APP_URL ??= 'http://localhost:3000'
delete process.env.SMTP_URL
delete process.env.DEMO_PASSWORD
