import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { Field, FormErrors, SelectField } from '#app/components/forms'
import { useT } from '#app/i18n'
import {
  createPasswordLink,
  createStaffUser,
  DuplicateEmailError,
  getUserById,
  listUsers,
  PASSWORD_LINK_TTL_DAYS,
  STAFF_ROLES,
} from '#app/models/user.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { getEnv } from '#app/utils/env.server'
import { CreateStaffSchema, NewPasswordLinkSchema } from '#app/utils/staff-schema.server'
import { parseForm } from '#app/utils/validation.server'

// A set-password link is a credential: it is shown once and never cached, whether it arrives
// as data (JavaScript) or inside the page rendered after a plain form post.
const NO_STORE = { 'Cache-Control': 'no-store' }
export const headers: HeadersFunction = () => NO_STORE

function issuedLink(kind: 'created' | 'replaced', user: { name: string; email: string }, token: string) {
  return { kind, name: user.name, email: user.email, url: `${getEnv().APP_URL}/set-password/${token}`, days: PASSWORD_LINK_TTL_DAYS }
}

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
  const formData = await request.formData()
  const intent = formData.get('intent')

  if (intent === 'newLink') {
    const parsed = parseForm(NewPasswordLinkSchema, formData)
    if (!parsed.success) throw new Response('Bad request', { status: 400 })
    const user = await getUserById(getDb(), parsed.data.userId)
    if (!user) throw new Response('Not found', { status: 404 })
    const token = await createPasswordLink(getDb(), user.id)
    return json({ issued: issuedLink('replaced', user, token) }, { headers: NO_STORE })
  }

  if (intent !== 'create') throw new Response('Unknown intent', { status: 400 })
  const parsed = parseForm(CreateStaffSchema, formData)
  if (!parsed.success) return json({ errors: parsed.errors, values: parsed.values }, { status: 400 })
  try {
    const { setPasswordToken } = await createStaffUser(getDb(), parsed.data)
    return json({ issued: issuedLink('created', parsed.data, setPasswordToken) }, { headers: NO_STORE })
  } catch (error) {
    if (!(error instanceof DuplicateEmailError)) throw error
    return json({ errors: { email: ['staff.emailTaken'] }, values: parsed.data as Record<string, string> }, { status: 400 })
  }
}

export default function StaffPage() {
  const { users, roles } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const issued = actionData && 'issued' in actionData ? actionData.issued : null
  const failed = actionData && 'errors' in actionData ? actionData : null
  const errors = failed?.errors as Record<string, string[]> | undefined
  const values = failed?.values ?? {}
  return (
    <section aria-labelledby="staff-title" className="stack">
      <h1 id="staff-title">{t('staff.title')}</h1>
      <p className="muted">{t('staff.intro')}</p>

      {issued ? (
        <div className="notice stack" role="status">
          <p>{t(issued.kind === 'created' ? 'staff.created' : 'staff.linkReplaced', { name: issued.name, email: issued.email })}</p>
          <div className="field">
            <label htmlFor="set-password-link">{t('staff.linkLabel')}</label>
            <p id="set-password-link-hint" className="hint">
              {t('staff.linkHint', { name: issued.name, days: issued.days })}
            </p>
            <input
              id="set-password-link"
              className="copy-box"
              readOnly
              value={issued.url}
              aria-describedby="set-password-link-hint"
              onFocus={(event) => event.currentTarget.select()}
            />
          </div>
        </div>
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
      <Form method="post" className="stack" noValidate aria-labelledby="staff-create-title" key={issued?.url ?? 'create'}>
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
