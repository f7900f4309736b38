import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { PersonForm } from '#app/components/person-form'
import { translate, useT } from '#app/i18n'
import { metaLang, pageTitle } from '#app/utils/meta'
import { getPerson, updatePerson } from '#app/models/person.server'
import { listUsers } from '#app/models/user.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { accountError, PersonFormSchema, personFormValues } from '#app/utils/person-schema.server'
import { readForm } from '#app/utils/read-form.server'
import { parseForm } from '#app/utils/validation.server'

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(translate(metaLang(matches), 'people.edit.title', { name: data?.name ?? '' }))

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const [person, users] = await Promise.all([getPerson(getDb(), params.personId ?? ''), listUsers(getDb())])
  if (!person) throw new Response('Not found', { status: 404 })
  const url = new URL(request.url)
  return json({
    id: person.id,
    name: person.name,
    values: personFormValues({ ...person, userId: person.user_id }),
    accounts: users.map(({ id, name, email, role }) => ({ id, name, email, role })),
    notice: url.searchParams.has('created') ? ('people.created' as const) : url.searchParams.has('saved') ? ('form.saved' as const) : null,
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  await requireOrganiser(request)
  const personId = params.personId ?? ''
  const parsed = parseForm(PersonFormSchema, await readForm(request))
  if (!parsed.success) return json({ errors: parsed.errors, values: parsed.values }, { status: 400 })
  try {
    const updated = await updatePerson(getDb(), personId, parsed.data)
    if (!updated) throw new Response('Not found', { status: 404 })
    return redirect(`/admin/people/${personId}?saved`)
  } catch (error) {
    const key = accountError(error)
    if (!key) throw error
    return json({ errors: { account: [key] }, values: personFormValues(parsed.data) }, { status: 400 })
  }
}

export default function EditPersonPage() {
  const { id, name, values, accounts, notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  return (
    <section aria-labelledby="person-title">
      <p>
        <Link to="/admin/people">{t('people.backToList')}</Link>
      </p>
      <h1 id="person-title">{t('people.edit.title', { name })}</h1>
      {notice && !actionData ? (
        <p className="notice" role="status">
          {t(notice)}
        </p>
      ) : null}
      <PersonForm
        // A saved form starts again from what is stored, even when JavaScript kept the old inputs.
        key={JSON.stringify(values)}
        // Not the current URL: that may carry the ?saved notice.
        action={`/admin/people/${id}`}
        values={actionData?.values ?? values}
        errors={actionData?.errors as Record<string, string[]> | undefined}
        accounts={accounts}
        submitLabel={t('form.save')}
      />
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
