import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { Field, FormErrors, SelectField } from '#app/components/forms'
import { translate, useT } from '#app/i18n'
import { metaLang, pageTitle } from '#app/utils/meta'
import { createPasswordLink, createStaffUser, DuplicateEmailError, getUserById, listUsers, STAFF_ROLES } from '#app/models/user.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { readForm } from '#app/utils/read-form.server'
import { CreateStaffSchema, NewPasswordLinkSchema } from '#app/utils/staff-schema.server'
import { parseForm } from '#app/utils/validation.server'

// A set-password link is a credential: it goes only to the person, by e-mail (the outbox), and
// never onto this page. The page lists staff addresses, so it is not cached either.
const NO_STORE = { 'Cache-Control': 'no-store' }
export const headers: HeadersFunction = () => NO_STORE

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'staff.title'))

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const users = await listUsers(getDb())
  return json({
    users: users.map(({ id, name, email, role, has_password }) => ({ id, name, email, role, hasPassword: Boolean(has_password) })),
    roles: STAFF_ROLES,
  })
}

export async function action({ request }: ActionFunctionArgs) {
  await requireOrganiser(request)
  const formData = await readForm(request)
  const intent = formData.get('intent')

  if (intent === 'newLink') {
    const parsed = parseForm(NewPasswordLinkSchema, formData)
    if (!parsed.success) throw new Response('Bad request', { status: 400 })
    const user = await getUserById(getDb(), parsed.data.userId)
    if (!user) throw new Response('Not found', { status: 404 })
    await createPasswordLink(getDb(), user.id)
    return json({ sent: { kind: 'replaced' as const, name: user.name, email: user.email } }, { headers: NO_STORE })
  }

  if (intent !== 'create') throw new Response('Unknown intent', { status: 400 })
  const parsed = parseForm(CreateStaffSchema, formData)
  if (!parsed.success) return json({ errors: parsed.errors, values: parsed.values }, { status: 400 })
  try {
    const { userId } = await createStaffUser(getDb(), parsed.data)
    return json({ sent: { kind: 'created' as const, name: parsed.data.name, email: parsed.data.email, userId } }, { headers: NO_STORE })
  } catch (error) {
    if (!(error instanceof DuplicateEmailError)) throw error
    return json({ errors: { email: ['staff.emailTaken'] }, values: parsed.data as Record<string, string> }, { status: 400 })
  }
}

export default function StaffPage() {
  const { users, roles } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const sent = actionData && 'sent' in actionData ? actionData.sent : null
  const failed = actionData && 'errors' in actionData ? actionData : null
  const errors = failed?.errors as Record<string, string[]> | undefined
  const values = failed?.values ?? {}
  return (
    <section aria-labelledby="staff-title" className="stack">
      <h1 id="staff-title">{t('staff.title')}</h1>
      <p className="muted">{t('staff.intro')}</p>

      {sent ? (
        <p className="notice" role="status">
          {t(sent.kind === 'created' ? 'staff.invitationSent' : 'staff.linkSent', { name: sent.name, email: sent.email })}
        </p>
      ) : null}

      <h2>{t('staff.list.title')}</h2>
      <ul className="cards">
        {users.map((user) => (
          <li key={user.id} className="card">
            <h3>{user.name}</h3>
            <p className="break-anywhere">{user.email}</p>
            <p className="muted">
              {t(`role.${user.role}`)} · {user.hasPassword ? t('staff.passwordSet') : t('staff.passwordNotSet')}
            </p>
            <Form method="post">
              <input type="hidden" name="intent" value="newLink" />
              <input type="hidden" name="userId" value={user.id} />
              <button type="submit" className="secondary" aria-label={t('staff.newLinkFor', { name: user.name })}>
                {t('staff.newLink')}
              </button>
            </Form>
          </li>
        ))}
      </ul>

      <h2 id="staff-create-title">{t('staff.create.title')}</h2>
      {/* A new key after each account clears what JavaScript kept in the inputs. */}
      <Form method="post" className="stack" noValidate aria-labelledby="staff-create-title" key={sent && 'userId' in sent ? sent.userId : 'create'}>
        <FormErrors errors={errors?.['']} />
        <input type="hidden" name="intent" value="create" />
        <Field label={t('staff.field.name')} name="name" autoComplete="off" maxLength={200} required defaultValue={values.name ?? ''} errors={errors?.name} />
        <Field
          label={t('staff.field.email')}
          name="email"
          type="email"
          autoComplete="off"
          maxLength={254}
          required
          defaultValue={values.email ?? ''}
          errors={errors?.email}
        />
        <SelectField
          label={t('staff.field.role')}
          hint={t('staff.field.roleHint')}
          name="role"
          required
          placeholder={t('staff.field.rolePlaceholder')}
          options={roles.map((role) => ({ value: role, label: t(`role.${role}`) }))}
          defaultValue={values.role ?? ''}
          errors={errors?.role}
        />
        <div className="actions">
          <button type="submit">{t('staff.create.submit')}</button>
        </div>
      </Form>
    </section>
  )
}
