import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { Field, FormErrors } from '#app/components/forms'
import { translate, useT } from '#app/i18n'
import { metaLang, pageTitle } from '#app/utils/meta'
import { getPasswordTokenUser, setPasswordWithToken } from '#app/models/user.server'
import { getDb } from '#app/utils/db.server'
import { SetPasswordSchema } from '#app/utils/auth-schemas.server'
import { readForm } from '#app/utils/read-form.server'
import { parseForm } from '#app/utils/validation.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'setPassword.title'))

// The link is the credential: an unknown, used or expired token is a 404 that reveals nothing.
export async function loader({ params }: LoaderFunctionArgs) {
  const user = await getPasswordTokenUser(getDb(), params.token ?? '')
  if (!user) throw new Response('Not found', { status: 404 })
  return json({ name: user.name, email: user.email })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const parsed = parseForm(SetPasswordSchema, await readForm(request))
  if (!parsed.success) return json({ errors: parsed.errors }, { status: 400 })
  const done = await setPasswordWithToken(getDb(), params.token ?? '', parsed.data.password)
  if (!done) return json({ errors: { '': ['setPassword.invalidLink'] } }, { status: 410 })
  return redirect('/login?passwordSet')
}

export default function SetPasswordPage() {
  const { name, email } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const errors = actionData?.errors as Record<string, string[]> | undefined
  return (
    <section aria-labelledby="set-password-title">
      <h1 id="set-password-title">{t('setPassword.title')}</h1>
      <p>{t('setPassword.intro', { name, email })}</p>
      <Form method="post" className="stack" noValidate>
        <FormErrors errors={errors?.['']} />
        <input type="hidden" name="username" autoComplete="username" value={email} />
        <Field
          label={t('setPassword.password')}
          hint={t('setPassword.passwordHint')}
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={10}
          required
          errors={errors?.password}
        />
        <Field label={t('setPassword.confirm')} name="confirm" type="password" autoComplete="new-password" required errors={errors?.confirm} />
        <div className="actions">
          <button type="submit">{t('setPassword.submit')}</button>
        </div>
      </Form>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
