import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { Field, TextareaField } from '#app/components/forms'
import { formatDateTime, translate, useLang, useT } from '#app/i18n'
import {
  countWebinarsDueForPurge,
  getRetentionMonths,
  listDataPurges,
  purgeExpiredPersonalData,
  RETENTION_MAX_MONTHS,
  setRetentionMonths,
} from '#app/models/personal-data.server'
import { getSiteSettings, saveSiteSettings } from '#app/models/site-settings.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { PrivacyActionSchema } from '#app/utils/privacy-schema.server'
import { readForm } from '#app/utils/read-form.server'
import { parseForm, type FieldErrors } from '#app/utils/validation.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'privacy.title'))

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const db = getDb()
  const months = await getRetentionMonths(db)
  const [due, purges] = await Promise.all([months === null ? Promise.resolve(0) : countWebinarsDueForPurge(db, months), listDataPurges(db)])
  // The limit travels in the loader data: a constant imported from a .server module is undefined in the browser.
  return json({ months, due, purges, maxMonths: RETENTION_MAX_MONTHS, site: await getSiteSettings(db) })
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireOrganiser(request)
  const parsed = parseForm(PrivacyActionSchema, await readForm(request))
  if (!parsed.success) return json<{ errors: FieldErrors; values: Record<string, string> }>({ errors: parsed.errors, values: parsed.values }, { status: 400 })
  const db = getDb()
  if (parsed.data.intent === 'setSite') {
    const { intent: _, ...settings } = parsed.data
    await saveSiteSettings(db, settings, user.id)
    return redirect('/admin/privacy?done=saved#site', 303)
  }
  if (parsed.data.intent === 'setRetention') {
    await setRetentionMonths(db, parsed.data.months, user.id)
    return redirect('/admin/privacy?done=saved', 303)
  }
  const result = await purgeExpiredPersonalData(db, user.id)
  return redirect(`/admin/privacy?done=purged&webinars=${result.webinars}&registrations=${result.registrations}`, 303)
}

export default function PrivacyPage() {
  const { months, due, purges, maxMonths, site } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const done = searchParams.get('done')
  return (
    <section aria-labelledby="privacy-title" className="stack">
      <h1 id="privacy-title">{t('privacy.title')}</h1>
      <p>{t('privacy.intro')}</p>
      {done === 'saved' ? (
        <p className="notice" role="status">
          {t('form.saved')}
        </p>
      ) : done === 'purged' ? (
        <p className="notice" role="status">
          {t('privacy.purged', { webinars: searchParams.get('webinars') ?? '0', registrations: searchParams.get('registrations') ?? '0' })}
        </p>
      ) : null}
      <Form method="post" className="stack" noValidate>
        <Field
          label={t('privacy.months')}
          hint={t('privacy.monthsHint', { max: maxMonths })}
          name="months"
          type="number"
          inputMode="numeric"
          min={1}
          max={maxMonths}
          defaultValue={actionData?.values.months ?? (months === null ? '' : String(months))}
          errors={actionData?.errors.months}
        />
        <div className="actions">
          <button type="submit" name="intent" value="setRetention">
            {t('form.save')}
          </button>
        </div>
      </Form>
      {months === null ? (
        <p className="muted">{t('privacy.noPeriod')}</p>
      ) : (
        <Form method="post" className="stack">
          <p>{t('privacy.due', { count: due, months })}</p>
          <div className="actions">
            <button type="submit" name="intent" value="purge" className="danger" disabled={due === 0}>
              {t('privacy.purgeNow')}
            </button>
          </div>
        </Form>
      )}
      <section aria-labelledby="site-title" id="site" className="stack">
        <h2 id="site-title">{t('privacy.site.title')}</h2>
        <p>{t('privacy.site.intro')}</p>
        <Form method="post" action="/admin/privacy#site" className="stack" noValidate>
          <Field
            label={t('privacy.site.helpdeskEmail')}
            name="helpdeskEmail"
            type="email"
            inputMode="email"
            optional
            defaultValue={actionData?.values.helpdeskEmail ?? site.helpdeskEmail ?? ''}
            errors={actionData?.errors.helpdeskEmail}
          />
          <Field
            label={t('privacy.site.helpdeskPhone')}
            hint={t('privacy.site.helpdeskPhoneHint')}
            name="helpdeskPhone"
            type="tel"
            inputMode="tel"
            optional
            defaultValue={actionData?.values.helpdeskPhone ?? site.helpdeskPhone ?? ''}
            errors={actionData?.errors.helpdeskPhone}
          />
          <TextareaField
            label={t('privacy.site.noticeId')}
            hint={t('privacy.site.noticeHint')}
            name="privacyNoticeId"
            rows={10}
            optional
            defaultValue={actionData?.values.privacyNoticeId ?? site.privacyNoticeId ?? ''}
            errors={actionData?.errors.privacyNoticeId}
          />
          <TextareaField
            label={t('privacy.site.noticeEn')}
            name="privacyNoticeEn"
            rows={10}
            optional
            lang="en"
            defaultValue={actionData?.values.privacyNoticeEn ?? site.privacyNoticeEn ?? ''}
            errors={actionData?.errors.privacyNoticeEn}
          />
          <p>
            <Link to="/privacy">{t('privacy.site.view')}</Link>
          </p>
          <div className="actions">
            <button type="submit" name="intent" value="setSite">
              {t('form.save')}
            </button>
          </div>
        </Form>
      </section>
      <section aria-labelledby="purges-title">
        <h2 id="purges-title">{t('privacy.log')}</h2>
        {purges.length === 0 ? <p className="muted">{t('privacy.logEmpty')}</p> : null}
        <ol className="plain-list history">
          {purges.map((p) => (
            <li key={p.id}>
              <time dateTime={p.at}>{formatDateTime(p.at, 'WIB', lang)}</time> · {t(`privacy.scope.${p.scope}`)} · {p.topic ?? '—'} ·{' '}
              {t('privacy.logLine', { registrations: p.registrations, messages: p.detail.messages ?? 0, certificates: p.detail.certificates ?? 0 })}
              {p.actor_name ? ` · ${p.actor_name}` : ''}
            </li>
          ))}
        </ol>
      </section>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
