import { getProvinces, getRegencies } from 'idn-area-data'
import { getRegency, isRegencyCode, listProvinces, syncRegions } from '#app/models/region.server'
import { getDb } from '#app/utils/db.server'

// The per-file test database was migrated by the real `db:migrate` script, which loads the list.

async function counts() {
  const db = getDb()
  const provinces = await db.selectFrom('provinces').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const regencies = await db.selectFrom('regencies').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return { provinces: Number(provinces.n), regencies: Number(regencies.n) }
}

async function dump() {
  const db = getDb()
  return {
    provinces: await db.selectFrom('provinces').selectAll().orderBy('code').execute(),
    regencies: await db.selectFrom('regencies').selectAll().orderBy('code').execute(),
  }
}

test('migration loads the official list: 38 provinces and 514 regencies', async () => {
  expect(await counts()).toEqual({ provinces: 38, regencies: 514 })
})

test('Kabupaten Klaten is 33.10, in Jawa Tengah, on WIB', async () => {
  expect(await getRegency(getDb(), '33.10')).toEqual({
    code: '33.10',
    name: 'Kabupaten Klaten',
    province_code: '33',
    province_name: 'Jawa Tengah',
    time_zone: 'WIB',
  })
})

test('every province has a zone, and all three zones occur', async () => {
  const provinces = await listProvinces(getDb())
  for (const province of provinces) expect(['WIB', 'WITA', 'WIT'], province.name).toContain(province.time_zone)
  expect(new Set(provinces.map((p) => p.time_zone))).toEqual(new Set(['WIB', 'WITA', 'WIT']))
  const zoneOf = (name: string) => provinces.find((p) => p.name === name)?.time_zone
  expect(zoneOf('Bali')).toBe('WITA')
  expect(zoneOf('Papua Pegunungan')).toBe('WIT')
})

test('running syncRegions again changes nothing', async () => {
  const before = await dump()
  await syncRegions(getDb(), { provinces: await getProvinces(), regencies: await getRegencies() })
  expect(await counts()).toEqual({ provinces: 38, regencies: 514 })
  expect(await dump()).toEqual(before)
})

test('isRegencyCode knows the official codes, and learns a new one when syncRegions loads it', async () => {
  const db = getDb()
  expect(await isRegencyCode(db, '33.10')).toBe(true)
  for (const code of ['33.99', '3310', '', '33.10 ', "33.10' or 1=1"]) expect(await isRegencyCode(db, code), code).toBe(false)
  // A later edition of the official list adds a regency: the kept codes are refreshed.
  const regencies = await getRegencies()
  await syncRegions(db, { provinces: await getProvinces(), regencies: [...regencies, { code: '33.99', province_code: '33', name: 'Kabupaten Percobaan' }] })
  expect(await isRegencyCode(db, '33.99')).toBe(true)
  await db.deleteFrom('regencies').where('code', '=', '33.99').execute()
  await syncRegions(db, { provinces: await getProvinces(), regencies })
  expect(await isRegencyCode(db, '33.99')).toBe(false)
})
