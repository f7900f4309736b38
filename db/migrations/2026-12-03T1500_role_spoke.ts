import type { Kysely } from 'kysely'

// Frozen in time. Whether a moderator, speaker or KOL took part, as the webinar's moderator (or an
// organiser) recorded it on the attendance console: 1 took part, 0 did not, null not recorded.
// Staff certificates go to those recorded as taking part, or, unrecorded, to those who confirmed.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webinar_roles').addColumn('spoke', 'integer').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webinar_roles').dropColumn('spoke').execute()
}
