import { Form } from '@remix-run/react'
import type { ReactNode } from 'react'
import type { TimeZoneCode } from '#db/schema'
import { CertificateGateNotice, type GateStep } from '#app/components/after-webinar-sections'
import { Field } from '#app/components/forms'
import { formatNumber, formatTime, useLang, useT } from '#app/i18n'
import type { Helpdesk } from '#app/models/site-settings.server'

// The sections of a resident's personal page (/r/<token>). The route decides which ones lead,
// by the moment: before the webinar, while it is live, after it.

export type CheckinState = 'notYet' | 'open' | 'closed' | 'done'

/** The join details, for a seat holder until the webinar ends. */
export function JoinSection({ join }: { join: { url: string | null; meetingId: string | null; passcode: string | null; livestreamUrl: string | null } }) {
  const t = useT()
  return (
    <section aria-labelledby="join-title" id="join">
      <h2 id="join-title">{t('personal.joinTitle')}</h2>
      {join.url ? (
        <p>
          <a className="button" href={join.url} rel="noreferrer">
            {t('personal.joinButton')}
          </a>
        </p>
      ) : null}
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
  )
}

/**
 * Check-in: the code the moderator announces, typed in while the window is open; otherwise what
 * the state is (not open yet, closed, done), so the section never silently disappears.
 */
export function CheckInSection({
  state,
  checkedInAt,
  zone,
  action,
  errors,
}: {
  state: CheckinState
  checkedInAt: string | null
  zone: TimeZoneCode
  action: string
  errors?: string[]
}) {
  const t = useT()
  const lang = useLang()
  return (
    <section aria-labelledby="checkin-title" id="checkin" className="stack">
      <h2 id="checkin-title">{t('checkin.title')}</h2>
      {state === 'done' && checkedInAt ? (
        <p className="notice" role="status">
          {t('checkin.done', { time: formatTime(checkedInAt, zone, lang) })}
        </p>
      ) : state === 'open' ? (
        // The fragment brings a refused code (and its message) back into view on a reloaded page.
        <Form method="post" action={`${action}#checkin`} className="stack" noValidate>
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
      ) : (
        <p className="muted">{t(state === 'notYet' ? 'checkin.notYet' : 'checkin.closed')}</p>
      )}
    </section>
  )
}

export type CertificateState =
  | { kind: 'pending' }
  | { kind: 'ready' }
  /** issued, but the certificate gate holds it until these are done */
  | { kind: 'gated'; steps: GateStep[] }
  | { kind: 'revoked' }
  | { kind: 'notSeated' }
  | { kind: 'absent'; markedAbsent: boolean; minutes: number; required: number; threshold: number }

/** After the webinar, first: the certificate to download, or why there is none (yet), and whom to ask. */
export function CertificateSection({ state, href, helpdesk }: { state: CertificateState; href: string; helpdesk: Helpdesk }) {
  const t = useT()
  const lang = useLang()
  return (
    <section aria-labelledby="certificate-title" id="certificate" className="phase-lead">
      <h2 id="certificate-title">{t('certificate.sectionTitle')}</h2>
      {state.kind === 'ready' ? (
        <p>
          <a className="button" href={href} download>
            {t('certificate.download')}
          </a>
        </p>
      ) : state.kind === 'gated' ? (
        <CertificateGateNotice steps={state.steps} base={href.replace(/\/certificate\.pdf$/, '')} />
      ) : state.kind === 'absent' ? (
        <>
          <p>{t('certificate.personal.absent')}</p>
          <p>
            {state.markedAbsent
              ? t('certificate.personal.markedAbsent')
              : t('certificate.personal.minutes', {
                  minutes: formatNumber(state.minutes, lang),
                  required: formatNumber(state.required, lang),
                  threshold: formatNumber(state.threshold, lang),
                })}
          </p>
          <HelpdeskContact helpdesk={helpdesk} />
        </>
      ) : (
        <>
          <p>{t(`certificate.personal.${state.kind}`)}</p>
          {state.kind === 'revoked' ? <HelpdeskContact helpdesk={helpdesk} /> : null}
        </>
      )}
    </section>
  )
}

/** Whom to ask when the page has bad news: the programme's helpdesk, or the invitation's sender. */
export function HelpdeskContact({ helpdesk }: { helpdesk: Helpdesk }) {
  const t = useT()
  if (!helpdesk.helpdeskEmail && !helpdesk.helpdeskPhone) return <p>{t('personal.contactReply')}</p>
  return (
    <p>
      {t('personal.contact')}{' '}
      <HelpdeskLinks helpdesk={helpdesk} />
    </p>
  )
}

/** The helpdesk's e-mail and phone as links, separated by a dot. */
export function HelpdeskLinks({ helpdesk }: { helpdesk: Helpdesk }) {
  const links: ReactNode[] = []
  if (helpdesk.helpdeskEmail)
    links.push(
      <a key="email" className="break-anywhere" href={`mailto:${helpdesk.helpdeskEmail}`}>
        {helpdesk.helpdeskEmail}
      </a>,
    )
  if (helpdesk.helpdeskPhone)
    links.push(
      <a key="phone" href={`tel:${helpdesk.helpdeskPhone.replace(/[^\d+]/g, '')}`}>
        {helpdesk.helpdeskPhone}
      </a>,
    )
  return <>{links.flatMap((link, i) => (i === 0 ? [link] : [' · ', link]))}</>
}
