import type { DB } from '#app/utils/db.server'
import { finishedTest, webinarTests } from './learning-test.server'

// The certificate gate: a per-webinar setting, off by default. When it is on, a present
// resident's certificate is issued as usual (its number verifies), but it is released (the
// PDF, the download link) only once the resident has done what is left: the evaluation, and the
// post-test when the webinar has one. Staff certificates are never gated. Checked when the
// certificate is asked for, so switching the gate on or off later applies at once, and nothing
// has to be issued again.

export type GateStep = 'evaluation' | 'postTest'

/** What a registrant still has to do before their certificate is released; empty when nothing. */
export async function pendingCertificateSteps(db: DB, registrationId: string): Promise<GateStep[]> {
  const row = await db
    .selectFrom('registrations')
    .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
    .leftJoin('evaluations', 'evaluations.registration_id', 'registrations.id')
    .select(['webinars.id as webinar_id', 'webinars.certificate_gate', 'evaluations.id as evaluation_id'])
    .where('registrations.id', '=', registrationId)
    .executeTakeFirst()
  if (!row || row.certificate_gate !== 1) return []
  const steps: GateStep[] = []
  if ((await webinarTests(db, row.webinar_id)).post && !(await finishedTest(db, registrationId, 'post'))) steps.push('postTest')
  if (!row.evaluation_id) steps.push('evaluation')
  return steps
}

/** The same for many registrants of one webinar at once (the "certificate ready" mails, in bulk). */
export async function pendingCertificateStepsFor(db: DB, webinarId: string, registrationIds: string[]): Promise<Map<string, GateStep[]>> {
  const pending = new Map<string, GateStep[]>()
  if (registrationIds.length === 0) return pending
  const webinar = await db.selectFrom('webinars').select('certificate_gate').where('id', '=', webinarId).executeTakeFirst()
  if (!webinar || webinar.certificate_gate !== 1) return pending
  const hasPostTest = (await webinarTests(db, webinarId)).post
  const evaluated = new Set<string>()
  const tested = new Set<string>()
  for (let i = 0; i < registrationIds.length; i += 500) {
    const chunk = registrationIds.slice(i, i + 500)
    const [evaluations, attempts] = await Promise.all([
      db.selectFrom('evaluations').select('registration_id').where('registration_id', 'in', chunk).execute(),
      hasPostTest
        ? db.selectFrom('test_attempts').select('registration_id').where('registration_id', 'in', chunk).where('kind', '=', 'post').where('finished_at', 'is not', null).execute()
        : Promise.resolve([]),
    ])
    for (const row of evaluations) if (row.registration_id) evaluated.add(row.registration_id)
    for (const row of attempts) if (row.registration_id) tested.add(row.registration_id)
  }
  for (const id of registrationIds) {
    const steps: GateStep[] = []
    if (hasPostTest && !tested.has(id)) steps.push('postTest')
    if (!evaluated.has(id)) steps.push('evaluation')
    if (steps.length) pending.set(id, steps)
  }
  return pending
}
