import { Link } from '@remix-run/react'
import type { TimeZoneCode } from '#db/schema'
import { formatDate, formatDateTime, makeT, useLang, useT, type Lang } from '#app/i18n'
import { localToUtc } from '#app/utils/time'

type ImportItem = { id: string; file_name: string; rows: number; uploaded_at: string; committed_at: string | null }

/** The reports uploaded for a webinar: the one in force, a waiting preview, the ones replaced. */
export function ImportList({ slug, zone, imports, currentImportId }: { slug: string; zone: TimeZoneCode; imports: ImportItem[]; currentImportId: string | null }) {
  const t = useT()
  const lang = useLang()
  if (imports.length === 0) return null
  return (
    <section aria-labelledby="imports-title">
      <h2 id="imports-title">{t('import.history')}</h2>
      <ul className="plain-list">
        {imports.map((item) => (
          <li key={item.id} className="card-line">
            <Link to={`/attendance/${slug}/import/${item.id}`}>{item.file_name}</Link>{' '}
            <span className="badge">
              {t(item.id === currentImportId ? 'import.state.current' : item.committed_at ? 'import.state.replaced' : 'import.state.preview')}
            </span>{' '}
            <span className="muted">{formatDateTime(item.uploaded_at, zone, lang)}</span>
          </li>
        ))}
      </ul>
    </section>
  )
}

type ReportFacts = { topic: string | null; meetingId: string | null; date: string | null; dateOrder: 'mdy' | 'dmy' | null }
type Identity = { topic: 'same' | 'different' | 'unknown'; date: 'same' | 'different' | 'unknown' }
type ExpectedWebinar = { topic: string; meetingId: string | null; startAt: string; zone: TimeZoneCode }

/** A report's local date ("YYYY-MM-DD") as the page writes dates: noon in the zone keeps it that day. */
function formatReportDate(date: string, zone: TimeZoneCode, lang: Lang): string {
  return formatDate(localToUtc(date, '12:00', zone), zone, lang)
}

/**
 * A report that is not this webinar's would count another meeting's minutes towards this
 * webinar's certificates: the warning goes at the top of the preview, in red, announced, and in
 * English as well for whoever reads the page with a translator or helps from outside.
 */
export function ReportMismatch({ report, identity, webinar }: { report: ReportFacts; identity: Identity; webinar: ExpectedWebinar }) {
  const lang = useLang()
  if (identity.topic !== 'different' && identity.date !== 'different') return null
  return (
    <div role="alert" className="form-errors break-anywhere">
      <MismatchText lang={lang} report={report} identity={identity} webinar={webinar} />
      {lang === 'en' ? null : (
        <div lang="en">
          <MismatchText lang="en" report={report} identity={identity} webinar={webinar} />
        </div>
      )}
    </div>
  )
}

function MismatchText({ lang, report, identity, webinar }: { lang: Lang; report: ReportFacts; identity: Identity; webinar: ExpectedWebinar }) {
  const t = makeT(lang)
  return (
    <>
      <p>
        <strong>{t('import.mismatch.title')}</strong>
      </p>
      <ul>
        {identity.topic === 'different' ? (
          <li>
            {report.topic !== null
              ? t('import.mismatch.topic', { report: report.topic, webinar: webinar.topic })
              : t('import.mismatch.meetingId', { report: report.meetingId ?? '—', webinar: webinar.meetingId ?? '—' })}
          </li>
        ) : null}
        {identity.date === 'different' && report.date !== null ? (
          <li>{t('import.mismatch.date', { report: formatReportDate(report.date, webinar.zone, lang), webinar: formatDate(webinar.startAt, webinar.zone, lang) })}</li>
        ) : null}
      </ul>
      <p>{t('import.mismatch.advice')}</p>
    </>
  )
}

/** What the report says about itself: its topic, meeting ID and date, and how its dates were read when that was a choice. */
export function ReportFactsList({ report, zone }: { report: ReportFacts; zone: TimeZoneCode }) {
  const t = useT()
  const lang = useLang()
  const unknown = <span className="muted">{t('import.report.unknown')}</span>
  return (
    <section aria-labelledby="report-facts-title">
      <h2 id="report-facts-title">{t('import.report.title')}</h2>
      <dl className="details">
        <dt>{t('import.report.topic')}</dt>
        <dd>{report.topic ?? unknown}</dd>
        <dt>{t('import.report.meetingId')}</dt>
        <dd>{report.meetingId ?? unknown}</dd>
        <dt>{t('import.report.date')}</dt>
        <dd>{report.date ? formatReportDate(report.date, zone, lang) : unknown}</dd>
      </dl>
      {report.dateOrder ? <p className="hint">{t(report.dateOrder === 'dmy' ? 'import.dateOrder.dmy' : 'import.dateOrder.mdy')}</p> : null}
    </section>
  )
}
