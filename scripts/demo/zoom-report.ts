// Writes Zoom "attendee report" CSV exports as Zoom does, for the demo seed, tests and the benchmark.
import { stringify } from 'csv-stringify/sync'

export type ZoomReportPerson = {
  name: string
  email: string | null
  joins: Array<{ minutes: number }>
  /** The name they gave themselves in the meeting; the report then shows "renamedTo (name)". */
  renamedTo?: string
  role?: 'host' | 'panelist' | 'attendee'
  /** Joined through Zoom registration; by default everyone with an e-mail. */
  registered?: boolean
}

/**
 * current: the sectioned export (metadata, Host/Panelist/Attendee/Other Details), "Sep 1, 2021 08:55:12" dates, BOM, CRLF.
 * older: only "Attendee Details" with fewer columns and no "Attended", US "09/01/2021 09:05:00 AM" dates, LF.
 */
export type ZoomReportStyle = 'current' | 'older'

type Cell = string | number
type Row = Cell[]

const PERSON_COLUMNS = ['Attended', 'User Name (Original Name)', 'Email', 'Join Time', 'Leave Time', 'Time in Session (minutes)', 'Is Guest', 'Country/Region Name']
const ATTENDEE_COLUMNS = [
  'Attended',
  'User Name (Original Name)',
  'First Name',
  'Last Name',
  'Email',
  'Phone',
  'Registration Time',
  'Approval Status',
  'Join Time',
  'Leave Time',
  'Time in Session (minutes)',
  'Is Guest',
  'Country/Region Name',
  'Source Name',
]
const OLDER_COLUMNS = ['User Name (Original Name)', 'Email', 'Join Time', 'Leave Time', 'Time in Session (minutes)', 'Is Guest']
const META_COLUMNS = ['Topic', 'Webinar ID', 'Actual Start Time', 'Actual Duration (minutes)', '# Registered', '# Cancelled', 'Unique Viewers', 'Total Users', 'Max Concurrent Views']

const MINUTE = 60_000
/** People drift in over the first minutes rather than all at once. */
const ARRIVAL_SPREAD_MINUTES = 10
/** A dropped connection: back a few minutes after leaving. */
const REJOIN_GAP_MINUTES = 5
const NO_VALUE = '--'
const COUNTRY = 'Indonesia'

type Session = { join: Date; leave: Date; minutes: number }

/** The person's joins one after the other, from their arrival. */
function sessionsOf(person: ZoomReportPerson, index: number, startAt: Date): Session[] {
  let join = new Date(startAt.getTime() + (index % ARRIVAL_SPREAD_MINUTES) * MINUTE)
  return person.joins.map(({ minutes }) => {
    const leave = new Date(join.getTime() + minutes * MINUTE)
    const session = { join, leave, minutes }
    join = new Date(leave.getTime() + REJOIN_GAP_MINUTES * MINUTE)
    return session
  })
}

// Dates are the report's local clock, carried in the Date's UTC fields.
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number) => String(n).padStart(2, '0')

function clock(date: Date, hours = date.getUTCHours()): string {
  return `${pad(hours)}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
}

/** "Sep 1, 2021 08:55:12" */
function currentDate(date: Date): string {
  return `${MONTH_NAMES[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()} ${clock(date)}`
}

/** "09/01/2021 09:05:00 AM" */
function olderDate(date: Date): string {
  const hours = date.getUTCHours()
  const day = `${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())}/${date.getUTCFullYear()}`
  return `${day} ${clock(date, hours % 12 === 0 ? 12 : hours % 12)} ${hours < 12 ? 'AM' : 'PM'}`
}

function nameCell(person: ZoomReportPerson): string {
  return person.renamedTo ? `${person.renamedTo} (${person.name})` : person.name
}

/** Zoom's registration form asks first and last name; the generator splits at the first space. */
function splitName(name: string): [string, string] {
  const space = name.indexOf(' ')
  return space === -1 ? [name, ''] : [name.slice(0, space), name.slice(space + 1)]
}

const roleOf = (person: ZoomReportPerson) => person.role ?? 'attendee'
const isRegistered = (person: ZoomReportPerson) => person.registered ?? person.email !== null

type Entry = { person: ZoomReportPerson; index: number; sessions: Session[] }

/** One record per join; someone who never joined gets a single "No" row with "--" times. */
function joinRows(entry: Entry, row: (time: { join: string; leave: string; minutes: Cell; attended: string }) => Row): Row[] {
  if (entry.sessions.length === 0) return [row({ join: NO_VALUE, leave: NO_VALUE, minutes: NO_VALUE, attended: 'No' })]
  return entry.sessions.map((s) => row({ join: currentDate(s.join), leave: currentDate(s.leave), minutes: s.minutes, attended: 'Yes' }))
}

function staffRows(entry: Entry): Row[] {
  const { person } = entry
  return joinRows(entry, (t) => [t.attended, nameCell(person), person.email ?? '', t.join, t.leave, t.minutes, 'No', COUNTRY])
}

function attendeeRows(entry: Entry, startAt: Date): Row[] {
  const { person, index } = entry
  const [firstName, lastName] = splitName(person.name)
  const registered = isRegistered(person)
  // Registered a couple of days ahead, a minute apart, so every row is distinct yet the output stays reproducible.
  const registeredAt = registered ? currentDate(new Date(startAt.getTime() - 2 * 86_400_000 + index * MINUTE)) : ''
  const approval = registered ? 'approved' : ''
  return joinRows(entry, (t) => [
    t.attended,
    nameCell(person),
    firstName,
    lastName,
    person.email ?? '',
    '',
    registeredAt,
    approval,
    t.join,
    t.leave,
    t.minutes,
    'Yes',
    COUNTRY,
    '',
  ])
}

function sessionEnd(entries: Entry[], startAt: Date): Date {
  let end = startAt.getTime()
  for (const { sessions } of entries) for (const s of sessions) end = Math.max(end, s.leave.getTime())
  return new Date(end)
}

function metadataRows(entries: Entry[], topic: string, meetingId: string, startAt: Date): Row[] {
  const end = sessionEnd(entries, startAt)
  const attendees = entries.filter((e) => roleOf(e.person) === 'attendee')
  const viewers = attendees.filter((e) => e.sessions.length > 0)
  return [
    ['Attendee Report', ''],
    ['Report Generated:', currentDate(new Date(end.getTime() + 30 * MINUTE))],
    META_COLUMNS,
    [
      topic,
      meetingId,
      currentDate(startAt),
      Math.ceil((end.getTime() - startAt.getTime()) / MINUTE),
      attendees.filter((e) => isRegistered(e.person)).length,
      0,
      viewers.length,
      viewers.reduce((total, e) => total + e.sessions.length, 0),
      0,
    ],
  ]
}

function currentRecords(entries: Entry[], topic: string, meetingId: string, startAt: Date): Row[] {
  const withRole = (role: string) => entries.filter((e) => roleOf(e.person) === role)
  return [
    ...metadataRows(entries, topic, meetingId, startAt),
    ['Host Details', ''],
    PERSON_COLUMNS,
    ...withRole('host').flatMap(staffRows),
    ['Panelist Details', ''],
    PERSON_COLUMNS,
    ...withRole('panelist').flatMap(staffRows),
    ['Attendee Details', ''],
    ATTENDEE_COLUMNS,
    ...withRole('attendee').flatMap((e) => attendeeRows(e, startAt)),
    // Zoom ends with an empty "Other Details" section.
    ['Other Details', ''],
    PERSON_COLUMNS,
  ]
}

/** Older exports listed only who joined, hosts and panelists among them. */
function olderRecords(entries: Entry[]): Row[] {
  const rows = entries.flatMap(({ person, sessions }) =>
    sessions.map((s) => [nameCell(person), person.email ?? '', olderDate(s.join), olderDate(s.leave), s.minutes, roleOf(person) === 'attendee' ? 'Yes' : 'No']),
  )
  return [['Attendee Details', ''], OLDER_COLUMNS, ...rows]
}

export function buildZoomReport(input: {
  topic: string
  meetingId?: string
  /** First join time, in the report's local clock: read with the UTC getters. */
  startAt: Date
  people: ZoomReportPerson[]
  style?: ZoomReportStyle
}): string {
  const { topic, meetingId = '912 3456 7890', startAt, people, style = 'current' } = input
  const entries = people.map((person, index) => ({ person, index, sessions: sessionsOf(person, index, startAt) }))
  if (style === 'older') return stringify(olderRecords(entries), { record_delimiter: 'unix' })
  return stringify(currentRecords(entries, topic, meetingId, startAt), { record_delimiter: 'windows', bom: true })
}
