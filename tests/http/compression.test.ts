// Pages travel compressed to phones on slow connections; form posts answer with a bare redirect
// and skip the compression machinery (scripts/server.ts).
import { get, postForm, startTestServer, type TestServer } from '#tests/e2e/harness'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})

afterAll(async () => {
  await server?.stop()
})

test('a page asked for with gzip comes gzipped', async () => {
  const response = await get(server, '/webinars', { headers: { 'Accept-Encoding': 'gzip' } })
  expect(response.status).toBe(200)
  expect(response.headers.get('Content-Encoding')).toBe('gzip')
  expect(await response.text()).toContain('<html')
})

test('a form post is answered without compression', async () => {
  const response = await postForm(server, '/lang', { lang: 'en', redirectTo: '/webinars' }, { headers: { 'Accept-Encoding': 'gzip' } })
  expect(response.status).toBe(302)
  expect(response.headers.get('Location')).toBe('/webinars')
  expect(response.headers.get('Content-Encoding')).toBeNull()
})
