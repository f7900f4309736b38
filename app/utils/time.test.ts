import { isValidLocalDate, isValidLocalTime, localToUtc, timeZoneForProvince, utcToLocal } from './time'

describe('localToUtc and utcToLocal', () => {
  test.each([
    ['WIB', '2021-09-01', '09:00', '2021-09-01T02:00:00.000Z'],
    ['WITA', '2021-09-01', '09:00', '2021-09-01T01:00:00.000Z'],
    ['WIT', '2021-09-01', '09:00', '2021-09-01T00:00:00.000Z'],
    // Early morning in the east is still the previous day in UTC.
    ['WIT', '2021-09-01', '06:00', '2021-08-31T21:00:00.000Z'],
    ['WITA', '2021-09-01', '07:30', '2021-08-31T23:30:00.000Z'],
    ['WIB', '2022-01-01', '00:00', '2021-12-31T17:00:00.000Z'],
    ['WIB', '2024-03-01', '06:59', '2024-02-29T23:59:00.000Z'],
  ] as const)('%s %s %s is %s, and back', (zone, date, time, utc) => {
    expect(localToUtc(date, time, zone)).toBe(utc)
    expect(utcToLocal(utc, zone)).toEqual({ date, time })
  })

  test('a dotted time means the same as a colon', () => {
    expect(localToUtc('2021-09-01', '09.00', 'WIB')).toBe(localToUtc('2021-09-01', '09:00', 'WIB'))
  })

  test('a late UTC evening is the next local day', () => {
    expect(utcToLocal('2021-09-01T20:00:00.000Z', 'WIB')).toEqual({ date: '2021-09-02', time: '03:00' })
    expect(utcToLocal('2021-09-01T15:00:00.000Z', 'WIT')).toEqual({ date: '2021-09-02', time: '00:00' })
  })
})

describe('date and time validation', () => {
  test.each(['2021-09-01', '2024-02-29', '2021-12-31'])('%s is a date', (value) => {
    expect(isValidLocalDate(value)).toBe(true)
  })

  test.each(['2021-02-30', '2023-02-29', '2021-13-01', '2021-00-10', '2021-04-31', '2021-9-1', '01-09-2021', '', 'tomorrow'])(
    '%j is not a date',
    (value) => {
      expect(isValidLocalDate(value)).toBe(false)
    },
  )

  test.each(['09:00', '09.00', '00:00', '23:59'])('%s is a time', (value) => {
    expect(isValidLocalTime(value)).toBe(true)
  })

  test.each(['24:00', '09:60', '9:00', '0900', '09:00:00', '', 'noon'])('%j is not a time', (value) => {
    expect(isValidLocalTime(value)).toBe(false)
  })
})

describe('timeZoneForProvince', () => {
  test.each([
    ['33', 'Jawa Tengah', 'WIB'],
    ['31', 'DKI Jakarta', 'WIB'],
    ['61', 'Kalimantan Barat', 'WIB'],
    ['62', 'Kalimantan Tengah', 'WIB'],
    ['51', 'Bali', 'WITA'],
    ['53', 'Nusa Tenggara Timur', 'WITA'],
    ['64', 'Kalimantan Timur', 'WITA'],
    ['65', 'Kalimantan Utara', 'WITA'],
    ['73', 'Sulawesi Selatan', 'WITA'],
    ['81', 'Maluku', 'WIT'],
    ['82', 'Maluku Utara', 'WIT'],
    ['91', 'Papua', 'WIT'],
    ['96', 'Papua Barat Daya', 'WIT'],
  ])('%s %s is %s', (code, _name, zone) => {
    expect(timeZoneForProvince(code)).toBe(zone)
  })
})
