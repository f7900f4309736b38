import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { matchRoutes } from '@remix-run/router'
import { ROOT } from '#tests/setup/paths'

const require = createRequire(import.meta.url)

// scripts/patches makes @remix-run/router's matching on the server compile each route pattern
// once (it compiled every pattern it tried into a new RegExp on every request), and flatten and
// rank a route tree once (it did so twice per request): together a fifth of an empty action's CPU.
// It also remembers which routes a path matched, per tree, since every request matched its path twice,
// and tries only the branches that can match a path's first segment (personal links are all
// different paths, so the memo does not help them).
test('the router patch is applied to the copy the server loads (npm install runs patch-package)', () => {
  const source = fs.readFileSync(require.resolve('@remix-run/router'), 'utf8')
  expect(source).toContain('function compilePathUncached(')
  expect(source).toContain('const rankedBranchesByTree = new WeakMap()')
  expect(source).toContain('const matchMemoByTree = new WeakMap()')
  expect(source).toContain('byFirstSegment')
})

test("the browser's copy is left alone: lazy route discovery grows its tree in place", () => {
  const browser = fs.readFileSync(require.resolve('@remix-run/router/dist/router.js'), 'utf8')
  expect(browser).not.toContain('rankedBranchesByTree')
})

test('each route tree is ranked on its own', () => {
  const first = [{ id: 'a', path: 'webinars/:slug' }]
  const second = [{ id: 'b', path: 'webinars/:slug' }, { id: 'c', path: 'webinars/new' }]
  for (let i = 0; i < 2; i++) {
    expect(matchRoutes(first, '/webinars/new')?.at(-1)?.route.id).toBe('a')
    expect(matchRoutes(second, '/webinars/new')?.at(-1)?.route.id).toBe('c')
    expect(matchRoutes(second, '/webinars/klaten')?.at(-1)?.route.id).toBe('b')
  }
})

test('with the patch, matching gives the same answers, case-insensitively and with params, however often it runs', () => {
  const routes = [
    { id: 'root', path: '', children: [
      { id: 'r.$token', path: 'r/:token', children: [{ id: 'r.$token._index', index: true }] },
      { id: 'r.$token.certificate', path: 'r/:token/certificate.pdf' },
      { id: 'attendance.$slug.import.$importId', path: 'attendance/:slug/import/:importId' },
      { id: 'catch-all', path: '*' },
    ] },
  ]
  for (let i = 0; i < 3; i++) {
    expect(matchRoutes(routes, '/r/AbC_123')?.map((m) => [m.route.id, m.params.token])).toEqual([
      ['root', 'AbC_123'],
      ['r.$token', 'AbC_123'],
      ['r.$token._index', 'AbC_123'],
    ])
    expect(matchRoutes(routes, '/R/xyz/Certificate.PDF')?.at(-1)?.route.id).toBe('r.$token.certificate')
    expect(matchRoutes(routes, '/attendance/klaten/import/42')?.at(-1)?.params).toEqual({ slug: 'klaten', importId: '42' })
    expect(matchRoutes(routes, '/nowhere/else')?.at(-1)?.route.id).toBe('catch-all')
  }
})

test('a remembered match is a copy: what one caller changes, the next does not see', () => {
  const routes = [{ id: 'webinar', path: 'webinars/:slug' }, { id: 'catch-all', path: '*' }]
  const first = matchRoutes(routes, '/webinars/klaten')!
  ;(first[0]!.params as Record<string, string>).slug = 'changed'
  first.pop()
  const second = matchRoutes(routes, '/webinars/klaten')!
  expect(second.map((m) => [m.route.id, m.params.slug, m.pathname])).toEqual([['webinar', 'klaten', '/webinars/klaten']])
  expect(second).not.toBe(first)
  // A path that matches nothing is remembered as such.
  expect(matchRoutes([{ id: 'only', path: 'only' }], '/other')).toBeNull()
  expect(matchRoutes([{ id: 'only', path: 'only' }], '/other')).toBeNull()
})

test('many different paths (more than the memo holds) still match correctly', () => {
  const routes = [{ id: 'webinar', path: 'webinars/:slug' }, { id: 'catch-all', path: '*' }]
  for (let i = 0; i < 5000; i++) {
    expect(matchRoutes(routes, `/webinars/w-${i}`)?.at(-1)?.params.slug).toBe(`w-${i}`)
  }
  expect(matchRoutes(routes, '/webinars/w-0')?.at(-1)?.params.slug).toBe('w-0')
})

type Route = { id: string; path?: string; index?: boolean; caseSensitive?: boolean; children?: Route[] }
type Matcher = (routes: Route[], path: string) => Array<{ route: { id: string }; params: object; pathname: string; pathnameBase: string }> | null

/** The app's route tree, by Remix's own flat-routes convention over app/routes, nested as Remix nests it. */
function appRouteTree(): Route[] {
  const { flatRoutes } = require('@remix-run/dev/dist/config/flat-routes.js') as {
    flatRoutes: (appDirectory: string) => Record<string, { id: string; parentId?: string; path?: string; index?: boolean; caseSensitive?: boolean }>
  }
  const manifest = Object.values(flatRoutes(path.join(ROOT, 'app')))
  const build = (parentId: string): Route[] =>
    manifest
      .filter((r) => (r.parentId ?? 'root') === parentId)
      .map((r) => ({ id: r.id, path: r.path, index: r.index, caseSensitive: r.caseSensitive, children: build(r.id) }))
  return [{ id: 'root', path: '', children: build('root') }]
}

test("the patched matching answers exactly as the unpatched browser copy, for the app's routes and odd paths", async () => {
  const patched = require('@remix-run/router') as { matchRoutes: Matcher }
  const original = (await import(pathToFileURL(require.resolve('@remix-run/router/dist/router.js')).href)) as { matchRoutes: Matcher }
  const tree = appRouteTree()
  expect(JSON.stringify(tree)).toContain('r.$token._index')

  // Every route's own pattern with its params filled in, and variants of each.
  const patterns: string[] = []
  const walk = (routes: Route[], parent: string) => {
    for (const route of routes) {
      const full = [parent, route.path ?? ''].filter(Boolean).join('/')
      patterns.push(`/${full}`)
      walk(route.children ?? [], full)
    }
  }
  walk(tree, '')
  const filled = patterns.map((p) => p.replace(/:[A-Za-z]+/g, 'x7Kq-9').replace(/\*$/, 'a/b'))
  const paths = [
    ...filled,
    ...filled.map((p) => p.toUpperCase()),
    ...filled.map((p) => `${p}/`),
    ...filled.map((p) => `/${p}`),
    ...filled.map((p) => `${p}/extra`),
    ...filled.map((p) => `${p}?index&x=1`),
    '/', '', '//', '/r', '/r/', '/R/ABC', '/r/a%20b', '/r/a%2Fb', '/webinars%2Fx', '/ünïcode/x', '/%E2%82%AC', '/.', '/..', '/x.y/z',
    '/webinars/a/registered/', '/attendance/a/import/b', '/brief/t/calendar.ics', '/certificates/AB12-CD34', '/nothing/here/at/all',
  ]
  // And random walks over the app's own segments, mixed with unknown ones.
  const segments = [...new Set(filled.flatMap((p) => p.split('/')).filter(Boolean)), 'zz', 'R', 'Webinars', '%41']
  let seed = 42
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  for (let i = 0; i < 3000; i++) {
    const length = 1 + Math.floor(random() * 5)
    paths.push('/' + Array.from({ length }, () => segments[Math.floor(random() * segments.length)]).join('/'))
  }

  const shape = (matches: ReturnType<Matcher>) => matches?.map((m) => [m.route.id, m.params, m.pathname, m.pathnameBase]) ?? null
  for (const p of paths) {
    // Twice: the second answer comes from the patch's memo.
    expect(shape(patched.matchRoutes(tree, p)), p).toEqual(shape(original.matchRoutes(tree, p)))
    expect(shape(patched.matchRoutes(tree, p)), p).toEqual(shape(original.matchRoutes(tree, p)))
  }
})
