// What the server prints when something goes wrong, over real HTTP: one JSON line per error on
// stderr, naming the request (its id, its route), the error's name and code, and never its
// message, the path, the query or a database error's detail, which carry tokens and e-mails.
import { sql } from 'kysely'
import { get, startTestServer, type TestServer } from '#tests/e2e/harness'
import { TEST_ENGINE } from '#tests/setup/paths'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer({ env: { LOG_REQUESTS: 'on' } })
})

afterAll(async () => {
  const t = Date.now()
  await server?.stop()
  console.log("stopped after", Date.now() - t)
})

/** A request as any client may send it (a browser's Origin, so the cross-site guard lets it through). */
function send(method: string, pathname: string): Promise<Response> {
  return fetch(new URL(pathname, server.url), { method, headers: { Origin: server.url }, redirect: 'manual' })
}

/** The error lines on stderr for one request id, each parsed; the server writes them as the request ends. */
async function errorLinesFor(id: string): Promise<Array<Record<string, unknown>>> {
  await expect.poll(() => server.errors().includes(`"id":"${id}"`)).toBe(true)
  return server
    .errors()
    .split('\n')
    .filter((line) => line.includes(`"id":"${id}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

function expectEveryLineJson(text: string) {
  for (const line of text.split('\n').filter((row) => row.trim() !== '')) {
    expect(() => JSON.parse(line), line).not.toThrow()
  }
}

test('a method a personal link\'s resource route does not take answers 405, and the log names neither the token nor the path', async () => {
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    const response = await send(method, '/r/RESIDENTTOKEN987/calendar.ics')
    expect(response.status, method).toBe(405)
    expect(await response.text()).not.toContain('RESIDENTTOKEN987')
    const id = response.headers.get('X-Request-Id')!
    const lines = await errorLinesFor(id)
    expect(lines, method).toHaveLength(1)
    expect(lines[0]).toMatchObject({ event: 'error', id, route: 'routes/r.$token.calendar[.]ics', name: 'ErrorResponse', status: 405 })
    // The request's own line on stdout has the same id.
    await expect.poll(() => server.output().includes(`"id":"${id}"`)).toBe(true)
    expect(server.output().split('\n').find((line) => line.includes(`"id":"${id}"`))).toContain('"status":405')
  }
  expect(server.output() + server.errors()).not.toContain('RESIDENTTOKEN987')
  expect(server.errors()).not.toContain('did not provide an action')
  expectEveryLineJson(server.errors())
})

test('a data request naming an e-mail as its route is logged without the e-mail, the token or the query', async () => {
  const response = await get(server, '/r/SECRETTOKEN123?_data=alice@example.org')
  expect(response.status).toBeGreaterThanOrEqual(400)
  expect(response.status).toBeLessThan(500)
  const id = response.headers.get('X-Request-Id')!
  const [line, ...more] = await errorLinesFor(id)
  expect(more).toEqual([])
  expect(line).toMatchObject({ event: 'error', id, name: 'ErrorResponse', status: response.status })
  const printed = server.output() + server.errors()
  expect(printed).not.toContain('SECRETTOKEN123')
  expect(printed).not.toContain('alice')
  expect(printed).not.toContain('@')
  expectEveryLineJson(server.errors())
})

test('an unexpected error in a loader is one JSON line with the error\'s name and code, not its message or stack', async () => {
  // A table the catalogue reads goes missing: a real database error, on either engine.
  await sql`alter table webinars rename to webinars_hilang`.execute(server.db)
  let response: Response
  try {
    response = await get(server, '/webinars')
  } finally {
    await sql`alter table webinars_hilang rename to webinars`.execute(server.db)
  }
  expect(response.status).toBe(500)
  const id = response.headers.get('X-Request-Id')!
  const lines = await errorLinesFor(id)
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatchObject({ event: 'error', id, route: 'routes/webinars._index', code: TEST_ENGINE === 'postgres' ? '42P01' : 'SQLITE_ERROR' })
  expect(lines[0]!.name).toMatch(/^(SqliteError|error|DatabaseError)$/)
  expect(Object.keys(lines[0]!).sort()).toEqual(expect.arrayContaining(['time', 'event', 'id', 'route', 'name', 'code']))
  expect(JSON.stringify(lines[0])).not.toMatch(/webinars_hilang|no such table|does not exist/)
  expect(server.errors()).not.toMatch(/no such table|does not exist|\n\s+at /)
  expectEveryLineJson(server.errors())
  // And the server is well again.
  expect((await get(server, '/webinars')).status).toBe(200)
})

test('a path that does not decode (a bad percent escape) is refused with 400 before any router prints it', async () => {
  for (const pathname of ['/r/RESIDENTTOKEN987%zz/calendar.ics', '/webinars/RESIDENTTOKEN987%E0%A4%A', '/build/RESIDENTTOKEN987%', '/%']) {
    const response = await get(server, pathname)
    expect(response.status, pathname).toBe(400)
    expect(await response.text()).not.toContain('RESIDENTTOKEN987')
  }
  // Give a line printed late a moment to arrive: the next request's answer comes after it.
  expect((await get(server, '/healthz')).status).toBe(200)
  expect(server.errors()).not.toContain('RESIDENTTOKEN987')
  expect(server.errors()).not.toContain('could not be decoded')
  expectEveryLineJson(server.errors())
})

test('a NUL (%00) in a path or a query is refused with 400 before any route runs: no error line, no database error, the token not printed', async () => {
  // PostgreSQL refuses U+0000 in text (SQLSTATE 22021): each reached a query and was a 500 there.
  for (const pathname of ['/r/RESIDENTTOKEN987%00/calendar.ics', '/brief/RESIDENTTOKEN987%00', '/webinars/RESIDENTTOKEN987%00/link', '/webinars?q=RESIDENTTOKEN987%00']) {
    const response = await get(server, pathname)
    expect(response.status, pathname).toBe(400)
    expect(await response.text()).not.toContain('RESIDENTTOKEN987')
    const id = response.headers.get('X-Request-Id')!
    await expect.poll(() => server.output().includes(`"id":"${id}"`)).toBe(true)
    expect(server.errors(), pathname).not.toContain(id)
  }
  expect(server.output() + server.errors()).not.toContain('RESIDENTTOKEN987')
  expect(server.errors()).not.toContain('22021')
  expectEveryLineJson(server.errors())
})
