import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useParams, useSearchParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { LearningTestsSection } from '#app/components/learning-tests-section'
import { ConfirmForm, Field, FormErrors } from '#app/components/forms'
import { PillarNames, WebinarWhen } from '#app/components/public-webinar'
import { formatTime, translate, useLang, useT, type MessageKey } from '#app/i18n'
import { checkIn, checkinWindowOpen, type CheckInResult } from '#app/models/attendance.server'
import { getResidentCertificate } from '#app/models/certificate.server'
import { getResidentTests } from '#app/models/learning-test.server'
import { eraseRegistrationByToken } from '#app/models/personal-data.server'
import { cancelRegistration, getPersonalRegistration, registrationCancellable } from '#app/models/registration.server'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { readForm } from '#app/utils/read-form.server'
import { PERSONAL_TOKEN } from '#app/utils/registration-fields'
import { PersonalActionSchema } from '#app/utils/registration-schema.server'
import { limitKey } from '#app/utils/limit-keys.server'
import { RESIDENT_LIMITS } from '#app/utils/resident-limits.server'
import { nowIso } from '#app/utils/time'
import { message, parseForm, type FieldErrors } from '#app/utils/validation.server'

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
  const cancellable = registrationCancellable(r, nowIso())
  const certificate = r.webinar_status === 'finished' && r.status === 'registered' ? await certificateState(r) : null
  // The join details are for a seat holder only: not the waitlist, not after cancelling.
  const seated = r.status === 'registered' && r.webinar_status === 'published'
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
      join: seated ? { url: r.platform_url, meetingId: r.meeting_id, passcode: r.passcode, livestreamUrl: r.livestream_url } : null,
      calendar: r.status !== 'waitlisted',
      cancellable,
      confirming: cancellable && new URL(request.url).searchParams.get('confirm') === 'cancel',
      confirmingErase: new URL(request.url).searchParams.get('confirm') === 'erase',
      certificate,
      learningTests: await getResidentTests(getDb(), r.token),
      checkin:
        r.status === 'registered' && (r.checked_in_at || (checkinWindowOpen(r, nowIso()) && !r.attendance_finalised_at))
          ? { checkedInAt: r.checked_in_at }
          : null,
    },
    { headers: NO_STORE },
  )
}

/** After the webinar: the certificate to download, or why there is none (yet). */
async function certificateState(r: { token: string; attended: number | null; attendance_finalised_at: string | null }) {
  if (!r.attendance_finalised_at) return 'pending' as const
  if (r.attended !== 1) return 'absent' as const
  return (await getResidentCertificate(getDb(), r.token)) ? ('ready' as const) : ('revoked' as const)
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
  const { registration, webinar, join, calendar, cancellable, confirming, confirmingErase, checkin, certificate, learningTests } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>() as { errors: FieldErrors } | undefined
  const [searchParams] = useSearchParams()
  const t = useT()
  const base = `/r/${useParams().token ?? ''}`
  const justCancelled = searchParams.get('done') === 'cancelled' && registration.status === 'cancelled'

  return (
    <article aria-labelledby="personal-title">
      <h1 id="personal-title">{webinar.topic}</h1>
      <p>{t('personal.greeting', { name: registration.name })}</p>
      {justCancelled ? (
        <p className="notice" role="status">
          {t('personal.cancelDone')}
        </p>
      ) : null}
      <FormErrors errors={actionData?.errors['']} />

      <section aria-labelledby="status-title">
        <h2 id="status-title">{t('personal.statusTitle')}</h2>
        <p>
          <span className={`badge ${registration.status}`}>{t(`personal.status.${registration.status}`)}</span>
        </p>
        <p>{t(`personal.statusBody.${registration.status}`)}</p>
        {webinar.status === 'cancelled' ? <p className="form-errors">{t('register.cancelled')}</p> : null}
        {webinar.status === 'finished' ? <p className="notice">{t('register.finished')}</p> : null}
      </section>

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

      {join ? (
        <section aria-labelledby="join-title">
          <h2 id="join-title">{t('personal.joinTitle')}</h2>
          <dl className="details">
            {join.url ? (
              <>
                <dt>{t('mail.detail.join')}</dt>
                <dd>
                  <a href={join.url} rel="noreferrer">
                    {join.url}
                  </a>
                </dd>
              </>
            ) : null}
            {join.meetingId ? (
              <>
                <dt>{t('mail.detail.meetingId')}</dt>
                <dd>{join.meetingId}</dd>
              </>
            ) : null}
            {join.passcode ? (
              <>
                <dt>{t('mail.detail.passcode')}</dt>
                <dd>{join.passcode}</dd>
              </>
            ) : null}
            {join.livestreamUrl ? (
              <>
                <dt>{t('mail.detail.livestream')}</dt>
                <dd>
                  <a href={join.livestreamUrl} rel="noreferrer">
                    {join.livestreamUrl}
                  </a>
                </dd>
              </>
            ) : null}
          </dl>
          <p className="hint">{t('personal.joinHint')}</p>
        </section>
      ) : null}

      {calendar ? (
        <p>
          <a href={`${base}/calendar.ics`} download>
            {registration.status === 'cancelled' || webinar.status === 'cancelled' ? t('personal.removeFromCalendar') : t('public.addToCalendar')}
          </a>
        </p>
      ) : null}

      <LearningTestsSection tests={learningTests} base={base} zone={webinar.zone} />

      {checkin ? <CheckIn checkedInAt={checkin.checkedInAt} zone={webinar.zone} errors={actionData?.errors.code} /> : null}

      {certificate ? (
        <section aria-labelledby="certificate-title">
          <h2 id="certificate-title">{t('certificate.sectionTitle')}</h2>
          {certificate === 'ready' ? (
            <p>
              <a href={`${base}/certificate.pdf`} download>
                {t('certificate.download')}
              </a>
            </p>
          ) : (
            <p>{t(`certificate.personal.${certificate}`)}</p>
          )}
        </section>
      ) : null}

      {cancellable ? (
        <section aria-labelledby="cancel-title">
          <h2 id="cancel-title">{t('personal.cancelTitle')}</h2>
          {confirming ? (
            <ConfirmForm
              warning={t(registration.status === 'waitlisted' ? 'personal.cancelWarningWaitlist' : 'personal.cancelWarning')}
              intent="cancel"
              confirm={t('personal.cancelConfirm')}
              back={t('personal.cancelKeep')}
              backTo={base}
            />
          ) : (
            <p>
              <Link to={`${base}?confirm=cancel`}>{t(registration.status === 'waitlisted' ? 'personal.leaveWaitlist' : 'personal.cancel')}</Link>
            </p>
          )}
        </section>
      ) : null}
      <section aria-labelledby="erase-title">
        <h2 id="erase-title">{t('personal.eraseTitle')}</h2>
        {confirmingErase ? (
          <ConfirmForm warning={t('personal.eraseWarning')} intent="erase" confirm={t('personal.eraseConfirm')} back={t('personal.eraseKeep')} backTo={base} />
        ) : (
          <p>
            <Link to={`${base}?confirm=erase`}>{t('personal.erase')}</Link>
          </p>
        )}
      </section>
    </article>
  )
}

/** The code the moderator announces, typed in while the window is open; then the time it was recorded. */
function CheckIn({ checkedInAt, zone, errors }: { checkedInAt: string | null; zone: Parameters<typeof formatTime>[1]; errors?: string[] }) {
  const t = useT()
  const lang = useLang()
  return (
    <section aria-labelledby="checkin-title" className="stack">
      <h2 id="checkin-title">{t('checkin.title')}</h2>
      {checkedInAt ? (
        <p className="notice" role="status">
          {t('checkin.done', { time: formatTime(checkedInAt, zone, lang) })}
        </p>
      ) : (
        <Form method="post" className="stack" noValidate>
          <p>{t('checkin.body')}</p>
          <Field
            label={t('checkin.code')}
            name="code"
            className="checkin-input"
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            maxLength={40}
            required
            errors={errors}
          />
          <div className="actions">
            <button type="submit" name="intent" value="checkin">
              {t('checkin.submit')}
            </button>
          </div>
        </Form>
      )}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
