import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { ROOT, TEMPLATE_DB, TEST_DB_DIR } from './paths'

// Migrate once, through the real `npm run db:migrate` script, into a template database;
// every test file starts from a copy of it.
export default function globalSetup() {
  fs.rmSync(TEST_DB_DIR, { recursive: true, force: true })
  fs.mkdirSync(TEST_DB_DIR, { recursive: true })
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'scripts/migrate.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: TEMPLATE_DB },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}
