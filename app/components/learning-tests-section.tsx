import { Link } from '@remix-run/react'
import { formatDateTime, useLang, useT } from '#app/i18n'
import type { ResidentTest } from '#app/models/learning-test.server'
import type { TimeZoneCode } from '#db/schema'

/** The personal page's part about the pre- and post-test: when each is open, and the way in. */
export function LearningTestsSection({ tests, base, zone }: { tests: ResidentTest[]; base: string; zone: TimeZoneCode }) {
  const t = useT()
  const lang = useLang()
  if (tests.length === 0) return null
  return (
    <section aria-labelledby="tests-section-title">
      <h2 id="tests-section-title">{t('tests.section.title')}</h2>
      <p>{t('tests.section.intro')}</p>
      <ul className="stack">
        {tests.map((test) => {
          const kind = t(`tests.kind.${test.kind}`)
          const href = `${base}/test/${test.kind}`
          return (
            <li key={test.kind}>
              <strong>{kind}</strong>{' '}
              {test.attempt?.finishedAt ? (
                <Link to={href}>{t('tests.seeResult', { kind, correct: test.attempt.correct ?? 0, total: test.attempt.total })}</Link>
              ) : test.state === 'open' ? (
                <>
                  {t('tests.state.open', { time: formatDateTime(test.window.closesAt, zone, lang) })}{' '}
                  <Link to={href}>{test.attempt ? t('tests.continue', { kind, answered: test.attempt.answered, total: test.attempt.total }) : t('tests.start', { kind })}</Link>
                </>
              ) : test.state === 'notYet' && test.window.opensAt ? (
                t('tests.state.notYet', { time: formatDateTime(test.window.opensAt, zone, lang) })
              ) : (
                t('tests.state.closed')
              )}
            </li>
          )
        })}
      </ul>
    </section>
  )
}
