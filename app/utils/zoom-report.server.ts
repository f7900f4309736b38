import { CsvError, parse } from 'csv-parse/sync'
import { NAME_MAX } from './registration-fields'

export type ZoomSection = 'host' | 'panelist' | 'attendee'

export type ZoomRow = {
  section: ZoomSection
  /** 1-based line in the file where the row starts, for messages. */
  line: number
  /** Display name as shown in the meeting ("HP Maya"). */
  name: string
  /** From "Name (Original Name)" when the person renamed themselves ("Maya Saputra"); null otherwise. */
  originalName: string | null
  firstName: string | null
  lastName: string | null
  /** Trimmed, lower-cased; null when empty. */
  email: string | null
  /** The "Attended" column when present; else minutes > 0. */
  attended: boolean
  /** This join's minutes; 0 for "--"/empty; computed from join/leave times when the report has no minutes column. */
  minutes: number
  /** "YYYY-MM-DDTHH:mm:ss", local and without zone: Zoom writes the host's local time. */
  joinTime: string | null
  leaveTime: string | null
  /** The row carries a registration time or approval status (joined through Zoom registration). */
  registered: boolean
}

export type ZoomReport = { topic: string | null; meetingId: string | null; rows: ZoomRow[] }

export type ZoomReportError =
  | { code: 'empty' }
  | { code: 'encoding' }
  | { code: 'notZoom' }
  | { code: 'truncated'; line: number }
  | { code: 'noRows' }

export type ZoomReportResult = { ok: true; report: ZoomReport } | { ok: false; error: ZoomReportError }

/** The upload limit; the parser itself reads whatever it is given. */
export const ZOOM_REPORT_MAX_BYTES = 20 * 1024 * 1024

// A cell may be as long as the file: every regular expression and string operation here is
// linear in the cell, and what the parser keeps is bounded. Text people read (names, the topic)
// is cut to its bound; a value the parser interprets (an e-mail, the meeting ID, a date, minutes,
// yes/no) that is longer than any real one is not that value, and reads as empty, as "--" does.

/** Twice what registration allows: room for the titles and punctuation that name matching drops. */
const ZOOM_NAME_MAX = 2 * NAME_MAX
/** The longest address SMTP carries; the registration form allows the same. */
const EMAIL_MAX = 254
/** Zoom's own limit on a topic, and our webinar form's. */
const TOPIC_MAX = 200
/** Zoom IDs are 9 to 11 digits, written with spaces. */
const MEETING_ID_MAX = 30
/** "September 01, 2021 08:55:12 PM" is 30. */
const DATE_MAX = 40
/** A count of minutes is a few digits ("186", "59.5"); a longer cell is not one. */
const MINUTES_MAX = 8
/** Column labels and section titles: the longest Zoom writes is 25. */
const LABEL_MAX = 64
/** Names kept per person: far more than the devices anyone rejoins from, and the stored row stays bounded. */
const PERSON_NAMES_MAX = 10

// ---------------------------------------------------------------------------
// Columns

type ColumnKind = 'name' | 'email' | 'join' | 'leave' | 'minutes' | 'attended' | 'firstName' | 'lastName' | 'registrationTime' | 'approval'

const COLUMN_ALIASES: Record<ColumnKind, string[]> = {
  name: ['user name (original name)', 'name (original name)', 'user name', 'name', 'participant', 'display name'],
  email: ['email', 'user email', 'e-mail', 'email address'],
  join: ['join time'],
  leave: ['leave time'],
  minutes: ['time in session (minutes)', 'duration (minutes)', 'duration', 'time in session'],
  attended: ['attended'],
  firstName: ['first name'],
  lastName: ['last name'],
  registrationTime: ['registration time'],
  approval: ['approval status'],
}

const KIND_BY_ALIAS = new Map<string, ColumnKind>(
  Object.entries(COLUMN_ALIASES).flatMap(([kind, aliases]) => aliases.map((alias) => [alias, kind as ColumnKind] as const)),
)

/** Column index per kind (-1 when absent) for one section's header. */
type ParticipantHeader = Record<ColumnKind, number> & {
  /** Only the "(Original Name)" columns write renamed people as "Current (Original)". */
  nameHasOriginal: boolean
}

function readParticipantHeader(cells: string[]): ParticipantHeader | null {
  const header: ParticipantHeader = {
    name: -1,
    email: -1,
    join: -1,
    leave: -1,
    minutes: -1,
    attended: -1,
    firstName: -1,
    lastName: -1,
    registrationTime: -1,
    approval: -1,
    nameHasOriginal: false,
  }
  cells.forEach((cell, index) => {
    const label = labelOf(cell)
    const kind = KIND_BY_ALIAS.get(label)
    if (kind === undefined || header[kind] !== -1) return
    header[kind] = index
    if (kind === 'name') header.nameHasOriginal = label.endsWith('(original name)')
  })
  if (header.name === -1) return null
  // A name column alone is any list of people (a registrant export, say); a participant list also tells when they were there.
  if (header.join === -1 && header.minutes === -1 && header.attended === -1) return null
  return header
}

/** How many cells a complete row under this header has: trailing empty header cells do not count. */
function headerWidth(cells: string[]): number {
  let width = cells.length
  while (width > 0 && cells[width - 1].trim() === '') width--
  return width
}

// ---------------------------------------------------------------------------
// Cells

const NO_VALUE = '--'

function rawCellAt(cells: string[], index: number): string {
  return index < 0 || index >= cells.length ? '' : cells[index]
}

/** Trimmed, "--" read as empty; whole, however long: bound it before keeping it. */
function cellAt(cells: string[], index: number): string {
  const value = rawCellAt(cells, index).trim()
  return value === NO_VALUE ? '' : value
}

/** A text cell to keep, cut to `max`. */
function textAt(cells: string[], index: number, max: number): string {
  return keep(cellAt(cells, index), max, rawCellAt(cells, index))
}

/** A cell read as a value: longer than `max`, it is not that value and reads as empty. */
function valueAt(cells: string[], index: number, max: number): string {
  const value = cellAt(cells, index)
  return value.length > max ? '' : keep(value, max, rawCellAt(cells, index))
}

/**
 * `value` (taken from `cell`) cut to `max`, never inside a surrogate pair. V8 keeps a slice or a
 * trim of a string as a view into the whole of it, so a value out of a cell longer than `max` is
 * copied: the long cell itself must not stay in memory with the report.
 */
function keep(value: string, max: number, cell: string): string {
  if (cell.length <= max) return value
  if (value.length > max) value = value.slice(0, isHighSurrogate(value.charCodeAt(max - 1)) ? max - 1 : max).trimEnd()
  return Buffer.from(value, 'utf16le').toString('utf16le')
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff

function orNull(value: string): string | null {
  return value === '' ? null : value
}

/** What a regular expression's "." does not match. */
const LINE_TERMINATOR_RE = /[\n\r\u2028\u2029]/

/**
 * "HP Maya (Maya Saputra)" → name "HP Maya", original name "Maya Saputra"; anything else is the
 * name alone. Reads as /^(.*\S)\s*\(([^()]*\S[^()]*)\)$/ did, in time linear in the name: that
 * pattern backtracked quadratically on a long name without its closing parenthesis. The greedy
 * head keeps "(Guru)" in the display name of "Budi (Guru) (Budi Santoso)".
 */
export function splitRenamedName(value: string): { name: string; originalName: string | null } {
  const close = value.length - 1
  if (value[close] !== ')') return { name: value, originalName: null }
  // The old pattern's \S let one parenthesis into the original name ("a(()" → "a", "("), so the "(" that
  // opens is the last or the second-last parenthesis before the close; the later one wins, as there.
  const last = lastParenthesisBefore(value, close)
  for (const open of [last, lastParenthesisBefore(value, last)]) {
    if (open === -1 || value[open] !== '(') continue
    const originalName = value.slice(open + 1, close).trim()
    const name = value.slice(0, open).trimEnd()
    if (originalName !== '' && name !== '' && !LINE_TERMINATOR_RE.test(name)) return { name, originalName }
  }
  return { name: value, originalName: null }
}

function lastParenthesisBefore(value: string, index: number): number {
  // lastIndexOf reads a negative start as 0, which would look at the first character.
  if (index <= 0) return -1
  return Math.max(value.lastIndexOf('(', index - 1), value.lastIndexOf(')', index - 1))
}

const MINUTES_RE = /^\d+(?:\.\d+)?$/

/** Zoom writes whole minutes; anything else that is a number is rounded, anything not a number ("--") is 0. */
function readMinutes(value: string): number {
  return value.length <= MINUTES_MAX && MINUTES_RE.test(value) ? Math.round(Number(value)) : 0
}

function readYesNo(value: string): boolean | null {
  if (value.length > 'false'.length) return null
  const lower = value.toLowerCase()
  if (lower === 'yes' || lower === 'true') return true
  if (lower === 'no' || lower === 'false') return false
  return null
}

// ---------------------------------------------------------------------------
// Dates: "Sep 1, 2021 08:55:12", "09/01/2021 08:55:12 AM", "2021-09-01 08:55:12"

const MONTHS = new Map(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [m, i + 1]))
const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?`
const NAMED_MONTH_RE = new RegExp(String.raw`^([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{1,2}),?\s+(\d{4})\s+${TIME}$`)
const US_DATE_RE = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4})\s+${TIME}$`)
const ISO_DATE_RE = new RegExp(String.raw`^(\d{4})-(\d{2})-(\d{2})[T\s]${TIME}$`)

type DateParts = { year: number; month: number; day: number; clock: string[] }

function matchDate(value: string): DateParts | null {
  let match = NAMED_MONTH_RE.exec(value)
  if (match) {
    const month = MONTHS.get(match[1].toLowerCase())
    return month === undefined ? null : { year: Number(match[3]), month, day: Number(match[2]), clock: match.slice(4) }
  }
  match = US_DATE_RE.exec(value)
  if (match) return { year: Number(match[3]), month: Number(match[1]), day: Number(match[2]), clock: match.slice(4) }
  match = ISO_DATE_RE.exec(value)
  if (match) return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]), clock: match.slice(4) }
  return null
}

function to24Hour(hour: number, meridiem: string | undefined): number | null {
  if (meridiem === undefined) return hour <= 23 ? hour : null
  if (hour < 1 || hour > 12) return null
  const pm = meridiem.toLowerCase() === 'pm'
  return (hour % 12) + (pm ? 12 : 0)
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** A Zoom date cell as "YYYY-MM-DDTHH:mm:ss"; null for "--", empty or anything unreadable. */
function parseZoomDate(value: string): string | null {
  if (value.length > DATE_MAX) return null
  const parts = matchDate(value)
  if (!parts) return null
  const [hourText, minuteText, secondText, meridiem] = parts.clock
  const hour = to24Hour(Number(hourText), meridiem)
  const minute = Number(minuteText)
  const second = secondText === undefined ? 0 : Number(secondText)
  if (hour === null || minute > 59 || second > 59 || !isRealDay(parts.year, parts.month, parts.day)) return null
  return `${pad(parts.year, 4)}-${pad(parts.month)}-${pad(parts.day)}T${pad(hour)}:${pad(minute)}:${pad(second)}`
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function isRealDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  return day <= DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0)
}

/** Local times carry no zone, so reading both as UTC gives the right difference. */
function minutesBetween(joinTime: string | null, leaveTime: string | null): number {
  if (joinTime === null || leaveTime === null) return 0
  const ms = Date.parse(`${leaveTime}Z`) - Date.parse(`${joinTime}Z`)
  return ms > 0 ? Math.ceil(ms / 60_000) : 0
}

// ---------------------------------------------------------------------------
// Rows

function readRow(cells: string[], header: ParticipantHeader, section: ZoomSection, line: number): ZoomRow | null {
  const nameCell = cellAt(cells, header.name)
  const email = valueAt(cells, header.email, EMAIL_MAX).toLowerCase()
  if (nameCell === '' && email === '') return null
  // Split whole, then cut: the original name at the end is the one that matches a registrant.
  const split = header.nameHasOriginal ? splitRenamedName(nameCell) : { name: nameCell, originalName: null }
  // An over-long name is kept cut, not refused: the row's e-mail and minutes still count, and the moderator can link it by hand.
  const nameCellRaw = rawCellAt(cells, header.name)
  const name = keep(split.name, ZOOM_NAME_MAX, nameCellRaw)
  const originalName = split.originalName === null ? null : keep(split.originalName, ZOOM_NAME_MAX, nameCellRaw)
  const joinTime = parseZoomDate(cellAt(cells, header.join))
  const leaveTime = parseZoomDate(cellAt(cells, header.leave))
  const minutes = header.minutes === -1 ? minutesBetween(joinTime, leaveTime) : readMinutes(cellAt(cells, header.minutes))
  return {
    section,
    line,
    name,
    originalName,
    firstName: orNull(textAt(cells, header.firstName, ZOOM_NAME_MAX)),
    lastName: orNull(textAt(cells, header.lastName, ZOOM_NAME_MAX)),
    email: orNull(email),
    attended: readYesNo(cellAt(cells, header.attended)) ?? minutes > 0,
    minutes,
    joinTime,
    leaveTime,
    registered: cellAt(cells, header.registrationTime) !== '' || cellAt(cells, header.approval) !== '',
  }
}

// ---------------------------------------------------------------------------
// Sections

type SectionLine = { kind: 'report' } | { kind: 'section'; section: ZoomSection | null }

const SECTION_TITLE_RE = /(details|report)$/i
const REPORT_TITLE_RE = /report$/i

/** "Host Details," and the like: a title in the first cell, nothing after it. */
function readSectionLine(cells: string[]): SectionLine | null {
  const title = cells[0].trim()
  if (title.length > LABEL_MAX || !SECTION_TITLE_RE.test(title)) return null
  for (let i = 1; i < cells.length; i++) if (cells[i].trim() !== '') return null
  const section = sectionFor(title.toLowerCase())
  // "Attendee Report," opens the metadata, which is looked for outside any section.
  return section === null && REPORT_TITLE_RE.test(title) ? { kind: 'report' } : { kind: 'section', section }
}

function sectionFor(title: string): ZoomSection | null {
  if (title.startsWith('host')) return 'host'
  if (title.startsWith('panelist')) return 'panelist'
  if (title.startsWith('attendee details') || title.startsWith('participant details')) return 'attendee'
  // "Attendee Report", "Other Details", "Poll Report", …: metadata or nothing this parser reads.
  return null
}

type MetaColumns = { topic: number; meetingId: number }

/** A header cell, trimmed and lower-cased; one too long to be a label reads as none. */
function labelOf(cell: string): string {
  const label = cell.trim()
  return label.length > LABEL_MAX ? '' : label.toLowerCase()
}

function readMetaHeader(cells: string[]): MetaColumns | null {
  const labels = cells.map(labelOf)
  const topic = labels.indexOf('topic')
  if (topic === -1) return null
  const meetingId = labels.findIndex((label) => label === 'webinar id' || label === 'meeting id' || label === 'id')
  return { topic, meetingId }
}

type Mode =
  | { kind: 'outside' } // between sections: looking for a section line, a metadata header or a bare participant header
  | { kind: 'metaValues'; columns: MetaColumns }
  | { kind: 'sectionHeader'; section: ZoomSection | null }
  | { kind: 'rows'; section: ZoomSection | null; header: ParticipantHeader | null; width: number }

type Walk = {
  report: ZoomReport
  mode: Mode
  sawAttendeeHeader: boolean
  /** Set while the latest record is a data row with fewer cells than its header. */
  shortRowLine: number | null
}

function startRows(walk: Walk, section: ZoomSection | null, cells: string[]) {
  const header = section === null ? null : readParticipantHeader(cells)
  if (section === 'attendee' && header !== null) walk.sawAttendeeHeader = true
  walk.mode = { kind: 'rows', section, header, width: headerWidth(cells) }
}

function step(walk: Walk, cells: string[], line: number) {
  walk.shortRowLine = null
  const sectionLine = readSectionLine(cells)
  if (sectionLine) {
    walk.mode = sectionLine.kind === 'report' ? { kind: 'outside' } : { kind: 'sectionHeader', section: sectionLine.section }
    return
  }
  const mode = walk.mode
  switch (mode.kind) {
    case 'outside': {
      // Exports without section lines (older ones, meeting participant lists) start straight with the participant header.
      if (readParticipantHeader(cells)) return startRows(walk, 'attendee', cells)
      const columns = readMetaHeader(cells)
      if (columns) walk.mode = { kind: 'metaValues', columns }
      return
    }
    case 'metaValues':
      walk.report.topic ??= orNull(textAt(cells, mode.columns.topic, TOPIC_MAX))
      walk.report.meetingId ??= orNull(valueAt(cells, mode.columns.meetingId, MEETING_ID_MAX))
      walk.mode = { kind: 'outside' }
      return
    case 'sectionHeader':
      return startRows(walk, mode.section, cells)
    case 'rows': {
      if (cells.length < mode.width) walk.shortRowLine = line
      if (mode.section === null || mode.header === null) return
      const row = readRow(cells, mode.header, mode.section, line)
      if (row) walk.report.rows.push(row)
    }
  }
}

// ---------------------------------------------------------------------------
// Bytes → records

const UTF8 = new TextDecoder('utf-8', { fatal: true })

function decode(bytes: Uint8Array): string | null {
  // Excel's "Unicode text" is UTF-16: refused by its BOM, before the decoder trips over it further on.
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) return null
  try {
    return UTF8.decode(bytes)
  } catch {
    return null
  }
}

/** Called with each record as it is read, and the line it starts on. */
type OnRecord = (cells: string[], line: number) => void
type RunEnd = { kind: 'done' } | { kind: 'widthChanged'; bytes: number; lastLine: number } | { kind: 'broken'; line: number }

/** Thrown from on_record to stop a run at a record of another width. */
const WIDTH_CHANGED = Symbol('width changed')

/**
 * csv-parse builds a full error object (stack, cloned options) for every record whose width differs from the first
 * record's, even under relax_column_count: 10,000 attendee rows below a two-cell "Attendee Report," line cost ~0.4 s.
 * So the file is read in runs of equal width, each run starting afresh at the record that changed the width.
 */
function readRecords(text: string, onRecord: OnRecord): { ok: true } | { ok: false; line: number } {
  const input = Buffer.from(text)
  let offset = 0
  let lineBase = 0
  for (;;) {
    const end = readRun(input.subarray(offset), lineBase, onRecord)
    if (end.kind === 'done') return { ok: true }
    if (end.kind === 'broken') return { ok: false, line: end.line }
    offset += end.bytes
    lineBase = end.lastLine
  }
}

/** Reads records of one width, numbering their first lines from `lineBase`; tells where the run ended. */
function readRun(input: Buffer, lineBase: number, onRecord: OnRecord): RunEnd {
  let width = -1
  let nextLine = lineBase + 1
  let emptyLines = 0
  let bytes = 0
  const skippedSince = (emptyLinesNow: unknown) => (typeof emptyLinesNow === 'number' ? emptyLinesNow - emptyLines : 0)
  try {
    parse(input, {
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (cells, info) => {
        if (width === -1) width = cells.length
        else if (cells.length !== width) throw WIDTH_CHANGED
        const line = nextLine + skippedSince(info.empty_lines)
        onRecord(cells, line)
        nextLine = line + 1 + lineBreaksIn(cells)
        emptyLines = info.empty_lines
        bytes = info.bytes
        return null // handed on above, not kept in csv-parse's own result
      },
    })
    return { kind: 'done' }
  } catch (error) {
    if (error === WIDTH_CHANGED) return { kind: 'widthChanged', bytes, lastLine: nextLine - 1 }
    if (!(error instanceof CsvError)) throw error
    // The broken record starts after the last good one and any empty lines between.
    return { kind: 'broken', line: nextLine + skippedSince(error.empty_lines) }
  }
}

const LF = 10
const CR = 13

/** Line breaks inside quoted cells, CRLF counted once (csv-parse's own line count takes it for two there). */
function lineBreaksIn(cells: string[]): number {
  let breaks = 0
  for (const cell of cells) {
    if (!cell.includes('\n') && !cell.includes('\r')) continue
    // Counted, not matched: a match array would hold one string per break of a cell that may be the whole file.
    for (let i = 0; i < cell.length; i++) {
      const code = cell.charCodeAt(i)
      if (code === CR && cell.charCodeAt(i + 1) === LF) i++
      if (code === CR || code === LF) breaks++
    }
  }
  return breaks
}

function isBlank(cells: string[]): boolean {
  for (const cell of cells) if (cell.trim() !== '') return false
  return true
}

// ---------------------------------------------------------------------------

export function parseZoomReport(bytes: Uint8Array): ZoomReportResult {
  if (bytes.length === 0) return failure({ code: 'empty' })
  const text = decode(bytes)
  if (text === null) return failure({ code: 'encoding' })
  // TextDecoder has already dropped a UTF-8 BOM.
  if (text.trim() === '') return failure({ code: 'empty' })

  const walk: Walk = { report: { topic: null, meetingId: null, rows: [] }, mode: { kind: 'outside' }, sawAttendeeHeader: false, shortRowLine: null }
  // Each record is walked as it is read, so the file's cells are never all in memory at once.
  const read = readRecords(text, (cells, line) => {
    if (!isBlank(cells)) step(walk, cells, line)
  })
  if (!read.ok) return failure({ code: 'truncated', line: read.line })

  // Only the last row can be told apart from a row Zoom wrote short: a cut file ends mid-row.
  if (walk.shortRowLine !== null) return failure({ code: 'truncated', line: walk.shortRowLine })
  if (!walk.sawAttendeeHeader) return failure({ code: 'notZoom' })
  if (!walk.report.rows.some((row) => row.section === 'attendee')) return failure({ code: 'noRows' })
  return { ok: true, report: walk.report }
}

function failure(error: ZoomReportError): ZoomReportResult {
  return { ok: false, error }
}

// ---------------------------------------------------------------------------
// People

const APOSTROPHES_RE = /['’ʼ`]/g
const MARKS_RE = /\p{M}/gu
const NOT_WORD_RE = /[^\p{L}\p{N}]+/gu

/** For matching people by name: NFKD, diacritics stripped, lower-case, punctuation removed, whitespace collapsed ("  Sri  RAHAYU, S.Pd." → "sri rahayu s pd"). */
export function normaliseName(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(MARKS_RE, '')
      .toLowerCase()
      // Apostrophes join ("Ma'ruf" and "Maruf" are one name); other punctuation separates ("S.Pd." → "s pd").
      .replace(APOSTROPHES_RE, '')
      .replace(NOT_WORD_RE, ' ')
      .trim()
  )
}

export type ZoomPerson = {
  key: string
  role: ZoomSection
  email: string | null
  names: string[]
  minutes: number
  joins: number
  attended: boolean
  registered: boolean
  firstLine: number
}

function personKey(row: ZoomRow): string {
  if (row.email !== null) return row.email
  const name = normaliseName(row.originalName ?? row.name)
  // A name with nothing left to match on stays alone rather than merging every such walk-in.
  return name === '' ? `line:${row.line}` : `name:${name}`
}

/** In order of trust: the name registered in Zoom, first + last, then the name shown in the meeting. */
function rowNames(row: ZoomRow): string[] {
  const fullName = [row.firstName, row.lastName].filter((part) => part !== null).join(' ')
  return [row.originalName ?? '', fullName, row.name].filter((name) => name !== '')
}

function addName(person: ZoomPerson, seen: Set<string>, name: string) {
  if (person.names.length >= PERSON_NAMES_MAX) return
  const normalised = normaliseName(name)
  if (seen.has(normalised)) return
  seen.add(normalised)
  person.names.push(name)
}

/** Groups rows into people: key = e-mail when present, else "name:" + normalised original-or-display name. Minutes summed over rejoins; names collected in order of trust (original, first+last, display). Host and panelist rows are kept apart (role) and never merged with attendees. */
export function groupZoomPeople(rows: ZoomRow[]): ZoomPerson[] {
  const people = new Map<string, { person: ZoomPerson; seenNames: Set<string> }>()
  for (const row of rows) {
    const key = personKey(row)
    // The role is part of the identity: a panelist who also sat among the attendees is two entries.
    const mapKey = `${row.section}\u0000${key}`
    let entry = people.get(mapKey)
    if (!entry) {
      entry = {
        person: { key, role: row.section, email: row.email, names: [], minutes: 0, joins: 0, attended: false, registered: false, firstLine: row.line },
        seenNames: new Set(),
      }
      people.set(mapKey, entry)
    }
    const { person, seenNames } = entry
    person.minutes += row.minutes
    if (row.joinTime !== null || row.minutes > 0) person.joins++
    person.attended ||= row.attended
    person.registered ||= row.registered
    person.firstLine = Math.min(person.firstLine, row.line)
    for (const name of rowNames(row)) addName(person, seenNames, name)
  }
  return [...people.values()].map((entry) => entry.person)
}
