import fs from 'node:fs'
import path from 'node:path'
import { ROOT } from '#tests/setup/paths'

// Runs against the production build that `npm test` makes first.
const clientDir = path.join(ROOT, 'public/build')

function clientFiles(dir = clientDir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? clientFiles(full) : full.endsWith('.js') ? [full] : []
  })
}

test('server-only code stays out of the browser bundle', () => {
  const files = clientFiles()
  expect(files.length).toBeGreaterThan(0)
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8')
    // zod is ~450 kB: schemas belong in *.server.ts files.
    expect(text.includes('ZodError'), `${path.relative(ROOT, file)} bundles zod`).toBe(false)
    expect(text.includes('better-sqlite3'), `${path.relative(ROOT, file)} bundles the database driver`).toBe(false)
    expect(text.includes('SESSION_SECRET'), `${path.relative(ROOT, file)} bundles env parsing`).toBe(false)
  }
})
