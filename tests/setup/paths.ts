import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
/** Test databases live here (git-ignored), one file per test file, copied from a migrated template. */
export const TEST_DB_DIR = path.join(ROOT, 'tmp', 'test-db')
export const TEMPLATE_DB = path.join(TEST_DB_DIR, 'template.sqlite')
