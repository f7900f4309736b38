import type { DB } from '#app/utils/db.server'
import type { TimeZoneCode } from '#db/schema'
import { createId } from '#app/utils/crypto.server'
import { localToUtc, minutesBetween, utcToLocal } from '#app/utils/time'

export async function listRundown(db: DB, webinarId: string) {
  return db
    .selectFrom('rundown_items')
    .leftJoin('people', 'people.id', 'rundown_items.person_id')
    .select(['rundown_items.id', 'rundown_items.offset_minutes', 'rundown_items.title', 'rundown_items.person_id', 'people.name as person_name'])
    .where('rundown_items.webinar_id', '=', webinarId)
    .orderBy('rundown_items.offset_minutes')
    .orderBy('rundown_items.position')
    .execute()
}

export type RundownInput = { offsetMinutes: number; title: string; personId: string | null }

export async function addRundownItem(db: DB, webinarId: string, input: RundownInput): Promise<string> {
  const id = createId()
  await db
    .insertInto('rundown_items')
    .values({ id, webinar_id: webinarId, offset_minutes: input.offsetMinutes, title: input.title, person_id: input.personId, position: 0 })
    .execute()
  return id
}

export async function updateRundownItem(db: DB, webinarId: string, itemId: string, input: RundownInput): Promise<boolean> {
  const result = await db
    .updateTable('rundown_items')
    .set({ offset_minutes: input.offsetMinutes, title: input.title, person_id: input.personId })
    .where('id', '=', itemId)
    .where('webinar_id', '=', webinarId)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function removeRundownItem(db: DB, webinarId: string, itemId: string): Promise<boolean> {
  const result = await db.deleteFrom('rundown_items').where('id', '=', itemId).where('webinar_id', '=', webinarId).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/**
 * A run-down time ("09:30", local) as minutes after the webinar's start; null when the webinar
 * has no schedule yet or the time falls outside it.
 */
export function rundownOffset(webinar: { start_at: string | null; end_at: string | null }, localTime: string, zone: TimeZoneCode) {
  if (!webinar.start_at || !webinar.end_at) return { ok: false as const, error: 'rundown.needsSchedule' as const }
  const { date } = utcToLocal(webinar.start_at, zone)
  const at = localToUtc(date, localTime, zone)
  const offset = minutesBetween(webinar.start_at, at)
  if (offset < 0 || at > webinar.end_at) return { ok: false as const, error: 'rundown.outsideSchedule' as const }
  return { ok: true as const, offset }
}
