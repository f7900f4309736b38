import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary'
import { SlidesUpload } from '#app/components/slides-upload'
import { translate, useT } from '#app/i18n'
import { getBriefMaterial, MATERIAL_MAX_BYTES, saveMaterial } from '#app/models/material.server'
import { getBriefByToken } from '#app/models/webinar-role.server'
import { getDb } from '#app/utils/db.server'
import { message } from '#app/utils/messages'
import { metaLang, pageTitle } from '#app/utils/meta'
import { readUploadForm } from '#app/utils/read-form.server'
import { webinarZone } from '#app/utils/time'
import { discardUpload, PDF_MAGIC, streamUpload, type UploadOutcome, type UploadRefusal } from '#app/utils/uploads.server'

// A speaker's slides, uploaded from their brief link (the link is the credential). The brief
// page carries the same form; this page is where it posts, and shows a refusal beside the field.
export const meta: MetaFunction = ({ matches }) => [...pageTitle(translate(metaLang(matches), 'slides.title')), { name: 'robots', content: 'noindex' }]

const NO_STORE = { 'Cache-Control': 'private, no-store' }
export const headers: HeadersFunction = () => NO_STORE

async function requireBrief(token: string | undefined) {
  const brief = await getBriefByToken(getDb(), token ?? '')
  const slides = brief ? await getBriefMaterial(getDb(), token!) : null
  if (!brief || !slides) throw new Response('Not found', { status: 404, headers: NO_STORE })
  return { brief, slides }
}

export async function loader({ params }: LoaderFunctionArgs) {
  const { brief, slides } = await requireBrief(params.token)
  return json({ token: params.token!, topic: brief.topic, zone: webinarZone(brief), slides }, { headers: NO_STORE })
}

const REFUSALS: Record<UploadRefusal, string> = {
  empty: message('slides.error.empty'),
  tooLarge: message('slides.error.tooLarge', { mb: MATERIAL_MAX_BYTES / (1024 * 1024) }),
  wrongType: message('slides.error.notPdf'),
}

export async function action({ request, params }: ActionFunctionArgs) {
  await requireBrief(params.token)
  const { files } = await readUploadForm<UploadOutcome>(request, (data, name) => streamUpload(data, name, { maxBytes: MATERIAL_MAX_BYTES, magic: PDF_MAGIC }), discardUpload)
  const upload = files.get('slides')
  for (const [name, other] of files) if (name !== 'slides') await discardUpload(other)
  const fail = (error: string, status: number) => json({ errors: [error] }, { status, headers: NO_STORE })
  if (!upload || (!upload.ok && upload.reason === 'empty' && !upload.fileName)) return fail(message('slides.error.required'), 400)
  if (!upload.ok) return fail(REFUSALS[upload.reason], upload.reason === 'tooLarge' ? 413 : 400)
  const saved = await saveMaterial(getDb(), params.token!, upload).catch(async (error) => {
    await discardUpload(upload)
    throw error
  })
  if (!saved.ok) {
    await discardUpload(upload)
    if (saved.reason === 'notFound') throw new Response('Not found', { status: 404, headers: NO_STORE })
    return fail(message('slides.error.notPresenter'), 403)
  }
  return redirect(`/brief/${params.token}?slides=uploaded#slides-title`, { status: 303, headers: NO_STORE })
}

export default function SlidesPage() {
  const { token, topic, zone, slides } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  return (
    <article aria-labelledby="slides-page-title" className="stack">
      <h1 id="slides-page-title">{topic}</h1>
      <SlidesUpload token={token} slides={slides} zone={zone} errors={actionData?.errors} />
      <p>
        <Link to={`/brief/${token}`}>{t('slides.back')}</Link>
      </p>
    </article>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
