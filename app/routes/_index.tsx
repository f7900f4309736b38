import { Link } from '@remix-run/react'
import { useT } from '#app/i18n'

export default function HomePage() {
  const t = useT()
  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">{t('home.title')}</h1>
      <p>{t('home.body')}</p>
      <p>
        <Link to="/login">{t('home.staffSignIn')}</Link>
      </p>
    </section>
  )
}
