import { parse } from 'csv-parse/sync'
import { csvDateTime, csvResponse, neutraliseCell, toCsv } from '#app/utils/csv.server'

const BOM = '\uFEFF'

/** Parses what toCsv wrote the way a spreadsheet import would: BOM stripped, RFC 4180 quoting. */
function parseCsv(text: string): string[][] {
  return parse(text, { bom: true, record_delimiter: '\r\n', relax_column_count: false })
}

test.each(['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://x")'])('a cell starting like a formula (%j) comes out behind a single quote', (value) => {
  expect(neutraliseCell(value)).toBe(`'${value}`)
  const [, row] = parseCsv(toCsv(['cell'], [[value]]))
  expect(row).toEqual([`'${value}`])
})

test('safe values are written as they are', () => {
  const safe = ['Dannys Citra', 'warga1@example.org', '33.10', "O'Brien", 'a=b', '1+1', 'Ibu Siti - Klaten', '']
  for (const value of safe) expect(neutraliseCell(value)).toBe(value)
  const [header, row] = parseCsv(toCsv(safe.map((_, i) => `c${i}`), [safe]))
  expect(header).toHaveLength(safe.length)
  expect(row).toEqual(safe)
})

test('numbers stay numbers, null and undefined are empty', () => {
  expect(neutraliseCell(42)).toBe(42)
  expect(neutraliseCell(-5)).toBe(-5)
  expect(neutraliseCell(null)).toBe('')
  expect(neutraliseCell(undefined)).toBe('')
  const text = toCsv(['n', 'negative', 'empty'], [[42, -5, null]])
  expect(text).toBe(`${BOM}n,negative,empty\r\n42,-5,\r\n`)
})

test('commas, quotes and line breaks are quoted (RFC 4180) and survive a round trip', () => {
  const rows = [
    ['Klaten, Jawa Tengah', 'Ibu "Ani"', 'baris satu\nbaris dua'],
    ['crlf\r\ninside', 'plain', 'semi;colon'],
  ]
  const text = toCsv(['a', 'b', 'c'], rows)
  expect(text).toContain('"Klaten, Jawa Tengah"')
  expect(text).toContain('"Ibu ""Ani"""')
  expect(text).toContain('"baris satu\nbaris dua"')
  expect(parseCsv(text)).toEqual([['a', 'b', 'c'], ...rows])
})

test('the file starts with a UTF-8 BOM and every record ends with CRLF', () => {
  const text = toCsv(['Nama', 'Kabupaten/kota'], [['Warga Satu', 'Kabupaten Klaten'], ['Wargā Dua', 'Kota Yogyakarta']])
  expect(text.startsWith(BOM)).toBe(true)
  expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
  expect(text.slice(1).split('\r\n')).toEqual(['Nama,Kabupaten/kota', 'Warga Satu,Kabupaten Klaten', 'Wargā Dua,Kota Yogyakarta', ''])
})

test('a hostile mix parses back to exactly the neutralised cells', () => {
  const rows = [
    ['=HYPERLINK("http://evil.example","klik")', '+6281234567890', '-2+3', 'normal'],
    ['@cmd', '\t=1', '\r=1', 'x, "y"\nz'],
  ]
  expect(parseCsv(toCsv(['a', 'b', 'c', 'd'], rows)).slice(1)).toEqual([
    [`'=HYPERLINK("http://evil.example","klik")`, "'+6281234567890", "'-2+3", 'normal'],
    ["'@cmd", "'\t=1", "'\r=1", 'x, "y"\nz'],
  ])
})

test('header cells are neutralised too', () => {
  expect(parseCsv(toCsv(['=cmd', 'ok'], []))).toEqual([["'=cmd", 'ok']])
})

test('times are written in the webinar’s zone as "YYYY-MM-DD HH:MM"', () => {
  expect(csvDateTime('2021-09-01T02:00:00.000Z', 'WIB')).toBe('2021-09-01 09:00')
  expect(csvDateTime('2021-09-01T16:30:00.000Z', 'WIT')).toBe('2021-09-02 01:30')
  expect(csvDateTime(null, 'WITA')).toBe('')
})

test('csvResponse is a private attachment with an ASCII file name', async () => {
  const response = csvResponse('tata-kelola-klaten-pendaftar.csv', toCsv(['a'], [['b']]))
  expect(response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
  expect(response.headers.get('Content-Disposition')).toBe('attachment; filename="tata-kelola-klaten-pendaftar.csv"')
  expect(response.headers.get('Cache-Control')).toBe('private, no-store')
  const bytes = Buffer.from(await response.arrayBuffer())
  expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))

  const odd = csvResponse('Webinar "Ké";\r\nx.csv', '')
  expect(odd.headers.get('Content-Disposition')).toBe('attachment; filename="Webinar-Ke-x.csv"')
})
