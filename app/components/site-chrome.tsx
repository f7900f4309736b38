import { Link, useRouteLoaderData } from '@remix-run/react'
import { useLang, useT } from '#app/i18n'
import type { SiteIdentity } from '#app/models/site-settings.server'
import { issuerNameFor, programmeNameFor } from '#app/utils/site-identity'
import { HelpdeskLinks } from './personal-page'

// The service's identity, as restrained as a government service's should be: the programme's
// name and a small inline logo in the header, the ministry, the helpdesk and the privacy notice
// in the footer. SVG and CSS only: no image request, a few hundred bytes.

/** A speech bubble holding a signal: a webinar for digital literacy. Decorative; the name beside it is the text. */
export function ProgrammeLogo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" fill="currentColor" />
      <path d="M8 9h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-9l-5 4v-4H8a2 2 0 0 1-2-2v-9a2 2 0 0 1 2-2z" fill="#fff" />
      <path d="M11 19v-3m4 3v-5m4 5v-7m4 7v-2" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  )
}

/** The programme's name in the reader's language, as the root loader read it from the settings. */
export function useProgrammeName(): string {
  const data = useRouteLoaderData('root') as { identity?: SiteIdentity } | undefined
  return programmeNameFor(data?.identity ?? null, useLang())
}

/** The programme's name comes from the issuer settings (/admin/issuer), the dictionary's by default. */
export function Brand({ identity }: { identity: SiteIdentity | null }) {
  const t = useT()
  const lang = useLang()
  return (
    <Link to="/" className="brand">
      {identity?.logoMark ? <img className="logo" src={identity.logoMark.url} alt="" width={Math.round(identity.logoMark.width / 2)} height={Math.round(identity.logoMark.height / 2)} /> : <ProgrammeLogo />}
      <span className="brand-text">
        <span className="brand-name">{t('app.name')}</span>
        <span className="brand-tagline">{programmeNameFor(identity, lang)}</span>
      </span>
    </Link>
  )
}

export function SiteFooter({ signedIn, identity }: { signedIn: boolean; identity: SiteIdentity | null }) {
  const t = useT()
  const lang = useLang()
  return (
    <footer className="site-footer">
      <div className="footer-row">
        <p className="ministry">
          <span className="muted">{t('footer.runBy')}</span> <strong>{issuerNameFor(identity, lang)}</strong>
        </p>
        {identity && (identity.helpdeskEmail || identity.helpdeskPhone) ? (
          <p>
            {t('footer.helpdesk')}: <HelpdeskLinks helpdesk={identity} />
          </p>
        ) : null}
        <nav aria-label={t('footer.nav')} className="footer-links">
          <Link to="/webinars">{t('catalogue.title')}</Link>
          <Link to="/privacy">{t('privacyNotice.title')}</Link>
          <Link to="/certificates">{t('footer.verify')}</Link>
          {signedIn ? null : <Link to="/login">{t('footer.staff')}</Link>}
        </nav>
      </div>
    </footer>
  )
}
