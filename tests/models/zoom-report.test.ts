import { matchZoomPerson } from '#app/models/zoom-import.server'
import { checkReportIdentity, groupZoomPeople, normaliseName, parseZoomReport, splitRenamedName, type ZoomReport, type ZoomRow } from '#app/utils/zoom-report.server'
import { buildZoomReport, type ZoomReportPerson } from '../../scripts/demo/zoom-report'

const utf8 = (text: string) => new TextEncoder().encode(text)

function parsed(text: string | Uint8Array, options?: { expectedDate?: string }): ZoomReport {
  const result = parseZoomReport(typeof text === 'string' ? utf8(text) : text, options)
  if (!result.ok) throw new Error(`expected a report, got ${JSON.stringify(result.error)}`)
  return result.report
}

function errorOf(input: string | Uint8Array) {
  const result = parseZoomReport(typeof input === 'string' ? utf8(input) : input)
  return result.ok ? null : result.error
}

const rowNamed = (report: ZoomReport, name: string) => report.rows.filter((row) => row.name === name)

// The current webinar export, as Zoom writes it: UTF-8 BOM, CRLF, stacked sections each with its own header.
const CURRENT_LINES = [
  'Attendee Report,',
  'Report Generated:,"Sep 1, 2021 12:31:05"',
  'Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registered,# Cancelled,Unique Viewers,Total Users,Max Concurrent Views',
  'Tata Kelola Pelayanan Publik,912 3456 7890,"Sep 1, 2021 08:55:12",185,250,3,214,231,0',
  'Host Details,',
  'Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name',
  'Yes,Tim Literasi Digital,host@example.org,"Sep 1, 2021 08:55:12","Sep 1, 2021 12:00:40",186,No,Indonesia',
  'Panelist Details,',
  'Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name',
  'Yes,Dannys Citra,Dannys.Citra@Example.org,"Sep 1, 2021 08:58:00","Sep 1, 2021 12:00:00",182,No,Indonesia',
  'Attendee Details,',
  'Attended,User Name (Original Name),First Name,Last Name,Email,Phone,Registration Time,Approval Status,Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name,Source Name',
  'Yes,Ahmad Wibowo,Ahmad,Wibowo,ahmad@example.org,,"Aug 30, 2021 08:15:00",approved,"Sep 1, 2021 09:05:00","Sep 1, 2021 10:40:00",95,Yes,Indonesia,',
  'Yes,Budi Santoso,Budi,Santoso,budi@example.org,,"Aug 29, 2021 19:02:44",approved,"Sep 1, 2021 09:01:00","Sep 1, 2021 10:00:00",59,Yes,Indonesia,',
  'Yes,Budi Santoso,Budi,Santoso,budi@example.org,,"Aug 29, 2021 19:02:44",approved,"Sep 1, 2021 10:20:00","Sep 1, 2021 11:50:00",90,Yes,Indonesia,',
  'Yes,HP Maya (Maya Saputra),Maya,Saputra, Maya.Saputra@Example.org ,,"Aug 30, 2021 08:15:00",approved,"Sep 1, 2021 09:05:00","Sep 1, 2021 09:50:00",45,Yes,Indonesia,',
  'No,Teguh Rahayu,Teguh,Rahayu,teguh@example.org,,"Aug 28, 2021 10:11:12",approved,--,--,--,Yes,Indonesia,',
  'Yes,Pengunjung Tanpa Daftar,Pengunjung,,,,,,"Sep 1, 2021 09:30:00","Sep 1, 2021 10:30:00",60,Yes,Indonesia,',
  'Other Details,',
  'Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name',
  'Yes,Someone Else,else@example.org,"Sep 1, 2021 09:00:00","Sep 1, 2021 09:10:00",10,No,Indonesia',
]
const CURRENT = '\uFEFF' + CURRENT_LINES.join('\r\n') + '\r\n'
const lineOf = (start: string) => CURRENT_LINES.findIndex((line) => line.startsWith(start)) + 1

describe('the current sectioned export (BOM, CRLF)', () => {
  const report = parsed(CURRENT)

  test('reads the topic and webinar ID from the metadata', () => {
    expect(report.topic).toBe('Tata Kelola Pelayanan Publik')
    expect(report.meetingId).toBe('912 3456 7890')
  })

  test('recognises hosts and panelists, and skips the "Other Details" section', () => {
    expect(report.rows.filter((row) => row.section === 'host').map((row) => row.name)).toEqual(['Tim Literasi Digital'])
    expect(report.rows.filter((row) => row.section === 'panelist').map((row) => row.email)).toEqual(['dannys.citra@example.org'])
    expect(report.rows.filter((row) => row.section === 'attendee')).toHaveLength(6)
    expect(rowNamed(report, 'Someone Else')).toEqual([])
  })

  test('an attendee row, whole', () => {
    expect(rowNamed(report, 'Ahmad Wibowo')).toEqual<ZoomRow[]>([
      {
        section: 'attendee',
        line: lineOf('Yes,Ahmad Wibowo'),
        name: 'Ahmad Wibowo',
        originalName: null,
        firstName: 'Ahmad',
        lastName: 'Wibowo',
        email: 'ahmad@example.org',
        attended: true,
        minutes: 95,
        joinTime: '2021-09-01T09:05:00',
        leaveTime: '2021-09-01T10:40:00',
        registered: true,
        waitingRoom: false,
        originalNameGuessed: false,
      },
    ])
  })

  test('a renamed user: display name and original name, e-mail trimmed and lower-cased', () => {
    const [maya] = rowNamed(report, 'HP Maya')
    expect(maya).toMatchObject({ name: 'HP Maya', originalName: 'Maya Saputra', email: 'maya.saputra@example.org' })
  })

  test('"Attended No" with "--" times: not attended, 0 minutes, no times, still registered', () => {
    const [teguh] = rowNamed(report, 'Teguh Rahayu')
    expect(teguh).toMatchObject({ attended: false, minutes: 0, joinTime: null, leaveTime: null, registered: true })
  })

  test('a walk-in without e-mail or registration', () => {
    const [walkIn] = rowNamed(report, 'Pengunjung Tanpa Daftar')
    expect(walkIn).toMatchObject({ email: null, registered: false, attended: true, minutes: 60, firstName: 'Pengunjung', lastName: null })
  })

  test('groupZoomPeople sums a rejoin, keys walk-ins by name, and keeps host and panelist apart', () => {
    const people = groupZoomPeople(report.rows)
    const byKey = new Map(people.map((person) => [person.key, person]))
    expect(byKey.get('budi@example.org')).toEqual({
      key: 'budi@example.org',
      role: 'attendee',
      email: 'budi@example.org',
      names: ['Budi Santoso'],
      minutes: 149,
      joins: 2,
      attended: true,
      registered: true,
      firstLine: lineOf('Yes,Budi Santoso'),
    })
    expect(byKey.get('maya.saputra@example.org')?.names).toEqual(['Maya Saputra', 'HP Maya'])
    expect(byKey.get('teguh@example.org')).toMatchObject({ joins: 0, minutes: 0, attended: false })
    expect(byKey.get('name:pengunjung tanpa daftar')).toMatchObject({ email: null, registered: false, minutes: 60, joins: 1 })
    expect(people.map((person) => person.role)).toEqual(['host', 'panelist', 'attendee', 'attendee', 'attendee', 'attendee', 'attendee'])
  })

  test('a panelist who also sat among the attendees stays two people', () => {
    const rows = parsed(CURRENT.replace('teguh@example.org', 'dannys.citra@example.org')).rows
    const dannys = groupZoomPeople(rows).filter((person) => person.key === 'dannys.citra@example.org')
    expect(dannys.map((person) => person.role)).toEqual(['panelist', 'attendee'])
  })

  test('the same export with LF endings and no BOM reads the same', () => {
    expect(parsed(CURRENT_LINES.join('\n'))).toEqual(report)
  })
})

describe('older exports without section lines', () => {
  test('no "Attended" and no minutes column: US dates with AM/PM, LF, minutes from join and leave', () => {
    const report = parsed(
      [
        'User Name (Original Name),User Email,Join Time,Leave Time',
        'Sri Rahayu,sri@example.org,09/01/2021 09:05:00 AM,09/01/2021 10:40:30 AM',
        'HP Nur (Nur Lestari),nur@example.org,09/01/2021 11:50:00 AM,09/01/2021 01:10:00 PM',
        'Joko Santoso,,09/01/2021 12:30:00 PM,',
        '',
      ].join('\n'),
    )
    expect(report.topic).toBeNull()
    expect(report.rows.map((row) => [row.section, row.line, row.name, row.originalName, row.minutes, row.attended, row.registered])).toEqual([
      ['attendee', 2, 'Sri Rahayu', null, 96, true, false], // 95.5 minutes, rounded up as Zoom does
      ['attendee', 3, 'HP Nur', 'Nur Lestari', 80, true, false],
      ['attendee', 4, 'Joko Santoso', null, 0, false, false], // no leave time: nothing to count
    ])
    expect(report.rows[1]).toMatchObject({ joinTime: '2021-09-01T11:50:00', leaveTime: '2021-09-01T13:10:00' })
    expect(report.rows[2]).toMatchObject({ email: null, joinTime: '2021-09-01T12:30:00', leaveTime: null })
  })

  test('a meeting participants export: metadata, a blank line, then the participants with "Duration (Minutes)"', () => {
    const report = parsed(
      [
        'Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants,',
        '91234567890,"Rapat Koordinasi, Tahap 2",09/01/2021 08:55:12 AM,09/01/2021 12:00:40 PM,host@example.org,186,3,',
        '',
        'Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest',
        'Budi Santoso,budi@example.org,09/01/2021 09:01:00 AM,09/01/2021 10:00:00 AM,59,Yes',
        'Budi Santoso,budi@example.org,09/01/2021 10:20:00 AM,09/01/2021 11:50:00 AM,90,Yes',
      ].join('\r\n'),
    )
    expect(report).toMatchObject({ topic: 'Rapat Koordinasi, Tahap 2', meetingId: '91234567890' })
    expect(report.rows.map((row) => [row.line, row.minutes])).toEqual([
      [5, 59],
      [6, 90],
    ])
    expect(groupZoomPeople(report.rows)).toMatchObject([{ key: 'budi@example.org', minutes: 149, joins: 2 }])
  })

  test('"Display (Original)" is read under any name column; without "(Original Name)" in the header it is a guess, and the person is keyed by the whole name', () => {
    const report = parsed('Participant,Email,Duration\nBudi (Guru SD),,30\nAni (Guru SD),,40\nHP Maya (Maya Saputra),maya@example.org,20\n')
    expect(report.rows.map((row) => [row.name, row.originalName, row.originalNameGuessed, row.minutes])).toEqual([
      ['Budi', 'Guru SD', true, 30],
      ['Ani', 'Guru SD', true, 40],
      ['HP Maya', 'Maya Saputra', true, 20],
    ])
    // Two teachers who wrote their school in parentheses stay two people; the names try the parenthesised one first.
    expect(groupZoomPeople(report.rows).map((person) => [person.key, person.names, person.minutes])).toEqual([
      ['name:budi guru sd', ['Guru SD', 'Budi'], 30],
      ['name:ani guru sd', ['Guru SD', 'Ani'], 40],
      ['maya@example.org', ['Maya Saputra', 'HP Maya'], 20],
    ])
  })
})

test('line numbers count blank lines and line breaks inside quoted cells; other sections are skipped', () => {
  const report = parsed(
    [
      'Poll Report,', // 1
      'Question,Answer', // 2
      '"Apa itu\r\nliterasi?","Kemampuan,\r\nmembaca"', // 3–5
      '', // 6
      'Attendee Details,', // 7
      'Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)', // 8
      'Yes,"Budi\r\nSantoso",budi@example.org,,,5', // 9–10
      '', // 11
      'Yes,Budi (Guru) (Budi Santoso),budi2@example.org,,,7', // 12
      'Yes,Sri,sri@example.org,,,9', // 13
    ].join('\r\n'),
  )
  expect(report.rows.map((row) => [row.line, row.name, row.originalName, row.minutes])).toEqual([
    [9, 'Budi\r\nSantoso', null, 5],
    [12, 'Budi (Guru)', 'Budi Santoso', 7],
    [13, 'Sri', null, 9],
  ])
})

describe('dates', () => {
  const joinTimeOf = (date: string) => parsed(`Name,Join Time,Duration\nBudi,${date},10\n`).rows[0].joinTime

  test('both Zoom styles and ISO give the same join time', () => {
    const styles = ['"Sep 1, 2021 20:55:12"', '"Sep 01, 2021 08:55:12 PM"', '09/01/2021 08:55:12 PM', '09/01/2021 20:55:12', '2021-09-01 20:55:12']
    expect(styles.map(joinTimeOf)).toEqual(styles.map(() => '2021-09-01T20:55:12'))
  })

  test('midnight and noon in the 12-hour clock', () => {
    expect(joinTimeOf('09/01/2021 12:05:00 AM')).toBe('2021-09-01T00:05:00')
    expect(joinTimeOf('09/01/2021 12:05:00 PM')).toBe('2021-09-01T12:05:00')
  })

  test('"--", empty and impossible dates are no time', () => {
    expect(['--', '', '02/30/2021 10:00:00', '13/13/2021 10:00:00', '09/01/2021 13:00:00 PM', '09/01/2021 24:00', 'yesterday'].map(joinTimeOf)).toEqual([null, null, null, null, null, null, null])
  })
})

test('quoted commas and escaped quotes in names', () => {
  const report = parsed(
    [
      'Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)',
      'Yes,"Sri Rahayu, S.Pd.",sri@example.org,"Sep 1, 2021 09:00:00","Sep 1, 2021 10:00:00",60',
      'Yes,"Budi ""Kang Budi"" Santoso",budi@example.org,"Sep 1, 2021 09:00:00","Sep 1, 2021 09:30:00",30',
      'Yes,"HP ""Maya"" (Maya Saputra, S.Kom)",maya@example.org,"Sep 1, 2021 09:00:00","Sep 1, 2021 09:20:00",20',
    ].join('\r\n'),
  )
  expect(report.rows.map((row) => [row.name, row.originalName, row.minutes])).toEqual([
    ['Sri Rahayu, S.Pd.', null, 60],
    ['Budi "Kang Budi" Santoso', null, 30],
    ['HP "Maya"', 'Maya Saputra, S.Kom', 20],
  ])
})

describe('files that are not a readable Zoom report', () => {
  test('empty and whitespace-only files', () => {
    expect(errorOf(new Uint8Array())).toEqual({ code: 'empty' })
    expect(errorOf(' \r\n\t\n ')).toEqual({ code: 'empty' })
    expect(errorOf('\uFEFF\r\n')).toEqual({ code: 'empty' })
  })

  test('a CSV that is not a participant list names the separator it was read with', () => {
    expect(errorOf('a,b\n1,2\n')).toEqual({ code: 'notZoom', separator: ',' })
    expect(errorOf('a;b;c\n1;2;3\n')).toEqual({ code: 'notZoom', separator: ';' })
    expect(errorOf('a\tb\n1\t2\n')).toEqual({ code: 'notZoom', separator: '\t' })
    // Separated by something no spreadsheet writes: one column per line.
    expect(errorOf('Name|Join Time|Duration\nBudi|09/01/2021 09:00|60\n')).toEqual({ code: 'noSeparator' })
  })

  test('a header one column short of a participant list names the missing column and its line', () => {
    // A registrant list has names but says nothing about attendance.
    expect(errorOf('name,email\nBudi Santoso,budi@example.org\n')).toEqual({ code: 'missingColumn', column: 'time', line: 1 })
    expect(errorOf('\n\nName (Original Name),User Email,Guest\nAni,ani@example.org,Yes\n')).toEqual({ code: 'missingColumn', column: 'time', line: 3 })
    // A name column under a label no Zoom export uses.
    expect(errorOf('Nama Peserta,User Email,Join Time,Leave Time,Duration (Minutes)\nAni,ani@example.org,09/01/2021 09:00,09/01/2021 10:00,60\n')).toEqual({
      code: 'missingColumn',
      column: 'name',
      line: 1,
    })
    expect(errorOf('Attendee Details,\nAttended,Email,Join Time,Leave Time\nYes,ani@example.org,,\n')).toEqual({ code: 'missingColumn', column: 'name', line: 2 })
  })

  test('hosts and panelists without an attendee section: a report without attendees', () => {
    const staffOnly = CURRENT_LINES.slice(0, 10).join('\r\n')
    expect(errorOf(staffOnly)).toEqual({ code: 'noRows' })
  })

  test('cut in the middle of a quoted field', () => {
    const cut = CURRENT.slice(0, CURRENT.indexOf('"Sep 1, 2021 09:30:00') + 8)
    expect(errorOf(cut)).toEqual({ code: 'truncated', line: lineOf('Yes,Pengunjung') })
  })

  test('cut in the middle of the last row', () => {
    const cut = CURRENT_LINES.slice(0, lineOf('Yes,Pengunjung') - 1).join('\r\n') + '\r\nYes,Pengunjung Tanpa Da'
    expect(errorOf(cut)).toEqual({ code: 'truncated', line: lineOf('Yes,Pengunjung') })
  })

  test('a broken row inside the file', () => {
    const broken = CURRENT.replace('Yes,Ahmad Wibowo,', 'Yes,"Ahmad" Wibowo,')
    expect(errorOf(broken)).toEqual({ code: 'truncated', line: lineOf('Yes,Ahmad Wibowo') })
  })

  test('an Excel workbook is not a CSV file', () => {
    // .xlsx is a ZIP archive; .xls a Compound File.
    expect(errorOf(Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x06\x00', 'latin1'), Buffer.from('[Content_Types].xml')]))).toEqual({ code: 'workbook' })
    expect(errorOf(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]))).toEqual({ code: 'workbook' })
  })

  test('bytes that are no text in any encoding a spreadsheet writes', () => {
    const binary = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256))
    expect(errorOf(binary)).toEqual({ code: 'encoding' })
  })

  test('UTF-8 cut inside a character at the end is a cut file, not another encoding', () => {
    const text = CURRENT + 'Yes,André Wijaya,André,Wijaya,andre@example.org,,,,"Sep 1, 2021 09:00:00","Sep 1, 2021 10:00:00",60,Yes,Indonesia,'
    const bytes = utf8(text)
    const cut = bytes.subarray(0, bytes.indexOf(0xc3) + 1) // inside the first "é"
    expect(errorOf(cut)).toEqual({ code: 'truncated', line: CURRENT_LINES.length + 1 })
  })

  test('a participant header without rows', () => {
    expect(errorOf('Attendee Details,\r\nAttended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\r\n')).toEqual({ code: 'noRows' })
    const noAttendees = CURRENT_LINES.filter((line, index) => index < lineOf('Yes,Ahmad') - 1 || index >= lineOf('Other Details') - 1).join('\r\n')
    expect(errorOf(noAttendees)).toEqual({ code: 'noRows' })
  })
})

// A webinar is held within a day: one join longer than that is an error in the report, refused
// with the line and the cells as written, and no count of minutes can outgrow a database integer.
describe('joins longer than any webinar', () => {
  const OLDER_HEADER = 'User Name (Original Name),Email,Join Time,Leave Time'

  test('a leave time with a mistyped year is refused, naming the line and the times as written', () => {
    const text = [OLDER_HEADER, 'Budi Santoso,,09/01/2021 09:00:00 AM,09/01/2021 11:00:00 AM', 'Siti Aminah,,09/01/2021 09:05:00 AM,09/01/9021 11:00:00 AM', ''].join('\n')
    expect(errorOf(text)).toEqual({ code: 'implausibleRows', rows: [{ line: 3, join: '09/01/2021 09:05:00 AM', leave: '09/01/9021 11:00:00 AM' }], more: 0 })
  })

  test('a join of exactly a day counts; a minute more is refused; so is a minutes cell above a day', () => {
    const day = [OLDER_HEADER, 'Budi Santoso,,09/01/2021 09:00:00 AM,09/02/2021 09:00:00 AM', ''].join('\n')
    expect(parsed(day).rows.map((row) => row.minutes)).toEqual([1440])
    expect(errorOf(day.replace('09/02/2021 09:00:00 AM', '09/02/2021 09:00:01 AM'))).toMatchObject({ code: 'implausibleRows', rows: [{ line: 2 }] })
    const minutes = 'Participant,Email,Duration (Minutes)\nBudi,,1440\nSari,,1441\nDewi,,99999999\n'
    expect(errorOf(minutes)).toEqual({
      code: 'implausibleRows',
      rows: [
        { line: 3, minutes: '1441' },
        { line: 4, minutes: '99999999' },
      ],
      more: 0,
    })
  })

  test('22 joins of 99,999,999 minutes: the first 20 named, the other 2 counted', () => {
    const csv = buildZoomReport({ topic: 'x', startAt: new Date('2021-09-01T01:55:00Z'), style: 'older', people: [{ name: 'Peserta Besar', email: 'besar@example.org', joins: Array.from({ length: 22 }, () => ({ minutes: 99_999_999 })) }] })
    const error = errorOf(csv)
    expect(error).toMatchObject({ code: 'implausibleRows', more: 2 })
    expect(error && 'rows' in error ? error.rows.map((row) => ('minutes' in row ? row.minutes : null)) : null).toEqual(Array.from({ length: 20 }, () => '99999999'))
  })

  test('waiting-room time is not a join, however long', () => {
    const text = 'Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),In Waiting Room\nBudi,budi@example.org,09/01/2021 09:00:00 AM,09/01/2021 10:00:00 AM,5000,Yes\n'
    expect(parsed(text).rows.map((row) => row.minutes)).toEqual([0])
  })

  test("a person's minutes are summed over rejoins up to a day, however many rows are them", () => {
    const rows = Array.from({ length: 30 }, () => 'Budi,budi@example.org,1000').join('\n')
    const people = groupZoomPeople(parsed(`Participant,Email,Duration (Minutes)\n${rows}\n`).rows)
    expect(people).toMatchObject([{ key: 'budi@example.org', joins: 30, minutes: 1440 }])
  })
})

test('normaliseName', () => {
  expect(normaliseName('  Sri  RAHAYU, S.Pd.')).toBe('sri rahayu s pd')
  expect(normaliseName('Dr. Ñoño Müller-Lüdenscheidt')).toBe('dr nono muller ludenscheidt')
  expect(normaliseName("Ma'ruf  Amin")).toBe('maruf amin')
  expect(normaliseName('ＢＵＤＩ　Santoso')).toBe('budi santoso') // full-width letters and space
  expect(normaliseName('HP Maya (Maya Saputra)')).toBe('hp maya maya saputra')
  expect(normaliseName(' ... ')).toBe('')
})

describe('buildZoomReport round trip', () => {
  const startAt = new Date(Date.UTC(2021, 8, 1, 8, 55, 12))
  const people: ZoomReportPerson[] = [
    { name: 'Tim Literasi Digital', email: 'host@example.org', joins: [{ minutes: 186 }], role: 'host' },
    { name: 'Dannys Citra', email: 'dannys@example.org', joins: [{ minutes: 182 }], role: 'panelist' },
    { name: 'Budi Santoso', email: 'budi@example.org', joins: [{ minutes: 59 }, { minutes: 90 }] },
    { name: 'Maya Saputra', email: 'maya@example.org', joins: [{ minutes: 45 }], renamedTo: 'HP Maya' },
    { name: 'Sri Rahayu, S.Pd.', email: 'sri@example.org', joins: [{ minutes: 150 }] },
    { name: 'Teguh Rahayu', email: 'teguh@example.org', joins: [] },
    { name: 'Pengunjung Tanpa Daftar', email: null, joins: [{ minutes: 60 }] },
  ]
  const summary = (report: ZoomReport) =>
    groupZoomPeople(report.rows).map((person) => ({ key: person.key, role: person.role, minutes: person.minutes, joins: person.joins, registered: person.registered }))

  test("'current': BOM, CRLF, sections, roles, registration and the no-show come back", () => {
    const csv = buildZoomReport({ topic: 'Tata Kelola, "Digital"', meetingId: '912 3456 7890', startAt, people })
    expect(csv.startsWith('\uFEFFAttendee Report,\r\n')).toBe(true)
    expect(csv).toContain('\r\nYes,HP Maya (Maya Saputra),Maya,Saputra,maya@example.org,')
    expect(csv).toContain('\r\nNo,Teguh Rahayu,Teguh,Rahayu,teguh@example.org,,"Aug 30, 2021 09:00:12",approved,--,--,--,')
    const report = parsed(csv)
    expect(report).toMatchObject({ topic: 'Tata Kelola, "Digital"', meetingId: '912 3456 7890' })
    expect(summary(report)).toEqual([
      { key: 'host@example.org', role: 'host', minutes: 186, joins: 1, registered: false },
      { key: 'dannys@example.org', role: 'panelist', minutes: 182, joins: 1, registered: false },
      { key: 'budi@example.org', role: 'attendee', minutes: 149, joins: 2, registered: true },
      { key: 'maya@example.org', role: 'attendee', minutes: 45, joins: 1, registered: true },
      { key: 'sri@example.org', role: 'attendee', minutes: 150, joins: 1, registered: true },
      { key: 'teguh@example.org', role: 'attendee', minutes: 0, joins: 0, registered: true },
      { key: 'name:pengunjung tanpa daftar', role: 'attendee', minutes: 60, joins: 1, registered: false },
    ])
    const budi = report.rows.filter((row) => row.email === 'budi@example.org')
    expect(budi[0].joinTime! < budi[0].leaveTime! && budi[0].leaveTime! < budi[1].joinTime!).toBe(true)
    expect(report.rows.find((row) => row.section === 'host')?.joinTime).toBe('2021-09-01T08:55:12')
  })

  test("'older': LF, US dates, only the people who joined, everyone listed as an attendee", () => {
    const csv = buildZoomReport({ topic: 'ignored', startAt, people, style: 'older' })
    expect(csv).not.toContain('\r')
    expect(csv.split('\n')[1]).toBe('User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Is Guest')
    expect(csv).toContain('09/01/2021 08:55:12 AM')
    const report = parsed(csv)
    expect(report.topic).toBeNull()
    expect(summary(report)).toEqual([
      { key: 'host@example.org', role: 'attendee', minutes: 186, joins: 1, registered: false },
      { key: 'dannys@example.org', role: 'attendee', minutes: 182, joins: 1, registered: false },
      { key: 'budi@example.org', role: 'attendee', minutes: 149, joins: 2, registered: false },
      { key: 'maya@example.org', role: 'attendee', minutes: 45, joins: 1, registered: false },
      { key: 'sri@example.org', role: 'attendee', minutes: 150, joins: 1, registered: false },
      { key: 'name:pengunjung tanpa daftar', role: 'attendee', minutes: 60, joins: 1, registered: false },
    ])
  })

  test('without its minutes column, the older report gives the same minutes from join and leave', () => {
    const csv = buildZoomReport({ topic: 'ignored', startAt, people, style: 'older' })
    const withoutMinutes = csv.replace(',Time in Session (minutes),', ',').replace(/,\d+,(Yes|No)$/gm, ',$1')
    expect(withoutMinutes).not.toContain(',59,')
    expect(summary(parsed(withoutMinutes)).map((person) => person.minutes)).toEqual([186, 182, 149, 45, 150, 60])
  })
})

test('a generated report of 10,000 attendees parses', () => {
  const people: ZoomReportPerson[] = Array.from({ length: 10_000 }, (_, i) => ({
    name: `Peserta ${i}`,
    email: i % 100 === 0 ? null : `peserta${i}@example.org`,
    joins: i % 10 === 0 ? [{ minutes: 40 }, { minutes: 50 }] : [{ minutes: 60 + (i % 120) }],
  }))
  const report = parsed(buildZoomReport({ topic: 'Rush', startAt: new Date(Date.UTC(2021, 8, 1, 9)), people }))
  expect(report.rows).toHaveLength(11_000)
  const grouped = groupZoomPeople(report.rows)
  expect(grouped).toHaveLength(10_000)
  expect(grouped[10]).toMatchObject({ key: 'peserta10@example.org', minutes: 90, joins: 2 })
})

describe('long cells: read in linear time, kept bounded', () => {
  // The pattern the parser used before: right on every short name, quadratic on a long one.
  const OLD_RENAMED_RE = /^(.*\S)\s*\(([^()]*\S[^()]*)\)$/
  const oldSplit = (value: string) => {
    const match = OLD_RENAMED_RE.exec(value)
    return match ? { name: match[1], originalName: match[2].trim() } : { name: value, originalName: null }
  }

  test('splitRenamedName reads every short name as the old pattern did', () => {
    // Every string of up to 6 of these: letters, parentheses, spaces, a line break (the old "." stopped there), a full-width space.
    const alphabet = ['a', ' ', '(', ')', '\n', '\u3000', '\t']
    let values = ['']
    let compared = 0
    for (let length = 0; length <= 6; length++) {
      for (const value of values) {
        expect(splitRenamedName(value), JSON.stringify(value)).toEqual(oldSplit(value))
        compared++
      }
      values = values.flatMap((value) => alphabet.map((symbol) => value + symbol))
    }
    expect(compared).toBe(137_257)
  })

  test('splitRenamedName on names of 60,000 characters', () => {
    const head = 'Ahmad '.repeat(10_000).trimEnd()
    expect(splitRenamedName(`${head} (Maya Saputra)`)).toEqual({ name: head, originalName: 'Maya Saputra' })
    expect(splitRenamedName(`HP Maya (  ${'x'.repeat(60_000)} )`)).toEqual({ name: 'HP Maya', originalName: 'x'.repeat(60_000) })
    for (const hostile of ['Budi (' + 'x'.repeat(60_000), 'a (' + 'x '.repeat(30_000) + ' z', '( '.repeat(30_000), 'a (b' + ')'.repeat(60_000)]) {
      expect(splitRenamedName(hostile)).toEqual({ name: hostile, originalName: null })
    }
    expect(splitRenamedName('a' + ' ('.repeat(30_000) + 'b)')).toEqual({ name: 'a' + ' ('.repeat(29_999), originalName: 'b' })
    // As the old pattern read them: its \S let one parenthesis into the original name.
    expect(splitRenamedName('('.repeat(60_000) + ')')).toEqual({ name: '('.repeat(59_998), originalName: '(' })
    expect(splitRenamedName('a' + ' ('.repeat(30_000) + ')')).toEqual({ name: 'a' + ' ('.repeat(29_998), originalName: '(' })
    expect(splitRenamedName(`${'a\n'.repeat(30_000)}b (c)`)).toEqual({ name: `${'a\n'.repeat(30_000)}b (c)`, originalName: null })
  })

  const quoted = (value: string) => `"${value.replaceAll('"', '""')}"`
  const HEADER = 'Attended,User Name (Original Name),First Name,Last Name,Email,Join Time,Leave Time,Time in Session (minutes)'
  /** One attendee row under the current header; `cells` replaces the defaults by column. */
  function oneRow(cells: Partial<Record<'attended' | 'name' | 'first' | 'last' | 'email' | 'join' | 'leave' | 'minutes', string>>) {
    const row = { attended: 'Yes', name: 'Budi Santoso', first: 'Budi', last: 'Santoso', email: 'budi@example.org', join: 'Sep 1, 2021 09:00:00', leave: 'Sep 1, 2021 10:00:00', minutes: '60', ...cells }
    return parsed(`${HEADER}\n${Object.values(row).map(quoted).join(',')}\n`).rows
  }
  const nameOf = (name: string) => {
    const [row] = oneRow({ name })
    return { name: row.name, originalName: row.originalName }
  }

  test('a renamed name of 60,000 characters keeps its original name whole and its display name cut to 200', () => {
    const head = 'Ahmad '.repeat(10_000).trimEnd()
    expect(nameOf(`${head} (Maya Saputra)`)).toEqual({ name: head.slice(0, 200).trimEnd(), originalName: 'Maya Saputra' })
    expect(nameOf(`HP Maya (${'Saputra '.repeat(7_500)})`)).toEqual({ name: 'HP Maya', originalName: 'Saputra '.repeat(25).trimEnd() })
  })

  test('hostile parenthesis patterns of 60,000 characters are read as before, cut to 200', () => {
    expect(nameOf('Budi (' + 'x'.repeat(60_000))).toEqual({ name: 'Budi (' + 'x'.repeat(194), originalName: null })
    expect(nameOf('( '.repeat(30_000))).toEqual({ name: '( '.repeat(100).trimEnd(), originalName: null })
    expect(nameOf('('.repeat(60_000) + ')')).toEqual({ name: '('.repeat(200), originalName: '(' })
    expect(nameOf('a' + ' ('.repeat(30_000) + 'b)')).toEqual({ name: 'a' + ' ('.repeat(99), originalName: 'b' })
  })

  test('a cut never splits a character written as a surrogate pair', () => {
    expect(nameOf('a' + '😀'.repeat(30_000)).name).toBe('a' + '😀'.repeat(99))
    expect(nameOf('😀'.repeat(30_000)).name).toBe('😀'.repeat(100))
  })

  test('every cell the parser keeps is bounded: text is cut, a value too long to be one reads as empty', () => {
    const long = 'x'.repeat(60_000)
    const [row] = oneRow({ attended: long, first: long, last: 'S' + long, email: long + '@example.org', join: 'Sep 1, 2021 09:00:00' + ' '.repeat(60_000) + 'PM', leave: long, minutes: '9'.repeat(60_000) })
    expect(row).toEqual<ZoomRow>({
      section: 'attendee',
      line: 2,
      name: 'Budi Santoso',
      originalName: null,
      firstName: 'x'.repeat(200),
      lastName: 'S' + 'x'.repeat(199),
      email: null, // longer than an address can be (254)
      attended: false, // neither yes nor no, and no minutes
      minutes: 0, // not a number of minutes Zoom writes
      joinTime: null,
      leaveTime: null,
      registered: false,
      waitingRoom: false,
      originalNameGuessed: false,
    })
  })

  test('an e-mail of 254 characters is kept; one of 255 is no e-mail, and the row is still read by its name', () => {
    const longest = 'A'.repeat(242) + '@example.org'
    expect(oneRow({ email: longest })[0].email).toBe(longest.toLowerCase())
    expect(oneRow({ email: 'a' + longest })[0]).toMatchObject({ name: 'Budi Santoso', email: null, minutes: 60 })
  })

  test('cells padded with 60,000 spaces read as their value', () => {
    const pad = ' '.repeat(60_000)
    const [row] = oneRow({ name: `${pad}HP Maya (Maya Saputra)${pad}`, email: `${pad}Maya@Example.org${pad}`, minutes: `${pad}45${pad}`, attended: `${pad}Yes${pad}` })
    expect(row).toMatchObject({ name: 'HP Maya', originalName: 'Maya Saputra', email: 'maya@example.org', minutes: 45, attended: true })
  })

  test('the topic is cut to 200 and a meeting ID too long to be one is none', () => {
    const report = parsed(['Topic,Webinar ID', `${quoted('Literasi '.repeat(7_000))},${'9'.repeat(60_000)}`, 'Attendee Details,', HEADER, 'Yes,Budi,Budi,,budi@example.org,,,5'].join('\n'))
    expect(report.topic).toBe('Literasi '.repeat(22) + 'Li')
    expect(report.meetingId).toBeNull()
  })

  test('a first cell of 60,000 characters ending in "Details" is no section title', () => {
    const report = parsed(['x'.repeat(60_000) + ' Attendee Details,', HEADER, 'Yes,Budi,Budi,,budi@example.org,,,5'].join('\n'))
    expect(report.rows.map((row) => [row.line, row.email])).toEqual([[3, 'budi@example.org']])
  })

  test('line numbers stay right after a cell with 30,000 line breaks', () => {
    const rows = parsed(`${HEADER}\nYes,"Budi${'\r\n'.repeat(15_000)}${'\n'.repeat(15_000)}",,,budi@example.org,,,5\nYes,Sri,,,sri@example.org,,,5\n`).rows
    expect(rows.map((row) => row.line)).toEqual([2, 30_003])
  })

  test('what an import stores per person is bounded: at most 10 names of 200 characters, at most 20 candidates', () => {
    const rows = Array.from({ length: 50 }, (_, i) => oneRow({ name: `Nama ${i} ${'x'.repeat(60_000)}`, first: '', last: '' })[0])
    const [person] = groupZoomPeople(rows.map((row, i) => ({ ...row, line: i + 2 })))
    expect(person.names).toEqual(Array.from({ length: 10 }, (_, i) => `Nama ${i} ${'x'.repeat(200)}`.slice(0, 200)))
    const sharedName = { ...person, email: null, names: ['Budi Santoso'] }
    const byName = new Map([['budi santoso', Array.from({ length: 50 }, (_, i) => `reg${i}`)]])
    const match = matchZoomPerson(sharedName, new Map(), byName, new Map())
    expect(match.match).toBe('ambiguous')
    expect(JSON.parse(match.candidates!)).toEqual(Array.from({ length: 20 }, (_, i) => `reg${i}`))
  })
})

// ---------------------------------------------------------------------------------------------
// Zoom reports as they really come: files moderators were given, and variants of them. Each is
// written out whole, as it arrives; together they are the parser's spec.

describe('Zoom reports as they really come', () => {
  const people = (report: ZoomReport) => groupZoomPeople(report.rows).map((p) => ({ key: p.key, role: p.role, names: p.names, minutes: p.minutes, joins: p.joins }))

  test('a 2020-style webinar attendee report: "User Name" without "(Original Name)", a renamed attendee without e-mail', () => {
    const report = parsed(
      [
        'Attendee Report',
        'Report Generated:,"Sep 2, 2020 10:15 AM"',
        'Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registered,# Cancelled,Unique Viewers,Max Concurrent Views',
        'Literasi Digital untuk Warga,912 3456 7890,"Sep 1, 2020 08:55 AM",186,120,2,98,95',
        'Host Details',
        'Attended,User Name,Email,Join Time,Leave Time,Time in Session (minutes),Country/Region Name',
        'Yes,Tim Literasi Digital,host@example.org,"Sep 1, 2020 08:55 AM","Sep 1, 2020 12:01 PM",186,Indonesia',
        'Attendee Details',
        'Attended,User Name,First Name,Last Name,Email,Registration Time,Approval Status,Join Time,Leave Time,Time in Session (minutes),Country/Region Name',
        'Yes,Ahmad Wibowo,Ahmad,Wibowo,ahmad@example.org,"Aug 30, 2020 08:15 AM",approved,"Sep 1, 2020 09:05 AM","Sep 1, 2020 10:40 AM",95,Indonesia',
        'Yes,iPhone Rina (Rina Susanti),,,,,,"Sep 1, 2020 09:00 AM","Sep 1, 2020 11:30 AM",150,Indonesia',
        '',
      ].join('\r\n'),
    )
    expect(report).toMatchObject({ topic: 'Literasi Digital untuk Warga', meetingId: '912 3456 7890', date: '2020-09-01', dateOrder: null, encoding: 'utf-8', separator: ',' })
    expect(rowNamed(report, 'iPhone Rina')).toMatchObject([{ originalName: 'Rina Susanti', originalNameGuessed: true, email: null, minutes: 150, joinTime: '2020-09-01T09:00:00', registered: false }])
    expect(people(report)).toEqual([
      { key: 'host@example.org', role: 'host', names: ['Tim Literasi Digital'], minutes: 186, joins: 1 },
      { key: 'ahmad@example.org', role: 'attendee', names: ['Ahmad Wibowo'], minutes: 95, joins: 1 },
      { key: 'name:iphone rina rina susanti', role: 'attendee', names: ['Rina Susanti', 'iPhone Rina'], minutes: 150, joins: 1 },
    ])
  })

  test('a meeting participants report: waiting-room rows count for nothing, rejoins around them are summed, the host account is named', () => {
    const report = parsed(
      [
        'Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants',
        '912 3456 7890,Literasi Digital untuk Warga,09/14/2021 08:50:02 AM,09/14/2021 12:05:40 PM,Zoom.Literasi@example.org,196,4',
        '',
        'Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,In Waiting Room',
        'Zoom Literasi Digital,zoom.literasi@example.org,09/14/2021 08:50:02 AM,09/14/2021 12:05:40 PM,196,No,No',
        'Dannys Citra,dannys.citra@example.org,09/14/2021 08:52:10 AM,09/14/2021 12:01:00 PM,189,No,No',
        // Ani waited 70 minutes before she was let in, then stayed 20.
        'Ani Lestari,ani@example.org,09/14/2021 08:40:00 AM,09/14/2021 09:50:00 AM,70,Yes,Yes',
        'Ani Lestari,ani@example.org,09/14/2021 09:50:00 AM,09/14/2021 10:10:00 AM,20,Yes,No',
        // Budi waited a minute, was put back in the waiting room for ten, and came back: 61 + 70.
        'Budi Santoso,budi@example.org,09/14/2021 08:58:00 AM,09/14/2021 08:59:00 AM,1,Yes,Yes',
        'Budi Santoso,budi@example.org,09/14/2021 08:59:00 AM,09/14/2021 10:00:00 AM,61,Yes,No',
        'Budi Santoso,budi@example.org,09/14/2021 10:00:00 AM,09/14/2021 10:10:00 AM,10,Yes,Yes',
        'Budi Santoso,budi@example.org,09/14/2021 10:10:00 AM,09/14/2021 11:20:00 AM,70,Yes,No',
        // Never let in.
        'Tamu Tertahan,,09/14/2021 09:00:00 AM,09/14/2021 09:30:00 AM,30,Yes,Yes',
      ].join('\r\n'),
    )
    expect(report).toMatchObject({ topic: 'Literasi Digital untuk Warga', meetingId: '912 3456 7890', hostEmail: 'zoom.literasi@example.org', date: '2021-09-14', dateOrder: null })
    expect(rowNamed(report, 'Ani Lestari').map((row) => [row.waitingRoom, row.minutes, row.attended])).toEqual([
      [true, 0, false],
      [false, 20, true],
    ])
    expect(people(report).map(({ key, minutes, joins }) => [key, minutes, joins])).toEqual([
      ['zoom.literasi@example.org', 196, 1],
      ['dannys.citra@example.org', 189, 1],
      ['ani@example.org', 20, 1],
      ['budi@example.org', 131, 2],
      ['name:tamu tertahan', 0, 0],
    ])
    expect(groupZoomPeople(report.rows).find((p) => p.key === 'name:tamu tertahan')).toMatchObject({ attended: false })
  })

  test('a meeting participants report with only "Total Duration (Minutes)" (unique users)', () => {
    const report = parsed(
      [
        'Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants',
        '91234567890,Literasi Digital untuk Warga,09/14/2021 08:50:02 AM,09/14/2021 12:05:40 PM,zoom.literasi@example.org,196,3',
        '',
        'Name (Original Name),User Email,Total Duration (Minutes),Guest',
        'Zoom Literasi Digital,zoom.literasi@example.org,196,No',
        'Ani Lestari,ani@example.org,130,Yes',
        'HP Budi (Budi Santoso),,128,Yes',
      ].join('\n'),
    )
    expect(people(report).map(({ key, names, minutes, joins }) => [key, names, minutes, joins])).toEqual([
      ['zoom.literasi@example.org', ['Zoom Literasi Digital'], 196, 1],
      ['ani@example.org', ['Ani Lestari'], 130, 1],
      ['name:budi santoso', ['Budi Santoso', 'HP Budi'], 128, 1],
    ])
    expect(report.date).toBe('2021-09-14')
  })

  test('Excel in a European locale: semicolons, rows padded to one width, dd/mm/yyyy without seconds, a comma in an unquoted name', () => {
    const report = parsed(
      [
        'Attendee Report;;;;;;;;;;;;;',
        'Report Generated:;14/09/2021 12:31;;;;;;;;;;;;',
        'Topic;Webinar ID;Actual Start Time;Actual Duration (minutes);# Registered;# Cancelled;Unique Viewers;Total Users;Max Concurrent Views;;;;;',
        'Tata Kelola Pelayanan Publik, Kabupaten Klaten;912 3456 7890;14/09/2021 08:55;185;250;3;214;231;0;;;;;',
        'Host Details;;;;;;;;;;;;;',
        'Attended;User Name (Original Name);Email;Join Time;Leave Time;Time in Session (minutes);Is Guest;Country/Region Name;;;;;;',
        'Yes;Tim Literasi Digital;host@example.org;14/09/2021 08:55;14/09/2021 12:00;186;No;Indonesia;;;;;;',
        'Attendee Details;;;;;;;;;;;;;',
        'Attended;User Name (Original Name);First Name;Last Name;Email;Phone;Registration Time;Approval Status;Join Time;Leave Time;Time in Session (minutes);Is Guest;Country/Region Name;Source Name',
        'Yes;"Sri Rahayu; S.Pd.";Sri;Rahayu;sri@example.org;;12/09/2021 19:02;approved;14/09/2021 09:01;14/09/2021 10:00;59;Yes;Indonesia;',
        'Yes;Budi Santoso, S.Kom;Budi;Santoso;budi@example.org;;12/09/2021 19:05;approved;14/09/2021 09:01;14/09/2021 11:30;149;Yes;Indonesia;',
        '',
      ].join('\r\n'),
    )
    expect(report).toMatchObject({ topic: 'Tata Kelola Pelayanan Publik, Kabupaten Klaten', meetingId: '912 3456 7890', separator: ';', date: '2021-09-14' })
    // Every date has its day above 12: read day first, and nothing was ambiguous to report.
    expect(report.dateOrder).toBeNull()
    expect(report.rows.map((row) => [row.section, row.name, row.minutes, row.joinTime])).toEqual([
      ['host', 'Tim Literasi Digital', 186, '2021-09-14T08:55:00'],
      ['attendee', 'Sri Rahayu; S.Pd.', 59, '2021-09-14T09:01:00'],
      ['attendee', 'Budi Santoso, S.Kom', 149, '2021-09-14T09:01:00'],
    ])
  })

  test('tab-separated, CR LF and LF mixed, 24-hour and 12-hour clocks in one file', () => {
    const report = parsed(
      'Attendee Details\r\n' +
        'Attended\tUser Name (Original Name)\tEmail\tJoin Time\tLeave Time\tTime in Session (minutes)\n' +
        'Yes\tBudi Santoso\tbudi@example.org\tSep 1, 2021 09:00:00\tSep 1, 2021 13:05:00\t245\r\n' +
        'Yes\tSri Rahayu\tsri@example.org\tSep 1, 2021 01:00:00 PM\tSep 1, 2021 02:15:00 PM\t75\n' +
        '\r\n' +
        'Yes\t"Nur\r\nLestari"\tnur@example.org\t2021-09-01 09:30\t2021-09-01 10:30\t60\r',
    )
    expect(report.separator).toBe('\t')
    expect(report.rows.map((row) => [row.line, row.name, row.joinTime, row.leaveTime, row.minutes])).toEqual([
      [3, 'Budi Santoso', '2021-09-01T09:00:00', '2021-09-01T13:05:00', 245],
      [4, 'Sri Rahayu', '2021-09-01T13:00:00', '2021-09-01T14:15:00', 75],
      [6, 'Nur\r\nLestari', '2021-09-01T09:30:00', '2021-09-01T10:30:00', 60],
    ])
  })

  test('Windows-1252 (Excel on Windows, "CSV (Comma delimited)"): decoded, its punctuation included', () => {
    const bytes = Buffer.concat([
      Buffer.from('User Name (Original Name),Email,Join Time,Leave Time,Duration (Minutes)\r\n'),
      Buffer.from([0x41, 0x6e, 0x64, 0x72, 0xe9]), // "André" in Windows-1252
      Buffer.from(' Wijaya,andre@example.org,09/14/2021 09:00:00 AM,09/14/2021 10:00:00 AM,60\r\n'),
      Buffer.from([0x4d, 0x61, 0x92, 0x72, 0x75, 0x66]), // "Ma’ruf": 0x92 is a right single quote
      Buffer.from(' Amin,maruf@example.org,09/14/2021 09:00:00 AM,09/14/2021 11:00:00 AM,120\r\n'),
      Buffer.from([0x4e, 0x69, 0xf1, 0x6f, 0x20, 0x80]), // "Niño €"
      Buffer.from(',nino@example.org,09/14/2021 09:00:00 AM,09/14/2021 09:30:00 AM,30\r\n'),
    ])
    const report = parsed(bytes)
    expect(report.encoding).toBe('windows-1252')
    expect(report.rows.map((row) => row.name)).toEqual(['André Wijaya', 'Ma\u2019ruf Amin', 'Niño \u20ac'])
    expect(normaliseName(report.rows[1].name)).toBe('maruf amin')
  })

  test('UTF-16 ("Unicode text" from Excel: tab-separated), either byte order, with or without a BOM', () => {
    const text = [
      'User Name (Original Name)\tEmail\tJoin Time\tLeave Time\tDuration (Minutes)',
      'André Wijaya\tandre@example.org\t09/14/2021 09:00:00 AM\t09/14/2021 10:00:00 AM\t60',
      '王小明 (Wang Xiaoming)\twang@example.org\t09/14/2021 09:00:00 AM\t09/14/2021 09:45:00 AM\t45',
      '',
    ].join('\r\n')
    const little = Buffer.from(text, 'utf16le')
    const big = Buffer.from(little).swap16()
    for (const [bytes, encoding] of [
      [Buffer.concat([Buffer.from([0xff, 0xfe]), little]), 'utf-16le'],
      [Buffer.concat([Buffer.from([0xfe, 0xff]), big]), 'utf-16be'],
      [little, 'utf-16le'],
      [big, 'utf-16be'],
    ] as const) {
      const report = parsed(bytes)
      expect(report.encoding).toBe(encoding)
      expect(report.separator).toBe('\t')
      expect(report.rows.map((row) => [row.name, row.originalName, row.minutes])).toEqual([
        ['André Wijaya', null, 60],
        ['王小明', 'Wang Xiaoming', 45],
      ])
    }
  })

  describe('the order of day and month', () => {
    const joinTimes = (report: ZoomReport) => report.rows.map((row) => row.joinTime)

    test('a day above 12 settles it: dd/mm/yyyy, also for the minutes worked out across midnight', () => {
      const report = parsed(
        [
          'User Name (Original Name),Email,Join Time,Leave Time',
          'Sri Rahayu,sri@example.org,13/09/2021 09:05:00,13/09/2021 10:40:30',
          'Nur Lestari,nur@example.org,13/09/2021 23:50:00,14/09/2021 00:10:00',
          'Joko Santoso,joko@example.org,01/09/2021 10:00:00,01/09/2021 10:30:00',
        ].join('\n'),
      )
      expect(report.dateOrder).toEqual({ order: 'dmy', basis: 'file' })
      expect(joinTimes(report)).toEqual(['2021-09-13T09:05:00', '2021-09-13T23:50:00', '2021-09-01T10:00:00'])
      expect(report.rows.map((row) => row.minutes)).toEqual([96, 20, 30])
      // The report's date is its first join.
      expect(report.date).toBe('2021-09-01')
    })

    test('a month above 12 in second place settles it the other way: mm/dd/yyyy', () => {
      const report = parsed('User Name,Email,Join Time,Leave Time,Duration\nSri,sri@example.org,09/13/2021 09:05 AM,09/13/2021 10:00 AM,55\nNur,nur@example.org,10/01/2021 09:00 AM,10/01/2021 10:00 AM,60\n')
      expect(report.dateOrder).toEqual({ order: 'mdy', basis: 'file' })
      expect(joinTimes(report)).toEqual(['2021-09-13T09:05:00', '2021-10-01T09:00:00'])
    })

    const AMBIGUOUS = 'User Name,Email,Join Time,Leave Time,Duration\nSri,sri@example.org,01/09/2021 09:05,01/09/2021 10:00,55\n'

    test('when nothing in the file settles it, Zoom’s own month/day is used, and the report says so', () => {
      const report = parsed(AMBIGUOUS)
      expect(report.dateOrder).toEqual({ order: 'mdy', basis: 'usual' })
      expect(report.date).toBe('2021-01-09')
    })

    test('when nothing in the file settles it, the order that puts the report on the webinar’s date wins', () => {
      expect(parsed(AMBIGUOUS, { expectedDate: '2021-09-01' })).toMatchObject({ date: '2021-09-01', dateOrder: { order: 'dmy', basis: 'webinarDate' } })
      expect(parsed(AMBIGUOUS, { expectedDate: '2021-01-09' })).toMatchObject({ date: '2021-01-09', dateOrder: { order: 'mdy', basis: 'webinarDate' } })
      // Neither order gives the webinar's date: month/day, as Zoom writes it.
      expect(parsed(AMBIGUOUS, { expectedDate: '2021-05-05' })).toMatchObject({ date: '2021-01-09', dateOrder: { order: 'mdy', basis: 'usual' } })
      // The file's evidence beats the webinar's date.
      const settled = AMBIGUOUS + 'Nur,nur@example.org,13/09/2021 09:00,13/09/2021 10:00,60\n'
      expect(parsed(settled, { expectedDate: '2021-01-09' }).dateOrder).toEqual({ order: 'dmy', basis: 'file' })
    })

    test('where either order reads the same, the order does not matter and is not reported', () => {
      const report = parsed('User Name,Email,Join Time,Leave Time,Duration\nSri,sri@example.org,09/09/2021 09:05,09/09/2021 10:00,55\n')
      expect(report).toMatchObject({ date: '2021-09-09', dateOrder: null })
    })

    test('"Sep 1, 2021", "1 Sep 2021", "01/09/2021" (day first), "01.09.2021 08.55" and ISO read as the same day', () => {
      const joinOf = (date: string) => parsed(`Name,Join Time,Duration\nBudi,${date},10\nSri,"13/09/2021 10:00",5\n`).rows[0].joinTime
      expect(['"Sep 1, 2021 08:55"', '1 Sep 2021 08:55', '"1 September 2021 08:55:00"', '01/09/2021 08:55', '01.09.2021 08.55', '1-9-2021 8:55', '01/09/21 08:55', '2021-09-01T08:55:00'].map(joinOf)).toEqual(
        Array(8).fill('2021-09-01T08:55:00'),
      )
    })

    test('the date of a report comes from its metadata when it has some, else from its first join', () => {
      expect(parsed(CURRENT).date).toBe('2021-09-01')
      expect(parsed('Name,Join Time,Duration\nBudi,"Sep 2, 2021 09:00",10\nSri,"Sep 1, 2021 23:00",10\n').date).toBe('2021-09-01')
      expect(parsed('Name,Join Time,Duration\nBudi,--,10\n').date).toBeNull()
    })
  })
})

describe('checkReportIdentity: is the report from this webinar?', () => {
  const webinar = { topic: 'Tata Kelola Pelayanan Publik Berbasis Digital', meetingId: '912 3456 7890', startDate: '2021-09-01', endDate: '2021-09-01' }

  test('the topic is compared loosely: case, punctuation and extra words around it do not matter', () => {
    for (const topic of ['TATA KELOLA PELAYANAN PUBLIK BERBASIS DIGITAL', 'Tata Kelola Pelayanan Publik Berbasis Digital!', 'Webinar Literasi Digital: Tata Kelola Pelayanan Publik Berbasis Digital (Kab. Klaten)', 'Tata Kelola Pelayanan Publik']) {
      expect(checkReportIdentity({ topic, meetingId: null, date: '2021-09-01' }, webinar).topic, topic).toBe('same')
    }
    expect(checkReportIdentity({ topic: 'Etika Digital di Sekolah', meetingId: null, date: '2021-09-01' }, webinar).topic).toBe('different')
    // Two words in common are not the same topic.
    expect(checkReportIdentity({ topic: 'Pelayanan Publik', meetingId: null, date: '2021-09-01' }, webinar).topic).toBe('different')
    expect(checkReportIdentity({ topic: null, meetingId: null, date: '2021-09-01' }, webinar).topic).toBe('unknown')
  })

  test('the webinar’s meeting ID in the report identifies it whatever the topic says; another ID does not', () => {
    expect(checkReportIdentity({ topic: 'Rapat Zoom Kominfo', meetingId: '91234567890', date: '2021-09-01' }, webinar).topic).toBe('same')
    expect(checkReportIdentity({ topic: 'Rapat Zoom Kominfo', meetingId: '812 0000 1111', date: '2021-09-01' }, webinar).topic).toBe('different')
    // Excel wrote the ID as a number in scientific notation: no ID to compare, the topic decides.
    expect(checkReportIdentity({ topic: webinar.topic, meetingId: '9,12346E+10', date: '2021-09-01' }, webinar).topic).toBe('same')
  })

  test('the date is compared with the webinar’s local dates', () => {
    expect(checkReportIdentity({ topic: webinar.topic, meetingId: null, date: '2021-09-01' }, webinar).date).toBe('same')
    expect(checkReportIdentity({ topic: webinar.topic, meetingId: null, date: '2021-09-02' }, webinar).date).toBe('different')
    expect(checkReportIdentity({ topic: webinar.topic, meetingId: null, date: '2021-09-02' }, { ...webinar, endDate: '2021-09-02' }).date).toBe('same')
    expect(checkReportIdentity({ topic: webinar.topic, meetingId: null, date: null }, webinar).date).toBe('unknown')
  })
})
