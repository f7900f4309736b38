import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { AfterWebinarSettingsForm, StaffMaterialsList } from '#app/components/after-webinar-settings'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { formatDateTime, translate, useLang, useT } from '#app/i18n'
import { getAfterWebinarSettings, saveAfterWebinarSettings } from '#app/models/after-webinar.server'
import { listWebinarMaterials } from '#app/models/material.server'
import { AfterWebinarSettingsSchema, OWN_QUESTION_FIELDS } from '#app/utils/after-webinar-schema.server'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { readForm } from '#app/utils/read-form.server'
import { addMinutes, webinarZone } from '#app/utils/time'
import { parseForm } from '#app/utils/validation.server'
import { requireOrganiserWebinar } from '#app/utils/webinar-guards.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'after.title'))
export const headers: HeadersFunction = () => ({ 'Cache-Control': 'private, no-store' })

// After the webinar, for organisers: the certificate gate, the recording, the "thank you" mail,
// the evaluation's own questions, and the speakers' slides.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { webinar } = await requireOrganiserWebinar(request, params.slug)
  const [settings, materials] = await Promise.all([getAfterWebinarSettings(getDb(), webinar.id), listWebinarMaterials(getDb(), webinar.id)])
  return json({
    webinar: { slug: webinar.slug, topic: webinar.topic, zone: webinarZone(webinar), endAt: webinar.end_at },
    settings,
    materials,
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { webinar } = await requireOrganiserWebinar(request, params.slug)
  const parsed = parseForm(AfterWebinarSettingsSchema, await readForm(request))
  if (!parsed.success) return json({ errors: parsed.errors, values: parsed.values }, { status: 400 })
  const { certificateGate, recordingUrl, recordingPublic, thankYouDelayHours } = parsed.data
  await saveAfterWebinarSettings(getDb(), webinar.id, { certificateGate, recordingUrl, recordingPublic, thankYouDelayHours, questions: OWN_QUESTION_FIELDS.map((f) => parsed.data[f]) })
  return redirect(`/admin/webinars/${webinar.slug}/after?done=saved`, 303)
}

export default function AfterWebinarPage() {
  const { webinar, settings, materials } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const thankYouAt = webinar.endAt ? addMinutes(webinar.endAt, settings.thankYouDelayHours * 60) : null
  return (
    <section aria-labelledby="after-title" className="stack">
      <p>
        <Link to={`/admin/webinars/${webinar.slug}`}>← {webinar.topic}</Link>
      </p>
      <h1 id="after-title">{t('after.title')}</h1>
      {searchParams.get('done') === 'saved' && !actionData ? (
        <p className="notice" role="status">
          {t('after.saved')}
        </p>
      ) : null}
      <p className="hint">
        {settings.thankYouSentAt
          ? t('after.thankYouSent', { time: formatDateTime(settings.thankYouSentAt, webinar.zone, lang) })
          : thankYouAt
            ? t('after.thankYouPlanned', { time: formatDateTime(thankYouAt, webinar.zone, lang) })
            : t('date.notSet')}
      </p>
      <AfterWebinarSettingsForm settings={settings} values={actionData?.values} errors={actionData?.errors} />
      <section aria-labelledby="staff-materials-title">
        <h2 id="staff-materials-title">{t('materials.title')}</h2>
        <StaffMaterialsList slug={webinar.slug} materials={materials} zone={webinar.zone} />
      </section>
      <p>
        <Link to={`/attendance/${webinar.slug}/report#evaluation-title`}>{t('after.toReport')}</Link>
      </p>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
