import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { WebinarForm } from '#app/components/webinar-form'
import { translate, useT } from '#app/i18n'
import { metaLang, pageTitle } from '#app/utils/meta'
import { listProvinceZones, listRegencyOptions } from '#app/models/region.server'
import { saveWebinar } from '#app/models/webinar.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { readForm } from '#app/utils/read-form.server'
import { echoForm, parseForm } from '#app/utils/validation.server'
import { WebinarFormSchema } from '#app/utils/webinar-schema.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'webinar.new.title'))

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const [regencies, zones] = await Promise.all([listRegencyOptions(getDb()), listProvinceZones(getDb())])
  return json({ regencies, zones })
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireOrganiser(request)
  const formData = await readForm(request)
  const parsed = parseForm(WebinarFormSchema, formData)
  if (!parsed.success) return json({ errors: parsed.errors, values: parsed.values }, { status: 400 })
  const saved = await saveWebinar(getDb(), parsed.data, { userId: user.id })
  if (!saved.ok) return json({ errors: saved.errors, values: echoForm(formData) }, { status: 400 })
  return redirect(`/admin/webinars/${saved.slug}?done=created`)
}

export default function NewWebinarPage() {
  const { regencies, zones } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  return (
    <section aria-labelledby="new-webinar-title">
      <h1 id="new-webinar-title">{t('webinar.new.title')}</h1>
      <WebinarForm
        zones={zones}
        regencies={regencies}
        values={actionData?.values ?? {}}
        errors={actionData?.errors}
        submitLabel={t('form.save')}
        cancelTo="/admin/webinars"
      />
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
