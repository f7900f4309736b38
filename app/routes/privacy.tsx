import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { HelpdeskLinks } from '#app/components/personal-page'
import { translate, useT } from '#app/i18n'
import { getLang } from '#app/i18n/lang.server'
import { getHelpdesk, getPrivacyNotice } from '#app/models/site-settings.server'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { NO_SCRIPTS } from '#app/utils/page-scripts'

// A resident page: plain HTML, no scripts (utils/page-scripts.ts).
export const handle = NO_SCRIPTS

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'privacyNotice.title'))

// Public: the notice the registration form's consent box links to, as the organisers wrote it
// on /admin/privacy, in the reader's language (or the other one, or the default text).
export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb()
  const [notice, helpdesk] = await Promise.all([getPrivacyNotice(db, await getLang(request)), getHelpdesk(db)])
  return json({ notice, helpdesk })
}

export default function PrivacyNotice() {
  const { notice, helpdesk } = useLoaderData<typeof loader>()
  const t = useT()
  const paragraphs = (notice ?? t('privacyNotice.default')).split(/\n\s*\n/)
  return (
    <article aria-labelledby="privacy-notice-title" className="prose">
      <h1 id="privacy-notice-title">{t('privacyNotice.title')}</h1>
      {paragraphs.map((paragraph, i) => (
        <p key={i} className="prewrap">
          {paragraph.trim()}
        </p>
      ))}
      {helpdesk.helpdeskEmail || helpdesk.helpdeskPhone ? (
        <p>
          {t('privacyNotice.contact')} <HelpdeskLinks helpdesk={helpdesk} />
        </p>
      ) : null}
    </article>
  )
}
