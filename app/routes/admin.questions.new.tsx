import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Link, useActionData } from '@remix-run/react'
import { QuestionForm } from '#app/components/question-form'
import { translate, useT } from '#app/i18n'
import { createQuestion } from '#app/models/question.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { QuestionFormSchema } from '#app/utils/question-schema.server'
import { readForm } from '#app/utils/read-form.server'
import { parseForm } from '#app/utils/validation.server'

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'questions.new.title'))

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  return null
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireOrganiser(request)
  const parsed = parseForm(QuestionFormSchema, await readForm(request))
  if (!parsed.success) return json({ errors: parsed.errors, values: parsed.values }, { status: 400 })
  const id = await createQuestion(getDb(), parsed.data, user.id)
  return redirect(`/admin/questions/${id}?created`, 303)
}

export default function NewQuestionPage() {
  const actionData = useActionData<typeof action>()
  const t = useT()
  return (
    <section aria-labelledby="question-title" className="stack">
      <p>
        <Link to="/admin/questions">{t('questions.backToList')}</Link>
      </p>
      <h1 id="question-title">{t('questions.new.title')}</h1>
      <QuestionForm values={actionData?.values ?? {}} errors={actionData?.errors} submitLabel={t('form.save')} />
    </section>
  )
}
