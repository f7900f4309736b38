import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { ErrorSummary, Field } from '#app/components/forms'
import { translate, useT } from '#app/i18n'
import { getIssuerSettings, type IssuerImageName, updateIssuer } from '#app/models/site-settings.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { getDb } from '#app/utils/db.server'
import { IssuerSchema } from '#app/utils/issuer-schema.server'
import { metaLang, pageTitle } from '#app/utils/meta'
import { readUploadForm } from '#app/utils/read-form.server'
import { readImageField, SITE_IMAGE_MAX_BYTES, SITE_IMAGE_RULE } from '#app/utils/site-image.server'
import { discardUpload, streamUpload, type UploadOutcome } from '#app/utils/uploads.server'
import { echoForm, parseForm, type FieldErrors } from '#app/utils/validation.server'

// The certificate's issuer, edited by an organiser: the programme's name (the page header), the
// ministry (the footer), the signatory, and the logo and signature images printed on every
// certificate. One multipart form; a refused file or text is shown beside its field and nothing
// is saved, no file either.
export const meta: MetaFunction = ({ matches }) => pageTitle(translate(metaLang(matches), 'issuer.title'))

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  const { logo, signature, ...texts } = await getIssuerSettings(getDb())
  // Only whether each image exists travels: the pictures come from /admin/issuer/<name>.png.
  return json({ texts, logo: logo ? { width: logo.width, height: logo.height } : null, signature: signature ? { width: signature.width, height: signature.height } : null, maxKb: SITE_IMAGE_MAX_BYTES / 1024 })
}

const IMAGE_FIELDS: Record<IssuerImageName, 'removeLogo' | 'removeSignature'> = { logo: 'removeLogo', signature: 'removeSignature' }

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireOrganiser(request)
  const { form, files } = await readUploadForm<UploadOutcome>(request, (data, name) => streamUpload(data, name, SITE_IMAGE_RULE), discardUpload)
  for (const [name, other] of files) if (!(name in IMAGE_FIELDS)) await discardUpload(other)
  const [logo, signature] = await Promise.all([readImageField(files.get('logo')), readImageField(files.get('signature'))])
  const parsed = parseForm(IssuerSchema, form)
  const errors: FieldErrors = parsed.success ? {} : { ...parsed.errors }
  if (!logo.ok) errors.logo = [logo.error]
  if (!signature.ok) errors.signature = [signature.error]
  if (!parsed.success || !logo.ok || !signature.ok) {
    const status = (!logo.ok && logo.status === 413) || (!signature.ok && signature.status === 413) ? 413 : 400
    return json<{ errors: FieldErrors; values: Record<string, string> }>({ errors, values: echoForm(form) }, { status })
  }
  const { removeLogo, removeSignature, ...texts } = parsed.data
  const change = (field: typeof logo, remove: boolean) => field.image ?? (remove ? 'remove' : 'keep')
  await updateIssuer(getDb(), texts, { logo: change(logo, !!removeLogo), signature: change(signature, !!removeSignature) }, user.id)
  return redirect('/admin/issuer?done=saved', 303)
}

export default function IssuerPage() {
  const { texts, logo, signature, maxKb } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const t = useT()
  const errors = actionData?.errors
  const textFields: Array<{ name: keyof typeof texts; hint?: string; lang?: string }> = [
    { name: 'programmeNameId', hint: t('issuer.defaultHint', { name: translate('id', 'app.programme') }) },
    { name: 'programmeNameEn', hint: t('issuer.defaultHint', { name: translate('en', 'app.programme') }), lang: 'en' },
    { name: 'issuerName', hint: t('issuer.defaultHint', { name: translate('id', 'app.ministry') }) },
    { name: 'signatoryName', hint: t('issuer.signatoryNameHint') },
    { name: 'signatoryTitle' },
  ]
  const summary = [...textFields.map((field) => field.name), 'logo' as const, 'signature' as const].map((name) => ({ id: name, label: t(`issuer.${name}`), errors: errors?.[name] }))
  return (
    <section aria-labelledby="issuer-title" className="stack">
      <h1 id="issuer-title">{t('issuer.title')}</h1>
      <p>{t('issuer.intro')}</p>
      {searchParams.get('done') === 'saved' && !actionData ? (
        <p className="notice" role="status">
          {t('form.saved')}
        </p>
      ) : null}
      <Form method="post" action="/admin/issuer#issuer-form" encType="multipart/form-data" className="stack" id="issuer-form" noValidate reloadDocument>
        <ErrorSummary items={summary} />
        {textFields.map((field) => (
          <Field
            key={field.name}
            id={field.name}
            label={t(`issuer.${field.name}`)}
            hint={field.hint}
            name={field.name}
            lang={field.lang}
            optional
            defaultValue={actionData?.values[field.name] ?? texts[field.name] ?? ''}
            errors={errors?.[field.name]}
          />
        ))}
        <ImageField name="logo" label={t('issuer.logo')} preview={t('issuer.logoPreview')} remove={t('issuer.removeLogo')} removeName="removeLogo" current={logo} maxKb={maxKb} errors={errors?.logo} />
        <ImageField
          name="signature"
          label={t('issuer.signature')}
          preview={t('issuer.signaturePreview')}
          remove={t('issuer.removeSignature')}
          removeName="removeSignature"
          current={signature}
          maxKb={maxKb}
          errors={errors?.signature}
        />
        <div className="actions">
          <button type="submit">{t('form.save')}</button>
        </div>
      </Form>
    </section>
  )
}

function ImageField(props: {
  name: IssuerImageName
  label: string
  preview: string
  remove: string
  removeName: string
  current: { width: number; height: number } | null
  maxKb: number
  errors?: string[]
}) {
  const t = useT()
  return (
    <div className="stack">
      {props.current ? (
        <figure className="issuer-image">
          <img src={`/admin/issuer/${props.name}.png`} alt={props.preview} width={props.current.width} height={props.current.height} />
        </figure>
      ) : (
        <p className="hint">{t('issuer.noImage')}</p>
      )}
      <Field
        id={props.name}
        label={props.label}
        hint={t('issuer.imageHint', { kb: props.maxKb })}
        name={props.name}
        type="file"
        accept="image/png,image/svg+xml,.png,.svg"
        optional
        errors={props.errors}
      />
      {props.current ? (
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" name={props.removeName} />
            {props.remove}
          </label>
        </div>
      ) : null}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
