import type { LoaderFunctionArgs } from '@remix-run/node'
import { makeT } from '#app/i18n'
import { getLang } from '#app/i18n/lang.server'
import { listRatedPeople, listEvaluationsForExport, listOwnQuestions } from '#app/models/evaluation.server'
import { csvDateTime, csvResponse, toCsv } from '#app/utils/csv.server'
import { getDb } from '#app/utils/db.server'
import { requireAttendanceWebinar } from '#app/utils/webinar-guards.server'

// Every evaluation of the webinar, one row each, without names: when, each rating, the comment.
// The same people as the report: organisers and this webinar's own moderator.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { webinar } = await requireAttendanceWebinar(request, params.slug)
  const t = makeT(await getLang(request))
  const [people, questions, evaluations] = await Promise.all([listRatedPeople(getDb(), webinar.id), listOwnQuestions(getDb(), webinar.id), listEvaluationsForExport(getDb(), webinar.id)])
  const columns: Array<{ key: string; label: string }> = [
    { key: 'content:', label: t('evaluation.item.content') },
    ...people.speakers.map((s) => ({ key: `speaker:${s.id}`, label: t('evaluation.item.speaker', { name: s.name }) })),
    ...(people.moderator ? [{ key: 'moderator:', label: t('evaluation.item.moderator', { name: people.moderator.name }) }] : []),
    { key: 'platform:', label: t('evaluation.item.platform') },
    ...questions.map((q) => ({ key: `own:${q.id}`, label: q.text })),
  ]
  const header = [t('evaluation.csv.submittedAt', { zone: webinar.time_zone }), ...columns.map((c) => c.label), t('evaluation.comment')]
  const rows = evaluations.map((e) => [csvDateTime(e.submittedAt, webinar.time_zone), ...columns.map((c) => e.ratings.get(c.key) ?? ''), e.comment ?? ''])
  return csvResponse(`${webinar.slug}-${t('evaluation.csv.file')}.csv`, toCsv(header, rows))
}
