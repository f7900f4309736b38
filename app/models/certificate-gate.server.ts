import type { DB } from '#app/utils/db.server'

// The certificate gate: a per-webinar setting, off by default. When it is on, a present
// resident's certificate is issued as usual (its number verifies), but it is released (the
// PDF, the download link) only once the resident has done what is left: the evaluation. Staff
// certificates are never gated. Checked when the certificate is asked for, so switching the gate
// on or off later applies at once, and nothing has to be issued again.

export type GateStep = 'evaluation' | 'postTest'

/** What a registrant still has to do before their certificate is released; empty when nothing. */
export async function pendingCertificateSteps(db: DB, registrationId: string): Promise<GateStep[]> {
  const row = await db
    .selectFrom('registrations')
    .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
    .leftJoin('evaluations', 'evaluations.registration_id', 'registrations.id')
    .select(['webinars.certificate_gate', 'evaluations.id as evaluation_id'])
    .where('registrations.id', '=', registrationId)
    .executeTakeFirst()
  if (!row || row.certificate_gate !== 1) return []
  const steps: GateStep[] = []
  if (!row.evaluation_id) steps.push('evaluation')
  return steps
}

/** The same for many registrants of one webinar at once (the "certificate ready" mails, in bulk). */
export async function pendingCertificateStepsFor(db: DB, webinarId: string, registrationIds: string[]): Promise<Map<string, GateStep[]>> {
  const pending = new Map<string, GateStep[]>()
  if (registrationIds.length === 0) return pending
  const webinar = await db.selectFrom('webinars').select('certificate_gate').where('id', '=', webinarId).executeTakeFirst()
  if (!webinar || webinar.certificate_gate !== 1) return pending
  const evaluated = new Set<string>()
  for (let i = 0; i < registrationIds.length; i += 500) {
    const rows = await db.selectFrom('evaluations').select('registration_id').where('registration_id', 'in', registrationIds.slice(i, i + 500)).execute()
    for (const row of rows) if (row.registration_id) evaluated.add(row.registration_id)
  }
  for (const id of registrationIds) {
    const steps: GateStep[] = []
    if (!evaluated.has(id)) steps.push('evaluation')
    if (steps.length) pending.set(id, steps)
  }
  return pending
}
