import { Form, Link } from '@remix-run/react'
import { formatDateTime, useLang, useT } from '#app/i18n'
import type { AttemptQuestion, AttemptView } from '#app/models/learning-test.server'
import type { FieldErrors } from '#app/utils/messages'
import { formatPercent } from './breakdown'
import { ErrorList, FormErrors } from './forms'

// A resident taking a pre- or post-test: one question per screen (the default, light on a phone)
// or every question on one page. Plain forms, so it works without JavaScript; every answer is
// posted, and saved, on its own.

type Props = {
  view: AttemptView
  layout: 'one' | 'all'
  /** the question on screen (0-based); null for the review before finishing */
  position: number | null
  saved: boolean
  errors?: FieldErrors
  /** what a refused post chose, shown chosen again (the answer was not saved) */
  values?: Record<string, string>
  /** /r/<token>/test/<kind> */
  base: string
  personal: string
}

export function TestTaking({ view, layout, position, saved, errors, values, base, personal }: Props) {
  const t = useT()
  const lang = useLang()
  const kindName = t(`tests.kind.${view.kind}`)
  const attempt = view.attempt
  let body: JSX.Element
  if (!attempt) {
    body =
      view.state === 'open' ? (
        <Form method="post" action={base} className="stack">
          <p>{t('tests.page.intro', { count: view.questionCount })}</p>
          <p className="hint">{t('tests.state.open', { time: formatDateTime(view.window.closesAt, view.webinar.zone, lang) })}</p>
          <div className="actions">
            <button type="submit" name="intent" value="start">
              {t('tests.page.begin')}
            </button>
          </div>
        </Form>
      ) : (
        <p>{view.state === 'notYet' && view.window.opensAt ? t('tests.state.notYet', { time: formatDateTime(view.window.opensAt, view.webinar.zone, lang) }) : t('tests.page.closed')}</p>
      )
  } else if (attempt.finishedAt) {
    body = <TestResult questions={attempt.questions} correct={attempt.correct ?? 0} total={attempt.total} />
  } else if (view.state !== 'open') {
    body = <p>{t('tests.page.closedUnfinished')}</p>
  } else if (layout === 'all') {
    body = <AllQuestions questions={attempt.questions} base={base} saved={saved} errors={errors} values={values} />
  } else if (position === null) {
    body = <Review questions={attempt.questions} base={base} />
  } else {
    body = <OneQuestion questions={attempt.questions} position={position} base={base} errors={errors} values={values} />
  }
  return (
    <article aria-labelledby="test-title" className="stack">
      <h1 id="test-title">{t('tests.page.title', { kind: kindName, topic: view.webinar.topic })}</h1>
      <FormErrors errors={errors?.['']} />
      {body}
      <p>
        <Link to={personal}>{t('tests.page.back')}</Link>
      </p>
    </article>
  )
}

function Choices({ question, name, describedBy, posted }: { question: AttemptQuestion; name: string; describedBy?: string; posted?: string }) {
  const chosen = posted !== undefined && /^\d$/.test(posted) ? Number(posted) : question.chosen
  return (
    <div className="choices" role="radiogroup" aria-describedby={describedBy}>
      {question.options.map((option, index) => (
        <label key={index}>
          <input type="radio" name={name} value={String(index)} defaultChecked={chosen === index} />
          <span>{option}</span>
        </label>
      ))}
    </div>
  )
}

function OneQuestion({ questions, position, base, errors, values }: { questions: AttemptQuestion[]; position: number; base: string; errors?: FieldErrors; values?: Record<string, string> }) {
  const t = useT()
  const question = questions[position]!
  const errorId = errors?.answer?.length ? 'answer-error' : undefined
  return (
    <>
      <p className="muted">
        {t('tests.page.progress', { n: position + 1, total: questions.length })} · {t('tests.page.answered', { answered: questions.filter((q) => q.chosen !== null).length, total: questions.length })}
      </p>
      {/* keyed by question, so the choices start from what is saved when the next one appears */}
      <Form key={question.id} method="post" action={`${base}?q=${position + 1}`} className="stack" noValidate>
        <input type="hidden" name="question" value={question.id} />
        <fieldset className="field" aria-describedby={errorId}>
          <legend>{question.prompt}</legend>
          <Choices question={question} name="answer" posted={values?.question === question.id ? values.answer : undefined} />
          <ErrorList id={errorId} errors={errors?.answer} />
        </fieldset>
        <div className="actions">
          <button type="submit" name="intent" value="answer">
            {t('tests.page.saveNext')}
          </button>
          {position > 0 ? <Link to={`${base}?q=${position}`}>{t('tests.page.previous')}</Link> : null}
        </div>
      </Form>
      <p>
        <Link to={`${base}?view=all`}>{t('tests.page.allOnOnePage')}</Link>
      </p>
    </>
  )
}

function Review({ questions, base }: { questions: AttemptQuestion[]; base: string }) {
  const t = useT()
  return (
    <Form method="post" action={base} className="stack">
      <p>{t('tests.page.review', { total: questions.length })}</p>
      <ol>
        {questions.map((q, i) => (
          <li key={q.id}>
            <Link to={`${base}?q=${i + 1}`}>{q.prompt}</Link> <span className="muted">— {q.options[q.chosen ?? 0]}</span>
          </li>
        ))}
      </ol>
      <div className="actions">
        <button type="submit" name="intent" value="finish">
          {t('tests.page.finish')}
        </button>
      </div>
    </Form>
  )
}

function AllQuestions({ questions, base, saved, errors, values }: { questions: AttemptQuestion[]; base: string; saved: boolean; errors?: FieldErrors; values?: Record<string, string> }) {
  const t = useT()
  const answered = questions.filter((q) => q.chosen !== null).length
  return (
    <>
      {saved && !errors ? (
        <p className="notice" role="status">
          {t('tests.page.saved')}
        </p>
      ) : null}
      <p className="muted">{t('tests.page.answered', { answered, total: questions.length })}</p>
      <Form key={questions.map((q) => `${q.id}:${q.chosen}`).join()} method="post" action={`${base}?view=all`} className="stack" noValidate>
        {questions.map((q, i) => (
          <fieldset key={q.id} className="field">
            <legend>
              {i + 1}. {q.prompt}
            </legend>
            <Choices question={q} name={`a.${q.id}`} posted={values?.[`a.${q.id}`]} />
          </fieldset>
        ))}
        <div className="actions">
          <button type="submit" name="intent" value="answers" className="secondary">
            {t('tests.page.saveAll')}
          </button>
          <button type="submit" name="intent" value="finish">
            {t('tests.page.finish')}
          </button>
        </div>
      </Form>
      <p>
        <Link to={base}>{t('tests.page.onePerScreen')}</Link>
      </p>
    </>
  )
}

function TestResult({ questions, correct, total }: { questions: AttemptQuestion[]; correct: number; total: number }) {
  const t = useT()
  const lang = useLang()
  const pillars = [...new Set(questions.map((q) => q.pillar))]
  return (
    <section aria-labelledby="result-title" className="stack">
      <h2 id="result-title">{t('tests.result.title')}</h2>
      <p className="notice" role="status">
        {t('tests.result.score', { correct, total, percent: formatPercent(total === 0 ? 0 : correct / total, lang) })}
      </p>
      <ul>
        {pillars.map((pillar) => {
          const mine = questions.filter((q) => q.pillar === pillar)
          return <li key={pillar}>{t('tests.result.pillar', { pillar: t(`pillar.${pillar}`), correct: mine.filter((q) => q.chosen === q.correctOption).length, total: mine.length })}</li>
        })}
      </ul>
      <ol className="stack">
        {questions.map((q) => {
          const right = q.chosen === q.correctOption
          return (
            <li key={q.id} className={right ? 'result-right' : 'result-wrong'}>
              <p>
                <strong>{q.prompt}</strong>
              </p>
              <p>
                {t(right ? 'tests.result.right' : 'tests.result.wrong')} · {t('tests.result.yourAnswer', { answer: q.chosen === null ? '—' : (q.options[q.chosen] ?? '—') })}
              </p>
              {right ? null : (
                <>
                  <p>{t('tests.result.correctAnswer', { answer: q.options[q.correctOption ?? 0] ?? '' })}</p>
                  {q.explanation ? <p>{t('tests.result.explanation', { text: q.explanation })}</p> : null}
                </>
              )}
            </li>
          )
        })}
      </ol>
    </section>
  )
}
