import { matchZoomPerson } from '#app/models/zoom-import.server'
import { groupZoomPeople, normaliseName, parseZoomReport, splitRenamedName, type ZoomReport, type ZoomRow } from '#app/utils/zoom-report.server'
import { buildZoomReport, type ZoomReportPerson } from '../../scripts/demo/zoom-report'

const utf8 = (text: string) => new TextEncoder().encode(text)

function parsed(text: string | Uint8Array): ZoomReport {
  const result = parseZoomReport(typeof text === 'string' ? utf8(text) : text)
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

  test('a name ending in parentheses is a rename only under an "(Original Name)" column', () => {
    const report = parsed('Participant,Email,Duration\nBudi (Guru SD),budi@example.org,30\n')
    expect(report.rows[0]).toMatchObject({ name: 'Budi (Guru SD)', originalName: null, minutes: 30, attended: true })
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
    expect(['--', '', '02/30/2021 10:00:00', '13/01/2021 10:00:00', '09/01/2021 13:00:00 PM', 'yesterday'].map(joinTimeOf)).toEqual([null, null, null, null, null, null])
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

  test('a CSV that is not a participant list', () => {
    expect(errorOf('a,b\n1,2\n')).toEqual({ code: 'notZoom' })
    // A registrant list has names but says nothing about attendance.
    expect(errorOf('name,email\nBudi Santoso,budi@example.org\n')).toEqual({ code: 'notZoom' })
    // Hosts and panelists alone are not an attendee list.
    const staffOnly = CURRENT_LINES.slice(0, 10).join('\r\n')
    expect(errorOf(staffOnly)).toEqual({ code: 'notZoom' })
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

  test('Windows-1252 bytes', () => {
    const bytes = Buffer.concat([
      Buffer.from('User Name,Email,Join Time,Leave Time,Duration\r\nJos'),
      Buffer.from([0x4e, 0x61, 0x6d, 0x65, 0xe9]), // "Namé" in Windows-1252
      Buffer.from(',jose@example.org,09/01/2021 09:00:00 AM,09/01/2021 10:00:00 AM,60\r\n'),
    ])
    expect(errorOf(bytes)).toEqual({ code: 'encoding' })
  })

  test('UTF-16 with a BOM, either byte order', () => {
    const text = 'User Name,Email,Join Time,Leave Time,Duration\r\nBudi,budi@example.org,09/01/2021 09:00:00 AM,09/01/2021 10:00:00 AM,60\r\n'
    const little = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    const big = Buffer.from(little).swap16()
    expect(errorOf(little)).toEqual({ code: 'encoding' })
    expect(errorOf(big)).toEqual({ code: 'encoding' })
  })

  test('a participant header without rows', () => {
    expect(errorOf('Attendee Details,\r\nAttended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\r\n')).toEqual({ code: 'noRows' })
    const noAttendees = CURRENT_LINES.filter((line, index) => index < lineOf('Yes,Ahmad') - 1 || index >= lineOf('Other Details') - 1).join('\r\n')
    expect(errorOf(noAttendees)).toEqual({ code: 'noRows' })
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
