import type { DB } from '#app/utils/db.server'
import { nowIso } from '#app/utils/time'
import { pendingCertificateSteps } from './certificate-gate.server'
import { getSubmittedEvaluation, listOwnQuestions, setOwnQuestions } from './evaluation.server'
import { getResidentMaterials } from './material.server'

// The organiser's settings for what happens after a webinar: the certificate gate, the recording
// link (and whether the public page shows it), when the "thank you" mail goes out, and their own
// evaluation questions.

export async function getAfterWebinarSettings(db: DB, webinarId: string) {
  const [webinar, questions] = await Promise.all([
    db
      .selectFrom('webinars')
      .select(['certificate_gate', 'recording_url', 'recording_public', 'thank_you_delay_minutes', 'thank_you_sent_at'])
      .where('id', '=', webinarId)
      .executeTakeFirstOrThrow(),
    listOwnQuestions(db, webinarId),
  ])
  return {
    certificateGate: webinar.certificate_gate === 1,
    recordingUrl: webinar.recording_url,
    recordingPublic: webinar.recording_public === 1,
    thankYouDelayHours: Math.round(webinar.thank_you_delay_minutes / 60),
    thankYouSentAt: webinar.thank_you_sent_at,
    questions: questions.map((q) => q.text),
  }
}

export type AfterWebinarSettings = {
  certificateGate: boolean
  recordingUrl: string | null
  recordingPublic: boolean
  thankYouDelayHours: number
  questions: Array<string | null>
}

export async function saveAfterWebinarSettings(db: DB, webinarId: string, settings: AfterWebinarSettings, now = nowIso()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('webinars')
      .set({
        certificate_gate: settings.certificateGate ? 1 : 0,
        recording_url: settings.recordingUrl,
        // A public recording needs a recording.
        recording_public: settings.recordingPublic && settings.recordingUrl ? 1 : 0,
        thank_you_delay_minutes: settings.thankYouDelayHours * 60,
        updated_at: now,
      })
      .where('id', '=', webinarId)
      .execute()
    await setOwnQuestions(
      trx,
      webinarId,
      settings.questions.flatMap((q) => (q ? [q] : [])),
      now,
    )
  })
}

/**
 * The after-part of a resident's personal page: the evaluation (open, or done) and the slides
 * and recording. Null before the webinar ends, for the waitlist and after cancelling.
 */
export async function getResidentAfterWebinar(db: DB, registration: { id: string; token: string }, now = nowIso()) {
  const materials = await getResidentMaterials(db, registration.token, now)
  if (!materials) return null
  const [evaluation, pending] = await Promise.all([getSubmittedEvaluation(db, registration.id), pendingCertificateSteps(db, registration.id)])
  return { evaluatedAt: evaluation?.submitted_at ?? null, pendingCertificateSteps: pending, ...materials }
}

export type ResidentAfterWebinar = NonNullable<Awaited<ReturnType<typeof getResidentAfterWebinar>>>
