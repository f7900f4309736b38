import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { PillarNames, SeatsLeft, WebinarWhen } from '#app/components/public-webinar'
import type { Residence } from '#app/components/regency-select'
import { RegistrationForm } from '#app/components/registration-form'
import { formatDateTime, useLang, useT, type MessageKey } from '#app/i18n'
import { getLang } from '#app/i18n/lang.server'
import { isRegencyCode, listProvinceRegencies, listProvinces } from '#app/models/region.server'
import { registerParticipant, registrationRefusal, type RegistrationRefusal } from '#app/models/registration.server'
import { getPublicWebinarBySlug, getRegistrationTarget } from '#app/models/webinar.server'
import { listPublicWebinarRoles } from '#app/models/webinar-role.server'
import { getPublicRecording } from '#app/models/material.server'
import { getDb } from '#app/utils/db.server'
import { countRegistration } from '#app/utils/metrics.server'
import { pageTitle } from '#app/utils/meta'
import { readForm } from '#app/utils/read-form.server'
import { HONEYPOT_FIELD } from '#app/utils/registration-fields'
import { RegistrationSchema } from '#app/utils/registration-schema.server'
import type { RateLimit } from '#app/models/rate-limit.server'
import { limitKey } from '#app/utils/limit-keys.server'
import { RESIDENT_LIMITS, tooManyRequests } from '#app/utils/resident-limits.server'
import { nowIso } from '#app/utils/time'
import { webinarMoment } from '#app/utils/webinar-moment'
import { echoForm, parseForm, type FieldErrors } from '#app/utils/validation.server'
import { NO_SCRIPTS } from '#app/utils/page-scripts'

// A resident page: plain HTML, no scripts (utils/page-scripts.ts).
export const handle = NO_SCRIPTS

export const meta: MetaFunction<typeof loader> = ({ data }) => pageTitle(data?.webinar.topic ?? 'Webinar')

async function requirePublicWebinar(slug: string | undefined) {
  const webinar = await getPublicWebinarBySlug(getDb(), slug ?? '')
  if (!webinar) throw new Response('Not found', { status: 404 })
  return webinar
}

/**
 * The province whose regencies the form lists: the one the typed regency is in (official codes
 * start with their province's), else the one just chosen, else the webinar's own.
 */
async function residenceFor(values: Record<string, string>, webinarProvince: string): Promise<Residence> {
  const db = getDb()
  const provinces = await listProvinces(db)
  const candidates = [values.regency?.slice(0, 2), values.province, webinarProvince]
  const province = candidates.find((code) => code && provinces.some((p) => p.code === code)) ?? webinarProvince
  return { province, regencies: await listProvinceRegencies(db, province) }
}

// Public. Drafts and unknown slugs are 404s; the join details never leave the server here.
export async function loader({ params }: LoaderFunctionArgs) {
  const db = getDb()
  const webinar = await requirePublicWebinar(params.slug)
  const refusal = registrationRefusal(webinar, nowIso())
  const [roles, provinces, residence, recordingUrl] = await Promise.all([
    listPublicWebinarRoles(db, webinar.id),
    // The regions travel only when there is a form to pick one in.
    refusal ? [] : listProvinces(db),
    refusal ? null : residenceFor({}, webinar.province_code),
    getPublicRecording(db, webinar.id),
  ])
  const live = webinar.status === 'published' && webinarMoment(webinar, nowIso()) === 'live'
  return json({ webinar, roles, provinces: provinces.map((p): [string, string] => [p.code, p.name]), residence, refusal, recordingUrl, live })
}

/** The action re-renders the form from what was posted: the form always sends its province. */
const NO_PROVINCE = ''

type ActionData = { refusal: RegistrationRefusal } | { errors?: FieldErrors; values: Record<string, string>; residence?: Residence }

/** First registration, repeat, or bot: the same redirect, so nobody learns who registered. */
function checkYourEmail(slug: string) {
  return redirect(`/webinars/${slug}/registered`, 303)
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const db = getDb()
  const webinar = await getRegistrationTarget(db, params.slug ?? '')
  if (!webinar) throw new Response('Not found', { status: 404 })
  const refusal = registrationRefusal(webinar, nowIso())
  if (refusal) return json<ActionData>({ refusal }, { status: 409 })

  const formData = await readForm(request)
  if (formData.get(HONEYPOT_FIELD)) return checkYourEmail(webinar.slug)
  if (formData.get('intent') === 'province') {
    // Without JavaScript, choosing a province is a round trip: the form comes back as typed,
    // listing that province's regencies. Nothing is checked or saved yet.
    const values = { ...echoForm(formData), regency: '' }
    return json<ActionData>({ values, residence: await residenceFor(values, NO_PROVINCE) })
  }
  const parsed = parseForm(RegistrationSchema, formData)
  if (!parsed.success) {
    return json<ActionData>({ errors: parsed.errors, values: parsed.values, residence: await residenceFor(parsed.values, NO_PROVINCE) }, { status: 400 })
  }
  const form = parsed.data
  if (!(await isRegencyCode(db, form.regency))) {
    const values = echoForm(formData)
    return json<ActionData>({ errors: { regency: ['registration.unknownRegency'] }, values, residence: await residenceFor(values, NO_PROVINCE) }, { status: 400 })
  }
  // Counted only for well-formed posts: a resident fixing a typo spends nothing.
  const limits: Array<[string, RateLimit]> = [
    [limitKey('register', 'ip', context.clientIp), RESIDENT_LIMITS.registerPerIp],
    [limitKey('register', 'email', form.email), RESIDENT_LIMITS.registerPerEmail],
  ]
  const result = await registerParticipant(
    db,
    webinar.id,
    {
      name: form.name,
      email: form.email,
      whatsapp: form.whatsapp,
      regencyCode: form.regency,
      occupation: form.occupation,
      ageRange: form.ageRange,
      gender: form.gender,
      lang: await getLang(request),
    },
    nowIso(),
    limits,
  )
  countRegistration(result)
  if (!result.ok && result.reason === 'tooMany') return tooManyRequests(result.retryAfterSeconds, echoForm(formData))
  if (!result.ok) return json<ActionData>({ refusal: result.reason }, { status: 409 })
  return checkYourEmail(webinar.slug)
}

// A page rendered after a 429 must still say when to come back, with JavaScript off too.
export const headers: HeadersFunction = ({ actionHeaders }): HeadersInit => {
  const retryAfter = actionHeaders.get('Retry-After')
  return retryAfter ? { 'Retry-After': retryAfter } : {}
}

const REFUSALS: Record<RegistrationRefusal, MessageKey> = {
  notPublished: 'register.closed',
  notOpenYet: 'register.notOpenYet',
  closed: 'register.closed',
  cancelled: 'register.cancelled',
  finished: 'register.finished',
}

const ROLE_HEADINGS = {
  keynote: 'role.keynote',
  moderator: 'role.moderator',
  speaker: 'role.speaker',
  kol: 'role.kol',
} as const satisfies Record<string, MessageKey>

export default function PublicWebinarPage() {
  const { webinar, roles, provinces, residence, refusal: loaderRefusal, recordingUrl, live } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>() as ActionData | undefined
  const t = useT()
  const lang = useLang()
  const refusal = (actionData && 'refusal' in actionData ? actionData.refusal : null) ?? loaderRefusal
  const form = actionData && 'values' in actionData ? actionData : null
  const over = refusal === 'cancelled' || refusal === 'finished'
  const byRole = (['keynote', 'moderator', 'speaker', 'kol'] as const)
    .map((role) => ({ role, people: roles.filter((r) => r.role === role) }))
    .filter((group) => group.people.length > 0)

  return (
    <article aria-labelledby="webinar-title">
      <p>
        <Link to="/webinars">← {t('catalogue.title')}</Link>
      </p>
      <h1 id="webinar-title">{webinar.topic}</h1>
      {over ? (
        <p className={webinar.status === 'cancelled' ? 'form-errors' : 'notice'} role={actionData ? 'alert' : 'status'}>
          {t(webinar.status === 'cancelled' ? 'register.cancelled' : 'register.finished')}
        </p>
      ) : null}
      {refusal === 'finished' ? (
        // After the webinar the personal link is the way to the certificate: one who lost it asks here.
        <p>
          <Link to={`/webinars/${webinar.slug}/link`}>{t('lostLink.askAfter')}</Link>
        </p>
      ) : null}
      {recordingUrl ? (
        <p>
          {t('public.recording')}:{' '}
          <a href={recordingUrl} rel="noreferrer" className="break-anywhere">
            {recordingUrl}
          </a>
        </p>
      ) : null}

      <dl className="details">
        <dt>{t('mail.detail.when')}</dt>
        <dd>
          {live ? (
            <>
              <span className="badge live">{t('public.liveNow')}</span>{' '}
            </>
          ) : null}
          <WebinarWhen startAt={webinar.start_at} endAt={webinar.end_at} zone={webinar.time_zone} />
        </dd>
        <dt>{t('mail.detail.where')}</dt>
        <dd>
          {webinar.regency_name}, {webinar.province_name}
        </dd>
        <dt>{t('webinar.field.pillars')}</dt>
        <dd>
          <PillarNames pillars={webinar.pillars} />
        </dd>
        <dt>{t('webinar.field.segment')}</dt>
        <dd>{t(`segment.${webinar.segment}` as MessageKey)}</dd>
        {over ? null : (
          <>
            <dt>{t('public.seats')}</dt>
            <dd>
              <SeatsLeft capacity={webinar.capacity} registered={webinar.registered_count} />
            </dd>
          </>
        )}
      </dl>
      {over ? null : (
        <p>
          <a href={`/webinars/${webinar.slug}/calendar.ics`} download>
            {t('public.addToCalendar')}
          </a>
        </p>
      )}
      {webinar.description ? <p className="prewrap">{webinar.description}</p> : null}

      {byRole.length ? (
        <section aria-labelledby="speakers-title">
          <h2 id="speakers-title">{t('public.speakers')}</h2>
          {byRole.map(({ role, people }) => (
            <div key={role}>
              <h3>{t(ROLE_HEADINGS[role])}</h3>
              <ul className="plain-list people-list">
                {people.map((person) => (
                  <li key={person.id}>
                    <strong>{person.name}</strong>
                    {[person.title, person.organisation].some(Boolean) ? (
                      <span className="muted"> · {[person.title, person.organisation].filter(Boolean).join(', ')}</span>
                    ) : null}
                    {person.talk_title ? (
                      <div>
                        {t('public.talk', { title: person.talk_title })}
                        {person.pillar ? <span className="muted"> ({t(`pillar.${person.pillar}` as MessageKey)})</span> : null}
                      </div>
                    ) : null}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      ) : null}

      {over ? null : (
        <section aria-labelledby="register-title" id="register">
          <h2 id="register-title">{t('register.title')}</h2>
          {refusal ? (
            <p className="notice" role={actionData ? 'alert' : undefined}>
              {t(REFUSALS[refusal], {
                when: webinar.registration_opens_at ? formatDateTime(webinar.registration_opens_at, webinar.time_zone, lang) : '',
              })}
            </p>
          ) : (
            <>
              <p>{t('register.intro')}</p>
              <RegistrationForm
                action={`/webinars/${webinar.slug}`}
                provinces={provinces}
                residence={form?.residence ?? residence ?? { province: webinar.province_code, regencies: [] }}
                defaultRegency={webinar.regency_code ?? ''}
                values={form?.values ?? {}}
                errors={form?.errors}
              />
            </>
          )}
          <p>
            <Link to={`/webinars/${webinar.slug}/link`}>{t('lostLink.ask')}</Link>
          </p>
        </section>
      )}
    </article>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
