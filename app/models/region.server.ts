import type { TimeZoneCode } from '#db/schema'
import { serialiseJob, type DB } from '#app/utils/db.server'
import { timeZoneForProvince } from '#app/utils/time'

export type RegionSource = {
  provinces: Array<{ code: string; name: string }>
  regencies: Array<{ code: string; province_code: string; name: string }>
}

/** Loads the official list; idempotent, so it runs after every migration. */
export async function syncRegions(db: DB, source: RegionSource): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Several processes starting at once each sync: one after the other.
    await serialiseJob(trx, 'sync-regions')
    for (const province of source.provinces) {
      await trx
        .insertInto('provinces')
        .values({ code: province.code, name: province.name, time_zone: timeZoneForProvince(province.code) })
        .onConflict((oc) => oc.column('code').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), time_zone: eb.ref('excluded.time_zone') })))
        .execute()
    }
    for (const regency of source.regencies) {
      await trx
        .insertInto('regencies')
        .values({ code: regency.code, province_code: regency.province_code, name: regency.name })
        .onConflict((oc) => oc.column('code').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), province_code: eb.ref('excluded.province_code') })))
        .execute()
    }
  })
  regencyCodes.delete(db)
}

// The official list changes only through syncRegions (at migration, before the app serves), so
// each process keeps the set of codes in memory: every registration checks its resident's regency.
const regencyCodes = new WeakMap<DB, Promise<Set<string>>>()

/** Whether `code` is an official regency code, e.g. '33.10'. */
export async function isRegencyCode(db: DB, code: string): Promise<boolean> {
  let codes = regencyCodes.get(db)
  if (!codes) {
    codes = db
      .selectFrom('regencies')
      .select('code')
      .execute()
      .then((rows) => new Set(rows.map((row) => row.code)))
    codes.catch(() => regencyCodes.delete(db))
    regencyCodes.set(db, codes)
  }
  return (await codes).has(code)
}

export async function listProvinces(db: DB) {
  return db.selectFrom('provinces').select(['code', 'name', 'time_zone']).orderBy('code').execute()
}

/** Every regency with its province, for pickers: about 40 kB as JSON, so load it once per page. */
export async function listRegencies(db: DB) {
  return db
    .selectFrom('regencies')
    .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select(['regencies.code', 'regencies.name', 'regencies.province_code', 'provinces.name as province_name', 'provinces.time_zone'])
    .orderBy('regencies.code')
    .execute()
}

export async function getRegency(db: DB, code: string) {
  return db
    .selectFrom('regencies')
    .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select(['regencies.code', 'regencies.name', 'regencies.province_code', 'provinces.name as province_name', 'provinces.time_zone'])
    .where('regencies.code', '=', code)
    .executeTakeFirst()
}

/** [code, name, province] for every regency: the organiser's picker, grouped by province. */
export async function listRegencyOptions(db: DB): Promise<Array<[string, string, string]>> {
  const rows = await db
    .selectFrom('regencies')
    .innerJoin('provinces', 'provinces.code', 'regencies.province_code')
    .select(['regencies.code', 'regencies.name', 'provinces.name as province_name'])
    .orderBy('regencies.code')
    .execute()
  return rows.map((row) => [row.code, row.name, row.province_name])
}

/** Each province's time zone by its code (a regency's code starts with it: "33.10" is in "33"), for the webinar form's hint. */
export async function listProvinceZones(db: DB): Promise<Record<string, TimeZoneCode>> {
  const rows = await db.selectFrom('provinces').select(['code', 'time_zone']).execute()
  return Object.fromEntries(rows.map((row) => [row.code, row.time_zone]))
}

/**
 * [code, name] of one province's regencies: the resident's picker sends one province at a time
 * (a few dozen names) instead of all 514 with every page.
 */
export async function listProvinceRegencies(db: DB, provinceCode: string): Promise<Array<[string, string]>> {
  const rows = await db.selectFrom('regencies').select(['code', 'name']).where('province_code', '=', provinceCode).orderBy('code').execute()
  return rows.map((row) => [row.code, row.name])
}
