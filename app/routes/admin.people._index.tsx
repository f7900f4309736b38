import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { translate, useT } from '#app/i18n'
import { metaLang, pageTitle } from '#app/utils/meta'
import { searchPeople } from '#app/models/person.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'

// The directory is small; past this many matches the organiser narrows the search.
const RESULT_LIMIT = 100

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'people.title'))

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const q = (new URL(request.url).searchParams.get('q') ?? '').trim().slice(0, 200)
  const people = await searchPeople(getDb(), q, RESULT_LIMIT)
  return json({ q, people, limited: people.length === RESULT_LIMIT })
}

export default function PeoplePage() {
  const { q, people, limited } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <section aria-labelledby="people-title" className="stack">
      <h1 id="people-title">{t('people.title')}</h1>
      <p className="muted">{t('people.intro')}</p>
      <p>
        <Link to="/admin/people/new" className="button">
          {t('people.new')}
        </Link>
      </p>
      <Form method="get" action="/admin/people" role="search" className="filters">
        <div className="field">
          <label htmlFor="people-q">{t('people.searchLabel')}</label>
          <input id="people-q" type="search" name="q" defaultValue={q} maxLength={200} />
        </div>
        <div className="actions">
          <button type="submit">{t('form.search')}</button>
          {q ? <Link to="/admin/people">{t('form.reset')}</Link> : null}
        </div>
      </Form>
      {people.length === 0 ? (
        <p>{q ? t('people.noResults', { q }) : t('people.empty')}</p>
      ) : (
        <>
          <p className="muted" role="status">
            {limited ? t('people.limited', { count: people.length }) : t('people.count', { count: people.length })}
          </p>
          <ul className="cards">
            {people.map((person) => (
              <li key={person.id} className="card">
                <h2>
                  <Link to={`/admin/people/${person.id}`}>{person.name}</Link>
                </h2>
                {person.title || person.organisation ? (
                  <p className="muted">{[person.title, person.organisation].filter(Boolean).join(' · ')}</p>
                ) : null}
                {person.email || person.whatsapp ? <p className="break-anywhere">{[person.email, person.whatsapp].filter(Boolean).join(' · ')}</p> : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}
