import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { PersonForm } from '#app/components/person-form'
import { translate, useT } from '#app/i18n'
import { metaLang, pageTitle } from '#app/utils/meta'
import { createPerson } from '#app/models/person.server'
import { listUsers } from '#app/models/user.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { accountError, PersonFormSchema, personFormValues } from '#app/utils/person-schema.server'
import { readForm } from '#app/utils/read-form.server'
import { parseForm } from '#app/utils/validation.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'people.new.title'))

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const users = await listUsers(getDb())
  return json({ accounts: users.map(({ id, name, email, role }) => ({ id, name, email, role })) })
}

export async function action({ request }: ActionFunctionArgs) {
  await requireOrganiser(request)
  const parsed = parseForm(PersonFormSchema, await readForm(request))
  if (!parsed.success) return json({ errors: parsed.errors, values: parsed.values }, { status: 400 })
  try {
    const personId = await createPerson(getDb(), parsed.data)
    return redirect(`/admin/people/${personId}?created`)
  } catch (error) {
    const key = accountError(error)
    if (!key) throw error
    return json({ errors: { account: [key] }, values: personFormValues(parsed.data) }, { status: 400 })
  }
}

export default function NewPersonPage() {
  const { accounts } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  return (
    <section aria-labelledby="new-person-title">
      <h1 id="new-person-title">{t('people.new.title')}</h1>
      <PersonForm
        values={actionData?.values ?? {}}
        errors={actionData?.errors as Record<string, string[]> | undefined}
        accounts={accounts}
        submitLabel={t('people.new.submit')}
      />
    </section>
  )
}
