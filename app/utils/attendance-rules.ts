// Attendance rules that the console, the personal page and the model share. No server code here:
// the check-in form normalises what a resident types with the same function the server uses.

/** No 0/O, 1/I/L: the code is read out loud and typed on a phone. */
export const CHECKIN_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
export const CHECKIN_CODE_LENGTH = 6

/** Windows a moderator can open, in minutes; the first is the default. */
export const CHECKIN_WINDOW_MINUTES = [15, 5, 10, 30, 60] as const

/** What a resident typed, as the code is stored: upper case, without spaces or dashes. */
export function normaliseCheckinCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]+/g, '')
}

/**
 * Zoom minutes needed to count as present: the threshold percentage of the scheduled duration,
 * rounded up, so "70% of 185 minutes" (129.5) needs 130. Exactly this many is enough.
 */
export function requiredZoomMinutes(startAt: string, endAt: string, thresholdPercent: number): number {
  const duration = Math.max(0, Math.round((Date.parse(endAt) - Date.parse(startAt)) / 60_000))
  return Math.ceil((duration * thresholdPercent) / 100)
}

/** Reasons a moderator gives for a manual mark; `other` asks for a note. */
export const MANUAL_REASONS = ['seenInMeeting', 'livestream', 'technicalProblem', 'nameMismatch', 'notPresent', 'other'] as const
export type ManualReason = (typeof MANUAL_REASONS)[number]

export type AttendanceSource = 'manual' | 'checkin' | 'zoom'

/** The console's list filters. */
export const ATTENDANCE_FILTERS = ['all', 'present', 'absent', 'checkin', 'zoom', 'manual'] as const
export type AttendanceFilter = (typeof ATTENDANCE_FILTERS)[number]
