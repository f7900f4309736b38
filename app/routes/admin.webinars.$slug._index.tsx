import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { ConfirmForm, Field, FormErrors, SelectField, useResetAfterSuccess } from '#app/components/forms'
import { formatDateTime, formatNumber, formatTime, useLang, useT, type MessageKey } from '#app/i18n'
import { summariseFailedMail } from '#app/models/outbox.server'
import { listPeopleOptions } from '#app/models/person.server'
import { addRundownItem, listRundown, removeRundownItem, rundownOffset, updateRundownItem } from '#app/models/rundown.server'
import {
  cancelWebinar,
  finishWebinar,
  publishWebinar,
  type LifecycleResult,
  type WebinarDetail,
} from '#app/models/webinar.server'
import { assignRole, listWebinarRoles, removeRole } from '#app/models/webinar-role.server'
import { ASSIGNMENT_ROLES, PILLARS, splitPillars } from '#app/utils/catalog'
import { getDb } from '#app/utils/db.server'
import { readForm } from '#app/utils/read-form.server'
import { requireOrganiserWebinar } from '#app/utils/webinar-guards.server'
import { addMinutes, nowIso, utcToLocal, webinarZone } from '#app/utils/time'
import { parseForm, type FieldErrors } from '#app/utils/validation.server'
import { WebinarPageActionSchema, type WebinarPageAction } from '#app/utils/webinar-actions-schema.server'

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.webinar.topic ?? 'Webinar'} · Literasi Webinar` }]

/** Notices shown after a redirect, named in the URL so they work without JavaScript. */
const DONE_NOTICES: Record<string, MessageKey> = {
  created: 'webinar.created',
  saved: 'webinar.saved',
  published: 'webinar.published',
  cancelled: 'webinar.cancelled',
  finished: 'webinar.finished',
  updated: 'form.saved',
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { webinar } = await requireOrganiserWebinar(request, params.slug)
  const db = getDb()
  const [roles, rundown, people, failedMail] = await Promise.all([
    listWebinarRoles(db, webinar.id),
    listRundown(db, webinar.id),
    listPeopleOptions(db),
    summariseFailedMail(db, webinar.id),
  ])
  return json({ webinar, roles, rundown, people, failedMail, now: nowIso() })
}

type ActionData = { intent: string; itemId?: string; errors: FieldErrors; missing?: string[] }

export async function action({ request, params }: ActionFunctionArgs) {
  const { webinar } = await requireOrganiserWebinar(request, params.slug)
  const parsed = parseForm(WebinarPageActionSchema, await readForm(request))
  if (!parsed.success) {
    return json<ActionData>({ intent: parsed.values.intent ?? '', itemId: parsed.values.itemId, errors: parsed.errors }, { status: 400 })
  }
  const outcome = await perform(webinar, parsed.data)
  if (outcome) return json<ActionData>(outcome, { status: outcome.missing ? 409 : 400 })
  const done = { publish: 'published', cancel: 'cancelled', finish: 'finished' }[parsed.data.intent as string] ?? 'updated'
  return redirect(`/admin/webinars/${webinar.slug}?done=${done}`)
}

/** Runs one form's change; returns what to show when it was refused. */
async function perform(webinar: WebinarDetail, form: WebinarPageAction): Promise<ActionData | null> {
  const db = getDb()
  const lifecycle = (result: LifecycleResult): ActionData | null => {
    if (result.ok) return null
    if (result.reason === 'incomplete') return { intent: form.intent, errors: { '': ['webinar.missingIntro'] }, missing: result.missing }
    return { intent: form.intent, errors: { '': ['webinar.lifecycleNotAllowed'] } }
  }
  switch (form.intent) {
    case 'publish':
      return lifecycle(await publishWebinar(db, webinar.id))
    case 'cancel':
      return lifecycle(await cancelWebinar(db, webinar.id))
    case 'finish':
      return lifecycle(await finishWebinar(db, webinar.id))
    case 'assignRole': {
      const result = await assignRole(db, webinar.id, { personId: form.personId, role: form.role, talkTitle: form.talkTitle, pillar: form.pillar ?? null })
      return result.ok ? null : { intent: form.intent, errors: { [result.field]: [result.error] } }
    }
    case 'removeRole':
      return (await removeRole(db, webinar.id, form.roleId)) ? null : { intent: form.intent, errors: { '': ['error.notFound.body'] } }
    case 'addRundown':
    case 'updateRundown': {
      const itemId = form.intent === 'updateRundown' ? form.itemId : undefined
      const offset = rundownOffset(webinar, form.time, webinarZone(webinar))
      if (!offset.ok) return { intent: form.intent, itemId, errors: { time: [offset.error] } }
      const input = { offsetMinutes: offset.offset, title: form.title, personId: form.personId }
      if (!itemId) {
        await addRundownItem(db, webinar.id, input)
        return null
      }
      return (await updateRundownItem(db, webinar.id, itemId, input)) ? null : { intent: form.intent, itemId, errors: { '': ['error.notFound.body'] } }
    }
    case 'removeRundown':
      return (await removeRundownItem(db, webinar.id, form.itemId)) ? null : { intent: form.intent, errors: { '': ['error.notFound.body'] } }
  }
}

export default function WebinarPage() {
  const { webinar, roles, rundown, people, failedMail, now } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>() as ActionData | undefined
  const [searchParams] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const zone = webinarZone(webinar)
  const done = DONE_NOTICES[searchParams.get('done') ?? '']
  const editable = webinar.status === 'draft' || webinar.status === 'published'
  const ended = webinar.end_at !== null && webinar.end_at <= now
  const errorsFor = (intent: string, itemId?: string) =>
    actionData && actionData.intent === intent && (itemId === undefined || actionData.itemId === itemId) ? actionData.errors : undefined
  const lifecycleErrors = errorsFor('publish') ?? errorsFor('cancel') ?? errorsFor('finish')
  const assignErrors = errorsFor('assignRole')
  const addErrors = errorsFor('addRundown')
  // A successful submit starts the form empty again (without JavaScript the redirect does that).
  const assignForm = useResetAfterSuccess('assignRole', !!assignErrors)
  const rundownForm = useResetAfterSuccess('addRundown', !!addErrors)
  const localTimeOf = (offset: number) => (webinar.start_at ? utcToLocal(addMinutes(webinar.start_at, offset), zone).time : '')
  const assignedPeople = roles.filter((r, i) => roles.findIndex((o) => o.person_id === r.person_id) === i)

  return (
    <article aria-labelledby="webinar-title">
      <p>
        <Link to="/admin/webinars">← {t('webinar.list.title')}</Link>
      </p>
      <h1 id="webinar-title">{webinar.topic}</h1>
      <p>
        <span className={`badge ${webinar.status}`}>{t(`status.${webinar.status}`)}</span>{' '}
        {webinar.start_at && webinar.end_at
          ? `${formatDateTime(webinar.start_at, zone, lang)} – ${formatTime(webinar.end_at, zone, lang)}`
          : t('date.notSet')}
        {webinar.regency_name ? ` · ${webinar.regency_name}, ${webinar.province_name}` : ''}
      </p>
      {/* A refused change shows only its refusal: no notice left over from the previous success. */}
      {done && !actionData ? (
        <p className="notice" role="status">
          {t(done)}
          {(searchParams.get('done') === 'created' || searchParams.get('done') === 'saved') && webinar.regency_name ? ` ${t('webinar.savedZone', { zone, name: t(`zone.${zone}`) })}` : null}
        </p>
      ) : null}
      {failedMail.count > 0 ? (
        <div className="form-errors" role="alert">
          <p>{t('webinar.failedMail', { count: failedMail.count })}</p>
          <ul>
            {failedMail.reasons.map((reason) => (
              <li key={reason.error} className="break-anywhere">
                {t('webinar.failedMailReason', { reason: reason.error, count: reason.count })}
              </li>
            ))}
          </ul>
          <p>
            <Link to={`/admin/outbox?${new URLSearchParams({ webinar: webinar.id, state: 'failed' })}`}>{t('webinar.failedMailLink')}</Link>
          </p>
        </div>
      ) : null}

      <div className="actions">
        {editable ? (
          <Link to="edit" className="button secondary">
            {t('webinar.action.edit')}
          </Link>
        ) : null}
        {webinar.status === 'draft' ? (
          <Form method="post">
            <button type="submit" name="intent" value="publish">
              {t('webinar.action.publish')}
            </button>
          </Form>
        ) : null}
        {webinar.status === 'published' && ended ? (
          <Form method="post">
            <button type="submit" name="intent" value="finish">
              {t('webinar.action.finish')}
            </button>
          </Form>
        ) : null}
        {webinar.status === 'published' || webinar.status === 'finished' ? (
          <Link to={`/attendance/${webinar.slug}`} className="button secondary">
            {t('attendance.openConsole')}
          </Link>
        ) : null}
        {webinar.status === 'published' || webinar.status === 'finished' ? (
          <Link to={`/attendance/${webinar.slug}/report`} className="button secondary">
            {t('report.link')}
          </Link>
        ) : null}
        {webinar.status !== 'cancelled' ? (
          <Link to={`/admin/webinars/${webinar.slug}/after`} className="button secondary">
            {t('after.link')}
          </Link>
        ) : null}
        {webinar.status === 'finished' ? (
          <Link to={`/admin/webinars/${webinar.slug}/certificates`} className="button secondary">
            {t('certificates.link')}
          </Link>
        ) : null}
        {editable && !ended && searchParams.get('confirm') !== 'cancel' ? (
          <Link to="?confirm=cancel" className="button secondary">
            {t('webinar.action.cancel')}
          </Link>
        ) : null}
      </div>
      {editable && !ended && searchParams.get('confirm') === 'cancel' ? (
        <ConfirmForm
          className="form-errors"
          warning={t('webinar.action.cancelWarning')}
          intent="cancel"
          confirm={t('webinar.action.cancelConfirm')}
          back={t('form.cancel')}
          backTo="."
        />
      ) : null}
      {actionData?.missing?.length ? (
        // What is missing sits inside the refusal's own box.
        <div className="form-errors" role="alert">
          <p>{t('webinar.missingIntro')}</p>
          <ul>
            {actionData.missing.map((key) => (
              <li key={key}>{t(`webinar.missing.${key}` as MessageKey)}</li>
            ))}
          </ul>
        </div>
      ) : (
        <FormErrors errors={lifecycleErrors?.['']} />
      )}

      <h2>{t('webinar.section.details')}</h2>
      <dl className="details">
        <dt>{t('webinar.field.pillars')}</dt>
        <dd>{splitPillars(webinar.pillars).map((p) => t(`pillar.${p}`)).join(', ') || '—'}</dd>
        <dt>{t('webinar.field.segment')}</dt>
        <dd>{t(`segment.${webinar.segment}` as MessageKey)}</dd>
        <dt>{t('webinar.field.description')}</dt>
        <dd>{webinar.description || '—'}</dd>
        <dt>{t('webinar.field.platformUrl')}</dt>
        <dd>{webinar.platform_url ? <a href={webinar.platform_url}>{webinar.platform_url}</a> : '—'}</dd>
        <dt>{t('webinar.field.meetingId')}</dt>
        <dd>{webinar.meeting_id ?? '—'}</dd>
        <dt>{t('webinar.field.passcode')}</dt>
        <dd>{webinar.passcode ?? '—'}</dd>
        <dt>{t('webinar.field.livestreamUrl')}</dt>
        <dd>{webinar.livestream_url ? <a href={webinar.livestream_url}>{webinar.livestream_url}</a> : '—'}</dd>
        <dt>{t('webinar.field.capacity')}</dt>
        <dd>{formatNumber(webinar.capacity, lang)}</dd>
        <dt>{t('webinar.field.registrationOpens')}</dt>
        <dd>{webinar.registration_opens_at ? formatDateTime(webinar.registration_opens_at, zone, lang) : '—'}</dd>
        <dt>{t('webinar.field.registrationCloses')}</dt>
        <dd>{webinar.registration_closes_at ? formatDateTime(webinar.registration_closes_at, zone, lang) : '—'}</dd>
        <dt>{t('webinar.field.attendanceThreshold')}</dt>
        <dd>{webinar.attendance_threshold}%</dd>
        <dt>{t('webinar.field.slug')}</dt>
        <dd>{webinar.slug}</dd>
        <dt>{t('webinar.field.calendarSequence')}</dt>
        <dd>{webinar.calendar_sequence}</dd>
      </dl>

      <h2 id="roles">{t('webinar.section.roles')}</h2>
      {roles.length === 0 ? <p>{t('roles.none')}</p> : null}
      <ul className="cards">
        {roles.map((role) => (
          <li key={role.id} className="card">
            <strong>{t(`role.${role.role}`)}</strong>: {role.name}
            {role.organisation ? <span className="muted"> — {[role.title, role.organisation].filter(Boolean).join(', ')}</span> : null}
            <p className="muted">
              {t('confirmation.label')}: <span className={`badge ${role.confirmation}`}>{t(`confirmation.${role.confirmation}`)}</span>
            </p>
            {role.talk_title ? (
              <p>
                {role.talk_title}
                {role.pillar ? <span className="muted"> · {t(`pillar.${role.pillar}` as MessageKey)}</span> : null}
              </p>
            ) : null}
            {editable ? (
              <Form method="post" className="inline-form">
                <input type="hidden" name="roleId" value={role.id} />
                <button type="submit" name="intent" value="removeRole" className="link-button">
                  {t('roles.remove')}
                </button>
              </Form>
            ) : null}
          </li>
        ))}
      </ul>
      {editable ? (
        <Form ref={assignForm} method="post" className="stack card" aria-labelledby="assign-title" noValidate>
          <h3 id="assign-title">{t('roles.assign')}</h3>
          <FormErrors errors={assignErrors?.['']} />
          <SelectField
            label={t('roles.person')}
            name="personId"
            placeholder={t('roles.personPlaceholder')}
            options={people.map((p) => ({ value: p.id, label: p.organisation ? `${p.name} — ${p.organisation}` : p.name }))}
            errors={assignErrors?.personId}
          />
          <SelectField
            label={t('roles.role')}
            name="role"
            defaultValue="speaker"
            options={ASSIGNMENT_ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
            errors={assignErrors?.role}
          />
          <div className="row">
            <Field label={t('roles.talkTitle')} hint={t('roles.talkHint')} name="talkTitle" maxLength={200} errors={assignErrors?.talkTitle} />
            <SelectField
              label={t('roles.pillar')}
              name="pillar"
              placeholder="—"
              options={PILLARS.map((p) => ({ value: p, label: t(`pillar.${p}`) }))}
              errors={assignErrors?.pillar}
            />
          </div>
          <div className="actions">
            <button type="submit" name="intent" value="assignRole">
              {t('roles.assign')}
            </button>
            <Link to="/admin/people/new">{t('roles.addPersonFirst')}</Link>
          </div>
        </Form>
      ) : null}

      <h2 id="rundown">{t('webinar.section.rundown')}</h2>
      {rundown.length === 0 ? <p>{t('rundown.none')}</p> : null}
      <ul className="cards">
        {rundown.map((item) => {
          const itemErrors = errorsFor('updateRundown', item.id)
          return (
            <li key={item.id} className="card">
              {editable ? (
                <Form method="post" className="stack" aria-label={item.title} noValidate>
                  <input type="hidden" name="itemId" value={item.id} />
                  <FormErrors errors={itemErrors?.['']} />
                  <div className="row">
                    <Field label={t('rundown.time')} name="time" type="time" defaultValue={localTimeOf(item.offset_minutes)} errors={itemErrors?.time} />
                    <Field label={t('rundown.title')} name="title" defaultValue={item.title} maxLength={200} errors={itemErrors?.title} />
                    <SelectField
                      label={t('rundown.person')}
                      name="personId"
                      defaultValue={item.person_id ?? ''}
                      placeholder={t('rundown.nobody')}
                      options={assignedPeople.map((p) => ({ value: p.person_id, label: p.name }))}
                      errors={itemErrors?.personId}
                    />
                  </div>
                  <div className="actions">
                    <button type="submit" name="intent" value="updateRundown" className="secondary">
                      {t('rundown.save')}
                    </button>
                    <button type="submit" name="intent" value="removeRundown" className="link-button">
                      {t('rundown.remove')}
                    </button>
                  </div>
                </Form>
              ) : (
                <p>
                  <strong>{localTimeOf(item.offset_minutes)}</strong> {item.title}
                  {item.person_name ? <span className="muted"> — {item.person_name}</span> : null}
                </p>
              )}
            </li>
          )
        })}
      </ul>
      {editable ? (
        <Form ref={rundownForm} method="post" className="stack card" aria-labelledby="rundown-add-title" noValidate>
          <h3 id="rundown-add-title">{t('rundown.add')}</h3>
          <FormErrors errors={addErrors?.['']} />
          <div className="row">
            <Field label={t('rundown.time')} name="time" type="time" errors={addErrors?.time} />
            <Field label={t('rundown.title')} name="title" maxLength={200} errors={addErrors?.title} />
            <SelectField
              label={t('rundown.person')}
              name="personId"
              placeholder={t('rundown.nobody')}
              options={assignedPeople.map((p) => ({ value: p.person_id, label: p.name }))}
              errors={addErrors?.personId}
            />
          </div>
          <div className="actions">
            <button type="submit" name="intent" value="addRundown">
              {t('rundown.add')}
            </button>
          </div>
        </Form>
      ) : null}
    </article>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
