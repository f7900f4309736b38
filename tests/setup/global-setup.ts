import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { adminQuery } from '../../scripts/test-postgres'
import { POSTGRES_TEMPLATE, ROOT, TEMPLATE_DB, TEST_DB_DIR, TEST_POSTGRES_URL } from './paths'

/** Test databases older than this belong to no running test run. */
const STALE_MS = 60 * 60 * 1000

// Migrate once, through the real `npm run db:migrate` script, into a template database;
// every test file starts from a copy of it.
export default async function globalSetup() {
  if (TEST_POSTGRES_URL) return migratePostgresTemplate(TEST_POSTGRES_URL)
  fs.mkdirSync(TEST_DB_DIR, { recursive: true })
  // Another test run in the same tree may still be using its files, so only old ones go.
  for (const name of fs.readdirSync(TEST_DB_DIR)) {
    const file = path.join(TEST_DB_DIR, name)
    // Recursive: uploaded files live in folders here too (UPLOAD_DIR per test file and server).
    if (Date.now() - fs.statSync(file).mtimeMs > STALE_MS) fs.rmSync(file, { force: true, recursive: true })
  }
  const fresh = path.join(TEST_DB_DIR, `template-${process.pid}.sqlite`)
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'scripts/migrate.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: fresh },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  // A rename is atomic, so a run copying the template meanwhile gets the old or the new one, whole.
  fs.renameSync(fresh, TEMPLATE_DB)
}

/** The PostgreSQL run: the template database, made afresh and migrated by the real script. */
async function migratePostgresTemplate(serverUrl: string) {
  await adminQuery(serverUrl, `drop database if exists "${POSTGRES_TEMPLATE}" with (force)`)
  await adminQuery(serverUrl, `create database "${POSTGRES_TEMPLATE}"`)
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'scripts/migrate.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: `${serverUrl}${POSTGRES_TEMPLATE}` },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}
