// A production install (`npm ci --omit=dev`) carries only what runs: every package the server
// bundle and the production scripts load is a dependency, and build-only tools are not.
import fs from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { ROOT } from '#tests/setup/paths'

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}

/** What production runs: the start command, the mail worker and the migrations (tsx loads them). */
const PRODUCTION_ENTRIES = ['scripts/start.ts', 'scripts/worker.ts', 'scripts/migrate.ts']
/** Loaded by `npm start` only outside production (demo data, building when the build is stale). */
const DEVELOPMENT_ONLY = new Set(['scripts/seed.ts'])

const SPECIFIER = /(?:^|[^.\w])(?:import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm

function specifiers(source: string): string[] {
  return [...source.matchAll(SPECIFIER)].map((match) => (match[1] ?? match[2])!)
}

function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!
}

function resolveLocal(from: string, specifier: string): string | null {
  let base: string
  if (specifier.startsWith('#app/')) base = path.join(ROOT, 'app', specifier.slice(5))
  else if (specifier.startsWith('#db/')) base = path.join(ROOT, 'db', specifier.slice(4))
  else if (specifier.startsWith('.')) base = path.resolve(path.dirname(from), specifier)
  else return null
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate
  }
  return base.endsWith('.css') ? null : base
}

/** Every package reachable from the entries through their (non-type) imports. */
function packagesReachableFrom(entries: string[]): Map<string, string> {
  const seen = new Set<string>()
  const packages = new Map<string, string>()
  const queue = entries.map((entry) => path.join(ROOT, entry))
  while (queue.length) {
    const file = queue.pop()!
    if (seen.has(file) || !fs.existsSync(file) || DEVELOPMENT_ONLY.has(path.relative(ROOT, file))) continue
    seen.add(file)
    for (const specifier of specifiers(fs.readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue
      const local = resolveLocal(file, specifier)
      if (local) queue.push(local)
      else if (!specifier.startsWith('#') && !specifier.startsWith('.')) packages.set(packageName(specifier), path.relative(ROOT, file))
    }
  }
  return packages
}

test('build-only tools are devDependencies', () => {
  for (const name of ['@remix-run/dev', 'typescript', 'vitest', 'playwright-core']) {
    expect(pkg.dependencies[name], name).toBeUndefined()
    expect(pkg.devDependencies[name], name).toBeDefined()
  }
})

test('every package the server bundle loads is a dependency', () => {
  const bundle = fs.readFileSync(path.join(ROOT, 'build/index.js'), 'utf8')
  const missing = [...new Set(specifiers(bundle).filter((s) => !s.startsWith('node:') && !s.startsWith('.') && !builtinModules.includes(s)).map(packageName))].filter(
    (name) => !pkg.dependencies[name],
  )
  expect(missing).toEqual([])
})

test('every package the production scripts load is a dependency', () => {
  const missing = [...packagesReachableFrom(PRODUCTION_ENTRIES)].filter(([name]) => !pkg.dependencies[name]).map(([name, file]) => `${name} (${file})`)
  expect(missing).toEqual([])
})
