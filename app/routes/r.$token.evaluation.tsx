import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { EvaluationForm, type RatingQuestion } from '#app/components/evaluation-form'
import { formatDateTime, translate, useLang, useT } from '#app/i18n'
import { getEvaluationForm, ratingFields, submitEvaluation, type EvaluationForm as EvaluationFormData } from '#app/models/evaluation.server'
import { evaluationSchema } from '#app/utils/after-webinar-schema.server'
import { getDb } from '#app/utils/db.server'
import type { FieldErrors } from '#app/utils/messages'
import { metaLang, pageTitle } from '#app/utils/meta'
import { readForm } from '#app/utils/read-form.server'
import { PERSONAL_TOKEN } from '#app/utils/registration-fields'
import { hitRateLimits } from '#app/models/rate-limit.server'
import { limitKey } from '#app/utils/limit-keys.server'
import { RESIDENT_LIMITS, tooManyRequests } from '#app/utils/resident-limits.server'
import { echoForm, parseForm } from '#app/utils/validation.server'
import { NO_SCRIPTS } from '#app/utils/page-scripts'

// A resident page: plain HTML, no scripts (utils/page-scripts.ts).
export const handle = NO_SCRIPTS

export const meta: MetaFunction = ({ matches }) => [...pageTitle(translate(metaLang(matches), 'evaluation.title')), { name: 'robots', content: 'noindex' }]

const NO_STORE = { 'Cache-Control': 'private, no-store' }
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get('Retry-After')
  return retryAfter ? { ...NO_STORE, 'Retry-After': retryAfter } : NO_STORE
}

/** The personal link is the credential: a malformed or unknown one is a 404 that says nothing more. */
async function requireEvaluationForm(token: string | undefined) {
  const form = token && PERSONAL_TOKEN.test(token) ? await getEvaluationForm(getDb(), token) : null
  if (!form) throw new Response('Not found', { status: 404, headers: NO_STORE })
  return form
}

export async function loader({ params }: LoaderFunctionArgs) {
  const form = await requireEvaluationForm(params.token)
  return json({ form: pageData(form) }, { headers: NO_STORE })
}

function pageData(form: EvaluationFormData) {
  return {
    topic: form.webinar.topic,
    zone: form.webinar.zone,
    open: form.open,
    submittedAt: form.submittedAt,
    moderator: form.moderator?.name ?? null,
    speakers: form.speakers.map((s) => ({ field: `speaker-${s.id}`, name: s.name, talkTitle: s.talkTitle })),
    questions: form.questions.map((q) => ({ field: `own-${q.id}`, text: q.text })),
  }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const form = await requireEvaluationForm(params.token)
  const fields = ratingFields(form)
  const formData = await readForm(request)
  // Every post of a known link counts, refused ones too, before anything is saved.
  const wait = await hitRateLimits(getDb(), [
    [limitKey('evaluation', 'token', params.token!), RESIDENT_LIMITS.evaluationPerRegistration],
    [limitKey('evaluation', 'ip', context.clientIp), RESIDENT_LIMITS.evaluationPerIp],
  ])
  if (wait) return tooManyRequests(wait, echoForm(formData), { key: 'evaluation.tooMany', headers: NO_STORE })
  const parsed = parseForm(evaluationSchema(fields.map((f) => f.field)), formData)
  if (!parsed.success) return json({ errors: parsed.errors, values: parsed.values }, { status: 400, headers: NO_STORE })
  const result = await submitEvaluation(getDb(), params.token!, {
    ratings: fields.map((f) => ({ item: f.item, subject: f.subject, rating: parsed.data.ratings[f.field]! })),
    comment: parsed.data.comment,
  })
  if (!result.ok && result.reason === 'notFound') throw new Response('Not found', { status: 404, headers: NO_STORE })
  if (!result.ok) return json({ errors: { '': [result.reason === 'already' ? 'evaluation.already' : 'evaluation.closed'] } as FieldErrors, values: {} }, { status: 409, headers: NO_STORE })
  return redirect(`/r/${params.token}?done=evaluated`, { status: 303, headers: NO_STORE })
}

export default function EvaluationPage() {
  const { form } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const lang = useLang()
  const back = `/r/${useParams().token ?? ''}`
  const questions: RatingQuestion[] = [
    { field: 'content', label: t('evaluation.item.content') },
    ...form.speakers.map((s) => ({ field: s.field, label: t('evaluation.item.speaker', { name: s.name }), hint: s.talkTitle })),
    ...(form.moderator ? [{ field: 'moderator', label: t('evaluation.item.moderator', { name: form.moderator }) }] : []),
    { field: 'platform', label: t('evaluation.item.platform') },
    ...form.questions.map((q) => ({ field: q.field, label: q.text })),
  ]
  return (
    <article aria-labelledby="evaluation-title" className="stack">
      <h1 id="evaluation-title">{t('evaluation.title')}</h1>
      <p className="muted">{form.topic}</p>
      {form.submittedAt ? (
        <p className="notice" role="status">
          {t('evaluation.submittedAt', { time: formatDateTime(form.submittedAt, form.zone, lang) })}
        </p>
      ) : form.open ? (
        <>
          <p>{t('evaluation.intro')}</p>
          <EvaluationForm questions={questions} values={actionData?.values} errors={actionData?.errors} />
        </>
      ) : (
        <p className="notice">{t('evaluation.notOpen')}</p>
      )}
      <p>
        <Link to={back}>{t('evaluation.back')}</Link>
      </p>
    </article>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
