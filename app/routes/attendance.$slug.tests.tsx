import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { Field, FormErrors } from '#app/components/forms'
import { formatDateTime, translate, useLang, useT } from '#app/i18n'
import { listWebinarQuestions, saveWebinarTests, webinarPillars, webinarTests } from '#app/models/learning-test.server'
import { countBankByPillar } from '#app/models/question.server'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { readForm } from '#app/utils/read-form.server'
import { TestSetupSchema } from '#app/utils/test-setup-schema.server'
import { parseForm } from '#app/utils/validation.server'
import { requireAttendanceWebinar } from '#app/utils/webinar-guards.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'tests.settings.title'))

export const headers: HeadersFunction = () => ({ 'Cache-Control': 'private, no-store' })

// Organisers and this webinar's own moderator (another webinar's moderator finds nothing: 404).
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { webinar } = await requireAttendanceWebinar(request, params.slug)
  const [tests, questions, bank, pillars] = await Promise.all([webinarTests(getDb(), webinar.id), listWebinarQuestions(getDb(), webinar.id), countBankByPillar(getDb()), webinarPillars(getDb(), webinar.id)])
  return json({
    webinar: { slug: webinar.slug, topic: webinar.topic, zone: webinar.time_zone },
    tests,
    pillars: pillars.map((pillar) => ({ pillar, inBank: bank[pillar] })),
    questions: questions.map(({ id, pillar, difficulty, prompt, version }) => ({ id, pillar, difficulty, prompt, version })),
    saved: new URL(request.url).searchParams.has('saved') ? questions.length : null,
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, webinar } = await requireAttendanceWebinar(request, params.slug)
  const parsed = parseForm(TestSetupSchema, await readForm(request))
  if (!parsed.success) return json({ errors: parsed.errors }, { status: 400 })
  const saved = await saveWebinarTests(getDb(), webinar.id, parsed.data, user.id)
  if (!saved.ok) {
    return saved.reason === 'frozen' ? json({ errors: { questionsPerPillar: ['tests.error.frozen'] } }, { status: 409 }) : json({ errors: { '': ['tests.error.noQuestions'] } }, { status: 409 })
  }
  return redirect(`/attendance/${webinar.slug}/tests?saved`, 303)
}

export default function TestSettingsPage() {
  const { webinar, tests, pillars, questions, saved } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const errors = actionData?.errors as Record<string, string[]> | undefined
  const t = useT()
  const lang = useLang()
  return (
    <section aria-labelledby="tests-title" className="stack">
      <p>
        <Link to={`/attendance/${webinar.slug}`}>{webinar.topic}</Link>
      </p>
      <h1 id="tests-title">{t('tests.settings.title')}</h1>
      {saved !== null && !actionData ? (
        <p className="notice" role="status">
          {t('tests.settings.saved', { count: saved })}
        </p>
      ) : null}
      <p>{t('tests.settings.intro')}</p>
      <ul>
        {pillars.map((p) => (
          <li key={p.pillar}>
            {t(`pillar.${p.pillar}`)}: {t('questions.count', { count: p.inBank })}
          </li>
        ))}
      </ul>
      {tests.frozenAt ? <p className="notice">{t('tests.settings.frozen', { time: formatDateTime(tests.frozenAt, webinar.zone, lang) })}</p> : <p className="hint">{t('tests.settings.redrawHint')}</p>}
      <Form method="post" className="stack" noValidate>
        <FormErrors errors={errors?.['']} />
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" name="pre" defaultChecked={tests.pre} />
            {t('tests.settings.pre')}
          </label>
          <label className="checkbox">
            <input type="checkbox" name="post" defaultChecked={tests.post} />
            {t('tests.settings.post')}
          </label>
        </div>
        <Field label={t('tests.settings.postDays')} name="postOpenDays" inputMode="numeric" defaultValue={String(tests.postOpenDays)} errors={errors?.postOpenDays} />
        <Field
          label={t('tests.settings.perPillar')}
          name="questionsPerPillar"
          inputMode="numeric"
          readOnly={tests.frozenAt !== null}
          defaultValue={String(tests.questionsPerPillar)}
          errors={errors?.questionsPerPillar}
        />
        <div className="actions">
          <button type="submit">{t('tests.settings.save')}</button>
        </div>
      </Form>
      <section aria-labelledby="test-questions-title">
        <h2 id="test-questions-title">{t('tests.settings.questions', { count: questions.length })}</h2>
        {questions.length === 0 ? (
          <p>{t('tests.settings.noQuestionsYet')}</p>
        ) : (
          <ol>
            {questions.map((q) => (
              <li key={q.id}>
                {q.prompt} <span className="muted">({t(`pillar.${q.pillar}`)} · {t(`difficulty.${q.difficulty}`)} · v{q.version})</span>
              </li>
            ))}
          </ol>
        )}
      </section>
      <p>
        <Link to={`/attendance/${webinar.slug}/report`}>{t('report.link')}</Link>
      </p>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
