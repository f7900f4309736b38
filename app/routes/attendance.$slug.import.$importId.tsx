import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useLocation, useSearchParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { CheckboxGroup, Field, FormErrors } from '#app/components/forms'
import { pageCount, Pagination } from '#app/components/pagination'
import { ReportFactsList, ReportMismatch } from '#app/components/zoom-import'
import { formatDateTime, useLang, useT, type MessageKey } from '#app/i18n'
import {
  commitZoomImport,
  findRegistrantByEmail,
  getZoomImport,
  linkZoomPerson,
  listZoomImportPeople,
} from '#app/models/zoom-import.server'
import { ImportActionSchema, ImportPeopleQuerySchema } from '#app/utils/attendance-schema.server'
import { safeRedirect } from '#app/utils/auth.server'
import { readForm } from '#app/utils/read-form.server'
import { requireAttendanceWebinar } from '#app/utils/webinar-guards.server'
import { getDb } from '#app/utils/db.server'
import { pageTitle } from '#app/utils/meta'
import { parseForm, type FieldErrors } from '#app/utils/validation.server'

export const meta: MetaFunction<typeof loader> = ({ data }) => pageTitle(data?.zoomImport.file_name ?? 'Zoom')

const DONE_NOTICES: Record<string, MessageKey> = {
  reused: 'import.reused',
  committed: 'import.commitDone',
  current: 'import.alreadyCurrent',
  linked: 'import.link.done',
}

async function requireImport(request: Request, slug: string | undefined, importId: string | undefined) {
  const { user, webinar } = await requireAttendanceWebinar(request, slug)
  const zoomImport = await getZoomImport(getDb(), webinar, importId ?? '')
  if (!zoomImport) throw new Response('Not found', { status: 404 })
  return { user, webinar, zoomImport }
}

// Registrants' names and e-mail addresses: no cache may keep them.
export const headers: HeadersFunction = () => ({ 'Cache-Control': 'private, no-store' })

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { webinar, zoomImport } = await requireImport(request, params.slug, params.importId)
  const parsedQuery = ImportPeopleQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams))
  const query = parsedQuery.success ? parsedQuery.data : { show: 'attention' as const, page: 1 }
  const people = await listZoomImportPeople(getDb(), zoomImport.id, query.show, query.page)
  return json({
    webinar: {
      slug: webinar.slug,
      topic: webinar.topic,
      zone: webinar.time_zone,
      startAt: webinar.start_at,
      requiredMinutes: webinar.requiredMinutes,
      locked: webinar.attendance_finalised_at !== null,
    },
    zoomImport,
    show: query.show,
    people: { ...people, pages: pageCount(people.total, people.pageSize) },
  })
}

type ActionData = { personId?: string; errors: FieldErrors }

const LINK_REFUSALS: Record<'notFound' | 'finalised' | 'notRegistrant' | 'erased', MessageKey> = {
  notFound: 'attendance.notFound',
  finalised: 'attendance.locked',
  notRegistrant: 'import.link.notRegistrant',
  erased: 'import.link.erased',
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, webinar, zoomImport } = await requireImport(request, params.slug, params.importId)
  const parsed = parseForm(ImportActionSchema, await readForm(request))
  if (!parsed.success) return json<ActionData>({ personId: parsed.values.personId, errors: parsed.errors }, { status: 400 })
  const db = getDb()
  const form = parsed.data
  const base = `/attendance/${webinar.slug}/import/${zoomImport.id}`
  if (form.intent === 'commit') {
    // Another meeting's minutes would issue certificates wrongly: saving such a report takes a deliberate tick.
    if (looksLikeAnotherMeeting(zoomImport.identity) && !form.mismatchChecked) {
      return json<ActionData>({ errors: { mismatchChecked: ['import.mismatch.required'] } }, { status: 400 })
    }
    const result = await commitZoomImport(db, webinar.id, zoomImport.id, user.id)
    if (!result.ok) return json<ActionData>({ errors: { '': [result.reason === 'finalised' ? 'attendance.locked' : 'attendance.notFound'] } }, { status: 409 })
    return redirect(`${base}?done=${result.changed ? 'committed' : 'current'}`, 303)
  }
  const registrationId = form.registrationId ?? (await findRegistrantByEmail(db, webinar.id, form.email!))?.id
  const result = registrationId ? await linkZoomPerson(db, webinar.id, zoomImport.id, form.personId, registrationId, user.id) : ({ ok: false, reason: 'notRegistrant' } as const)
  if (!result.ok) {
    const key: MessageKey = LINK_REFUSALS[result.reason]
    return json<ActionData>({ personId: form.personId, errors: { email: [key] } }, { status: result.reason === 'finalised' || result.reason === 'erased' ? 409 : 400 })
  }
  const back = new URL(request.url)
  back.searchParams.set('done', 'linked')
  return redirect(safeRedirect(`${back.pathname}${back.search}`), 303)
}

const SHOW = ['attention', 'matched', 'staff'] as const

function looksLikeAnotherMeeting(identity: { topic: string; date: string }): boolean {
  return identity.topic === 'different' || identity.date === 'different'
}

export default function ZoomImportPreview() {
  const { webinar, zoomImport, show, people } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>() as ActionData | undefined
  const [searchParams] = useSearchParams()
  const { pathname } = useLocation()
  const t = useT()
  const lang = useLang()
  const done = searchParams.get('done')
  const counts = zoomImport.counts
  return (
    <section aria-labelledby="preview-title" className="stack">
      <h1 id="preview-title" className="break-anywhere">
        {t('import.previewTitle', { file: zoomImport.file_name })}
      </h1>
      <ReportMismatch
        report={zoomImport.report}
        identity={zoomImport.identity}
        webinar={{ topic: webinar.topic, meetingId: zoomImport.webinarMeetingId, startAt: webinar.startAt, zone: webinar.zone }}
      />
      <p className="muted">
        {t('import.uploadedBy', { time: formatDateTime(zoomImport.uploaded_at, webinar.zone, lang), name: zoomImport.uploaded_by_name ?? '—', rows: zoomImport.rows })}
      </p>
      {done && DONE_NOTICES[done] ? (
        <p className="notice" role="status">
          {t(DONE_NOTICES[done]!)}
        </p>
      ) : null}
      <FormErrors errors={actionData && !actionData.personId ? actionData.errors[''] : undefined} />

      <dl className="stats">
        {(['email', 'name', 'link', 'ambiguous', 'unmatched', 'guest', 'staff'] as const).map((match) => (
          <div key={match}>
            <dt>{t(`import.count.${match}`)}</dt>
            <dd>{counts[match]}</dd>
          </div>
        ))}
      </dl>
      <p>{t('import.presentByZoom', { count: zoomImport.presentByZoom, minutes: webinar.requiredMinutes })}</p>
      <ReportFactsList report={zoomImport.report} zone={webinar.zone} />

      {zoomImport.current ? (
        <p className="notice">{t('import.committedAt', { time: formatDateTime(zoomImport.committed_at!, webinar.zone, lang) })}</p>
      ) : webinar.locked ? (
        <p>{t('attendance.locked')}</p>
      ) : (
        <Form method="post" className="stack">
          <p>{t('import.previewNotice')}</p>
          {looksLikeAnotherMeeting(zoomImport.identity) ? (
            <CheckboxGroup
              legend={t('import.mismatch.title')}
              name="mismatchChecked"
              options={[{ value: 'yes', label: t('import.mismatch.confirm') }]}
              defaultValues={[]}
              errors={actionData?.errors.mismatchChecked}
            />
          ) : null}
          <div className="actions">
            <button type="submit" name="intent" value="commit">
              {t('import.commit')}
            </button>
          </div>
        </Form>
      )}

      <nav className="actions" aria-label={t('attendance.filter')}>
        {SHOW.map((value) => (
          <Link key={value} to={`${pathname}?show=${value}`} aria-current={value === show ? 'page' : undefined}>
            {t(`import.show.${value}`)}
          </Link>
        ))}
      </nav>
      {people.rows.length === 0 ? <p className="muted">{t('import.empty')}</p> : null}
      <ul className="cards">
        {people.rows.map((person) => (
          <li key={person.id} className="card">
            <p className="card-line">
              <strong className="break-anywhere">{person.names.join(' / ')}</strong> <span className="badge">{t(`import.count.${person.match}`)}</span>
            </p>
            <p className="card-line muted break-anywhere">
              {person.email ?? t('import.noEmail')} · {t('import.col.line', { line: person.first_line })}
            </p>
            <p className="card-line">
              {person.minutes} {t('import.col.minutes').toLowerCase()}
              {person.joins > 1 ? ` · ${t('import.col.joins', { count: person.joins })}` : ''}
              {person.registrant_name ? ` → ${person.registrant_name} (${person.registrant_email})` : ''}
            </p>
            {person.role === 'attendee' && !webinar.locked && (person.match === 'ambiguous' || person.match === 'unmatched' || person.match === 'guest') ? (
              <LinkForm
                personId={person.id}
                candidates={person.candidates}
                candidatesAre={person.match === 'ambiguous' ? 'sameName' : 'closest'}
                errors={actionData?.personId === person.id ? actionData.errors : undefined}
              />
            ) : null}
          </li>
        ))}
      </ul>
      <Pagination page={people.page} pages={people.pages} />
      <p>
        <Link to={`/attendance/${webinar.slug}`}>{t('import.back')}</Link>
      </p>
    </section>
  )
}

/** Links a row to a registrant: one of the candidates (those of a shared name, or the closest names), or anyone by e-mail. */
function LinkForm({
  personId,
  candidates,
  candidatesAre,
  errors,
}: {
  personId: string
  candidates: Array<{ id: string; name: string; email: string }>
  candidatesAre: 'sameName' | 'closest'
  errors?: FieldErrors
}) {
  const t = useT()
  return (
    <details open={!!errors}>
      <summary>{t('import.link.submit')}</summary>
      <Form method="post" className="stack" preventScrollReset>
        <input type="hidden" name="personId" value={personId} />
        {candidates.length ? (
          <fieldset className="field">
            <legend>{t(candidatesAre === 'sameName' ? 'import.link.candidate' : 'import.link.closest')}</legend>
            {candidates.map((c) => (
              <label key={c.id} className="checkbox break-anywhere">
                <input type="radio" name="registrationId" value={c.id} /> {c.name} ({c.email})
              </label>
            ))}
          </fieldset>
        ) : null}
        <Field label={t('import.link.email')} name="email" type="email" autoComplete="off" errors={errors?.email} />
        <div className="actions">
          <button type="submit" name="intent" value="link">
            {t('import.link.submit')}
          </button>
        </div>
      </Form>
    </details>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
