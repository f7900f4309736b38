import type { DB } from '#app/utils/db.server'
import { createId } from '#app/utils/crypto.server'

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
