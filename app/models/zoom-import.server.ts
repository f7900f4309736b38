import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { NewZoomImportPerson, TimeZoneCode, ZoomMatch } from '#db/schema'
import { lockWebinars, type DB } from '#app/utils/db.server'
import { createId } from '#app/utils/crypto.server'
import { racePoint } from '#app/utils/race-points.server'
import { nowIso, utcToLocal } from '#app/utils/time'
import { checkReportIdentity, createNameFinder, groupZoomPeople, normaliseName, ZOOM_PERSON_MINUTES_MAX, type ZoomPerson, type ZoomReport } from '#app/utils/zoom-report.server'
import { recordAttendanceEvent } from './attendance.server'
import { listWebinarStaffEmails } from './webinar-role.server'

// A Zoom attendee report goes in two steps. Uploading stores a preview: each person in the
// report, their summed minutes and whom they matched; attendance is untouched. Committing makes
// that report the one whose minutes count, in one transaction. The same file again finds its
// earlier import instead of making a new one, so re-importing changes nothing.

/** Rows that count towards someone's minutes. */
const MATCHED: ZoomMatch[] = ['email', 'link', 'name']

/** Registrants offered for a shared name: past a handful the moderator links by e-mail, and each row of the import stays bounded. */
const CANDIDATES_MAX = 20
/** Registrants offered, closest first, for a row that matched nobody: enough to spot a typo, few enough to read on a phone. */
const CLOSEST_MAX = 5

type Registrant = { id: string; name: string; email: string }
type Candidate = Pick<NewZoomImportPerson, 'match' | 'registration_id' | 'candidates'>

/**
 * Whom a person in the report is: by e-mail first; then a link a moderator made by hand in an
 * earlier import; then by name. Names are tried in order of trust (the name they registered in
 * Zoom with, first + last, then the name shown in the meeting) and the first that finds anyone
 * decides. Hosts and panelists are staff, never residents, and so is anyone with the e-mail of
 * one of the webinar's own people (a meeting report has no host or panelist section).
 */
export function matchZoomPerson(
  person: ZoomPerson,
  byEmail: Map<string, string>,
  byName: Map<string, string[]>,
  links: Map<string, string>,
  staffEmails: ReadonlySet<string> = new Set(),
): Candidate {
  if (person.role !== 'attendee' || (person.email !== null && staffEmails.has(person.email))) return { match: 'staff', registration_id: null, candidates: null }
  const emailMatch = person.email ? byEmail.get(person.email) : undefined
  if (emailMatch) return { match: 'email', registration_id: emailMatch, candidates: null }
  const linked = links.get(person.key)
  if (linked) return { match: 'link', registration_id: linked, candidates: null }
  for (const name of person.names) {
    const ids = byName.get(normaliseName(name))
    if (!ids) continue
    if (ids.length === 1) return { match: 'name', registration_id: ids[0]!, candidates: null }
    return { match: 'ambiguous', registration_id: null, candidates: JSON.stringify(ids.slice(0, CANDIDATES_MAX)) }
  }
  // An e-mail we do not know; without one, a name we do not know ("guest" in the data, "no e-mail; name not found" on the page).
  return { match: person.email ? 'unmatched' : 'guest', registration_id: null, candidates: null }
}

function indexRegistrants(registrants: Registrant[]) {
  const byEmail = new Map<string, string>()
  const byName = new Map<string, string[]>()
  for (const r of registrants) {
    byEmail.set(r.email, r.id)
    const key = normaliseName(r.name)
    const ids = byName.get(key)
    if (ids) ids.push(r.id)
    else byName.set(key, [r.id])
  }
  return { byEmail, byName }
}

export function fileSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export type PreviewResult = { importId: string; reused: boolean }

/**
 * Stores a parsed report as a preview. Only attendance for registered people is matched: the
 * waitlist had no join link. An earlier upload of the same file is returned instead.
 */
export async function previewZoomImport(
  db: DB,
  webinarId: string,
  file: { name: string; bytes: Uint8Array; report: ZoomReport },
  actorId: string,
  now = nowIso(),
): Promise<PreviewResult> {
  const sha = fileSha256(file.bytes)
  const earlier = await findImportOfFile(db, webinarId, sha)
  if (earlier) return { importId: earlier.id, reused: true }

  const { report } = file
  const [registrants, links, staffEmails] = await Promise.all([
    db.selectFrom('registrations').select(['id', 'name', 'email']).where('webinar_id', '=', webinarId).where('status', '=', 'registered').execute(),
    db.selectFrom('zoom_links').select(['person_key', 'registration_id']).where('webinar_id', '=', webinarId).execute(),
    listWebinarStaffEmails(db, webinarId),
  ])
  const { byEmail, byName } = indexRegistrants(registrants)
  const linkMap = new Map(links.map((l) => [l.person_key, l.registration_id]))
  const staff = new Set(report.hostEmail === null ? staffEmails : [...staffEmails, report.hostEmail])
  let finder: ReturnType<typeof createNameFinder> | null = null
  const importId = createId()
  const people: NewZoomImportPerson[] = groupZoomPeople(report.rows).map((person) => {
    const matched = matchZoomPerson(person, byEmail, byName, linkMap, staff)
    if (matched.match === 'unmatched' || matched.match === 'guest') {
      finder ??= createNameFinder(registrants.map((r) => r.name))
      const closest = finder.closest(person.names, CLOSEST_MAX)
      if (closest.length) matched.candidates = JSON.stringify(closest.map((index) => registrants[index]!.id))
    }
    return {
      id: createId(),
      import_id: importId,
      person_key: person.key,
      role: person.role,
      email: person.email,
      names: JSON.stringify(person.names),
      minutes: person.minutes,
      joins: person.joins,
      first_line: person.firstLine,
      ...matched,
    }
  })

  const reused = await db.transaction().execute(async (trx) => {
    // The lock rule: uploads take turns with each other and with committing, so the same file
    // sent twice at once makes one import, and no preview is deleted while it is being committed.
    await lockWebinars(trx, [webinarId])
    const uploadedMeanwhile = await findImportOfFile(trx, webinarId, sha)
    if (uploadedMeanwhile) return uploadedMeanwhile.id
    // One preview at a time: an abandoned one is replaced, committed reports stay as history.
    await trx.deleteFrom('zoom_imports').where('webinar_id', '=', webinarId).where('committed_at', 'is', null).execute()
    await trx
      .insertInto('zoom_imports')
      .values({
        id: importId,
        webinar_id: webinarId,
        file_sha256: sha,
        file_name: file.name.slice(0, 200),
        file_bytes: file.bytes.byteLength,
        topic: report.topic,
        meeting_id: report.meetingId,
        report_date: report.date,
        // The preview says how "01/09/2021" was read only where the file itself did not settle it.
        date_order: report.dateOrder && report.dateOrder.basis !== 'file' ? report.dateOrder.order : null,
        rows: report.rows.length,
        uploaded_by: actorId,
        uploaded_at: now,
      })
      .execute()
    // 13 columns a row: 500 rows stay well under SQLite's limit on bound variables.
    for (let i = 0; i < people.length; i += 500) await trx.insertInto('zoom_import_people').values(people.slice(i, i + 500)).execute()
    return null
  })
  return reused ? { importId: reused, reused: true } : { importId, reused: false }
}

function findImportOfFile(db: DB, webinarId: string, sha: string) {
  return db.selectFrom('zoom_imports').select('id').where('webinar_id', '=', webinarId).where('file_sha256', '=', sha).orderBy('uploaded_at', 'desc').executeTakeFirst()
}

/** The webinar as the import pages know it: for the threshold, the report in force, and what a report should say. */
type ImportWebinar = { id: string; requiredMinutes: number; zoom_import_id: string | null; start_at: string; end_at: string; time_zone: TimeZoneCode }

/**
 * An import of this webinar, with its counts per match, what it would make of attendance, what the
 * report says about itself, and whether that is this webinar (its topic or meeting ID, its date).
 */
export async function getZoomImport(db: DB, webinar: ImportWebinar, importId: string) {
  const found = await db
    .selectFrom('zoom_imports')
    .innerJoin('webinars', 'webinars.id', 'zoom_imports.webinar_id')
    .leftJoin('users', 'users.id', 'zoom_imports.uploaded_by')
    .select([
      'zoom_imports.id',
      'zoom_imports.file_name',
      'zoom_imports.file_bytes',
      'zoom_imports.topic',
      'zoom_imports.meeting_id',
      'zoom_imports.report_date',
      'zoom_imports.date_order',
      'zoom_imports.rows',
      'zoom_imports.uploaded_at',
      'zoom_imports.committed_at',
      'users.name as uploaded_by_name',
      'webinars.topic as webinar_topic',
      'webinars.meeting_id as webinar_meeting_id',
    ])
    .where('zoom_imports.id', '=', importId)
    .where('zoom_imports.webinar_id', '=', webinar.id)
    .executeTakeFirst()
  if (!found) return null
  const { meeting_id, report_date, date_order, webinar_topic, webinar_meeting_id, ...zoomImport } = found
  const report = { topic: found.topic, meetingId: meeting_id, date: report_date, dateOrder: date_order }
  const identity = checkReportIdentity(report, {
    topic: webinar_topic,
    meetingId: webinar_meeting_id,
    startDate: utcToLocal(webinar.start_at, webinar.time_zone).date,
    endDate: utcToLocal(webinar.end_at, webinar.time_zone).date,
  })
  const [byMatch, present] = await Promise.all([
    db
      .selectFrom('zoom_import_people')
      .select(['match', (eb) => eb.fn.countAll<number>().as('count')])
      .where('import_id', '=', importId)
      .groupBy('match')
      .execute(),
    // Registrants whose matched minutes, summed over every row that is them, reach the threshold.
    db
      .selectFrom(
        db
          .selectFrom('zoom_import_people')
          .select(['registration_id', (eb) => eb.fn.sum<number>('minutes').as('minutes')])
          .where('import_id', '=', importId)
          .where('match', 'in', MATCHED)
          .groupBy('registration_id')
          .as('per_registrant'),
      )
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('per_registrant.minutes', '>=', webinar.requiredMinutes)
      .executeTakeFirstOrThrow(),
  ])
  const counts: Record<ZoomMatch, number> = { email: 0, link: 0, name: 0, ambiguous: 0, unmatched: 0, guest: 0, staff: 0 }
  for (const row of byMatch) counts[row.match] = Number(row.count)
  return { ...zoomImport, current: webinar.zoom_import_id === found.id, counts, presentByZoom: Number(present.count), report, identity, webinarMeetingId: webinar_meeting_id }
}

export type ZoomImportSummary = NonNullable<Awaited<ReturnType<typeof getZoomImport>>>

export const ZOOM_PEOPLE_PAGE_SIZE = 100

/** The people of an import in one group (needing attention, matched, or staff), with whom they matched. */
export async function listZoomImportPeople(db: DB, importId: string, group: 'attention' | 'matched' | 'staff', page = 1) {
  const matches: ZoomMatch[] = group === 'attention' ? ['ambiguous', 'unmatched', 'guest'] : group === 'matched' ? MATCHED : ['staff']
  const query = db.selectFrom('zoom_import_people').where('zoom_import_people.import_id', '=', importId).where('zoom_import_people.match', 'in', matches)
  const [rows, total] = await Promise.all([
    query
      .leftJoin('registrations', 'registrations.id', 'zoom_import_people.registration_id')
      .select([
        'zoom_import_people.id',
        'zoom_import_people.role',
        'zoom_import_people.email',
        'zoom_import_people.names',
        'zoom_import_people.minutes',
        'zoom_import_people.joins',
        'zoom_import_people.first_line',
        'zoom_import_people.match',
        'zoom_import_people.candidates',
        'registrations.name as registrant_name',
        'registrations.email as registrant_email',
      ])
      .orderBy('zoom_import_people.first_line')
      .limit(ZOOM_PEOPLE_PAGE_SIZE)
      .offset((Math.max(1, page) - 1) * ZOOM_PEOPLE_PAGE_SIZE)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
  ])
  // A row that matched several or nobody offers its candidates by name and e-mail, so the moderator can pick one;
  // a registrant who has since cancelled or erased their data is no longer one.
  const candidateIds = [...new Set(rows.flatMap((row) => (row.candidates ? (JSON.parse(row.candidates) as string[]) : [])))]
  const candidates = candidateIds.length
    ? await db
        .selectFrom('registrations')
        .select(['id', 'name', 'email'])
        .where('id', 'in', candidateIds)
        .where('status', '=', 'registered')
        .where('data_deleted_at', 'is', null)
        .execute()
    : []
  const byId = new Map(candidates.map((c) => [c.id, c]))
  return {
    rows: rows.map((row) => ({
      ...row,
      names: JSON.parse(row.names) as string[],
      candidates: row.candidates ? (JSON.parse(row.candidates) as string[]).flatMap((id) => byId.get(id) ?? []) : [],
    })),
    total: Number(total.count),
    page,
    pageSize: ZOOM_PEOPLE_PAGE_SIZE,
  }
}

/** The committed reports and the waiting preview of a webinar, newest first. */
export async function listZoomImports(db: DB, webinarId: string) {
  return db
    .selectFrom('zoom_imports')
    .select(['id', 'file_name', 'rows', 'uploaded_at', 'committed_at'])
    .where('webinar_id', '=', webinarId)
    .orderBy('uploaded_at', 'desc')
    .limit(20)
    .execute()
}

/** Every registrant's Zoom minutes, from the webinar's committed report. Call inside a transaction. */
async function applyZoomMinutes(db: DB, webinarId: string, importId: string): Promise<void> {
  await db
    .updateTable('registrations')
    .set({
      // Capped like each person's: several rows of the report can be one registrant (an e-mail
      // and a name linked by hand), and the sum must stay a minute count a column holds.
      zoom_minutes: sql<number | null>`(select case when sum(p.minutes) > ${sql.lit(ZOOM_PERSON_MINUTES_MAX)} then ${sql.lit(ZOOM_PERSON_MINUTES_MAX)} else sum(p.minutes) end
        from zoom_import_people p
        where p.import_id = ${importId} and p.registration_id = registrations.id and p.match in ('email', 'link', 'name'))`,
    })
    .where('webinar_id', '=', webinarId)
    .where('status', '=', 'registered')
    .execute()
}

export type ImportChange = { ok: true; changed: boolean } | { ok: false; reason: 'notFound' | 'finalised' | 'notRegistrant' | 'erased' }

/** Makes an import the one whose minutes count. Committing the report already in force changes nothing. */
export async function commitZoomImport(db: DB, webinarId: string, importId: string, actorId: string, now = nowIso()): Promise<ImportChange> {
  return db.transaction().execute(async (trx): Promise<ImportChange> => {
    // The lock rule: minutes never change on a list that a finalise locked meanwhile.
    await lockWebinars(trx, [webinarId])
    const webinar = await trx.selectFrom('webinars').select(['zoom_import_id', 'attendance_finalised_at']).where('id', '=', webinarId).executeTakeFirst()
    const found = await trx.selectFrom('zoom_imports').select(['id', 'file_name', 'committed_at']).where('id', '=', importId).where('webinar_id', '=', webinarId).executeTakeFirst()
    await racePoint('zoom-commit:after-read')
    if (!webinar || !found) return { ok: false, reason: 'notFound' }
    if (webinar.zoom_import_id === importId) return { ok: true, changed: false }
    if (webinar.attendance_finalised_at) return { ok: false, reason: 'finalised' }
    if (!found.committed_at) await trx.updateTable('zoom_imports').set({ committed_at: now, committed_by: actorId }).where('id', '=', importId).execute()
    await trx.updateTable('webinars').set({ zoom_import_id: importId }).where('id', '=', webinarId).execute()
    await applyZoomMinutes(trx, webinarId, importId)
    const matched = await trx
      .selectFrom('zoom_import_people')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('import_id', '=', importId)
      .where('match', 'in', MATCHED)
      .executeTakeFirstOrThrow()
    await recordAttendanceEvent(trx, { webinarId, actorId, at: now, action: 'zoomCommitted', detail: { file: found.file_name, matched: Number(matched.count), replaced: webinar.zoom_import_id } })
    return { ok: true, changed: true }
  })
}

/**
 * Links a person of the report to a registrant by hand. The link is kept for this webinar, so the
 * same person in a later report matches by it; when the report is in force, minutes move now.
 */
export async function linkZoomPerson(db: DB, webinarId: string, importId: string, personId: string, registrationId: string, actorId: string, now = nowIso()): Promise<ImportChange> {
  return db.transaction().execute(async (trx): Promise<ImportChange> => {
    await lockWebinars(trx, [webinarId])
    const webinar = await trx.selectFrom('webinars').select(['zoom_import_id', 'attendance_finalised_at']).where('id', '=', webinarId).executeTakeFirst()
    const person = await trx
      .selectFrom('zoom_import_people')
      .innerJoin('zoom_imports', 'zoom_imports.id', 'zoom_import_people.import_id')
      .select(['zoom_import_people.person_key', 'zoom_import_people.names', 'zoom_import_people.minutes'])
      .where('zoom_import_people.id', '=', personId)
      .where('zoom_import_people.import_id', '=', importId)
      .where('zoom_imports.webinar_id', '=', webinarId)
      .where('zoom_import_people.role', '=', 'attendee')
      // Staff known by their e-mail sit in a meeting report's only section, but are no residents either.
      .where('zoom_import_people.match', '!=', 'staff')
      .executeTakeFirst()
    if (!webinar || !person) return { ok: false, reason: 'notFound' }
    if (webinar.attendance_finalised_at) return { ok: false, reason: 'finalised' }
    // Read under the webinar's lock, which the erasure holds too: an erasure committing meanwhile is seen.
    const registrant = await trx
      .selectFrom('registrations')
      .select(['id', 'data_deleted_at'])
      .where('id', '=', registrationId)
      .where('webinar_id', '=', webinarId)
      .where('status', '=', 'registered')
      .executeTakeFirst()
    await racePoint('zoom-link:after-read')
    if (!registrant) return { ok: false, reason: 'notRegistrant' }
    // Linking would give an erased registration the names of the Zoom row (and a zoomLinked event naming them).
    if (registrant.data_deleted_at) return { ok: false, reason: 'erased' }
    await trx.updateTable('zoom_import_people').set({ match: 'link', registration_id: registrationId, candidates: null }).where('id', '=', personId).execute()
    await trx
      .insertInto('zoom_links')
      .values({ webinar_id: webinarId, person_key: person.person_key, registration_id: registrationId, linked_by: actorId, linked_at: now })
      .onConflict((oc) => oc.columns(['webinar_id', 'person_key']).doUpdateSet({ registration_id: registrationId, linked_by: actorId, linked_at: now }))
      .execute()
    if (webinar.zoom_import_id === importId) await applyZoomMinutes(trx, webinarId, importId)
    await recordAttendanceEvent(trx, {
      webinarId,
      registrationId,
      actorId,
      at: now,
      action: 'zoomLinked',
      detail: { names: (JSON.parse(person.names) as string[]).join(' / '), minutes: person.minutes },
    })
    return { ok: true, changed: true }
  })
}

/** A registrant of this webinar, by e-mail, for linking a report's row by hand. */
export async function findRegistrantByEmail(db: DB, webinarId: string, email: string) {
  return db
    .selectFrom('registrations')
    .select(['id', 'name'])
    .where('webinar_id', '=', webinarId)
    .where('email', '=', email)
    .where('status', '=', 'registered')
    .executeTakeFirst()
}
