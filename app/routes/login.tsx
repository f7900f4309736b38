import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { Field, FormErrors } from '#app/components/forms'
import { translate, useT } from '#app/i18n'
import { metaLang, pageTitle } from '#app/utils/meta'
import { signIn } from '#app/models/session.server'
import { getOptionalUser, homeFor, safeRedirect } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { readForm } from '#app/utils/read-form.server'
import { commitSessionId, readKnownDevices, rememberDevice } from '#app/utils/session.server'
import { LoginSchema } from '#app/utils/auth-schemas.server'
import { message, parseForm } from '#app/utils/validation.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'login.title'))


export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request)
  const url = new URL(request.url)
  if (user) throw redirect(safeRedirect(url.searchParams.get('redirectTo'), homeFor(user.role)))
  const notice = url.searchParams.has('signedOut') ? ('login.signedOut' as const) : url.searchParams.has('passwordSet') ? ('setPassword.done' as const) : null
  return json({ redirectTo: url.searchParams.get('redirectTo') ?? '', notice })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(LoginSchema, await readForm(request))
  if (!parsed.success) return json({ errors: parsed.errors, email: parsed.values.email ?? '' }, { status: 400 })
  const { email, password, redirectTo } = parsed.data

  const devices = await readKnownDevices(request)
  const result = await signIn(getDb(), { email, password, clientIp: context.clientIp, devices })
  if (result.status === 'throttled') {
    const minutes = Math.max(1, Math.ceil(result.retryAfterSeconds / 60))
    return json(
      { errors: { '': [message('login.throttled', { minutes })] }, email },
      { status: 429, headers: { 'Retry-After': String(result.retryAfterSeconds) } },
    )
  }
  // One message whether or not the account exists.
  if (result.status === 'failed') return json({ errors: { '': ['login.failed'] }, email }, { status: 400 })
  const headers = new Headers()
  headers.append('Set-Cookie', await commitSessionId(result.sessionId))
  headers.append('Set-Cookie', await rememberDevice(devices, result.userId))
  return redirect(safeRedirect(redirectTo, homeFor(result.role)), { headers })
}

// Remix keeps only an action's cookies on a page it renders; a form posted without
// JavaScript must still learn when it may try again.
export const headers: HeadersFunction = ({ actionHeaders }): HeadersInit => {
  const retryAfter = actionHeaders.get('Retry-After')
  return retryAfter ? { 'Retry-After': retryAfter } : {}
}

export default function LoginPage() {
  const { redirectTo, notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const errors = actionData?.errors as Record<string, string[]> | undefined
  return (
    <section aria-labelledby="login-title">
      <h1 id="login-title">{t('login.title')}</h1>
      {notice ? (
        <p className="notice" role="status">
          {t(notice)}
        </p>
      ) : null}
      <Form method="post" className="stack" noValidate>
        <FormErrors errors={errors?.['']} />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field
          label={t('login.email')}
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={actionData?.email ?? ''}
          errors={errors?.email}
        />
        <Field label={t('login.password')} name="password" type="password" autoComplete="current-password" required errors={errors?.password} />
        <div className="actions">
          <button type="submit">{t('login.submit')}</button>
        </div>
      </Form>
    </section>
  )
}
