// Nothing grows without bound: the hourly job that purges personal data also drops expired
// sessions, spent or expired set-password links and rate-limit counts whose window is long past,
// and keeps everything still in use.
import { countHits, RATE_LIMIT_ROWS_KEPT_MS } from '#app/models/rate-limit.server'
import { createSession } from '#app/models/session.server'
import { createPasswordLink, setPasswordWithToken } from '#app/models/user.server'
import { hashToken } from '#app/utils/crypto.server'
import { getDb } from '#app/utils/db.server'
import { runHousekeeping } from '#app/utils/retention.server'
import { createUser, publishedWebinar } from '#tests/setup/factories'

const db = getDb()

test('expired sessions, unusable set-password links and old rate-limit rows go; live ones stay', async () => {
  const user = await createUser('organiser')
  const live = await createSession(db, user.id)
  const expired = await createSession(db, user.id)
  await db
    .updateTable('sessions')
    .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
    // By id: two sessions made in the same millisecond share their expiry time.
    .where('id', '=', hashToken(expired.sessionId))
    .execute()

  const spentUser = await createUser('speaker')
  const spent = await createPasswordLink(db, spentUser.id)
  expect(await setPasswordWithToken(db, spent, 'kata-sandi-baru-yang-panjang')).not.toBeNull()
  const expiredLinkUser = await createUser('speaker')
  await createPasswordLink(db, expiredLinkUser.id)
  await db.updateTable('password_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('user_id', '=', expiredLinkUser.id).execute()
  const pendingUser = await createUser('moderator')
  await createPasswordLink(db, pendingUser.id)

  const hour = { limit: 5, windowMs: 60 * 60_000 }
  await countHits(db, [
    ['housekeeping:old', hour],
    ['housekeeping:live', hour],
  ])
  await db
    .updateTable('rate_limits')
    .set({ window_started_at: new Date(Date.now() - RATE_LIMIT_ROWS_KEPT_MS - 1000).toISOString() })
    .where('key', '=', 'housekeeping:old')
    .execute()

  const done = await runHousekeeping(db)
  expect(done.sessions).toBeGreaterThanOrEqual(1)
  expect(done.passwordTokens).toBeGreaterThanOrEqual(2)
  expect(done.rateLimits).toBeGreaterThanOrEqual(1)

  const sessions = await db.selectFrom('sessions').select('expires_at').where('user_id', '=', user.id).execute()
  expect(sessions).toEqual([{ expires_at: live.expiresAt.toISOString() }])
  const links = await db.selectFrom('password_tokens').select('user_id').where('user_id', 'in', [spentUser.id, expiredLinkUser.id, pendingUser.id]).execute()
  expect(links).toEqual([{ user_id: pendingUser.id }])
  const keys = await db.selectFrom('rate_limits').select('key').where('key', 'like', 'housekeeping:%').execute()
  expect(keys).toEqual([{ key: 'housekeeping:live' }])
})

test('upload files nothing refers to (a crash between a commit and its file removal, or mid-upload) go once they are an hour old; files in use, and fresh ones, stay', async () => {
  const { uploadPath } = await import('#app/utils/uploads.server')
  const fs = await import('node:fs')
  const path = await import('node:path')
  const { randomBytes } = await import('node:crypto')
  const webinar = await publishedWebinar()
  const roleId = (await db.selectFrom('webinar_roles').select('id').where('webinar_id', '=', webinar.id).where('role', '=', 'speaker').executeTakeFirstOrThrow()).id
  const keptId = randomBytes(8).toString('hex')
  await db.insertInto('materials').values({ id: keptId, webinar_id: webinar.id, webinar_role_id: roleId, file_name: 'slides.pdf', bytes: 8, sha256: 'x', uploaded_at: new Date().toISOString() }).execute()
  const hourAgo = new Date(Date.now() - 61 * 60_000)
  const file = (segments: string[], old: boolean) => {
    const full = uploadPath(...segments)
    fs.mkdirSync(path.dirname(full), { recursive: true })
    fs.writeFileSync(full, '%PDF-1.4')
    if (old) fs.utimesSync(full, hourAgo, hourAgo)
    return full
  }
  const inUse = file(['materials', webinar.id, `${keptId}.pdf`], true)
  const orphan = file(['materials', webinar.id, `${randomBytes(8).toString('hex')}.pdf`], true)
  // A file renamed into place a moment ago, whose row is still being written.
  const justKept = file(['materials', webinar.id, `${randomBytes(8).toString('hex')}.pdf`], false)
  const brokenUpload = file(['tmp', `${randomBytes(16).toString('hex')}.part`], true)
  const uploading = file(['tmp', `${randomBytes(16).toString('hex')}.part`], false)

  const done = await runHousekeeping(db)
  expect(done.uploads).toBeGreaterThanOrEqual(2)
  expect([inUse, orphan, justKept, brokenUpload, uploading].map((f) => fs.existsSync(f))).toEqual([true, false, true, false, true])
})
