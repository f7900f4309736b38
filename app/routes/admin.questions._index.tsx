import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { translate, useT } from '#app/i18n'
import { listBankQuestions } from '#app/models/question.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { DIFFICULTIES, PILLARS } from '#app/utils/catalog'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'questions.title'))

const pick = <T extends string>(value: string | null, allowed: readonly T[]): T | null => (allowed.includes(value as T) ? (value as T) : null)

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const url = new URL(request.url)
  const pillar = pick(url.searchParams.get('pillar'), PILLARS)
  const difficulty = pick(url.searchParams.get('difficulty'), DIFFICULTIES)
  const questions = await listBankQuestions(getDb(), { pillar, difficulty })
  return json({ pillar, difficulty, questions: questions.map(({ id, version, pillar, difficulty, prompt, usedAt }) => ({ id, version, pillar, difficulty, prompt, used: usedAt !== null })) })
}

export default function QuestionBankPage() {
  const { pillar, difficulty, questions } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <section aria-labelledby="questions-title" className="stack">
      <h1 id="questions-title">{t('questions.title')}</h1>
      <p className="muted">{t('questions.intro')}</p>
      <p className="actions">
        <Link to="/admin/questions/new" className="button">
          {t('questions.new')}
        </Link>
        <Link to="/admin/questions/import">{t('questions.import')}</Link>
        <a href="/admin/questions.csv" download>
          {t('questions.export')}
        </a>
      </p>
      <Form method="get" action="/admin/questions" className="filters">
        <div className="field">
          <label htmlFor="questions-pillar">{t('questions.filterPillar')}</label>
          <select id="questions-pillar" name="pillar" defaultValue={pillar ?? ''}>
            <option value="">{t('questions.filterAll')}</option>
            {PILLARS.map((p) => (
              <option key={p} value={p}>
                {t(`pillar.${p}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="questions-difficulty">{t('questions.filterDifficulty')}</label>
          <select id="questions-difficulty" name="difficulty" defaultValue={difficulty ?? ''}>
            <option value="">{t('questions.filterAll')}</option>
            {DIFFICULTIES.map((d) => (
              <option key={d} value={d}>
                {t(`difficulty.${d}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="actions">
          <button type="submit">{t('questions.filter')}</button>
        </div>
      </Form>
      {questions.length === 0 ? (
        <p>{t('questions.empty')}</p>
      ) : (
        <>
          <p className="muted" role="status">
            {t('questions.count', { count: questions.length })}
          </p>
          <ul className="cards">
            {questions.map((q) => (
              <li key={q.id} className="card">
                <p>
                  <Link to={`/admin/questions/${q.id}`}>{q.prompt}</Link>
                </p>
                <p className="muted">
                  {t(`pillar.${q.pillar}`)} · {t(`difficulty.${q.difficulty}`)} · {t('questions.column.version')} {q.version} · {t(q.used ? 'questions.used' : 'questions.unused')}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}
