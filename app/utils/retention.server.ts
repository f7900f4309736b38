import { purgeExpiredPersonalData } from '#app/models/personal-data.server'
import type { DB } from './db.server'

const PURGE_EVERY_MS = 60 * 60_000

/**
 * Purges personal data past the retention period once at start and then hourly, in the one
 * process that runs background work. An organiser can also purge at once from /admin/privacy.
 */
export function startRetentionSchedule(db: DB, log: (line: string) => void = console.error): { stop(): void } {
  const run = () =>
    purgeExpiredPersonalData(db, null).then(
      ({ webinars, registrations }) => {
        if (webinars > 0) log(`retention: purged the personal data of ${registrations} registrations in ${webinars} webinars`)
      },
      (error: unknown) => log(`retention: ${error instanceof Error ? error.message : String(error)}`),
    )
  void run()
  const timer = setInterval(run, PURGE_EVERY_MS)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
