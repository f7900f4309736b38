import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { FormErrors } from '#app/components/forms'
import { SlidesUpload } from '#app/components/slides-upload'
import { formatDateTime, formatTime, useLang, useT, type MessageKey } from '#app/i18n'
import { TECH_CHECK_MINUTES_BEFORE } from '#app/mail/notify.server'
import { getBriefCertificate } from '#app/models/certificate.server'
import { getBriefMaterial } from '#app/models/material.server'
import { getBriefByToken, recordBriefAnswer } from '#app/models/webinar-role.server'
import { BriefAnswerSchema } from '#app/utils/brief-schema.server'
import { getDb } from '#app/utils/db.server'
import { readForm } from '#app/utils/read-form.server'
import { addMinutes, nowIso, webinarZone } from '#app/utils/time'
import { parseForm } from '#app/utils/validation.server'

// The token in the link is the credential (no account needed): an unknown one is a 404 that
// reveals nothing. The page shows the join details and a passcode, so it is never cached.
const NO_STORE = { 'Cache-Control': 'private, no-store' }
export const headers: HeadersFunction = () => NO_STORE

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.webinar.topic ?? 'Brief'} · Literasi Webinar` },
  { name: 'robots', content: 'noindex' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  const brief = await getBriefByToken(getDb(), params.token ?? '')
  if (!brief) throw new Response('Not found', { status: 404 })
  const now = nowIso()
  const certificate = brief.status === 'finished' && !!(await getBriefCertificate(getDb(), params.token ?? ''))
  return json(
    {
      certificate,
      slides: await getBriefMaterial(getDb(), params.token ?? ''),
      slidesUploaded: new URL(request.url).searchParams.get('slides') === 'uploaded',
      person: { name: brief.name, role: brief.role, talkTitle: brief.talk_title, pillar: brief.pillar },
      answer: { confirmation: brief.confirmation, confirmedAt: brief.confirmed_at },
      answerable: brief.status === 'published' && brief.end_at !== null && brief.end_at > now,
      webinar: {
        topic: brief.topic,
        status: brief.status,
        segment: brief.segment,
        startAt: brief.start_at,
        endAt: brief.end_at,
        timeZone: webinarZone(brief),
        regencyName: brief.regency_name,
        provinceName: brief.province_name,
        platformUrl: brief.platform_url,
        meetingId: brief.meeting_id,
        passcode: brief.passcode,
        livestreamUrl: brief.livestream_url,
        capacity: brief.capacity,
        registered: brief.registered_count,
      },
      techCheckAt: brief.start_at ? addMinutes(brief.start_at, -TECH_CHECK_MINUTES_BEFORE) : null,
      moderator: brief.moderator,
      slots: brief.slots.map((slot) => ({ id: slot.id, at: brief.start_at ? addMinutes(brief.start_at, slot.offset_minutes) : null, title: slot.title })),
      answered: new URL(request.url).searchParams.has('answered'),
    },
    { headers: NO_STORE },
  )
}

export async function action({ request, params }: ActionFunctionArgs) {
  const token = params.token ?? ''
  const parsed = parseForm(BriefAnswerSchema, await readForm(request))
  if (!parsed.success) return json({ errors: parsed.errors }, { status: 400 })
  const result = await recordBriefAnswer(getDb(), token, parsed.data.answer)
  if (!result.ok && result.reason === 'notFound') throw new Response('Not found', { status: 404 })
  if (!result.ok) return json({ errors: { '': ['brief.closed'] } }, { status: 409 })
  return redirect(`/brief/${token}?answered`)
}

export default function BriefPage() {
  const { person, answer, answerable, webinar, techCheckAt, moderator, slots, answered, certificate, slides, slidesUploaded } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const { token } = useParams()
  const t = useT()
  const lang = useLang()
  const zone = webinar.timeZone
  const errors = actionData?.errors as Record<string, string[]> | undefined
  const whatsappLink = (number: string) => `https://wa.me/${number.replace(/^\+/, '')}`

  return (
    <article aria-labelledby="brief-title">
      <h1 id="brief-title">{t('brief.title', { topic: webinar.topic })}</h1>
      {certificate ? (
        <p className="notice">
          <a href={`/brief/${token}/certificate.pdf`} download>
            {t('certificate.download')}
          </a>
        </p>
      ) : null}
      <p>{t('brief.intro', { name: person.name })}</p>
      {webinar.status === 'cancelled' ? <p className="form-errors">{t('brief.cancelled')}</p> : null}
      {answered && !actionData ? (
        <p className="notice" role="status">
          {t('brief.recorded')}
        </p>
      ) : null}

      <h2>{t('brief.section.webinar')}</h2>
      <dl className="details">
        <dt>{t('mail.detail.topic')}</dt>
        <dd>{webinar.topic}</dd>
        <dt>{t('mail.detail.when')}</dt>
        <dd>
          {webinar.startAt && webinar.endAt
            ? `${formatDateTime(webinar.startAt, zone, lang)} – ${formatTime(webinar.endAt, zone, lang)}`
            : t('date.notSet')}
        </dd>
        <dt>{t('mail.detail.where')}</dt>
        <dd>{webinar.regencyName ? `${webinar.regencyName}, ${webinar.provinceName}` : '—'}</dd>
        <dt>{t('brief.audience')}</dt>
        <dd>{t('brief.audienceValue', {
            regency: webinar.regencyName ?? '—',
            segment: t(`segment.${webinar.segment}` as MessageKey),
            registered: webinar.registered,
            capacity: webinar.capacity,
          })}</dd>
        <dt>{t('mail.detail.moderator')}</dt>
        <dd>
          {moderator ? (
            <>
              {moderator.name}
              {moderator.email ? (
                <>
                  {' · '}
                  <a href={`mailto:${moderator.email}`} className="break-anywhere">
                    {moderator.email}
                  </a>
                </>
              ) : null}
              {moderator.whatsapp ? (
                <>
                  {' · '}
                  <a href={whatsappLink(moderator.whatsapp)}>{moderator.whatsapp}</a>
                </>
              ) : null}
            </>
          ) : (
            t('brief.moderatorNone')
          )}
        </dd>
      </dl>

      <h2>{t('brief.section.you')}</h2>
      <dl className="details">
        <dt>{t('mail.detail.role')}</dt>
        <dd>{t(`role.${person.role}`)}</dd>
        {person.talkTitle ? (
          <>
            <dt>{t('mail.detail.talk')}</dt>
            <dd>{person.talkTitle}</dd>
          </>
        ) : null}
        {person.pillar ? (
          <>
            <dt>{t('mail.detail.pillar')}</dt>
            <dd>{t(`pillar.${person.pillar}` as MessageKey)}</dd>
          </>
        ) : null}
        <dt>{t('mail.detail.slot')}</dt>
        <dd>
          {slots.length ? (
            <ul className="plain-list">
              {slots.map((slot) => (
                <li key={slot.id}>
                  {slot.at ? <strong>{formatTime(slot.at, zone, lang)}</strong> : null} {slot.title}
                </li>
              ))}
            </ul>
          ) : (
            t('brief.noSlots')
          )}
        </dd>
      </dl>

      <h2>{t('brief.section.join')}</h2>
      <dl className="details">
        {techCheckAt ? (
          <>
            <dt>{t('mail.detail.techCheck')}</dt>
            <dd>
              {formatDateTime(techCheckAt, zone, lang)}
              <br />
              <span className="muted">{t('brief.techCheckHint')}</span>
            </dd>
          </>
        ) : null}
        <dt>{t('mail.detail.join')}</dt>
        <dd>{webinar.platformUrl ? <a href={webinar.platformUrl}>{webinar.platformUrl}</a> : '—'}</dd>
        <dt>{t('mail.detail.meetingId')}</dt>
        <dd>{webinar.meetingId ?? '—'}</dd>
        <dt>{t('mail.detail.passcode')}</dt>
        <dd>{webinar.passcode ?? '—'}</dd>
        {webinar.livestreamUrl ? (
          <>
            <dt>{t('mail.detail.livestream')}</dt>
            <dd>
              <a href={webinar.livestreamUrl}>{webinar.livestreamUrl}</a>
            </dd>
          </>
        ) : null}
      </dl>
      {webinar.startAt && webinar.endAt ? (
        <p>
          <a href={`/brief/${token}/calendar.ics`} className="button secondary" download>
            {t('brief.addToCalendar')}
          </a>
        </p>
      ) : null}

      <h2 id="answer-title">{t('brief.section.answer')}</h2>
      <p>
        {t('brief.current', { answer: t(`confirmation.${answer.confirmation}`) })}{' '}
        {answer.confirmedAt ? <span className="muted">{t('brief.answeredAt', { when: formatDateTime(answer.confirmedAt, zone, lang) })}</span> : null}
      </p>
      <FormErrors errors={errors?.['']} />
      {answerable ? (
        <Form method="post" className="stack" aria-labelledby="answer-title">
          <p>{t('brief.ask')}</p>
          <FormErrors errors={errors?.answer} />
          <div className="actions">
            <button type="submit" name="answer" value="confirmed">
              {t('brief.confirm')}
            </button>
            <button type="submit" name="answer" value="declined" className="secondary">
              {t('brief.decline')}
            </button>
          </div>
          <p className="hint">{t('brief.changeHint')}</p>
        </Form>
      ) : !errors ? (
        <p className="muted">{t('brief.closed')}</p>
      ) : null}
      {slides && (slides.canUpload || slides.material) ? <SlidesUpload token={token ?? ''} slides={slides} zone={zone} uploaded={slidesUploaded} /> : null}
    </article>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
