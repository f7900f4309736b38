import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { Field, FormErrors } from '#app/components/forms'
import { translate, useT } from '#app/i18n'
import { registrationRefusal, resendRegistrationLink } from '#app/models/registration.server'
import { getPublicWebinarBySlug } from '#app/models/webinar.server'
import { hitRateLimits } from '#app/models/rate-limit.server'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { readForm } from '#app/utils/read-form.server'
import { LostLinkSchema } from '#app/utils/registration-schema.server'
import { limitKey } from '#app/utils/limit-keys.server'
import { RESIDENT_LIMITS, tooManyRequests } from '#app/utils/resident-limits.server'
import { nowIso } from '#app/utils/time'
import { echoForm, parseForm, type FieldErrors } from '#app/utils/validation.server'
import { NO_SCRIPTS } from '#app/utils/page-scripts'

// A resident page: plain HTML, no scripts (utils/page-scripts.ts).
export const handle = NO_SCRIPTS

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'lostLink.title'))

async function requirePublicWebinar(slug: string | undefined) {
  const webinar = await getPublicWebinarBySlug(getDb(), slug ?? '')
  if (!webinar) throw new Response('Not found', { status: 404 })
  return webinar
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const webinar = await requirePublicWebinar(params.slug)
  const over = registrationRefusal(webinar, nowIso()) === 'finished'
  return json({ slug: webinar.slug, topic: webinar.topic, over, sent: new URL(request.url).searchParams.has('sent') })
}

// Public. The answer is the same whether or not the address is registered: only its inbox learns.
export async function action({ request, params, context }: ActionFunctionArgs) {
  const db = getDb()
  const webinar = await requirePublicWebinar(params.slug)
  const formData = await readForm(request)
  const parsed = parseForm(LostLinkSchema, formData)
  if (!parsed.success) return json({ errors: parsed.errors, values: parsed.values }, { status: 400 })
  const { email } = parsed.data
  const wait = await hitRateLimits(db, [
    [limitKey('link', 'ip', context.clientIp), RESIDENT_LIMITS.linkPerIp],
    [limitKey('link', 'email', email), RESIDENT_LIMITS.linkPerEmail],
  ])
  if (wait) return tooManyRequests(wait, echoForm(formData))
  await resendRegistrationLink(db, webinar.id, email)
  return redirect(`/webinars/${webinar.slug}/link?sent`, 303)
}

export const headers: HeadersFunction = ({ actionHeaders }): HeadersInit => {
  const retryAfter = actionHeaders.get('Retry-After')
  return retryAfter ? { 'Retry-After': retryAfter } : {}
}

export default function LostLinkPage() {
  const { slug, topic, over, sent } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>() as { errors: FieldErrors; values: Record<string, string> } | undefined
  const t = useT()
  return (
    <section aria-labelledby="lost-link-title">
      <p>
        <Link to={`/webinars/${slug}`}>← {topic}</Link>
      </p>
      <h1 id="lost-link-title">{t('lostLink.title')}</h1>
      {sent && !actionData ? (
        <p className="notice" role="status">
          {t('lostLink.sent')}
        </p>
      ) : (
        <p>{t(over ? 'lostLink.introAfter' : 'lostLink.intro', { topic })}</p>
      )}
      <Form method="post" className="stack" noValidate>
        <FormErrors errors={actionData?.errors['']} />
        <Field
          label={t('register.email')}
          name="email"
          type="email"
          inputMode="email"
          autoComplete="email"
          required
          defaultValue={actionData?.values.email ?? ''}
          errors={actionData?.errors.email}
        />
        <div className="actions">
          <button type="submit">{t('lostLink.submit')}</button>
        </div>
      </Form>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
