import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { Field } from '#app/components/forms'
import { TableScroll } from '#app/components/table-scroll'
import { translate, useT } from '#app/i18n'
import { createQuestions, type QuestionInput } from '#app/models/question.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { message } from '#app/utils/messages'
import { metaLang, pageTitle } from '#app/utils/meta'
import { mediaType, readForm, readSmallFile } from '#app/utils/read-form.server'
import { parseQuestionCsv, QUESTION_CSV_MAX_BYTES } from '#app/utils/question-csv.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'questions.import.title'))

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const done = Number(new URL(request.url).searchParams.get('done'))
  return json({ done: Number.isInteger(done) && done > 0 ? done : null })
}

type ActionData = { errors: string[] } | { preview: QuestionInput[]; file: string }

// Two steps, like the Zoom import: the upload is checked and shown; only the commit saves, every
// row or none. The checked file rides in the preview form (base64), so no draft is stored.
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireOrganiser(request)
  const fail = (error: string, status = 400) => json<ActionData>({ errors: [error] }, { status })
  if (mediaType(request.headers.get('Content-Type')) !== 'multipart/form-data') {
    const form = await readForm(request)
    const file = form.get('file')
    const bytes = typeof file === 'string' ? Buffer.from(file, 'base64') : new Uint8Array()
    const parsed = parseQuestionCsv(bytes)
    if (!parsed.ok) return json<ActionData>({ errors: parsed.errors }, { status: 422 })
    const count = await createQuestions(getDb(), parsed.questions, user.id)
    return redirect(`/admin/questions/import?done=${count}`, 303)
  }
  const upload = await readSmallFile(request, 'file', QUESTION_CSV_MAX_BYTES)
  if (!upload.ok) return fail(message(`questions.import.error.${upload.reason}`), upload.reason === 'tooLarge' ? 413 : 400)
  const { bytes } = upload
  const parsed = parseQuestionCsv(bytes)
  if (!parsed.ok) return json<ActionData>({ errors: parsed.errors }, { status: 422 })
  return json<ActionData>({ preview: parsed.questions, file: Buffer.from(bytes).toString('base64') })
}

export default function ImportQuestionsPage() {
  const { done } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const preview = actionData && 'preview' in actionData ? actionData : null
  return (
    <section aria-labelledby="import-title" className="stack">
      <p>
        <Link to="/admin/questions">{t('questions.backToList')}</Link>
      </p>
      <h1 id="import-title">{t('questions.import.title')}</h1>
      {done && !actionData ? (
        <p className="notice" role="status">
          {t('questions.import.done', { count: done })}
        </p>
      ) : null}
      <p>{t('questions.import.help')}</p>
      {preview ? (
        <section aria-labelledby="preview-title" className="stack">
          <h2 id="preview-title">{t('questions.import.previewTitle', { count: preview.preview.length })}</h2>
          <TableScroll labelledBy="preview-title">
            <table>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t('questions.column.pillar')}</th>
                  <th scope="col">{t('questions.column.difficulty')}</th>
                  <th scope="col">{t('questions.column.prompt')}</th>
                  <th scope="col">{t('questions.field.correct')}</th>
                </tr>
              </thead>
              <tbody>
                {preview.preview.map((q, i) => (
                  <tr key={i}>
                    <td>{i + 1}</td>
                    <td>{t(`pillar.${q.pillar}`)}</td>
                    <td>{t(`difficulty.${q.difficulty}`)}</td>
                    <td>{q.prompt}</td>
                    <td>{q.options[q.correctOption]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Form method="post" className="actions">
            <input type="hidden" name="file" value={preview.file} />
            <button type="submit">{t('questions.import.commit')}</button>
            <Link to="/admin/questions/import">{t('form.cancel')}</Link>
          </Form>
        </section>
      ) : (
        <Form method="post" encType="multipart/form-data" className="stack" noValidate>
          <Field
            label={t('questions.import.file')}
            hint={t('questions.import.fileHint')}
            name="file"
            type="file"
            accept=".csv,text/csv"
            required
            errors={actionData && 'errors' in actionData ? actionData.errors : undefined}
          />
          <div className="actions">
            <button type="submit">{t('questions.import.preview')}</button>
          </div>
        </Form>
      )}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
