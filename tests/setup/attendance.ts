// Attendance fixtures around the factory's webinar (tests/setup/factories.ts): its schedule, the
// webinar as the attendance console loads it, Zoom minutes, and Zoom reports as the upload hands them over.
import { getAttendanceWebinar, type AttendanceWebinar } from '#app/models/attendance.server'
import { getDb } from '#app/utils/db.server'
import type { WebinarForm } from '#app/utils/webinar-schema.server'
import { parseZoomReport } from '#app/utils/zoom-report.server'
import { publishedWebinar, signedInAs } from './factories'

// The factory's webinar: 2030-03-04 09:00–12:00 WIB, threshold 70% → 126 of 180 minutes.
/** When the factory's webinar starts: 09:00 WIB. */
export const START = '2030-03-04T02:00:00.000Z'
/** When the factory's webinar ends: 12:00 WIB. */
export const END = '2030-03-04T05:00:00.000Z'

/** An instant `minutes` (and `ms`) after the factory's webinar starts. */
export const at = (minutes: number, ms = 0) => new Date(Date.parse(START) + minutes * 60_000 + ms).toISOString()
/** An instant `minutes` (and `ms`) after the factory's webinar ends. */
export const afterEnd = (minutes: number, ms = 0) => new Date(Date.parse(END) + minutes * 60_000 + ms).toISOString()

/** The webinar as its organiser's attendance console loads it; load it again after a change (zoom_import_id changes on commit). */
export async function attendanceWebinar(slug: string, organiserId: string): Promise<AttendanceWebinar> {
  const webinar = await getAttendanceWebinar(getDb(), slug, { id: organiserId, role: 'organiser' })
  if (!webinar) throw new Error('no attendance webinar')
  return webinar
}

/** A published webinar as the attendance console sees it, and the organiser who made it, Organiser Ani. */
export async function consoleWebinar(form: Partial<WebinarForm> = {}) {
  const organiser = await signedInAs('organiser', { name: 'Organiser Ani' })
  const saved = await publishedWebinar(form, organiser)
  return { webinar: await attendanceWebinar(saved.slug, organiser.id), organiser }
}

/** Zoom minutes as a committed report leaves them (tests/models/zoom-import.test.ts covers how they get there). */
export async function setZoomMinutes(registrationId: string, minutes: number | null) {
  await getDb().updateTable('registrations').set({ zoom_minutes: minutes }).where('id', '=', registrationId).execute()
}

/** Zoom joins of these lengths, in minutes, for buildZoomReport. */
export const stay = (...minutes: number[]) => minutes.map((m) => ({ minutes: m }))

/** An uploaded Zoom report as the route hands it to the model: the file's name and bytes, and what the parser made of them. */
export function zoomUpload(csv: string, name = 'participants_91234567890.csv') {
  const bytes = new TextEncoder().encode(csv)
  const parsed = parseZoomReport(bytes)
  if (!parsed.ok) throw new Error(`not a report: ${JSON.stringify(parsed.error)}`)
  return { name, bytes, report: parsed.report }
}
