import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { TEMPLATE_DB, TEST_DB_DIR } from './paths'

// A real SQLite file per test file, so tests never share rows.
const file = path.join(TEST_DB_DIR, `test-${process.pid}-${randomBytes(4).toString('hex')}.sqlite`)
fs.copyFileSync(TEMPLATE_DB, file)
process.env.NODE_ENV = 'test'
process.env.DATABASE_URL = file
process.env.SESSION_SECRET ??= 'test-session-secret-that-is-long-enough-0123456789'
process.env.APP_URL ??= 'http://localhost:3000'
delete process.env.SMTP_URL
delete process.env.DEMO_PASSWORD
