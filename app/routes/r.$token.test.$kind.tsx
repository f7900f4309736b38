import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { useActionData, useLoaderData, useParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { TestTaking } from '#app/components/learning-test'
import { translate } from '#app/i18n'
import { finishAttempt, getAttemptView, saveAnswers, startAttempt, type AttemptView } from '#app/models/learning-test.server'
import type { TestKind } from '#db/schema'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { NO_SCRIPTS } from '#app/utils/page-scripts'
import { readForm } from '#app/utils/read-form.server'
import { hitRateLimits } from '#app/models/rate-limit.server'
import { limitKey } from '#app/utils/limit-keys.server'
import { PERSONAL_TOKEN } from '#app/utils/registration-fields'
import { RESIDENT_LIMITS, tooManyRequests } from '#app/utils/resident-limits.server'
import { echoAnswers, pageAnswers, TestActionSchema } from '#app/utils/test-answer-schema.server'
import { parseForm, type FieldErrors } from '#app/utils/validation.server'

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => [
  ...pageTitle(translate(metaLang(matches), 'tests.page.title', { kind: translate(metaLang(matches), data?.kind === 'post' ? 'tests.kind.post' : 'tests.kind.pre'), topic: data?.webinar.topic ?? '' })),
  { name: 'robots', content: 'noindex' },
]

// A resident page: plain HTML and real form posts, no scripts (see page-scripts.ts).
export const handle = NO_SCRIPTS

// A resident's own answers, behind their personal link: no cache keeps the page.
const NO_STORE = { 'Cache-Control': 'private, no-store' }
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get('Retry-After')
  return retryAfter ? { ...NO_STORE, 'Retry-After': retryAfter } : NO_STORE
}

function notFound(): never {
  throw new Response('Not found', { status: 404, headers: NO_STORE })
}

function parseParams(params: { token?: string; kind?: string }): { token: string; kind: TestKind } {
  const { token, kind } = params
  if (!token || !PERSONAL_TOKEN.test(token) || (kind !== 'pre' && kind !== 'post')) notFound()
  return { token, kind }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { token, kind } = parseParams(params)
  const view = await getAttemptView(getDb(), token, kind)
  if (!view) notFound()
  const url = new URL(request.url)
  return json(
    { ...view, layout: url.searchParams.get('view') === 'all' ? ('all' as const) : ('one' as const), position: positionFrom(url, view), saved: url.searchParams.has('saved') },
    { headers: NO_STORE },
  )
}

/** The question on screen (0-based): the one asked for, else the first unanswered; null for the review. */
function positionFrom(url: URL, view: AttemptView): number | null {
  const questions = view.attempt?.questions ?? []
  const asked = Number(url.searchParams.get('q'))
  if (Number.isInteger(asked) && asked >= 1 && asked <= questions.length) return asked - 1
  const unanswered = questions.findIndex((q) => q.chosen === null)
  return unanswered === -1 ? null : unanswered
}

const REFUSAL_STATUS = { notFound: 404, notOpen: 409, finished: 409, badAnswer: 400, unanswered: 400 } as const
const REFUSAL_MESSAGE = { notOpen: 'tests.error.notOpen', finished: 'tests.error.finished', badAnswer: 'tests.error.chooseOne' } as const

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { token, kind } = parseParams(params)
  const url = new URL(request.url)
  const here = `/r/${token}/test/${kind}`
  const layout = url.searchParams.get('view') === 'all' ? '?view=all' : ''
  const form = await readForm(request)
  const db = getDb()
  // Every post counts, per personal link (and, widely, per address), before anything is saved.
  const wait = await hitRateLimits(db, [
    [limitKey('test', 'token', token), RESIDENT_LIMITS.testAnswersPerRegistration],
    [limitKey('test', 'ip', context.clientIp), RESIDENT_LIMITS.testAnswersPerIp],
  ])
  if (wait) return tooManyRequests(wait, echoAnswers(form), { key: 'tests.error.tooMany', field: form.get('intent') === 'answer' ? 'answer' : '', headers: NO_STORE })
  const parsed = parseForm(TestActionSchema, form)
  if (!parsed.success) return json({ errors: parsed.errors }, { status: 400, headers: NO_STORE })
  const refuse = (reason: keyof typeof REFUSAL_STATUS, errors: FieldErrors) => {
    if (reason === 'notFound') notFound()
    return json({ errors }, { status: REFUSAL_STATUS[reason], headers: NO_STORE })
  }
  switch (parsed.data.intent) {
    case 'start': {
      const started = await startAttempt(db, token, kind)
      if (!started.ok) return refuse(started.reason, { '': [REFUSAL_MESSAGE.notOpen] })
      return redirect(`${here}${layout}`, { status: 303, headers: NO_STORE })
    }
    case 'answer': {
      const saved = await saveAnswers(db, token, kind, [{ questionId: parsed.data.question, option: parsed.data.answer }])
      if (!saved.ok) return refuse(saved.reason, saved.reason === 'badAnswer' ? { answer: [REFUSAL_MESSAGE.badAnswer] } : { '': [REFUSAL_MESSAGE[saved.reason as 'notOpen' | 'finished']] })
      // On to the next question without an answer (or the review when there is none).
      return redirect(here, { status: 303, headers: NO_STORE })
    }
    case 'answers':
    case 'finish': {
      const saved = await saveAnswers(db, token, kind, pageAnswers(form))
      if (!saved.ok) return refuse(saved.reason, { '': [saved.reason === 'badAnswer' ? REFUSAL_MESSAGE.badAnswer : REFUSAL_MESSAGE[saved.reason as 'notOpen' | 'finished']] })
      if (parsed.data.intent === 'answers') return redirect(`${here}?view=all&saved`, { status: 303, headers: NO_STORE })
      const finished = await finishAttempt(db, token, kind)
      if (!finished.ok) {
        if (finished.reason === 'unanswered') return json({ errors: { '': [`tests.page.unanswered?count=${finished.unanswered ?? 0}`] } }, { status: 400, headers: NO_STORE })
        return refuse(finished.reason, { '': [REFUSAL_MESSAGE[finished.reason as 'notOpen' | 'finished']] })
      }
      return redirect(here, { status: 303, headers: NO_STORE })
    }
  }
}

export default function TestPage() {
  const data = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>() as { errors: FieldErrors; values?: Record<string, string> } | undefined
  const { token = '', kind = '' } = useParams()
  return (
    <TestTaking
      view={data}
      layout={data.layout}
      position={data.position}
      saved={data.saved}
      errors={actionData?.errors}
      values={actionData?.values}
      base={`/r/${token}/test/${kind}`}
      personal={`/r/${token}`}
    />
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
