import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
/** Test databases live here (git-ignored), one file per test file, copied from a migrated template. */
export const TEST_DB_DIR = path.join(ROOT, 'tmp', 'test-db')
export const TEMPLATE_DB = path.join(TEST_DB_DIR, 'template.sqlite')

/**
 * Set by `npm test` for its PostgreSQL run: the throwaway server's URL without a database
 * (scripts/test-postgres.ts). Unset, the tests run on SQLite.
 */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL || null
/** The database every PostgreSQL test database is copied from, migrated once per run. */
export const POSTGRES_TEMPLATE = 'literasi_template'
/** Which engine this test run uses. */
export const TEST_ENGINE: 'sqlite' | 'postgres' = TEST_POSTGRES_URL ? 'postgres' : 'sqlite'
