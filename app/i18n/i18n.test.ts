import { en } from './en'
import { id } from './id'
import { formatDateTime, formatNumber, translate } from './index'

test('both languages have every key, and no key is empty', () => {
  expect(Object.keys(en).sort()).toEqual(Object.keys(id).sort())
  for (const [key, value] of [...Object.entries(id), ...Object.entries(en)]) {
    expect(value.trim(), key).not.toBe('')
  }
})

test('both languages use the same placeholders in every message', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
  for (const key of Object.keys(id) as Array<keyof typeof id>) {
    expect(placeholders(en[key]), key).toEqual(placeholders(id[key]))
  }
})

test('dates read the way Indonesians write them', () => {
  // 09.00 WIB on 1 September 2021 is 02.00 UTC.
  expect(formatDateTime('2021-09-01T02:00:00.000Z', 'WIB', 'id')).toBe('Rabu, 1 September 2021, 09.00 WIB')
  expect(formatDateTime('2021-09-01T02:00:00.000Z', 'WITA', 'id')).toBe('Rabu, 1 September 2021, 10.00 WITA')
  expect(formatDateTime('2021-09-01T02:00:00.000Z', 'WIT', 'en')).toBe('Wednesday, 1 September 2021, 11:00 WIT')
  // Formatters are kept per language and zone: asking again, in another order, gives each its own.
  expect(formatDateTime('2021-09-01T02:00:00.000Z', 'WIT', 'id')).toBe('Rabu, 1 September 2021, 11.00 WIT')
  expect(formatDateTime('2021-09-01T18:30:00.000Z', 'WIB', 'en')).toBe('Thursday, 2 September 2021, 01:30 WIB')
  expect(formatDateTime('2021-09-01T02:00:00.000Z', 'WIB', 'id')).toBe('Rabu, 1 September 2021, 09.00 WIB')
})

describe('numbers, the reader’s way', () => {
  test('every number put into a message is grouped and pointed as its language writes it', () => {
    expect(translate('id', 'catalogue.seatsLeft', { count: 1000, capacity: 12500 })).toContain('1.000')
    expect(translate('id', 'catalogue.seatsLeft', { count: 1000, capacity: 12500 })).toContain('12.500')
    expect(translate('en', 'catalogue.seatsLeft', { count: 1000, capacity: 12500 })).toContain('1,000')
    // Text stays as given: a certificate number or a year passed as text is not regrouped.
    expect(translate('id', 'certificate.replacedBy', { number: '2021-0001' })).toContain('2021-0001')
  })

  test('one helper for counts, shares, means, scores and gains', () => {
    expect(formatNumber(1234567, 'id')).toBe('1.234.567')
    expect(formatNumber(12.25, 'id')).toBe('12,3')
    expect(formatNumber(0.853, 'id', 'percent')).toBe('85,3%')
    expect(formatNumber(4.5, 'id', 'mean')).toBe('4,50')
    expect(formatNumber(62.5, 'en', 'score')).toBe('62.5')
    expect(formatNumber(7, 'id', 'gain')).toBe('+7,0')
    expect(formatNumber(1000, 'en')).toBe('1,000')
  })
})
