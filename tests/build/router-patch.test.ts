import fs from 'node:fs'
import { createRequire } from 'node:module'
import { matchRoutes } from '@remix-run/router'

const require = createRequire(import.meta.url)

// scripts/patches makes @remix-run/router's matching on the server compile each route pattern
// once (it compiled every pattern it tried into a new RegExp on every request), and flatten and
// rank a route tree once (it did so twice per request): together a fifth of an empty action's CPU.
// It also remembers which routes a path matched, per tree, since every request matched its path twice.
test('the router patch is applied to the copy the server loads (npm install runs patch-package)', () => {
  const source = fs.readFileSync(require.resolve('@remix-run/router'), 'utf8')
  expect(source).toContain('function compilePathUncached(')
  expect(source).toContain('const rankedBranchesByTree = new WeakMap()')
  expect(source).toContain('const matchMemoByTree = new WeakMap()')
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
