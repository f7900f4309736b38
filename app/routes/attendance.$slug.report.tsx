import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { BreakdownTable, formatPercent, groupLabel } from '#app/components/breakdown'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { EvaluationReportSection } from '#app/components/evaluation-report'
import { LearningReport } from '#app/components/learning-report'
import { formatDateTime, formatNumber, translate, useLang, useT } from '#app/i18n'
import { getEvaluationReport } from '#app/models/evaluation.server'
import { webinarTests } from '#app/models/learning-test.server'
import { getWebinarLearning } from '#app/models/test-report.server'
import { getWebinarReport } from '#app/models/webinar-report.server'
import { requireAttendanceWebinar } from '#app/utils/webinar-guards.server'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(translate(metaLang(matches), 'report.title', { topic: data?.webinar.topic ?? '' }))

// Staff-only figures: no shared cache keeps the page.
export const headers: HeadersFunction = () => ({ 'Cache-Control': 'private, no-store' })

// The same people as the attendance console: organisers, and this webinar's own moderator.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { webinar } = await requireAttendanceWebinar(request, params.slug)
  const [report, tests, learning] = await Promise.all([getWebinarReport(getDb(), webinar), webinarTests(getDb(), webinar.id), getWebinarLearning(getDb(), webinar.id)])
  return json(
    {
      webinar: { slug: webinar.slug, topic: webinar.topic, startAt: webinar.start_at, zone: webinar.time_zone, regency: webinar.regency_name, finalisedAt: webinar.attendance_finalised_at },
      report,
      tests,
      learning,
      evaluation: await getEvaluationReport(getDb(), webinar.id),
    },
    { headers: { 'Cache-Control': 'private, no-store' } },
  )
}

export default function WebinarReport() {
  const { webinar, report, tests, learning, evaluation } = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  const { counts, breakdowns } = report
  return (
    <section aria-labelledby="report-title" className="stack">
      <h1 id="report-title">{t('report.title', { topic: webinar.topic })}</h1>
      <p className="muted">
        {formatDateTime(webinar.startAt, webinar.zone, lang)} · {webinar.regency}
      </p>

      <dl className="stats" aria-label={t('report.summary')}>
        {(['registered', 'waitlisted', 'cancelled', 'present'] as const).map((key) => (
          <div key={key}>
            <dt>{t(`report.count.${key}`)}</dt>
            <dd>{formatNumber(counts[key], lang)}</dd>
          </div>
        ))}
        <div>
          <dt>{t('report.count.rate')}</dt>
          <dd>{formatPercent(report.attendanceRate, lang)}</dd>
        </div>
      </dl>
      <p className={webinar.finalisedAt ? 'hint' : 'notice'}>
        {webinar.finalisedAt ? t('report.final', { time: formatDateTime(webinar.finalisedAt, webinar.zone, lang) }) : t('report.provisional')}
      </p>

      <section aria-labelledby="downloads-title">
        <h2 id="downloads-title">{t('report.downloads')}</h2>
        <p className="hint">{t('report.downloadHint')}</p>
        <ul>
          <li>
            <a href={`/attendance/${webinar.slug}/registrants.csv`} download>
              {t('report.download.registrants')}
            </a>
          </li>
          <li>
            <a href={`/attendance/${webinar.slug}/attendance.csv`} download>
              {t('report.download.attendance')}
            </a>
          </li>
        </ul>
      </section>

      <section aria-labelledby="breakdowns-title" className="stack">
        <h2 id="breakdowns-title">{t('report.breakdowns')}</h2>
        {counts.registered === 0 ? (
          <p>{t('report.empty')}</p>
        ) : (
          <>
            <BreakdownTable
              id="by-regency"
              title={t('report.breakdown.regency')}
              groupHeader={t('report.col.regency')}
              total={counts.registered}
              rows={breakdowns.regency.map((row) => ({ key: row.code, label: row.name, registered: row.registered, present: row.present }))}
            />
            {(['occupation', 'ageRange', 'gender'] as const).map((dimension) => (
              <BreakdownTable
                key={dimension}
                id={`by-${dimension}`}
                title={t(`report.breakdown.${dimension}`)}
                groupHeader={t(`report.col.${dimension}`)}
                total={counts.registered}
                rows={breakdowns[dimension].map((row) => ({ key: row.code ?? '', label: groupLabel(t, dimension, row.code), registered: row.registered, present: row.present }))}
              />
            ))}
          </>
        )}
      </section>

      <LearningReport slug={webinar.slug} tests={tests} learning={learning} />

      <EvaluationReportSection slug={webinar.slug} report={evaluation} zone={webinar.zone} />

      <p>
        <Link to={`/attendance/${webinar.slug}`}>{t('report.back')}</Link>
      </p>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
