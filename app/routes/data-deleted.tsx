import type { MetaFunction } from '@remix-run/node'
import { Link } from '@remix-run/react'
import { translate, useT } from '#app/i18n'
import { metaLang, pageTitle } from '#app/utils/meta'
import { NO_SCRIPTS } from '#app/utils/page-scripts'

// A resident page: plain HTML, no scripts (utils/page-scripts.ts).
export const handle = NO_SCRIPTS

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'dataDeleted.title'))

// Where a resident lands after erasing their registration: their personal link no longer works.
export default function DataDeleted() {
  const t = useT()
  return (
    <section aria-labelledby="deleted-title" className="stack">
      <h1 id="deleted-title">{t('dataDeleted.title')}</h1>
      <p>{t('dataDeleted.body')}</p>
      <p>
        <Link to="/webinars">{t('dataDeleted.catalogue')}</Link>
      </p>
    </section>
  )
}
