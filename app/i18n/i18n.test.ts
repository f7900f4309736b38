import { en } from './en'
import { id } from './id'
import { formatDateTime } from './index'

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
