import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useParams, useSearchParams } from '@remix-run/react'
import { AfterWebinarSections } from '#app/components/after-webinar-sections'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { LearningTestsSection } from '#app/components/learning-tests-section'
import { ConfirmForm, FormErrors } from '#app/components/forms'
import { CertificateSection, CheckInSection, JoinSection, type CertificateState, type CheckinState } from '#app/components/personal-page'
import { PillarNames, WebinarWhen } from '#app/components/public-webinar'
import { formatNumber, translate, useLang, useT, type MessageKey } from '#app/i18n'
import { getResidentAfterWebinar } from '#app/models/after-webinar.server'
import { checkIn, checkinWindowOpen, type CheckInResult } from '#app/models/attendance.server'
import { getResidentCertificate } from '#app/models/certificate.server'
import { getResidentTests } from '#app/models/learning-test.server'
import { eraseRegistrationByToken } from '#app/models/personal-data.server'
import {
  cancelRegistration,
  getPersonalRegistration,
  getWaitlistPosition,
  registrationCancellable,
  type PersonalRegistration,
} from '#app/models/registration.server'
import { getHelpdesk } from '#app/models/site-settings.server'
import { requiredZoomMinutes } from '#app/utils/attendance-rules'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { readForm } from '#app/utils/read-form.server'
import { PERSONAL_TOKEN } from '#app/utils/registration-fields'
import { PersonalActionSchema } from '#app/utils/registration-schema.server'
import { limitKey } from '#app/utils/limit-keys.server'
import { RESIDENT_LIMITS } from '#app/utils/resident-limits.server'
import { nowIso } from '#app/utils/time'
import { webinarMoment } from '#app/utils/webinar-moment'
import { message, parseForm, type FieldErrors } from '#app/utils/validation.server'
import { NO_SCRIPTS } from '#app/utils/page-scripts'

// A resident page: plain HTML, no scripts (utils/page-scripts.ts).
export const handle = NO_SCRIPTS

export const meta: MetaFunction = ({ matches }) => [
  ...pageTitle(translate(metaLang(matches), 'personal.title')),
  // A personal page has no business in a search index.
  { name: 'robots', content: 'noindex' },
]

// The page shows a person's details and the join link: no cache may keep it, and the global
// Referrer-Policy keeps the token in this URL from reaching other sites.
const NO_STORE = { 'Cache-Control': 'private, no-store' }

export const headers: HeadersFunction = () => NO_STORE

/** The token is the credential: a malformed or unknown one is a 404 that says nothing more. */
async function requireRegistration(token: string | undefined) {
  const registration = token && PERSONAL_TOKEN.test(token) ? await getPersonalRegistration(getDb(), token) : null
  if (!registration) throw new Response('Not found', { status: 404, headers: NO_STORE })
  return registration
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const r = await requireRegistration(params.token)
  const db = getDb()
  const now = nowIso()
  const url = new URL(request.url)
  const cancellable = registrationCancellable(r, now)
  const phase = personalPhase(r, now)
  const seated = r.status === 'registered'
  const [waitlistPosition, certificateOutcome, helpdesk, after] = await Promise.all([
    r.status === 'waitlisted' && phase !== 'after' ? getWaitlistPosition(db, r.webinar_id, r.position) : null,
    phase === 'after' && r.status !== 'cancelled' ? certificateState(r) : null,
    getHelpdesk(db),
    phase === 'after' ? getResidentAfterWebinar(db, r, now) : null,
  ])
  // The certificate gate: a ready certificate waits until what is left is done.
  const certificate: CertificateState | null =
    certificateOutcome?.kind === 'ready' && after?.pendingCertificateSteps.length ? { kind: 'gated', steps: after.pendingCertificateSteps } : certificateOutcome
  const confirm = url.searchParams.get('confirm')
  return json(
    {
      registration: { name: r.name, email: r.email, status: r.status, createdAt: r.created_at },
      webinar: {
        slug: r.slug,
        topic: r.topic,
        status: r.webinar_status,
        pillars: r.pillars,
        startAt: r.start_at,
        endAt: r.end_at,
        zone: r.time_zone,
        regency: r.regency_name,
        province: r.province_name,
      },
      phase,
      waitlistPosition,
      // The join details are for a seat holder only: not the waitlist, not after cancelling, not once it is over.
      join: seated && (phase === 'before' || phase === 'live') ? { url: r.platform_url, meetingId: r.meeting_id, passcode: r.passcode, livestreamUrl: r.livestream_url } : null,
      // Before the end only: adding a past event to a calendar helps nobody; removing a cancelled one does.
      calendar: r.status !== 'waitlisted' && (phase === 'before' || phase === 'live' || (phase === 'cancelled' && r.end_at > now)),
      cancellable,
      confirming: cancellable && confirm === 'cancel',
      confirmingErase: confirm === 'erase',
      certificate,
      helpdesk,
      after,
      learningTests: phase === 'before' || phase === 'after' ? await getResidentTests(db, r.token, now) : [],
      checkin: seated && (phase === 'before' || phase === 'live') ? { state: checkinState(r, now), checkedInAt: r.checked_in_at } : null,
    },
    { headers: NO_STORE },
  )
}

/**
 * What the page leads with: before (the time, the join link, the calendar), live (check-in),
 * after (the certificate), or the webinar's cancellation. An open check-in window counts as live,
 * so a moderator who opens it early or late is not left alone.
 */
function personalPhase(r: PersonalRegistration, now: string): 'before' | 'live' | 'after' | 'cancelled' {
  if (r.webinar_status === 'cancelled') return 'cancelled'
  if (r.status === 'registered' && checkinWindowOpen(r, now) && !r.attendance_finalised_at) return 'live'
  return webinarMoment({ start_at: r.start_at, end_at: r.end_at, status: r.webinar_status }, now)
}

function checkinState(r: PersonalRegistration, now: string): CheckinState {
  if (r.checked_in_at) return 'done'
  if (r.attendance_finalised_at) return 'closed'
  if (checkinWindowOpen(r, now)) return 'open'
  return r.checkin_closes_at && r.checkin_closes_at < now ? 'closed' : 'notYet'
}

/** After the webinar: the certificate to download, or why there is none (yet). */
async function certificateState(r: PersonalRegistration): Promise<CertificateState> {
  if (r.status !== 'registered') return { kind: 'notSeated' }
  if (r.webinar_status !== 'finished' || !r.attendance_finalised_at) return { kind: 'pending' }
  if (r.attended !== 1) {
    return {
      kind: 'absent',
      markedAbsent: r.manual_present === 0,
      minutes: r.zoom_minutes ?? 0,
      required: requiredZoomMinutes(r.start_at, r.end_at, r.attendance_threshold),
      threshold: r.attendance_threshold,
    }
  }
  return (await getResidentCertificate(getDb(), r.token)) ? { kind: 'ready' } : { kind: 'revoked' }
}

const CHECKIN_REFUSALS: Record<Exclude<CheckInResult, { ok: true }>['reason'], { key: MessageKey; status: number }> = {
  notFound: { key: 'error.notFound.body', status: 404 },
  notSeated: { key: 'checkin.notSeated', status: 409 },
  windowClosed: { key: 'checkin.windowClosed', status: 409 },
  wrongCode: { key: 'checkin.wrongCode', status: 400 },
  finalised: { key: 'checkin.finalised', status: 409 },
  tooMany: { key: 'resident.tooMany', status: 429 },
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const token = params.token ?? ''
  if (!PERSONAL_TOKEN.test(token)) throw new Response('Not found', { status: 404, headers: NO_STORE })
  const parsed = parseForm(PersonalActionSchema, await readForm(request))
  if (!parsed.success) return json({ errors: parsed.errors }, { status: 400, headers: NO_STORE })
  if (parsed.data.intent === 'checkin') {
    // The hot path while a webinar runs: the token is looked up once, inside checkIn.
    const result = await checkIn(getDb(), token, parsed.data.code, [
      [limitKey('checkin', 'token', token), RESIDENT_LIMITS.checkinPerRegistration],
      [limitKey('checkin', 'ip', context.clientIp), RESIDENT_LIMITS.checkinPerIp],
    ])
    if (result.ok) return redirect(`/r/${token}?done=checkedin`, { status: 303, headers: NO_STORE })
    const refusal = CHECKIN_REFUSALS[result.reason]
    if (result.reason === 'notFound') throw new Response('Not found', { status: 404, headers: NO_STORE })
    if (result.reason === 'tooMany') {
      const minutes = Math.max(1, Math.ceil(result.retryAfterSeconds / 60))
      return json({ errors: { code: [message(refusal.key, { minutes })] } }, { status: refusal.status, headers: { ...NO_STORE, 'Retry-After': String(result.retryAfterSeconds) } })
    }
    return json({ errors: { code: [refusal.key] } }, { status: refusal.status, headers: NO_STORE })
  }
  if (parsed.data.intent === 'erase') {
    const erased = await eraseRegistrationByToken(getDb(), token)
    if (!erased) throw new Response('Not found', { status: 404, headers: NO_STORE })
    return redirect('/data-deleted', { status: 303, headers: NO_STORE })
  }
  const registration = await requireRegistration(token)
  // Also frees the seat for the first person waiting, and mails both of them.
  const cancelled = await cancelRegistration(getDb(), registration.token)
  if (!cancelled) return json({ errors: { '': ['personal.cannotCancel'] } }, { status: 409, headers: NO_STORE })
  return redirect(`/r/${registration.token}?done=cancelled`, { status: 303, headers: NO_STORE })
}

export default function PersonalPage() {
  const data = useLoaderData<typeof loader>()
  const { registration, webinar, phase, join, calendar, cancellable, confirming, confirmingErase, checkin, certificate, helpdesk, after } = data
  const actionData = useActionData<typeof action>() as { errors: FieldErrors } | undefined
  const [searchParams] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const base = `/r/${useParams().token ?? ''}`
  const justCancelled = searchParams.get('done') === 'cancelled' && registration.status === 'cancelled'
  const calendarLink = calendar ? (
    <p>
      <a href={`${base}/calendar.ics`} download>
        {registration.status === 'cancelled' || webinar.status === 'cancelled' ? t('personal.removeFromCalendar') : t('public.addToCalendar')}
      </a>
    </p>
  ) : null
  const checkinSection = checkin ? (
    <CheckInSection state={checkin.state} checkedInAt={checkin.checkedInAt} zone={webinar.zone} action={base} errors={actionData?.errors.code} />
  ) : null

  return (
    <article aria-labelledby="personal-title" className="personal">
      <h1 id="personal-title">{webinar.topic}</h1>
      <p className="lead-when">
        {phase === 'live' ? <span className="badge live">{t('public.liveNow')}</span> : null}{' '}
        <WebinarWhen startAt={webinar.startAt} endAt={webinar.endAt} zone={webinar.zone} />
      </p>

      {/* A confirm step sits at the top, where the tap that asked for it lands, with or without JavaScript. */}
      {confirming ? (
        <section aria-labelledby="confirm-title" id="confirm" className="confirm-panel">
          <h2 id="confirm-title">{t(registration.status === 'waitlisted' ? 'personal.leaveWaitlist' : 'personal.cancelTitle')}</h2>
          <ConfirmForm
            warning={t(registration.status === 'waitlisted' ? 'personal.cancelWarningWaitlist' : 'personal.cancelWarning')}
            intent="cancel"
            confirm={t('personal.cancelConfirm')}
            back={t('personal.cancelKeep')}
            backTo={base}
          />
        </section>
      ) : confirmingErase ? (
        <section aria-labelledby="confirm-title" id="confirm" className="confirm-panel">
          <h2 id="confirm-title">{t('personal.eraseTitle')}</h2>
          <ConfirmForm warning={t('personal.eraseWarning')} intent="erase" confirm={t('personal.eraseConfirm')} back={t('personal.eraseKeep')} backTo={base} />
        </section>
      ) : null}
      {justCancelled ? (
        <p className="notice" role="status">
          {t('personal.cancelDone')}
        </p>
      ) : null}
      <FormErrors errors={actionData?.errors['']} />

      <section aria-labelledby="status-title" className="status-line">
        <h2 id="status-title" className="visually-hidden">
          {t('personal.statusTitle')}
        </h2>
        <p>
          <span className={`badge ${registration.status}`}>{t(`personal.status.${registration.status}`)}</span>{' '}
          {t('personal.greeting', { name: registration.name })}
        </p>
        <p>{t(statusBody(registration.status, phase), { position: formatNumber(data.waitlistPosition ?? 0, lang) })}</p>
      </section>

      {phase === 'before' ? (
        <>
          {join ? <JoinSection join={join} /> : null}
          {calendarLink}
          {/* Slot: sections for before the webinar (e.g. the pre-test) go here, each its own <section>. */}
          <LearningTestsSection tests={data.learningTests} base={base} zone={webinar.zone} />
          {checkinSection}
        </>
      ) : phase === 'live' ? (
        <>
          {checkinSection}
          {join ? <JoinSection join={join} /> : null}
          {calendarLink}
        </>
      ) : phase === 'after' ? (
        <>
          {certificate ? <CertificateSection state={certificate} href={`${base}/certificate.pdf`} helpdesk={helpdesk} /> : null}
          {/* Slot: sections for after the webinar (post-test, evaluation, materials, recording) go here, each its own <section>. */}
          <LearningTestsSection tests={data.learningTests} base={base} zone={webinar.zone} />
          {after ? <AfterWebinarSections after={after} base={base} justEvaluated={searchParams.get('done') === 'evaluated'} /> : null}
        </>
      ) : (
        calendarLink
      )}

      <section aria-labelledby="details-title">
        <h2 id="details-title">{t('webinar.section.details')}</h2>
        <dl className="details">
          <dt>{t('mail.detail.when')}</dt>
          <dd>
            <WebinarWhen startAt={webinar.startAt} endAt={webinar.endAt} zone={webinar.zone} />
          </dd>
          <dt>{t('mail.detail.where')}</dt>
          <dd>
            {webinar.regency}, {webinar.province}
          </dd>
          <dt>{t('webinar.field.pillars')}</dt>
          <dd>
            <PillarNames pillars={webinar.pillars} />
          </dd>
          <dt>{t('register.name')}</dt>
          <dd>{registration.name}</dd>
          <dt>{t('register.email')}</dt>
          <dd className="break-anywhere">{registration.email}</dd>
        </dl>
        <p>
          <Link to={`/webinars/${webinar.slug}`}>{t('personal.publicPage')}</Link>
        </p>
      </section>

      <section aria-labelledby="manage-title">
        <h2 id="manage-title">{t('personal.manageTitle')}</h2>
        <ul className="plain-list manage-links">
          {cancellable && !confirming ? (
            <li>
              <Link to={`${base}?confirm=cancel#confirm`}>{t(registration.status === 'waitlisted' ? 'personal.leaveWaitlist' : 'personal.cancel')}</Link>
            </li>
          ) : null}
          {confirmingErase ? null : (
            <li>
              <Link to={`${base}?confirm=erase#confirm`}>{t('personal.erase')}</Link>
            </li>
          )}
        </ul>
      </section>
    </article>
  )
}

/** The status line's sentence: what this registration means at this moment. */
function statusBody(status: 'registered' | 'waitlisted' | 'cancelled', phase: 'before' | 'live' | 'after' | 'cancelled'): MessageKey {
  if (phase === 'cancelled') return 'register.cancelled'
  if (status === 'cancelled') return 'personal.statusBody.cancelled'
  if (status === 'waitlisted') return phase === 'after' ? 'personal.statusBody.waitlistedAfter' : 'personal.statusBody.waitlisted'
  return `personal.statusBody.${phase}`
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
