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
  /** The name column does not say "(Original Name)": the parentheses may be a rename or part of the name ("Budi (Guru SD)"). */
  originalNameGuessed: boolean
  firstName: string | null
  lastName: string | null
  /** Trimmed, lower-cased; null when empty. */
  email: string | null
  /** The "Attended" column when present; else minutes > 0. Never for time in the waiting room. */
  attended: boolean
  /** This join's minutes; 0 for "--"/empty and for time in the waiting room; computed from join/leave times when the report has no minutes column. */
  minutes: number
  /** "YYYY-MM-DDTHH:mm:ss", local and without zone: Zoom writes the host's local time. */
  joinTime: string | null
  leaveTime: string | null
  /** The row carries a registration time or approval status (joined through Zoom registration). */
  registered: boolean
  /** "In Waiting Room: Yes": time spent waiting to be let in, which is no attendance. */
  waitingRoom: boolean
}

export type Separator = ',' | ';' | '\t'
export type TextEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be'
export type DateOrder = 'mdy' | 'dmy'

export type ZoomReport = {
  topic: string | null
  meetingId: string | null
  /** The meeting's host account, from a meeting report's metadata ("User Email"); lower-cased. */
  hostEmail: string | null
  /** "YYYY-MM-DD": the start time in the metadata, else the first join. */
  date: string | null
  /**
   * How "01/09/2021" was read, when the file had such dates and the order changed what they mean:
   * settled by the file (a day above 12), by the webinar's date, or Zoom's usual month first.
   */
  dateOrder: { order: DateOrder; basis: 'file' | 'webinarDate' | 'usual' } | null
  encoding: TextEncoding
  separator: Separator
  rows: ZoomRow[]
}

export type ZoomReportError =
  | { code: 'empty' }
  /** Bytes that are no text in any encoding a spreadsheet writes. */
  | { code: 'encoding' }
  /** An Excel workbook (.xlsx, .xls) rather than a CSV file. */
  | { code: 'workbook' }
  /** Not one comma, semicolon or tab between columns. */
  | { code: 'noSeparator' }
  | { code: 'notZoom'; separator: Separator }
  /** A row of column labels that falls one column short of a participant list. */
  | { code: 'missingColumn'; column: 'name' | 'time'; line: number }
  | { code: 'truncated'; line: number }
  | { code: 'noRows' }
  /** Rows longer than a day: a mistyped date or a mistyped duration (the first few, and how many more). */
  | { code: 'implausibleRows'; rows: ImplausibleRow[]; more: number }

/** A row whose one join lasts longer than any webinar can, with the cells as written so the organiser can find them. */
export type ImplausibleRow = { line: number; join: string; leave: string } | { line: number; minutes: string }

export type ZoomReportResult = { ok: true; report: ZoomReport } | { ok: false; error: ZoomReportError }

export type ZoomReportOptions = {
  /** The webinar's local date ("YYYY-MM-DD"): decides between day and month first when nothing in the file does. */
  expectedDate?: string
}

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
/**
 * A webinar is held within one day, so one join longer than a day is an error in the report (a
 * year typed 9021 for 2021, a duration with digits too many), which the upload refuses with the
 * row's line rather than count. It also keeps every count of minutes far inside a database
 * integer: the stored minutes were once a mistyped year's 3,681,643,795.
 */
export const ZOOM_ROW_MINUTES_MAX = 24 * 60
/** A person's minutes, and a registrant's summed over the rows that are them, count up to this: overlapping joins from two devices add up, but no one attends more than a day. */
export const ZOOM_PERSON_MINUTES_MAX = 24 * 60
/** Implausible rows named in the refusal; the rest are counted. */
const IMPLAUSIBLE_ROWS_LISTED = 20

// ---------------------------------------------------------------------------
// Columns

type ColumnKind =
  | 'name'
  | 'email'
  | 'join'
  | 'leave'
  | 'minutes'
  | 'attended'
  | 'firstName'
  | 'lastName'
  | 'registrationTime'
  | 'approval'
  | 'waitingRoom'

const COLUMN_ALIASES: Record<ColumnKind, string[]> = {
  name: ['user name (original name)', 'name (original name)', 'user name', 'name', 'participant', 'display name'],
  email: ['email', 'user email', 'e-mail', 'email address'],
  join: ['join time'],
  leave: ['leave time'],
  // "Total Duration (Minutes)": the meeting participants report with "Show unique users".
  minutes: ['time in session (minutes)', 'duration (minutes)', 'duration', 'time in session', 'total duration (minutes)', 'total duration'],
  attended: ['attended'],
  firstName: ['first name'],
  lastName: ['last name'],
  registrationTime: ['registration time'],
  approval: ['approval status'],
  waitingRoom: ['in waiting room'],
}

const KIND_BY_ALIAS = new Map<string, ColumnKind>(
  Object.entries(COLUMN_ALIASES).flatMap(([kind, aliases]) => aliases.map((alias) => [alias, kind as ColumnKind] as const)),
)

/** The columns that say when someone was there. */
const TIME_KINDS: ReadonlySet<ColumnKind> = new Set(['join', 'leave', 'minutes', 'attended'])

/** Column index per kind (-1 when absent) for one section's header. */
type ParticipantHeader = Record<ColumnKind, number> & {
  /** Only the "(Original Name)" columns say that "Current (Original)" is a rename. */
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
    waitingRoom: -1,
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

/**
 * For a row that is no participant header: the column it lacks to be one, when it has two known
 * labels and one of them is a name or a time. A registrant export ("name,email") lacks a time.
 */
function missingColumnOf(cells: string[]): 'name' | 'time' | null {
  let known = 0
  let hasName = false
  let hasTime = false
  for (const cell of cells) {
    const kind = KIND_BY_ALIAS.get(labelOf(cell))
    if (kind === undefined) continue
    known++
    if (kind === 'name') hasName = true
    else if (TIME_KINDS.has(kind)) hasTime = true
  }
  if (known < 2 || (!hasName && !hasTime)) return null
  return hasName ? 'time' : 'name'
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
// Dates: "Sep 1, 2021 08:55:12", "1 Sep 2021 08:55", "09/01/2021 08:55:12 AM", "01.09.2021 08.55",
// "2021-09-01 08:55:12". Zoom writes month/day; Excel re-saves a report in the reader's locale, often
// day/month. Which one a file uses is decided once the whole file is read (see decideDateOrder).

const MONTHS = new Map(
  [
    ...['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [m, i + 1] as const),
    // Indonesian abbreviations where they differ: Mei, Agu(stus), Okt, Des.
    ['mei', 5] as const,
    ['agu', 8] as const,
    ['okt', 10] as const,
    ['des', 12] as const,
  ],
)
// Excel in an Indonesian locale writes "08.55.12".
const TIME = String.raw`(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*([AaPp][Mm]))?`
const NAMED_MONTH_RE = new RegExp(String.raw`^([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{1,2}),?\s+(\d{4})\s+${TIME}$`)
const DAY_NAMED_MONTH_RE = new RegExp(String.raw`^(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?,?\s+(\d{4})\s+${TIME}$`)
const NUMERIC_DATE_RE = new RegExp(String.raw`^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})\s+${TIME}$`)
const ISO_DATE_RE = new RegExp(String.raw`^(\d{4})-(\d{2})-(\d{2})[T\s]${TIME}$`)

/**
 * A date cell as read. "01/09/2021" keeps its two numbers in the order written until the file's
 * order is known; every other form has one reading.
 */
type ReadDate = { year: number; month: number; day: number; clock: string } | { year: number; first: number; second: number; clock: string }

/** What the numeric dates of a file say about their order. */
type DateEvidence = { dayFirst: number; monthFirst: number; ambiguous: boolean }

function to24Hour(hour: number, meridiem: string | undefined): number | null {
  if (meridiem === undefined) return hour <= 23 ? hour : null
  if (hour < 1 || hour > 12) return null
  const pm = meridiem.toLowerCase() === 'pm'
  return (hour % 12) + (pm ? 12 : 0)
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** "HH:mm:ss" from a TIME match's groups; null when no clock has it. */
function readClock([hourText, minuteText, secondText, meridiem]: string[]): string | null {
  const hour = to24Hour(Number(hourText), meridiem)
  const minute = Number(minuteText)
  const second = secondText === undefined ? 0 : Number(secondText)
  if (hour === null || minute > 59 || second > 59) return null
  return `${pad(hour)}:${pad(minute)}:${pad(second)}`
}

/** A Zoom date cell, noting what a numeric date says about the order; null for "--", empty or anything unreadable. */
function readDate(value: string, evidence: DateEvidence): ReadDate | null {
  if (value.length > DATE_MAX) return null
  let match = NAMED_MONTH_RE.exec(value)
  if (match) return namedMonthDate(match[1], match[2], match[3], match.slice(4))
  match = DAY_NAMED_MONTH_RE.exec(value)
  if (match) return namedMonthDate(match[2], match[1], match[3], match.slice(4))
  match = NUMERIC_DATE_RE.exec(value)
  if (match) {
    const clock = readClock(match.slice(5))
    if (clock === null) return null
    const first = Number(match[1])
    const second = Number(match[3])
    const year = match[4].length === 2 ? 2000 + Number(match[4]) : Number(match[4])
    if (first > 12 && second <= 12) evidence.dayFirst++
    else if (second > 12 && first <= 12) evidence.monthFirst++
    else if (first !== second && first <= 12) evidence.ambiguous = true
    return { year, first, second, clock }
  }
  match = ISO_DATE_RE.exec(value)
  if (match) {
    const clock = readClock(match.slice(4))
    return clock === null ? null : realDate({ year: Number(match[1]), month: Number(match[2]), day: Number(match[3]), clock })
  }
  return null
}

function namedMonthDate(monthName: string, dayText: string, yearText: string, clockGroups: string[]): ReadDate | null {
  const month = MONTHS.get(monthName.toLowerCase())
  const clock = readClock(clockGroups)
  if (month === undefined || clock === null) return null
  return realDate({ year: Number(yearText), month, day: Number(dayText), clock })
}

function realDate<T extends { year: number; month: number; day: number }>(date: T): T | null {
  return isRealDay(date.year, date.month, date.day) ? date : null
}

/** "YYYY-MM-DDTHH:mm:ss" under the file's order; null when that order makes no real day of it. */
function dateTimeOf(date: ReadDate | null, order: DateOrder): string | null {
  if (date === null) return null
  const [month, day] = 'month' in date ? [date.month, date.day] : order === 'dmy' ? [date.second, date.first] : [date.first, date.second]
  if (!isRealDay(date.year, month, day)) return null
  return `${pad(date.year, 4)}-${pad(month)}-${pad(day)}T${date.clock}`
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

/** A row as read, its dates waiting for the file's day/month order. */
type PendingRow = {
  row: ZoomRow
  join: ReadDate | null
  leave: ReadDate | null
  minutesFromTimes: boolean
  attended: boolean | null
  /** The time cells as written (each at most DATE_MAX or MINUTES_MAX), for naming a row that cannot be right. */
  cells: { join: string; leave: string; minutes: string }
}

function readRow(cells: string[], header: ParticipantHeader, section: ZoomSection, line: number, evidence: DateEvidence): PendingRow | null {
  const nameCell = cellAt(cells, header.name)
  const email = valueAt(cells, header.email, EMAIL_MAX).toLowerCase()
  if (nameCell === '' && email === '') return null
  // Split whole, then cut: the original name at the end is the one that matches a registrant. Older
  // exports write renamed people the same way under a plain "User Name", so every name column is tried.
  const split = splitRenamedName(nameCell)
  // An over-long name is kept cut, not refused: the row's e-mail and minutes still count, and the moderator can link it by hand.
  const nameCellRaw = rawCellAt(cells, header.name)
  const name = keep(split.name, ZOOM_NAME_MAX, nameCellRaw)
  const originalName = split.originalName === null ? null : keep(split.originalName, ZOOM_NAME_MAX, nameCellRaw)
  // Zoom's own help: time in the waiting room is not time in the meeting.
  const waitingRoom = readYesNo(cellAt(cells, header.waitingRoom)) === true
  const minutesCell = valueAt(cells, header.minutes, MINUTES_MAX)
  const minutes = waitingRoom || header.minutes === -1 ? 0 : readMinutes(minutesCell)
  const joinCell = valueAt(cells, header.join, DATE_MAX)
  const leaveCell = valueAt(cells, header.leave, DATE_MAX)
  return {
    row: {
      section,
      line,
      name,
      originalName,
      originalNameGuessed: originalName !== null && !header.nameHasOriginal,
      firstName: orNull(textAt(cells, header.firstName, ZOOM_NAME_MAX)),
      lastName: orNull(textAt(cells, header.lastName, ZOOM_NAME_MAX)),
      email: orNull(email),
      attended: false,
      minutes,
      joinTime: null,
      leaveTime: null,
      registered: cellAt(cells, header.registrationTime) !== '' || cellAt(cells, header.approval) !== '',
      waitingRoom,
    },
    join: readDate(joinCell, evidence),
    leave: readDate(leaveCell, evidence),
    minutesFromTimes: header.minutes === -1 && !waitingRoom,
    attended: waitingRoom ? false : readYesNo(cellAt(cells, header.attended)),
    cells: { join: joinCell, leave: leaveCell, minutes: minutesCell },
  }
}

/** The row's one join, when it lasts longer than a day; null for a row that can be right. */
function implausibility(pending: PendingRow): ImplausibleRow | null {
  const { row, cells } = pending
  if (row.minutes <= ZOOM_ROW_MINUTES_MAX) return null
  return pending.minutesFromTimes ? { line: row.line, join: cells.join, leave: cells.leave } : { line: row.line, minutes: cells.minutes }
}

/** The row with its dates read in the file's order, and what depends on them. */
function finishRow(pending: PendingRow, order: DateOrder): ZoomRow {
  const { row } = pending
  row.joinTime = dateTimeOf(pending.join, order)
  row.leaveTime = dateTimeOf(pending.leave, order)
  if (pending.minutesFromTimes) row.minutes = minutesBetween(row.joinTime, row.leaveTime)
  row.attended = pending.attended ?? row.minutes > 0
  return row
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

type MetaColumns = { topic: number; meetingId: number; start: number; hostEmail: number }

/** A header cell, trimmed and lower-cased; one too long to be a label reads as none. */
function labelOf(cell: string): string {
  const label = cell.trim()
  return label.length > LABEL_MAX ? '' : label.toLowerCase()
}

/** The metadata header: "Topic,Webinar ID,Actual Start Time,…" (webinars), "Meeting ID,Topic,Start Time,End Time,User Email,…" (meetings). */
function readMetaHeader(cells: string[]): MetaColumns | null {
  const labels = cells.map(labelOf)
  const topic = labels.indexOf('topic')
  if (topic === -1) return null
  const meetingId = labels.findIndex((label) => label === 'webinar id' || label === 'meeting id' || label === 'id')
  const start = labels.findIndex((label) => label === 'actual start time' || label === 'start time' || label === 'scheduled time')
  // In a meeting report's metadata, "User Email" is the host's account.
  const hostEmail = labels.indexOf('user email')
  return { topic, meetingId, start, hostEmail }
}

type Mode =
  | { kind: 'outside' } // between sections: looking for a section line, a metadata header or a bare participant header
  | { kind: 'metaValues'; columns: MetaColumns }
  | { kind: 'sectionHeader'; section: ZoomSection | null }
  | { kind: 'rows'; section: ZoomSection | null; header: ParticipantHeader | null; width: number }

type Walk = {
  meta: { topic: string | null; meetingId: string | null; hostEmail: string | null; start: ReadDate | null }
  rows: PendingRow[]
  evidence: DateEvidence
  mode: Mode
  sawAttendeeHeader: boolean
  sawStaffHeader: boolean
  /** The first row of labels that fell one column short of a participant header. */
  missingColumn: { column: 'name' | 'time'; line: number } | null
  /** Set while the latest record is a data row with fewer cells than its header. */
  shortRowLine: number | null
}

function startRows(walk: Walk, section: ZoomSection | null, cells: string[], line: number) {
  const header = section === null ? null : readParticipantHeader(cells)
  if (header !== null) {
    if (section === 'attendee') walk.sawAttendeeHeader = true
    else walk.sawStaffHeader = true
  } else if (section !== null) noteMissingColumn(walk, cells, line)
  walk.mode = { kind: 'rows', section, header, width: headerWidth(cells) }
}

function noteMissingColumn(walk: Walk, cells: string[], line: number) {
  if (walk.missingColumn !== null) return
  const column = missingColumnOf(cells)
  if (column !== null) walk.missingColumn = { column, line }
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
      if (readParticipantHeader(cells)) return startRows(walk, 'attendee', cells, line)
      const columns = readMetaHeader(cells)
      if (columns) walk.mode = { kind: 'metaValues', columns }
      else noteMissingColumn(walk, cells, line)
      return
    }
    case 'metaValues': {
      const { meta } = walk
      meta.topic ??= orNull(textAt(cells, mode.columns.topic, TOPIC_MAX))
      meta.meetingId ??= orNull(valueAt(cells, mode.columns.meetingId, MEETING_ID_MAX))
      meta.hostEmail ??= orNull(valueAt(cells, mode.columns.hostEmail, EMAIL_MAX).toLowerCase())
      meta.start ??= readDate(cellAt(cells, mode.columns.start), walk.evidence)
      walk.mode = { kind: 'outside' }
      return
    }
    case 'sectionHeader':
      return startRows(walk, mode.section, cells, line)
    case 'rows': {
      if (cells.length < mode.width) walk.shortRowLine = line
      if (mode.section === null || mode.header === null) return
      const row = readRow(cells, mode.header, mode.section, line, walk.evidence)
      if (row) walk.rows.push(row)
    }
  }
}

/** The report's date under an order: its metadata's start, else its first join. */
function reportDateUnder(walk: Walk, order: DateOrder): string | null {
  const start = dateTimeOf(walk.meta.start, order)
  if (start !== null) return start.slice(0, 10)
  let first: string | null = null
  for (const pending of walk.rows) {
    const join = dateTimeOf(pending.join, order)
    if (join !== null && (first === null || join < first)) first = join
  }
  return first === null ? null : first.slice(0, 10)
}

/**
 * How to read "01/09/2021". A day above 12 in first place (or a month above 12 in second) settles
 * it, the majority if a file says both. When nothing does, the order that puts the report on the
 * webinar's date wins; failing that, Zoom's own month first. Reported only when some date reads
 * differently in the two orders.
 */
function decideDateOrder(walk: Walk, expectedDate: string | undefined): { order: DateOrder; reported: ZoomReport['dateOrder'] } {
  const { dayFirst, monthFirst, ambiguous } = walk.evidence
  if (dayFirst > 0 || monthFirst > 0) {
    const order: DateOrder = dayFirst > monthFirst ? 'dmy' : 'mdy'
    return { order, reported: ambiguous ? { order, basis: 'file' } : null }
  }
  if (!ambiguous) return { order: 'mdy', reported: null }
  if (expectedDate !== undefined && reportDateUnder(walk, 'mdy') !== expectedDate && reportDateUnder(walk, 'dmy') === expectedDate) {
    return { order: 'dmy', reported: { order: 'dmy', basis: 'webinarDate' } }
  }
  if (expectedDate !== undefined && reportDateUnder(walk, 'mdy') === expectedDate) return { order: 'mdy', reported: { order: 'mdy', basis: 'webinarDate' } }
  return { order: 'mdy', reported: { order: 'mdy', basis: 'usual' } }
}

// ---------------------------------------------------------------------------
// Bytes → records

type Decoded = { ok: true; text: string; encoding: TextEncoding } | { ok: false; error: 'encoding' | 'workbook' }

/** .xlsx is a ZIP archive, .xls a Compound File: what Excel saves when CSV was not chosen. */
const WORKBOOK_SIGNATURES = [
  [0x50, 0x4b, 0x03, 0x04],
  [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
]
const UTF8_BOM = [0xef, 0xbb, 0xbf]
const UTF16LE_BOM = [0xff, 0xfe]
const UTF16BE_BOM = [0xfe, 0xff]
/** Enough of the start of a file to tell its encoding and its separator. */
const SNIFF_LENGTH = 64 * 1024

const startsWith = (bytes: Uint8Array, signature: number[]) => signature.every((byte, i) => bytes[i] === byte)

/**
 * The text of a report, whatever Excel or Zoom saved it as: UTF-8 (with or without a BOM), UTF-16
 * (Excel's "Unicode text", with or without a BOM), else Windows-1252 (Excel's "CSV (Comma
 * delimited)" on Windows), which gives every byte a character.
 */
function decode(bytes: Uint8Array): Decoded {
  if (WORKBOOK_SIGNATURES.some((signature) => startsWith(bytes, signature))) return { ok: false, error: 'workbook' }
  // A BOM declares the encoding; a stray bad byte after one is a replacement character, not a refusal.
  if (startsWith(bytes, UTF8_BOM)) return { ok: true, text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8' }
  if (startsWith(bytes, UTF16LE_BOM)) return { ok: true, text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' }
  if (startsWith(bytes, UTF16BE_BOM)) return { ok: true, text: new TextDecoder('utf-16be').decode(bytes), encoding: 'utf-16be' }
  const sample = bytes.subarray(0, SNIFF_LENGTH)
  if (sample.includes(0)) {
    // No text file has NUL bytes, but UTF-16 has one beside every ASCII character.
    const encoding = utf16ByteOrder(sample)
    return encoding === null ? { ok: false, error: 'encoding' } : { ok: true, text: new TextDecoder(encoding).decode(bytes), encoding }
  }
  try {
    // stream: an incomplete character at the very end (a download cut short) is left out, not taken for another encoding.
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true }), encoding: 'utf-8' }
  } catch {
    return { ok: true, text: decodeWindows1252(bytes), encoding: 'windows-1252' }
  }
}

/** UTF-16 without a BOM: ASCII puts its zero bytes on the odd positions (little-endian) or the even ones (big-endian). */
function utf16ByteOrder(sample: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  let even = 0
  let odd = 0
  for (let i = 0; i + 1 < sample.length; i += 2) {
    if (sample[i] === 0) even++
    if (sample[i + 1] === 0) odd++
  }
  const pairs = Math.floor(sample.length / 2)
  if (odd >= pairs / 4 && even <= odd / 10) return 'utf-16le'
  if (even >= pairs / 4 && odd <= even / 10) return 'utf-16be'
  return null
}

// Node 20's TextDecoder('windows-1252') decodes 0x80–0x9F as ISO-8859-1 does, as control
// characters (nodejs/node#60888), so the WHATWG mapping of those 32 bytes is applied here.
const WINDOWS_1252_C1 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d,
  0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
]
const C1_RE = /[\u0080-\u009f]/g

function decodeWindows1252(bytes: Uint8Array): string {
  return new TextDecoder('windows-1252').decode(bytes).replace(C1_RE, (c) => String.fromCharCode(WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]!))
}

const SEPARATORS: Separator[] = [',', ';', '\t']
const QUOTE = 34

/**
 * The column separator: the one of comma, semicolon (Excel where the decimal mark is a comma)
 * and tab (Excel's "Unicode text") that occurs most outside quotes near the start of the file;
 * null when none does.
 */
function detectSeparator(text: string): Separator | null {
  const counts = [0, 0, 0]
  const codes = SEPARATORS.map((separator) => separator.charCodeAt(0))
  let quoted = false
  const end = Math.min(text.length, SNIFF_LENGTH)
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i)
    if (code === QUOTE) quoted = !quoted
    else if (!quoted) {
      const index = codes.indexOf(code)
      if (index !== -1) counts[index]!++
    }
  }
  let best = -1
  counts.forEach((count, index) => {
    if (count > 0 && (best === -1 || count > counts[best]!)) best = index
  })
  return best === -1 ? null : SEPARATORS[best]!
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
function readRecords(text: string, separator: Separator, onRecord: OnRecord): { ok: true } | { ok: false; line: number } {
  const input = Buffer.from(text)
  let offset = 0
  let lineBase = 0
  for (;;) {
    const end = readRun(input.subarray(offset), separator, lineBase, onRecord)
    if (end.kind === 'done') return { ok: true }
    if (end.kind === 'broken') return { ok: false, line: end.line }
    offset += end.bytes
    lineBase = end.lastLine
  }
}

/** Reads records of one width, numbering their first lines from `lineBase`; tells where the run ended. */
function readRun(input: Buffer, separator: Separator, lineBase: number, onRecord: OnRecord): RunEnd {
  let width = -1
  let nextLine = lineBase + 1
  let emptyLines = 0
  let bytes = 0
  const skippedSince = (emptyLinesNow: unknown) => (typeof emptyLinesNow === 'number' ? emptyLinesNow - emptyLines : 0)
  try {
    parse(input, {
      delimiter: separator,
      // Named, not discovered: discovery keeps the first line's ending, and a file edited by hand mixes them.
      record_delimiter: ['\r\n', '\n', '\r'],
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

export function parseZoomReport(bytes: Uint8Array, options: ZoomReportOptions = {}): ZoomReportResult {
  if (bytes.length === 0) return failure({ code: 'empty' })
  const decoded = decode(bytes)
  if (!decoded.ok) return failure({ code: decoded.error })
  const { text, encoding } = decoded
  // A NUL is no character of a text report (PostgreSQL refuses it in the topic or a name it would store).
  if (text.includes('\u0000')) return failure({ code: 'encoding' })
  // TextDecoder has already dropped a BOM.
  if (text.trim() === '') return failure({ code: 'empty' })
  const separator = detectSeparator(text)

  const walk: Walk = {
    meta: { topic: null, meetingId: null, hostEmail: null, start: null },
    rows: [],
    evidence: { dayFirst: 0, monthFirst: 0, ambiguous: false },
    mode: { kind: 'outside' },
    sawAttendeeHeader: false,
    sawStaffHeader: false,
    missingColumn: null,
    shortRowLine: null,
  }
  // Each record is walked as it is read, so the file's cells are never all in memory at once.
  const read = readRecords(text, separator ?? ',', (cells, line) => {
    if (!isBlank(cells)) step(walk, cells, line)
  })
  if (!read.ok) return failure({ code: 'truncated', line: read.line })

  // Only the last row can be told apart from a row Zoom wrote short: a cut file ends mid-row.
  if (walk.shortRowLine !== null) return failure({ code: 'truncated', line: walk.shortRowLine })
  if (!walk.sawAttendeeHeader) {
    if (walk.missingColumn !== null) return failure({ code: 'missingColumn', ...walk.missingColumn })
    // Hosts and panelists alone: a report, but without attendees.
    if (walk.sawStaffHeader) return failure({ code: 'noRows' })
    return failure(separator === null ? { code: 'noSeparator' } : { code: 'notZoom', separator })
  }
  if (!walk.rows.some((pending) => pending.row.section === 'attendee')) return failure({ code: 'noRows' })

  const { order, reported } = decideDateOrder(walk, options.expectedDate)
  const rows = walk.rows.map((pending) => finishRow(pending, order))
  // After finishRow, which sets the minutes of a row timed by its join and leave.
  const implausible = walk.rows.flatMap((pending) => implausibility(pending) ?? [])
  if (implausible.length > 0) {
    return failure({ code: 'implausibleRows', rows: implausible.slice(0, IMPLAUSIBLE_ROWS_LISTED), more: Math.max(0, implausible.length - IMPLAUSIBLE_ROWS_LISTED) })
  }
  const { topic, meetingId, hostEmail } = walk.meta
  return {
    ok: true,
    report: {
      topic,
      meetingId,
      hostEmail,
      date: reportDateUnder(walk, order),
      dateOrder: reported,
      encoding,
      separator: separator ?? ',',
      rows,
    },
  }
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

export type IdentityCheck = 'same' | 'different' | 'unknown'

/** Zoom IDs are 9 to 11 digits however they are spaced; anything else (Excel's "9,12346E+10") is no ID to compare. */
function meetingIdDigits(value: string | null): string | null {
  if (value === null || !/^[\d\s-]+$/.test(value)) return null
  const digits = value.replace(/\D/g, '')
  return digits.length >= 9 && digits.length <= 11 ? digits : null
}

/** Fewer words than this in common are two topics that happen to share a phrase ("Pelayanan Publik"). */
const TOPIC_WORDS_MIN = 3

/** Topics agree when, normalised, they are equal or one contains the other whole ("Webinar Literasi Digital: <topic> (Kab. Klaten)"). */
function topicsAgree(a: string, b: string): boolean {
  const [shorter, longer] = [normaliseName(a), normaliseName(b)].sort((x, y) => x.length - y.length) as [string, string]
  if (shorter === '') return false
  if (shorter === longer) return true
  return shorter.split(' ').length >= TOPIC_WORDS_MIN && ` ${longer} `.includes(` ${shorter} `)
}

/**
 * Whether a report is from this webinar. Its topic agrees when it carries the webinar's meeting ID
 * or its topic agrees loosely; its date ("YYYY-MM-DD", the host's local clock) when it falls on the
 * webinar's local dates. "unknown" when the report does not say.
 */
export function checkReportIdentity(
  report: { topic: string | null; meetingId: string | null; date: string | null },
  webinar: { topic: string; meetingId: string | null; startDate: string; endDate: string },
): { topic: IdentityCheck; date: IdentityCheck } {
  const reportId = meetingIdDigits(report.meetingId)
  const webinarId = meetingIdDigits(webinar.meetingId)
  let topic: IdentityCheck
  if ((reportId !== null && reportId === webinarId) || (report.topic !== null && topicsAgree(report.topic, webinar.topic))) topic = 'same'
  else if (report.topic === null && (reportId === null || webinarId === null)) topic = 'unknown'
  else topic = 'different'
  const date: IdentityCheck = report.date === null ? 'unknown' : report.date >= webinar.startDate && report.date <= webinar.endDate ? 'same' : 'different'
  return { topic, date }
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
  // A guessed rename may be part of the name: "Budi (Guru SD)" and "Ani (Guru SD)" are two people.
  const name = normaliseName(row.originalName === null ? row.name : row.originalNameGuessed ? `${row.name} ${row.originalName}` : row.originalName)
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
    // Capped, so no report sums past what a database integer holds, however many rows are one person.
    person.minutes = Math.min(ZOOM_PERSON_MINUTES_MAX, person.minutes + row.minutes)
    // Waiting to be let in is no join.
    if (!row.waitingRoom && (row.joinTime !== null || row.minutes > 0)) person.joins++
    person.attended ||= row.attended
    person.registered ||= row.registered
    person.firstLine = Math.min(person.firstLine, row.line)
    for (const name of rowNames(row)) addName(person, seenNames, name)
  }
  return [...people.values()].map((entry) => entry.person)
}

// ---------------------------------------------------------------------------
// Closest names: for a row that matched nobody, the registrants a moderator most likely means.

/** Below this, two words are different words: "susanti"/"susanty" is 0.71, "setiawan"/"kurniawan" 0.47. */
const WORD_SIMILARITY_MIN = 0.5

/** The words of a name that can tell people apart: no single letters, no bare numbers. */
function wordsOf(name: string): string[] {
  return [...new Set(normaliseName(name).split(' '))].filter((word) => word.length >= 2 && !/^\d+$/.test(word))
}

/** A word's trigrams, with its ends marked (" ri", "rin", "ina", "na "). */
function trigramsOf(word: string): string[] {
  const padded = ` ${word} `
  const trigrams = new Set<string>()
  for (let i = 0; i + 3 <= padded.length; i++) trigrams.add(padded.slice(i, i + 3))
  return [...trigrams]
}

export type NameFinder = { closest(names: string[], max: number): number[] }

/**
 * Finds, among `names` (the registrants'), the closest to a row's names. Two names are compared
 * word by word, each word of the row taking the most similar word of the registrant (trigram
 * Dice, so a typo or a nickname's ending still counts); the score is that similarity over both
 * names' word counts. "iPhone Rina" is as close to "Rina Wati" as to "Rina Susanti"; "Rina
 * Susanti" is closer to "Rina Susanty" than to either. Indexed by word and by trigram, so a row
 * costs the registrants that share a word with it, not all of them.
 */
export function createNameFinder(names: string[]): NameFinder {
  const wordCounts: number[] = []
  const holders = new Map<string, number[]>()
  for (const [index, name] of names.entries()) {
    const words = wordsOf(name)
    wordCounts.push(words.length)
    for (const word of words) {
      const list = holders.get(word)
      if (list) list.push(index)
      else holders.set(word, [index])
    }
  }
  const words = [...holders.keys()]
  const wordTrigrams = words.map(trigramsOf)
  const byTrigram = new Map<string, number[]>()
  wordTrigrams.forEach((trigrams, wordIndex) => {
    for (const trigram of trigrams) {
      const list = byTrigram.get(trigram)
      if (list) list.push(wordIndex)
      else byTrigram.set(trigram, [wordIndex])
    }
  })

  const similarCache = new Map<string, Array<[string, number]>>()
  /** The registrants' words similar to `word`, with their similarity. */
  function similarWords(word: string): Array<[string, number]> {
    const cached = similarCache.get(word)
    if (cached) return cached
    const trigrams = trigramsOf(word)
    const shared = new Map<number, number>()
    for (const trigram of trigrams) for (const wordIndex of byTrigram.get(trigram) ?? []) shared.set(wordIndex, (shared.get(wordIndex) ?? 0) + 1)
    const similar: Array<[string, number]> = []
    for (const [wordIndex, count] of shared) {
      const dice = (2 * count) / (trigrams.length + wordTrigrams[wordIndex]!.length)
      if (dice >= WORD_SIMILARITY_MIN) similar.push([words[wordIndex]!, dice])
    }
    similarCache.set(word, similar)
    return similar
  }

  // Scratch scores per registrant, reset after each use: a row that shares "Siti" with 500 registrants touches 500 entries, not a map of them.
  const wordScore = new Float64Array(names.length)
  const nameScore = new Float64Array(names.length)
  const bestScore = new Float64Array(names.length)
  return {
    closest(rowNames, max) {
      const scored: number[] = []
      for (const name of rowNames) {
        const rowWords = wordsOf(name)
        const named: number[] = []
        for (const word of rowWords) {
          // Per registrant, the most similar of their words.
          const touched: number[] = []
          for (const [similar, dice] of similarWords(word)) {
            for (const index of holders.get(similar)!) {
              if (wordScore[index] === 0) touched.push(index)
              if (dice > wordScore[index]!) wordScore[index] = dice
            }
          }
          for (const index of touched) {
            if (nameScore[index] === 0) named.push(index)
            nameScore[index] += wordScore[index]!
            wordScore[index] = 0
          }
        }
        for (const index of named) {
          const score = (2 * nameScore[index]!) / (rowWords.length + wordCounts[index]!)
          nameScore[index] = 0
          if (bestScore[index] === 0) scored.push(index)
          if (score > bestScore[index]!) bestScore[index] = score
        }
      }
      const closest = scored.sort((a, b) => bestScore[b]! - bestScore[a]! || a - b).slice(0, max)
      for (const index of scored) bestScore[index] = 0
      return closest
    },
  }
}
