import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useFetcher, useLoaderData, useSearchParams } from '@remix-run/react'
import { useEffect } from 'react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { Field, FormErrors, SelectField } from '#app/components/forms'
import { pageCount, Pagination } from '#app/components/pagination'
import { formatDateTime, formatNumber, formatTime, translate, useLang, useT, type MessageKey } from '#app/i18n'
import {
  checkinWindowOpen,
  closeCheckinWindow,
  countAttendance,
  finaliseAttendance,
  listAttendance,
  listAttendanceEvents,
  markAttendance,
  markStaffTookPart,
  openCheckinWindow,
  reopenAttendance,
  type AttendanceRow,
} from '#app/models/attendance.server'
import { countStaffCertificatesDue } from '#app/models/certificate.server'
import { listWebinarRoles } from '#app/models/webinar-role.server'
import { ATTENDANCE_FILTERS, CHECKIN_WINDOW_MINUTES, MANUAL_REASONS } from '#app/utils/attendance-rules'
import { AttendanceActionSchema, AttendanceQuerySchema } from '#app/utils/attendance-schema.server'
import { safeRedirect } from '#app/utils/auth.server'
import { readForm } from '#app/utils/read-form.server'
import { requireAttendanceWebinar } from '#app/utils/webinar-guards.server'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { nowIso } from '#app/utils/time'
import { parseForm, type FieldErrors } from '#app/utils/validation.server'

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(translate(metaLang(matches), 'attendance.heading', { topic: data?.webinar.topic ?? '' }))

// The page shows the live code and registrants' e-mail addresses: no cache may keep it.
export const headers: HeadersFunction = () => ({ 'Cache-Control': 'private, no-store' })

/** Notices after a redirect, named in the URL so they work without JavaScript. */
const DONE_NOTICES: Record<string, MessageKey> = {
  opened: 'attendance.window.opened',
  closed: 'attendance.window.closedDone',
  marked: 'attendance.mark.saved',
  reopened: 'attendance.reopen.done',
  staffMarked: 'attendance.mark.saved',
}

// The webinar's own moderator or an organiser; anyone else gets a 403 (wrong role) or 404.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, webinar } = await requireAttendanceWebinar(request, params.slug)
  const db = getDb()
  const query = AttendanceQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))
  const now = nowIso()
  const [list, counts, events, roles, staffCertificates] = await Promise.all([
    listAttendance(db, webinar, query),
    countAttendance(db, webinar),
    listAttendanceEvents(db, webinar.id, 50),
    listWebinarRoles(db, webinar.id),
    countStaffCertificatesDue(db, webinar.id),
  ])
  const open = checkinWindowOpen(webinar, now)
  return json({
    webinar: {
      slug: webinar.slug,
      topic: webinar.topic,
      startAt: webinar.start_at,
      endAt: webinar.end_at,
      zone: webinar.time_zone,
      regency: webinar.regency_name,
      threshold: webinar.attendance_threshold,
      requiredMinutes: webinar.requiredMinutes,
      finalisedAt: webinar.attendance_finalised_at,
      ended: webinar.end_at <= now,
    },
    window: open ? { code: webinar.checkin_code, closesAt: webinar.checkin_closes_at } : null,
    counts,
    list: { ...list, pages: pageCount(list.total, list.pageSize) },
    query: { q: query.q ?? '', filter: query.filter },
    events,
    staff: roles
      .filter((role) => role.role !== 'keynote')
      .map((role) => ({ id: role.id, role: role.role, name: role.name, confirmation: role.confirmation, tookPart: role.spoke })),
    staffCertificates,
    canReopen: user.role === 'organiser',
  })
}

type ActionData = { intent: string; registrationId?: string; errors: FieldErrors }

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, webinar } = await requireAttendanceWebinar(request, params.slug)
  const formData = await readForm(request)
  // Reopening undoes a lock the certificates rest on: organisers only, whatever else was sent.
  if (formData.get('intent') === 'reopen' && user.role !== 'organiser') throw new Response('Forbidden', { status: 403 })
  const parsed = parseForm(AttendanceActionSchema, formData)
  if (!parsed.success) {
    return json<ActionData>({ intent: parsed.values.intent ?? '', registrationId: parsed.values.registrationId, errors: parsed.errors }, { status: 400 })
  }
  const db = getDb()
  const form = parsed.data
  const refused = (key: MessageKey, status = 409) => json<ActionData>({ intent: form.intent, registrationId: form.intent === 'mark' ? form.registrationId : undefined, errors: { '': [key] } }, { status })
  const back = (done: string, fragment = '') => {
    const url = new URL(request.url)
    url.searchParams.set('done', done)
    url.searchParams.delete('index')
    url.searchParams.delete('confirm')
    return redirect(safeRedirect(`${url.pathname}${url.search}${fragment}`), 303)
  }
  switch (form.intent) {
    case 'openWindow': {
      const result = await openCheckinWindow(db, webinar.id, user.id, form.minutes)
      // The code to announce lands in view, not below the figures (a phone's first screen).
      return result.ok ? back('opened', '#checkin-window') : refused(result.reason === 'alreadyOpen' ? 'attendance.window.alreadyOpen' : 'attendance.locked')
    }
    case 'closeWindow': {
      const result = await closeCheckinWindow(db, webinar.id, user.id)
      return result.ok ? back('closed') : refused('attendance.window.notOpen')
    }
    case 'mark': {
      const present = form.mark === 'clear' ? null : form.mark === 'present'
      const result = await markAttendance(db, webinar.id, form.registrationId, { present, reason: form.reason ?? null, note: form.note }, user.id)
      if (result.ok) return back('marked')
      return result.reason === 'finalised' ? refused('attendance.locked') : refused('attendance.notFound', 404)
    }
    case 'markStaff': {
      const result = await markStaffTookPart(db, webinar.id, form.roleId, form.tookPart === 'clear' ? null : form.tookPart === 'yes', user.id)
      if (result.ok) return back('staffMarked', '#staff-title')
      return result.reason === 'finalised' ? refused('attendance.locked') : refused('attendance.notFound', 404)
    }
    case 'finalise': {
      const result = await finaliseAttendance(db, webinar.id, user.id)
      if (result.ok) return redirect(`/attendance/${webinar.slug}?done=finalised&present=${result.present}&registered=${result.registered}`, 303)
      return refused(result.reason === 'notEnded' ? 'attendance.finalise.notEnded' : 'attendance.locked')
    }
    case 'reopen': {
      const result = await reopenAttendance(db, webinar.id, user.id, form.reason)
      return result.ok ? back('reopened') : refused('attendance.finalise.notEnded')
    }
  }
}

export default function AttendanceConsole() {
  const { webinar, window, counts, list, query, events, staff, canReopen, staffCertificates } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>() as ActionData | undefined
  const [searchParams] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const done = searchParams.get('done')
  const locked = webinar.finalisedAt !== null
  const topErrors = actionData && !actionData.registrationId ? actionData.errors[''] : undefined
  const confirming = searchParams.get('confirm') === 'finalise' && !locked

  return (
    <section aria-labelledby="attendance-title" className="stack">
      <h1 id="attendance-title">{t('attendance.heading', { topic: webinar.topic })}</h1>
      <p className="muted">
        {formatDateTime(webinar.startAt, webinar.zone, lang)} · {webinar.regency}
      </p>
      {done === 'finalised' ? (
        <p className="notice" role="status">
          {t('attendance.finalise.done', { present: searchParams.get('present') ?? '', registered: searchParams.get('registered') ?? '' })}
        </p>
      ) : done && DONE_NOTICES[done] ? (
        <p className="notice" role="status">
          {t(DONE_NOTICES[done]!)}
        </p>
      ) : null}
      <FormErrors errors={topErrors} />

      <dl className="stats" aria-label={t('attendance.title')}>
        {(['registered', 'checkedIn', 'zoomEnough', 'manual', 'present'] as const).map((key) => (
          <div key={key}>
            <dt>{t(key === 'zoomEnough' ? 'attendance.summary.zoom' : `attendance.summary.${key}`)}</dt>
            <dd>{formatNumber(counts[key], lang)}</dd>
          </div>
        ))}
      </dl>
      <p className="hint">{t('attendance.rule', { minutes: webinar.requiredMinutes, threshold: webinar.threshold })}</p>

      {locked ? (
        <p className="notice">{t('attendance.finalised', { time: formatDateTime(webinar.finalisedAt!, webinar.zone, lang) })}</p>
      ) : (
        <CheckinWindow window={window} zone={webinar.zone} slug={webinar.slug} checkedIn={counts.checkedIn} />
      )}

      <p>
        <Link to={`/attendance/${webinar.slug}/import`}>{t('attendance.import.link')}</Link>
        {' · '}
        <Link to={`/attendance/${webinar.slug}/report`}>{t('report.link')}</Link>
        {' · '}
        <Link to={`/attendance/${webinar.slug}/tests`}>{t('tests.settings.link')}</Link>
      </p>

      <section aria-labelledby="list-title" className="stack">
        <h2 id="list-title">{t('attendance.list.title')}</h2>
        <Form method="get" className="filters" role="search">
          <Field label={t('attendance.search')} name="q" type="search" defaultValue={query.q} />
          <SelectField
            label={t('attendance.filter')}
            name="filter"
            defaultValue={query.filter}
            options={ATTENDANCE_FILTERS.map((value) => ({ value, label: t(`attendance.filter.${value}`) }))}
          />
          <button type="submit">{t('attendance.searchSubmit')}</button>
        </Form>
        <p className="muted">{t('attendance.list.count', { count: list.total })}</p>
        {list.rows.length === 0 ? <p>{t('attendance.list.empty')}</p> : null}
        <ul className="cards">
          {list.rows.map((row) => (
            <AttendanceCard key={row.id} row={row} zone={webinar.zone} locked={locked} errors={actionData?.registrationId === row.id ? actionData.errors : undefined} />
          ))}
        </ul>
        <Pagination page={list.page} pages={list.pages} />
      </section>

      <StaffTookPart staff={staff} locked={locked} />

      <section aria-labelledby="finalise-title" className="stack">
        <h2 id="finalise-title">{t('attendance.finalise.title')}</h2>
        {locked ? (
          canReopen ? (
            <Form method="post" className="stack">
              <Field label={t('attendance.reopen.reason')} name="reason" required maxLength={500} errors={actionData?.intent === 'reopen' ? actionData.errors.reason : undefined} />
              <div className="actions">
                <button type="submit" name="intent" value="reopen">
                  {t('attendance.reopen.submit')}
                </button>
              </div>
            </Form>
          ) : (
            <p>{t('attendance.locked')}</p>
          )
        ) : webinar.ended && confirming ? (
          <Form method="post" className="stack confirm-box" aria-labelledby="finalise-confirm-title">
            <h3 id="finalise-confirm-title">{t('attendance.finalise.confirmTitle')}</h3>
            <p>{t('attendance.finalise.confirmCounts', { present: counts.present, registered: counts.registered, absent: counts.registered - counts.present })}</p>
            <p>{t('attendance.finalise.confirmStaff', { count: staffCertificates })}</p>
            <p>{t('attendance.finalise.body')}</p>
            <div className="actions">
              <button type="submit" name="intent" value="finalise">
                {t('attendance.finalise.confirmSubmit')}
              </button>
              <Link to="." className="button secondary">
                {t('attendance.finalise.cancel')}
              </Link>
            </div>
          </Form>
        ) : webinar.ended ? (
          <div className="stack">
            <p>{t('attendance.finalise.body')}</p>
            <div className="actions">
              {/* A step of its own, so one tap never locks the list: the next page states the counts. */}
              <Link to="?confirm=finalise#finalise-title" className="button">
                {t('attendance.finalise.submit')}
              </Link>
            </div>
          </div>
        ) : (
          <p className="muted">{t('attendance.finalise.notEnded')}</p>
        )}
      </section>

      <section aria-labelledby="history-title">
        <h2 id="history-title">{t('attendance.history')}</h2>
        {events.length === 0 ? <p className="muted">{t('attendance.history.empty')}</p> : null}
        <ol className="plain-list history">
          {events.map((event) => (
            <li key={event.id}>
              <time dateTime={event.at}>{formatDateTime(event.at, webinar.zone, lang)}</time> · <strong>{event.actor_name ?? t('attendance.event.someone')}</strong>{' '}
              {t(`attendance.event.${event.action}` as MessageKey, {
                ...(event.detail as Record<string, string | number>),
                name: event.registrant_name ?? String(event.detail.name ?? ''),
                state:
                  event.action === 'staffMarked'
                    ? t(event.detail.to === 1 ? 'attendance.staff.markYes' : event.detail.to === 0 ? 'attendance.staff.markNo' : 'attendance.staff.clear')
                    : event.detail.to === 1
                      ? t('attendance.state.present')
                      : t('attendance.state.absent'),
              })}
              {event.reason ? ` — “${event.reason}”` : ''}
            </li>
          ))}
        </ol>
      </section>
    </section>
  )
}

/** The window, its code in large type, and the live count (polled with JavaScript, a link without). */
function CheckinWindow({ window, zone, slug, checkedIn }: { window: { code: string | null; closesAt: string | null } | null; zone: Parameters<typeof formatTime>[1]; slug: string; checkedIn: number }) {
  const t = useT()
  const lang = useLang()
  const counter = useFetcher<{ checkedIn: number }>()
  useEffect(() => {
    if (!window) return
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') counter.load(`/attendance/${slug}/count`)
    }, 5000)
    return () => clearInterval(timer)
    // counter.load is stable enough for an interval; re-arming on every render would reset it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [window, slug])
  const count = counter.data?.checkedIn ?? checkedIn
  return (
    <section aria-labelledby="window-title" className="stack checkin-window" id="checkin-window">
      <h2 id="window-title">{t('attendance.window.title')}</h2>
      {window ? (
        <>
          <p>{t('attendance.window.openUntil', { time: formatTime(window.closesAt!, zone, lang) })}</p>
          <p className="checkin-code" aria-label={t('attendance.window.code')}>
            {window.code}
          </p>
          <p aria-live="polite" className="live-count" data-testid="checkin-count">
            {t('attendance.window.liveCount', { count })}
          </p>
          <div className="actions">
            <Link to=".">{t('attendance.window.refresh')}</Link>
            <Form method="post" className="inline-form">
              <button type="submit" name="intent" value="closeWindow" className="danger">
                {t('attendance.window.close')}
              </button>
            </Form>
          </div>
        </>
      ) : (
        <Form method="post" className="stack">
          <p>{t('attendance.window.closed')}</p>
          <SelectField
            label={t('attendance.window.minutes')}
            name="minutes"
            defaultValue={String(CHECKIN_WINDOW_MINUTES[0])}
            options={[...CHECKIN_WINDOW_MINUTES].sort((a, b) => a - b).map((minutes) => ({ value: String(minutes), label: t('attendance.window.minutesOption', { minutes }) }))}
          />
          <div className="actions">
            <button type="submit" name="intent" value="openWindow">
              {t('attendance.window.open')}
            </button>
          </div>
        </Form>
      )}
    </section>
  )
}

/** The moderator, speakers and KOL: their answer to the brief, and whether they took part, which decides their certificate. */
function StaffTookPart({ staff, locked }: { staff: Array<{ id: string; role: string; name: string; confirmation: 'pending' | 'confirmed' | 'declined'; tookPart: number | null }>; locked: boolean }) {
  const t = useT()
  if (staff.length === 0) return null
  return (
    <section aria-labelledby="staff-title" className="stack">
      <h2 id="staff-title">{t('attendance.staff.title')}</h2>
      <p className="hint">{t('attendance.staff.rule')}</p>
      <ul className="cards">
        {staff.map((person) => {
          const state = person.tookPart === 1 ? 'yes' : person.tookPart === 0 ? 'no' : 'unset'
          return (
            <li key={person.id} className="card">
              <p className="card-line">
                <strong>{person.name}</strong> · {t(`role.${person.role}` as MessageKey)}{' '}
                <span className={`badge ${person.confirmation}`}>{t(`confirmation.${person.confirmation}`)}</span>
              </p>
              <p className="card-line">{t(`attendance.staff.${state}`)}</p>
              {locked ? null : (
                <Form method="post" className="actions" preventScrollReset>
                  <input type="hidden" name="roleId" value={person.id} />
                  <input type="hidden" name="intent" value="markStaff" />
                  {state !== 'yes' ? (
                    <button type="submit" name="tookPart" value="yes" className="secondary">
                      {t('attendance.staff.markYes')}
                    </button>
                  ) : null}
                  {state !== 'no' ? (
                    <button type="submit" name="tookPart" value="no" className="secondary">
                      {t('attendance.staff.markNo')}
                    </button>
                  ) : null}
                  {state !== 'unset' ? (
                    <button type="submit" name="tookPart" value="clear" className="link-button">
                      {t('attendance.staff.clear')}
                    </button>
                  ) : null}
                </Form>
              )}
            </li>
          )
        })}
      </ul>
    </section>
  )
}

/** One registrant: their state and its source, and the manual mark behind a disclosure. */
function AttendanceCard({ row, zone, locked, errors }: { row: AttendanceRow; zone: Parameters<typeof formatTime>[1]; locked: boolean; errors?: FieldErrors }) {
  const t = useT()
  const lang = useLang()
  const present = row.present === 1
  // Until the list is final nobody is "absent" yet: they may still check in or show up in the Zoom report.
  const state = present ? 'present' : locked ? 'absent' : 'notYet'
  return (
    <li className="card">
      <p className="card-line">
        <strong>{row.name}</strong> <span className={`badge ${state}`}>{t(`attendance.state.${state}`)}</span>
        {row.source ? (
          <span className="muted">
            {' · '}
            {row.source === 'checkin' && row.checked_in_at
              ? t('attendance.source.checkin', { time: formatTime(row.checked_in_at, zone, lang) })
              : t(`attendance.source.${row.source}`)}
          </span>
        ) : null}
      </p>
      <p className="card-line muted break-anywhere">{row.email}</p>
      <p className="card-line muted">
        {row.zoom_minutes !== null ? t('attendance.zoomMinutes', { minutes: row.zoom_minutes }) : null}
        {row.checked_in_at && row.source !== 'checkin' ? ` · ${t('attendance.source.checkin', { time: formatTime(row.checked_in_at, zone, lang) })}` : null}
        {row.manual_reason ? ` · ${t(`attendance.reason.${row.manual_reason}` as MessageKey)}${row.manual_note ? `: ${row.manual_note}` : ''}` : null}
      </p>
      {locked ? null : (
        <details open={!!errors}>
          <summary>{t('attendance.mark.change')}</summary>
          <Form method="post" className="stack" preventScrollReset>
            <input type="hidden" name="registrationId" value={row.id} />
            <fieldset className="field">
              <legend>{t('attendance.mark.choice')}</legend>
              {(['present', 'absent', 'clear'] as const).map((mark) => (
                <label key={mark} className="checkbox">
                  <input type="radio" name="mark" value={mark} defaultChecked={mark === (present ? 'absent' : 'present')} /> {t(`attendance.mark.${mark}`)}
                </label>
              ))}
            </fieldset>
            <SelectField
              label={t('attendance.mark.reason')}
              name="reason"
              errors={errors?.reason}
              options={[{ value: '', label: '—' }, ...MANUAL_REASONS.map((value) => ({ value, label: t(`attendance.reason.${value}`) }))]}
            />
            <Field label={t('attendance.mark.note')} name="note" maxLength={500} optional errors={errors?.note} />
            <FormErrors errors={errors?.['']} />
            <div className="actions">
              <button type="submit" name="intent" value="mark">
                {t('attendance.mark.submit')}
              </button>
            </div>
          </Form>
        </details>
      )}
    </li>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
