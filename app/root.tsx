import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, Links, Meta, Outlet, Scripts, ScrollRestoration, useLocation, useRouteLoaderData } from '@remix-run/react'
import type { ReactNode } from 'react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { Brand, SiteFooter } from '#app/components/site-chrome'
import { DEFAULT_LANG, LangContext, useT, type Lang } from '#app/i18n'
import { getLang } from '#app/i18n/lang.server'
import { getSiteIdentity, type SiteIdentity } from '#app/models/site-settings.server'
import { getOptionalUser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { useNonce } from '#app/utils/nonce'
import { usePageScripts } from '#app/utils/page-scripts'
import styles from '#app/styles/app.css'
import { CRITICAL_CSS } from '#app/styles/critical'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]

export const meta: MetaFunction = () => [{ title: 'Literasi Webinar' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const [lang, user, identity] = await Promise.all([getLang(request), getOptionalUser(request), getSiteIdentity(getDb())])
  return json({ lang, user: user ? { name: user.name, role: user.role } : null, identity })
}

type RootData = { lang: Lang; user: { name: string; role: 'organiser' | 'moderator' | 'speaker' } | null; identity: SiteIdentity }

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>('root') as RootData | undefined
  const lang = data?.lang ?? DEFAULT_LANG
  const nonce = useNonce()
  const scripts = usePageScripts()
  return (
    <html lang={lang}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <link rel="icon" href="data:," />
        <style dangerouslySetInnerHTML={{ __html: CRITICAL_CSS }} />
        {/* A resident page links its stylesheet at the end of the body, where it holds back no paint (styles/critical.ts). */}
        {scripts ? <Links /> : null}
      </head>
      <body>
        <LangContext.Provider value={lang}>
          <Header user={data?.user ?? null} identity={data?.identity ?? null} />
          <main id="main">{children}</main>
          <SiteFooter signedIn={!!data?.user} identity={data?.identity ?? null} />
        </LangContext.Provider>
        {scripts ? (
          <>
            <ScrollRestoration nonce={nonce} />
            <Scripts nonce={nonce} />
          </>
        ) : (
          <Links />
        )}
      </body>
    </html>
  )
}

function Header({ user, identity }: { user: RootData['user']; identity: SiteIdentity | null }) {
  const t = useT()
  const location = useLocation()
  const here = `${location.pathname}${location.search}`
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <div className="header-row">
        <Brand identity={identity} />
        <Form method="post" action="/lang" className="inline-form">
          <input type="hidden" name="redirectTo" value={here} />
          <input type="hidden" name="lang" value={t('lang.switchToName')} />
          <button type="submit" className="link-button" lang={t('lang.switchToName')}>
            {t('lang.switchTo')}
          </button>
        </Form>
      </div>
      {user ? (
        <nav aria-label={t('nav.main')} className="site-nav">
          {user.role === 'organiser' ? (
            <>
              <Link to="/admin/webinars">{t('nav.webinars')}</Link>
              <Link to="/admin/people">{t('nav.people')}</Link>
              <Link to="/admin/questions">{t('nav.questions')}</Link>
              <Link to="/admin/staff">{t('nav.staff')}</Link>
              <Link to="/admin/outbox">{t('nav.outbox')}</Link>
              <Link to="/admin/reports">{t('nav.reports')}</Link>
              <Link to="/admin/privacy">{t('nav.privacy')}</Link>
              <Link to="/admin/issuer">{t('nav.issuer')}</Link>
            </>
          ) : (
            <Link to="/me">{t('nav.myWebinars')}</Link>
          )}
          <span className="muted">{t('nav.signedInAs', { name: user.name })}</span>
          <Form method="post" action="/logout" className="inline-form">
            <button type="submit" className="link-button">
              {t('nav.signOut')}
            </button>
          </Form>
        </nav>
      ) : null}
    </header>
  )
}

export default function App() {
  return <Outlet />
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
