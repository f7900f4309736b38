import type { TimeZoneCode } from '#db/schema'

// Indonesia's three zones have no daylight saving, so a fixed offset is exact.
export const TIME_ZONES: Record<TimeZoneCode, { iana: string; offsetHours: number }> = {
  WIB: { iana: 'Asia/Jakarta', offsetHours: 7 },
  WITA: { iana: 'Asia/Makassar', offsetHours: 8 },
  WIT: { iana: 'Asia/Jayapura', offsetHours: 9 },
}

const WITA_PROVINCES = new Set(['51', '52', '53', '63', '64', '65', '71', '72', '73', '74', '75', '76'])
const WIT_PROVINCES = new Set(['81', '82', '91', '92', '93', '94', '95', '96'])

/** Time zone by province code (Perpres 41/1987): Bali, Nusa Tenggara, east/south/north Kalimantan and Sulawesi are WITA; Maluku and Papua WIT. */
export function timeZoneForProvince(provinceCode: string): TimeZoneCode {
  if (WIT_PROVINCES.has(provinceCode)) return 'WIT'
  if (WITA_PROVINCES.has(provinceCode)) return 'WITA'
  return 'WIB'
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const TIME_RE = /^([01]\d|2[0-3])[:.]([0-5]\d)$/

/** A calendar date the programme can hold: years 1900–2999 keep every date arithmetic in ISO range. */
export function isValidLocalDate(value: string): boolean {
  const match = DATE_RE.exec(value)
  if (!match) return false
  const [, y, m, d] = match.map(Number) as [number, number, number, number]
  if (y < 1900 || y > 2999) return false
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

export function isValidLocalTime(value: string): boolean {
  return TIME_RE.test(value)
}

/** "2021-09-01" + "09:00" in WIB → "2021-09-01T02:00:00.000Z" */
export function localToUtc(date: string, time: string, zone: TimeZoneCode): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const [, hh, mm] = TIME_RE.exec(time)!.map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d, hh - TIME_ZONES[zone].offsetHours, mm)).toISOString()
}

/** The wall-clock date and time in a zone, as form fields want them. */
export function utcToLocal(iso: string, zone: TimeZoneCode): { date: string; time: string } {
  const shifted = new Date(new Date(iso).getTime() + TIME_ZONES[zone].offsetHours * 3_600_000)
  const text = shifted.toISOString()
  return { date: text.slice(0, 10), time: text.slice(11, 16) }
}

export function addMinutes(iso: string, minutes: number): string {
  return new Date(new Date(iso).getTime() + minutes * 60_000).toISOString()
}

export function minutesBetween(fromIso: string, toIso: string): number {
  return Math.round((new Date(toIso).getTime() - new Date(fromIso).getTime()) / 60_000)
}

export function nowIso(): string {
  return new Date().toISOString()
}

/** The zone a webinar's times are shown in: its regency's, or WIB before a regency is chosen. */
export function webinarZone(webinar: { time_zone: TimeZoneCode | null }): TimeZoneCode {
  return webinar.time_zone ?? 'WIB'
}
