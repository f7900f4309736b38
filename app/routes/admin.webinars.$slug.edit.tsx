import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { WebinarForm } from '#app/components/webinar-form'
import { translate, useT } from '#app/i18n'
import { metaLang, pageTitle } from '#app/utils/meta'
import { listProvinceZones, listRegencyOptions } from '#app/models/region.server'
import { saveWebinar, webinarFormValues } from '#app/models/webinar.server'
import { getDb } from '#app/utils/db.server'
import { readForm } from '#app/utils/read-form.server'
import { requireOrganiserWebinar } from '#app/utils/webinar-guards.server'
import { echoForm, parseForm } from '#app/utils/validation.server'
import { WebinarFormSchema } from '#app/utils/webinar-schema.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'webinar.edit.title'))

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { webinar } = await requireOrganiserWebinar(request, params.slug)
  const [regencies, zones] = await Promise.all([listRegencyOptions(getDb()), listProvinceZones(getDb())])
  return json({ slug: webinar.slug, values: webinarFormValues(webinar), regencies, zones })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, webinar } = await requireOrganiserWebinar(request, params.slug)
  const formData = await readForm(request)
  const parsed = parseForm(WebinarFormSchema, formData)
  if (!parsed.success) return json({ errors: parsed.errors, values: parsed.values }, { status: 400 })
  const saved = await saveWebinar(getDb(), parsed.data, { webinarId: webinar.id, userId: user.id })
  if (!saved.ok) return json({ errors: saved.errors, values: echoForm(formData) }, { status: 400 })
  return redirect(`/admin/webinars/${saved.slug}?done=saved`)
}

export default function EditWebinarPage() {
  const { slug, values, regencies, zones } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  return (
    <section aria-labelledby="edit-webinar-title">
      <h1 id="edit-webinar-title">{t('webinar.edit.title')}</h1>
      <WebinarForm
        zones={zones}
        regencies={regencies}
        values={actionData?.values ?? values}
        errors={actionData?.errors}
        submitLabel={t('form.save')}
        cancelTo={`/admin/webinars/${slug}`}
      />
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
