import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

// The PostgreSQL run (`npm test` sets TEST_POSTGRES_URL): everything that touches the database,
// and one browser file end to end; the build checks and the other browser files run on SQLite.
const onPostgres = !!process.env.TEST_POSTGRES_URL
const include = onPostgres
  ? ['app/**/*.test.{ts,tsx}', 'tests/{models,routes,mail,http,scripts}/**/*.test.{ts,tsx}', 'tests/e2e/resident.test.ts', 'scripts/**/*.test.ts', 'db/**/*.test.ts']
  : ['app/**/*.test.{ts,tsx}', 'tests/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts', 'db/**/*.test.ts']

export default defineConfig({
  root,
  resolve: {
    alias: [
      { find: /^#app\/(.*)$/, replacement: path.join(root, 'app/$1') },
      { find: /^#db\/(.*)$/, replacement: path.join(root, 'db/$1') },
      { find: /^#tests\/(.*)$/, replacement: path.join(root, 'tests/$1') },
    ],
  },
  esbuild: { jsx: 'automatic' },
  test: {
    globals: true,
    include,
    globalSetup: ['tests/setup/global-setup.ts'],
    setupFiles: ['tests/setup/setup-test-env.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
