import { removeOrphanUploads } from '#app/models/material.server'
import { purgeExpiredPersonalData } from '#app/models/personal-data.server'
import { pruneRateLimits } from '#app/models/rate-limit.server'
import { pruneExpiredSessions } from '#app/models/session.server'
import { prunePasswordTokens } from '#app/models/user.server'
import type { DB } from './db.server'
import { errorLogLine } from './error-log.server'

const PURGE_EVERY_MS = 60 * 60_000

export type Housekeeping = {
  webinars: number
  registrations: number
  sessions: number
  passwordTokens: number
  rateLimits: number
  /** files in the upload folder that nothing refers to */
  uploads: number
}

/**
 * One pass of housekeeping, so nothing grows without bound: personal data past the retention
 * period, expired sessions, spent or expired set-password links, rate-limit counts whose
 * window closed long ago, and upload files nothing refers to.
 */
export async function runHousekeeping(db: DB): Promise<Housekeeping> {
  const { webinars, registrations } = await purgeExpiredPersonalData(db, null)
  const sessions = await pruneExpiredSessions(db)
  const passwordTokens = await prunePasswordTokens(db)
  const rateLimits = await pruneRateLimits(db)
  const uploads = await removeOrphanUploads(db)
  return { webinars, registrations, sessions, passwordTokens, rateLimits, uploads }
}

/**
 * Runs the housekeeping once at start and then hourly, in the one process that runs background
 * work. An organiser can also purge personal data at once from /admin/privacy.
 */
export function startRetentionSchedule(db: DB, log: (line: string) => void = console.error): { stop(): void } {
  const run = () =>
    runHousekeeping(db).then(
      ({ webinars, registrations }) => {
        if (webinars > 0) log(JSON.stringify({ time: new Date().toISOString(), event: 'retention', webinars, registrations }))
      },
      (error: unknown) => log(errorLogLine(error, { job: 'retention' })),
    )
  void run()
  const timer = setInterval(run, PURGE_EVERY_MS)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
