import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const require = createRequire(import.meta.url)

// scripts/patches makes @remix-run/server-runtime hand a loader or action the request as it is
// when its URL has no `index`, `_data` or `_routes` param to strip: it copied every request twice
// per loader and action call (three copies in all for a page with two loaders).

type CallRouteAction = (args: { loadContext: unknown; action: (args: { request: Request }) => unknown; params: object; request: Request; routeId: string; singleFetch: boolean }) => Promise<unknown>

async function received(callRouteAction: CallRouteAction, request: Request, singleFetch = false) {
  let got: Request | undefined
  await callRouteAction({
    loadContext: {},
    params: {},
    routeId: 'routes/test',
    singleFetch,
    request,
    action: ({ request }) => {
      got = request
      return null
    },
  })
  return got!
}

function post(url: string) {
  const controller = new AbortController()
  const request = new Request(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: 'a=1' },
    body: 'intent=checkin&code=ABC234',
    signal: controller.signal,
  })
  return { request, controller }
}

test('the patch is applied to the copy the server loads', () => {
  const fs = require('node:fs') as typeof import('node:fs')
  expect(fs.readFileSync(require.resolve('@remix-run/server-runtime/dist/data.js'), 'utf8')).toContain('function mayHaveParam(')
})

test('an action gets the same request as before the patch, for plain and odd URLs alike', async () => {
  const patched = require('@remix-run/server-runtime/dist/data.js') as { callRouteAction: CallRouteAction }
  const original = (await import(pathToFileURL(require.resolve('@remix-run/server-runtime/dist/esm/data.js')).href)) as { callRouteAction: CallRouteAction }
  const urls = [
    'http://app.test/r/tok',
    'http://app.test/r/tok?done=1',
    'http://app.test/r/tok?index',
    'http://app.test/r/tok?index=',
    'http://app.test/r/tok?index=keep&index',
    'http://app.test/r/tok?%69ndex',
    'http://app.test/r/tok?_data=routes%2Fr&x=a+b',
    'http://app.test/r/tok?x=a+b',
    'http://app.test/r/tok?x=%20&_routes=a',
    'http://app.test/r/tok?indexed=1',
    'http://app.test/r/tok#index',
  ]
  for (const singleFetch of [false, true]) {
    for (const url of urls) {
      const ours = await received(patched.callRouteAction, post(url).request, singleFetch)
      const theirs = await received(original.callRouteAction, post(url).request, singleFetch)
      expect(ours.url, url).toBe(theirs.url)
      expect(ours.method).toBe(theirs.method)
      expect([...ours.headers]).toEqual([...theirs.headers])
      expect(await ours.text()).toBe(await theirs.text())
    }
  }
})

test('a URL with nothing to strip reaches the action as the very same request, still abortable', async () => {
  const patched = require('@remix-run/server-runtime/dist/data.js') as { callRouteAction: CallRouteAction }
  const plain = post('http://app.test/r/tok?done=checkedin')
  expect(await received(patched.callRouteAction, plain.request)).toBe(plain.request)
  // With ?index a copy is still made, and the client going away still reaches it.
  const indexed = post('http://app.test/r/tok?index')
  const copy = await received(patched.callRouteAction, indexed.request)
  expect(copy).not.toBe(indexed.request)
  expect(copy.url).toBe('http://app.test/r/tok')
  indexed.controller.abort()
  expect(copy.signal.aborted).toBe(true)
})
