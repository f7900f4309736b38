import { stringify } from 'csv-stringify/sync'
import type { TimeZoneCode } from '#db/schema'
import { utcToLocal } from './time'

// CSV files for spreadsheets: a UTF-8 BOM so Excel reads the encoding right, CRLF line ends and
// RFC 4180 quoting. Residents type the names and e-mails, so every text cell that a spreadsheet
// would take for a formula is neutralised (OWASP "CSV Injection": prefix a single quote).

const FORMULA_START = /^[=+\-@\t\r]/

/** A cell as it is safe to write: text that starts like a formula gets a leading `'`. */
export function neutraliseCell(value: unknown): string | number {
  if (value === null || value === undefined) return ''
  // A number is written as its digits and never read as a formula, so -5 stays a number.
  if (typeof value === 'number') return Number.isFinite(value) ? value : ''
  const text = typeof value === 'string' ? value : String(value)
  return FORMULA_START.test(text) ? `'${text}` : text
}

export function toCsv(header: string[], rows: Iterable<unknown[]>): string {
  const records: Array<Array<string | number>> = [header.map(neutraliseCell)]
  for (const row of rows) records.push(row.map(neutraliseCell))
  // csv-stringify quotes only the record delimiter itself; a lone LF or CR must be quoted too.
  return stringify(records, { bom: true, record_delimiter: '\r\n', quoted_match: /[\r\n]/ })
}

/** "tata-kelola-…-klaten-pendaftar.csv": only characters every browser and OS keep as they are. */
export function safeFileName(name: string): string {
  const safe = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
  return safe || 'export.csv'
}

export function csvResponse(filename: string, body: string): Response {
  return new Response(body, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${safeFileName(filename)}"`,
      // Personal data: no cache, shared or private, keeps a copy.
      'Cache-Control': 'private, no-store',
    },
  })
}

/** "2021-09-01T02:00:00.000Z" in WIB → "2021-09-01 09:00": sorts as text, and spreadsheets read it as a date. */
export function csvDateTime(iso: string | null, zone: TimeZoneCode): string {
  if (!iso) return ''
  const { date, time } = utcToLocal(iso, zone)
  return `${date} ${time}`
}
