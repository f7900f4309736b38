// The physical reference for the registration benchmark: node:http + better-sqlite3 doing the
// same work as our registration POST (parse the form, take a seat with one conditional UPDATE,
// insert the row, answer with a redirect), with nothing else. Our figure is printed as a ratio
// of this one. `tsx scripts/bench/bare-server.ts <sqlite file>` prints PORT=<n>.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import SQLite from 'better-sqlite3'
import { v7 as uuidv7 } from 'uuid'

const file = process.argv[2]
if (!file) throw new Error('usage: bare-server.ts <sqlite file>')
const sqlite = new SQLite(file)
sqlite.pragma('journal_mode = WAL')
sqlite.pragma('synchronous = NORMAL')
sqlite.pragma('busy_timeout = 5000')

const webinarBySlug = sqlite.prepare('select id from webinars where slug = ?')
const arrive = sqlite.prepare('update webinars set registrations_total = registrations_total + 1 where id = ? returning registrations_total')
const takeSeat = sqlite.prepare('update webinars set registered_count = registered_count + 1 where id = ? and registered_count < capacity returning id')
const insert = sqlite.prepare(
  `insert into registrations (id, webinar_id, token, name, email, whatsapp, regency_code, occupation, age_range, gender, lang, status, consent_at, created_at, updated_at, position)
   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'id', ?, ?, ?, ?, ?)`,
)
const register = sqlite.transaction((webinarId: string, form: URLSearchParams) => {
  const now = new Date().toISOString()
  const { registrations_total: position } = arrive.get(webinarId) as { registrations_total: number }
  const status = takeSeat.get(webinarId) ? 'registered' : 'waitlisted'
  insert.run(
    // The same time-ordered ids as the app (createId), so both do the same index work.
    uuidv7(),
    webinarId,
    randomBytes(32).toString('base64url'),
    form.get('name'),
    form.get('email')!.toLowerCase(),
    form.get('whatsapp'),
    form.get('regency'),
    form.get('occupation'),
    form.get('ageRange'),
    form.get('gender') || null,
    status,
    now,
    now,
    now,
    position,
  )
})

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    const slug = decodeURIComponent((req.url ?? '').split('?')[0]!.replace(/^\/webinars\//, ''))
    const webinar = webinarBySlug.get(slug) as { id: string } | undefined
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
    if (!webinar || !form.get('email')) {
      res.writeHead(400).end()
      return
    }
    // begin immediate, like the app: the seat count is read and written under the write lock.
    register.immediate(webinar.id, form)
    res.writeHead(302, { Location: `/webinars/${slug}/registered` }).end()
  })
})
server.listen(0, '127.0.0.1', () => console.log(`PORT=${(server.address() as AddressInfo).port}`))
process.on('SIGTERM', () => {
  server.close(() => process.exit(0))
  server.closeAllConnections()
})
