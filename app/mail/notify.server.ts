import type { Lang, RegistrationStatus, StaffRole } from '#db/schema'
import {
  getRegistrationRecipient,
  listCertificateRecipients,
  getWebinarSnapshot,
  listAssignedRecipients,
  listRegistrantRecipients,
  listRundownForBrief,
  listTokensWithFinishedTest,
  listWebinarsDueForReminder,
  listWebinarsDueForThankYou,
  markReminderSent,
  markThankYouSent,
  raiseCalendarSequence,
} from '#app/models/mail-recipients.server'
import { pendingCertificateStepsFor } from '#app/models/certificate-gate.server'
import { listWebinarQuestions, webinarTests } from '#app/models/learning-test.server'
import { getThankYouExtras } from '#app/models/material.server'
import { enqueueMail, type NewMail } from '#app/models/outbox.server'
import type { DB } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { racePoint } from '#app/utils/race-points.server'
import { addMinutes, minutesBetween, utcToLocal } from '#app/utils/time'
import type { BriefDetails, MailPayload, WebinarSnapshot } from './payload'

// The triggers: each runs inside the transaction of the change that causes it and only writes
// outbox rows. Delivery happens later, in the worker, outside any transaction.

/** Speakers and the moderator test their sound and video this long before the start. */
export const TECH_CHECK_MINUTES_BEFORE = 60

/**
 * One person leaving or joining is a change their copy of the event has not seen: the CANCEL must
 * carry a higher SEQUENCE than the invitation it cancels, and an invitation after a CANCEL a
 * higher one than that CANCEL (RFC 5546), or calendars ignore it as out of date. The webinar's
 * stored SEQUENCE is raised for it, so no later message to that person can go below it.
 */
async function membershipChange(db: DB, webinar: WebinarSnapshot, webinarId: string): Promise<WebinarSnapshot> {
  return { ...webinar, sequence: await raiseCalendarSequence(db, webinarId) }
}

function appUrl(path: string): string {
  return `${getEnv().APP_URL}${path}`
}

export async function notifyStaffInvitation(db: DB, user: { email: string; name: string; role: StaffRole; lang?: Lang }, token: string, validDays: number) {
  await enqueueMail(db, {
    webinarId: null,
    to: { email: user.email, name: user.name },
    lang: user.lang ?? 'id',
    payload: { kind: 'staff_invitation', role: user.role, setPasswordUrl: appUrl(`/set-password/${token}`), validDays },
  })
}

/**
 * Briefs for speakers, the KOL and the keynote official, and the assignment for the moderator,
 * each with a calendar invitation. All assignments when a webinar is published; only the new
 * one when someone is added to a published webinar.
 */
export async function notifyAssignments(db: DB, webinarId: string, roleIds?: string[]) {
  const snapshot = await getWebinarSnapshot(db, webinarId)
  if (!snapshot) return
  // Someone added to an announced webinar may have been taken off it before (and got a CANCEL).
  const webinar = roleIds ? await membershipChange(db, snapshot, webinarId) : snapshot
  const everyone = await listAssignedRecipients(db, webinarId)
  const recipients = roleIds ? everyone.filter((r) => roleIds.includes(r.id)) : everyone
  if (recipients.length === 0) return
  const briefs = await briefsFor(db, webinarId, webinar, everyone)
  await enqueueMail(
    db,
    recipients.map((r): NewMail => {
      const brief = briefs.get(r.id)!
      const payload: MailPayload =
        r.role === 'moderator' ? { kind: 'moderator_assignment', webinar, brief } : { kind: 'speaker_brief', webinar, brief }
      return { webinarId, to: { email: r.email, name: r.name }, lang: r.lang, payload }
    }),
  )
}

type AssignedRecipient = Awaited<ReturnType<typeof listAssignedRecipients>>[number]

/** Each assigned person's brief as the webinar now stands (their slots at its current times), by role id. */
async function briefsFor(db: DB, webinarId: string, webinar: WebinarSnapshot, everyone: AssignedRecipient[]): Promise<Map<string, BriefDetails>> {
  const rundown = await listRundownForBrief(db, webinarId)
  const moderator = everyone.find((r) => r.role === 'moderator') ?? null
  const speakers = everyone.filter((r) => r.role === 'speaker').map((r) => ({ name: r.name, talkTitle: r.talk_title }))
  return new Map(
    everyone.map((r) => [
      r.id,
      {
        role: r.role,
        talkTitle: r.talk_title,
        pillar: r.pillar,
        slots: rundown.filter((item) => item.person_id === r.person_id).map((item) => ({ at: addMinutes(webinar.startAt, item.offset_minutes), title: item.title })),
        moderator: moderator ? { name: moderator.name, email: moderator.email, whatsapp: moderator.whatsapp } : null,
        speakers,
        techCheckAt: addMinutes(webinar.startAt, -TECH_CHECK_MINUTES_BEFORE),
        briefUrl: appUrl(`/brief/${r.brief_token}`),
      },
    ]),
  )
}

/**
 * Everyone who should hear about a change: the assigned people (with their brief link) and the
 * registrants (with their personal link); the waitlist too, unless only seat holders are meant.
 */
async function calendarHolders(
  db: DB,
  webinarId: string,
  registrants: Array<'registered' | 'waitlisted'> = ['registered', 'waitlisted'],
  briefsOf?: (assigned: AssignedRecipient[]) => Promise<Map<string, BriefDetails>>,
) {
  const assigned = await listAssignedRecipients(db, webinarId)
  const residents = await listRegistrantRecipients(db, webinarId, registrants)
  const briefs = briefsOf ? await briefsOf(assigned) : new Map<string, BriefDetails>()
  // One message per address, even when a person holds two roles.
  const seen = new Set<string>()
  return [
    ...assigned.map((r) => ({ email: r.email, name: r.name, lang: r.lang, personalUrl: appUrl(`/brief/${r.brief_token}`), waitlisted: false, brief: briefs.get(r.id), token: null })),
    ...residents.map((r) => ({ email: r.email, name: r.name, lang: r.lang, personalUrl: appUrl(`/r/${r.token}`), waitlisted: r.status === 'waitlisted', brief: undefined, token: r.token })),
  ].filter((h) => !seen.has(h.email) && seen.add(h.email))
}

/** The invitation (with its calendar file) for a seat, or the waitlist notice; also a repeat of either. */
export async function notifyRegistration(db: DB, registrationId: string) {
  const registration = await getRegistrationRecipient(db, registrationId)
  const mail = registrationMail(registration, await getWebinarSnapshot(db, registration.webinar_id))
  if (mail) await enqueueMail(db, mail)
}

/** The invitation or waitlist notice for a registration, for a caller that has the webinar at hand and queues several at once. */
export function registrationMail(
  registration: { webinar_id: string; name: string; email: string; lang: Lang; token: string; status: RegistrationStatus },
  webinar: WebinarSnapshot | null,
): NewMail | null {
  if (!webinar) return null
  const personalUrl = appUrl(`/r/${registration.token}`)
  const payload: MailPayload =
    registration.status === 'waitlisted'
      ? { kind: 'waitlist_joined', webinar, personalUrl }
      : { kind: 'participant_invitation', webinar, personalUrl }
  return { webinarId: registration.webinar_id, to: registration, lang: registration.lang, payload }
}

/** A lost link asked for after the webinar: the personal page, where the certificate is. */
export async function notifyPersonalLink(db: DB, registrationId: string) {
  const registration = await getRegistrationRecipient(db, registrationId)
  const webinar = await getWebinarSnapshot(db, registration.webinar_id)
  if (!webinar) return
  await enqueueMail(db, {
    webinarId: registration.webinar_id,
    to: registration,
    lang: registration.lang,
    payload: { kind: 'personal_link', webinar, personalUrl: appUrl(`/r/${registration.token}`) },
  })
}

/**
 * A resident who cancels gets a CANCEL for their own copy of the event; someone who only waited
 * never had one, and gets the confirmation alone.
 */
export async function notifyRegistrationCancelled(db: DB, registrationId: string, options: { wasWaitlisted?: boolean } = {}) {
  const registration = await getRegistrationRecipient(db, registrationId)
  const webinar = await getWebinarSnapshot(db, registration.webinar_id)
  if (!webinar) return
  await enqueueMail(db, {
    webinarId: registration.webinar_id,
    to: registration,
    lang: registration.lang,
    payload: {
      kind: 'registration_cancelled',
      webinar: await membershipChange(db, webinar, registration.webinar_id),
      ...(options.wasWaitlisted ? { waitlisted: true } : {}),
    },
  })
}

export async function notifyWaitlistPromotion(db: DB, registrationId: string) {
  const registration = await getRegistrationRecipient(db, registrationId)
  const webinar = await getWebinarSnapshot(db, registration.webinar_id)
  if (!webinar) return
  await enqueueMail(db, {
    webinarId: registration.webinar_id,
    to: registration,
    lang: registration.lang,
    payload: { kind: 'waitlist_promotion', webinar, personalUrl: appUrl(`/r/${registration.token}`) },
  })
}

export async function notifyRescheduled(db: DB, webinarId: string, previous: { startAt: string; endAt: string }) {
  const webinar = await getWebinarSnapshot(db, webinarId)
  if (!webinar) return
  // The webinar's own people get their brief again, their slots at the new times (PRODUCT: changes re-send the brief).
  const holders = await calendarHolders(db, webinarId, undefined, (assigned) => briefsFor(db, webinarId, webinar, assigned))
  // The waitlist hears of the new time too, but without the join details or a calendar
  // invitation: those go only to people who hold a seat or a role.
  await enqueueMail(
    db,
    holders.map((h) => ({
      webinarId,
      to: h,
      lang: h.lang,
      payload: { kind: 'update', webinar, previous, personalUrl: h.personalUrl, ...(h.waitlisted ? { waitlisted: true } : {}), ...(h.brief ? { brief: h.brief } : {}) },
    })),
  )
}

export async function notifyCancelled(db: DB, webinarId: string) {
  const webinar = await getWebinarSnapshot(db, webinarId)
  if (!webinar) return
  const holders = await calendarHolders(db, webinarId)
  await enqueueMail(
    db,
    holders.map((h) => ({ webinarId, to: h, lang: h.lang, payload: { kind: 'cancellation', webinar, ...(h.waitlisted ? { waitlisted: true } : {}) } })),
  )
}

/** A person taken off a published webinar gets a CANCEL for their copy of the event. */
export async function notifyUnassigned(db: DB, webinar: WebinarSnapshot, webinarId: string, person: { email: string | null; name: string; lang: Lang }) {
  if (!person.email) return
  await enqueueMail(db, { webinarId, to: { email: person.email, name: person.name }, lang: person.lang, payload: { kind: 'cancellation', webinar: await membershipChange(db, webinar, webinarId), onlyYou: true } })
}

/** The pre-test to invite residents to, when the webinar has one switched on with questions drawn. */
async function preTestInvitation(db: DB, webinarId: string): Promise<{ questions: number } | null> {
  if (!(await webinarTests(db, webinarId)).pre) return null
  const questions = (await listWebinarQuestions(db, webinarId)).length
  return questions > 0 ? { questions } : null
}

/** The day reminder must be followed by the hour one at least this much later. */
const REMINDER_GAP_MINUTES = 60

/**
 * The day reminder says "tomorrow": true only while the start falls on the next calendar day
 * where the webinar is held, and while the hour reminder (due an hour before the start) will
 * still come at least an hour after it. A worker that looks late (downtime, a webinar published
 * on its own day) skips it, so nobody who registered on the day is told "tomorrow", and nobody
 * gets two reminders within an hour.
 */
export function dayReminderIsTrue(webinar: Pick<WebinarSnapshot, 'startAt' | 'timeZone'>, now: string): boolean {
  if (minutesBetween(now, webinar.startAt) < 60 + REMINDER_GAP_MINUTES) return false
  return utcToLocal(webinar.startAt, webinar.timeZone).date === utcToLocal(addMinutes(now, 24 * 60), webinar.timeZone).date
}

/**
 * Queues the day-before and hour-before reminders that are due. Each goes out once (the mark
 * and the messages are one transaction). After downtime, a reminder whose moment passed still
 * goes out if the webinar has not started; the day reminder is skipped once the hour one is due.
 */
export async function enqueueDueReminders(db: DB, now: Date = new Date()): Promise<number> {
  const nowIso = now.toISOString()
  let queued = 0
  for (const which of ['hour', 'day'] as const) {
    for (const due of await listWebinarsDueForReminder(db, which, nowIso)) {
      // The claim re-checks that it is still due: the webinar may have been cancelled or moved since the list.
      await racePoint('reminder:after-list')
      queued += await db.transaction().execute(async (trx) => {
        if (!(await markReminderSent(trx, due.id, which, nowIso))) return 0
        if (which === 'hour') {
          // The day reminder would now arrive after the hour one: it is superseded.
          await markReminderSent(trx, due.id, 'day', nowIso)
        }
        const webinar = await getWebinarSnapshot(trx, due.id)
        if (!webinar) return 0
        // Claimed either way: a "tomorrow" that is no longer true is skipped for good, and the hour reminder covers it.
        if (which === 'day' && !dayReminderIsTrue(webinar, nowIso)) return 0
        // Reminders are for seat holders; the waitlist has no seat to join with.
        const holders = await calendarHolders(trx, due.id, ['registered'])
        // The hour reminder invites residents to the pre-test, which closes at the start: only
        // those who have not finished it, so the invitation is true for each of them.
        const preTest = which === 'hour' ? await preTestInvitation(trx, due.id) : null
        const finishedPreTest = preTest ? await listTokensWithFinishedTest(trx, due.id, 'pre') : new Set<string>()
        const preTestFor = (h: { token: string | null; personalUrl: string }) =>
          preTest && h.token && !finishedPreTest.has(h.token) ? { url: `${h.personalUrl}/test/pre`, questions: preTest.questions } : null
        await enqueueMail(
          trx,
          holders.map((h) => ({
            webinarId: due.id,
            to: h,
            lang: h.lang,
            payload:
              which === 'day'
                ? { kind: 'reminder_day' as const, webinar, personalUrl: h.personalUrl }
                : { kind: 'reminder_hour' as const, webinar, personalUrl: h.personalUrl, preTest: preTestFor(h) },
          })),
        )
        return holders.length
      })
    }
  }
  return queued
}

/**
 * Queues the "thank you" mails that are due: once per webinar (the claim and the messages are one
 * transaction, so two workers never both send it), to every seat holder, with the links to the
 * evaluation, the slides and the recording on their personal page.
 */
export async function enqueueDueThankYous(db: DB, now: Date = new Date()): Promise<number> {
  const nowIso = now.toISOString()
  let queued = 0
  for (const due of await listWebinarsDueForThankYou(db, nowIso)) {
    // The claim re-checks that it is still due: the organiser may have changed the delay since the list.
    await racePoint('thank-you:after-list')
    queued += await db.transaction().execute(async (trx) => {
      if (!(await markThankYouSent(trx, due, nowIso))) return 0
      const webinar = await getWebinarSnapshot(trx, due.id)
      if (!webinar) return 0
      const extras = await getThankYouExtras(trx, due.id)
      const residents = await listRegistrantRecipients(trx, due.id, ['registered'])
      await enqueueMail(
        trx,
        residents.map((r): NewMail => {
          const personalUrl = appUrl(`/r/${r.token}`)
          return {
            webinarId: due.id,
            to: r,
            lang: r.lang,
            payload: { kind: 'thank_you', webinar, personalUrl, evaluationUrl: `${personalUrl}/evaluation`, postTestUrl: extras.postTest ? `${personalUrl}/test/post` : null, recordingUrl: extras.recordingUrl, materials: extras.materials },
          }
        }),
      )
      return residents.length
    })
  }
  return queued
}

/** "Your certificate is ready", in bulk, each with the link where that person downloads it. */
export async function notifyCertificatesReady(db: DB, webinarId: string, certificateIds: string[]) {
  if (certificateIds.length === 0) return
  const webinar = await getWebinarSnapshot(db, webinarId)
  if (!webinar) return
  const recipients = await listCertificateRecipients(db, certificateIds)
  // A gated certificate's mail says what is left to do before it can be downloaded.
  const pending = await pendingCertificateStepsFor(db, webinarId, recipients.flatMap((r) => (r.registrationId ? [r.registrationId] : [])))
  await enqueueMail(
    db,
    recipients.map((r): NewMail => {
      const steps = r.registrationId ? pending.get(r.registrationId) : undefined
      return { webinarId, to: { email: r.email, name: r.name }, lang: r.lang, payload: { kind: 'certificate_ready', webinar, certificateUrl: appUrl(r.path), ...(steps ? { pending: steps } : {}) } }
    }),
  )
}
