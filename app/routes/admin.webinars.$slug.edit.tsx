import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { WebinarForm } from '#app/components/webinar-form'
import { useT } from '#app/i18n'
import { listRegencyOptions } from '#app/models/region.server'
import { getWebinarBySlug, saveWebinar, webinarFormValues } from '#app/models/webinar.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { echoForm, parseForm } from '#app/utils/validation.server'
import { WebinarFormSchema } from '#app/utils/webinar-schema.server'

export const meta: MetaFunction = () => [{ title: 'Ubah webinar · Literasi Webinar' }]

async function requireWebinar(slug: string | undefined) {
  const webinar = await getWebinarBySlug(getDb(), slug ?? '')
  if (!webinar) throw new Response('Not found', { status: 404 })
  return webinar
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const webinar = await requireWebinar(params.slug)
  return json({ slug: webinar.slug, values: webinarFormValues(webinar), regencies: await listRegencyOptions(getDb()) })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireOrganiser(request)
  const webinar = await requireWebinar(params.slug)
  const formData = await request.formData()
  const parsed = parseForm(WebinarFormSchema, formData)
  if (!parsed.success) return json({ errors: parsed.errors, values: parsed.values }, { status: 400 })
  const saved = await saveWebinar(getDb(), parsed.data, { webinarId: webinar.id, userId: user.id })
  if (!saved.ok) return json({ errors: saved.errors, values: echoForm(formData) }, { status: 400 })
  return redirect(`/admin/webinars/${saved.slug}?done=saved`)
}

export default function EditWebinarPage() {
  const { slug, values, regencies } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  return (
    <section aria-labelledby="edit-webinar-title">
      <h1 id="edit-webinar-title">{t('webinar.edit.title')}</h1>
      <WebinarForm
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
