import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { ConfirmForm } from '#app/components/forms'
import { QuestionForm } from '#app/components/question-form'
import { formatDateTime, translate, useLang, useT } from '#app/i18n'
import { archiveQuestion, getQuestion, listQuestionVersions, updateQuestion } from '#app/models/question.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { QuestionFormSchema, questionFormValues } from '#app/utils/question-schema.server'
import { readForm } from '#app/utils/read-form.server'
import { parseForm } from '#app/utils/validation.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'questions.edit.title'))

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const question = await getQuestion(getDb(), params.questionId ?? '')
  if (!question) throw new Response('Not found', { status: 404 })
  const url = new URL(request.url)
  const versions = await listQuestionVersions(getDb(), question.familyId)
  const current = versions.find((v) => v.replacedById === null) ?? null
  return json({
    question: { id: question.id, version: question.version, usedAt: question.usedAt, editable: question.replacedById === null && question.archivedAt === null, archived: question.archivedAt !== null },
    currentId: current && current.id !== question.id ? current.id : null,
    values: questionFormValues(question),
    versions: versions.map((v) => ({ id: v.id, version: v.version, updatedAt: v.updatedAt })),
    notice: url.searchParams.has('created') ? ('questions.created' as const) : url.searchParams.has('saved') ? ('questions.saved' as const) : null,
    newVersion: url.searchParams.has('version') ? question.version : null,
    confirmingArchive: url.searchParams.get('confirm') === 'archive',
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireOrganiser(request)
  const id = params.questionId ?? ''
  const form = await readForm(request)
  if (form.get('intent') === 'archive') {
    if (!(await archiveQuestion(getDb(), id))) throw new Response('Not found', { status: 404 })
    return redirect('/admin/questions?archived', 303)
  }
  const parsed = parseForm(QuestionFormSchema, form)
  if (!parsed.success) return json({ errors: parsed.errors, values: parsed.values }, { status: 400 })
  const saved = await updateQuestion(getDb(), id, parsed.data, user.id)
  if (!saved.ok) {
    if (saved.reason === 'notFound') throw new Response('Not found', { status: 404 })
    return json({ errors: { '': ['questions.notCurrent'] }, values: questionFormValues(parsed.data) }, { status: 409 })
  }
  return redirect(saved.newVersion ? `/admin/questions/${saved.id}?version` : `/admin/questions/${saved.id}?saved`, 303)
}

export default function EditQuestionPage() {
  const { question, currentId, values, versions, notice, newVersion, confirmingArchive } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const lang = useLang()
  return (
    <section aria-labelledby="question-title" className="stack">
      <p>
        <Link to="/admin/questions">{t('questions.backToList')}</Link>
      </p>
      <h1 id="question-title">
        {t('questions.edit.title')} ({t('questions.column.version')} {question.version})
      </h1>
      {newVersion && !actionData ? (
        <p className="notice" role="status">
          {t('questions.savedVersion', { version: newVersion })}
        </p>
      ) : notice && !actionData ? (
        <p className="notice" role="status">
          {t(notice)}
        </p>
      ) : null}
      {question.editable ? (
        <>
          {question.usedAt ? <p className="notice">{t('questions.usedWarning', { time: formatDateTime(question.usedAt, 'WIB', lang), version: question.version + 1 })}</p> : null}
          <QuestionForm key={JSON.stringify(values)} action={`/admin/questions/${question.id}`} values={actionData?.values ?? values} errors={actionData?.errors} submitLabel={t('form.save')} />
          <section aria-labelledby="archive-title">
            <h2 id="archive-title">{t('questions.archive')}</h2>
            {confirmingArchive ? (
              <ConfirmForm warning={t('questions.archiveWarning')} intent="archive" confirm={t('questions.archiveConfirm')} back={t('questions.archiveKeep')} backTo={`/admin/questions/${question.id}`} />
            ) : (
              <p>
                <Link to={`/admin/questions/${question.id}?confirm=archive`}>{t('questions.archive')}</Link>
              </p>
            )}
          </section>
        </>
      ) : (
        <>
          <p className="notice">{t('questions.notCurrent')}</p>
          {currentId ? (
            <p>
              <Link to={`/admin/questions/${currentId}`}>{t('questions.openCurrent')}</Link>
            </p>
          ) : null}
        </>
      )}
      {versions.length > 1 ? (
        <section aria-labelledby="versions-title">
          <h2 id="versions-title">{t('questions.versions')}</h2>
          <ul>
            {versions.map((v) => (
              <li key={v.id}>
                <Link to={`/admin/questions/${v.id}`} aria-current={v.id === question.id ? 'page' : undefined}>
                  {t('questions.versionLine', { version: v.version, time: formatDateTime(v.updatedAt, 'WIB', lang) })}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
