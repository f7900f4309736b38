import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { Field } from '#app/components/forms'
import { translate, useT } from '#app/i18n'
import { normaliseCertificateNumber } from '#app/models/certificate.server'
import { message } from '#app/utils/messages'
import { metaLang, pageTitle } from '#app/utils/meta'
import { NO_SCRIPTS } from '#app/utils/page-scripts'

// A resident page: plain HTML, no scripts (utils/page-scripts.ts).
export const handle = NO_SCRIPTS

export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'certificate.verifyTitle'))

// Public: a number typed by hand (dashes, spaces, O for 0 are forgiven) leads to its verification page.
export async function loader({ request }: LoaderFunctionArgs) {
  const typed = new URL(request.url).searchParams.get('number')
  if (typed === null) return json({ errors: null, number: '' })
  const number = normaliseCertificateNumber(typed)
  if (number) return redirect(`/certificates/${number}`)
  return json({ errors: [message(typed.trim() ? 'certificate.invalidNumber' : 'form.required')], number: typed.slice(0, 40) }, { status: 400 })
}

export default function LookupCertificate() {
  const { errors, number } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <section aria-labelledby="lookup-title" className="stack">
      <h1 id="lookup-title">{t('certificate.verifyTitle')}</h1>
      <Form method="get" className="stack" noValidate>
        <Field label={t('certificate.number')} hint={t('certificate.lookupHint')} name="number" defaultValue={number} autoComplete="off" autoCapitalize="characters" required errors={errors} />
        <div className="actions">
          <button type="submit">{t('certificate.lookup')}</button>
        </div>
      </Form>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
