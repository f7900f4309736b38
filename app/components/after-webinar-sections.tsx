import { Link } from '@remix-run/react'
import { useLang, useT, type MessageKey } from '#app/i18n'
import { formatBytes } from '#app/utils/format-bytes'

export type GateStep = 'evaluation' | 'postTest'

export type ResidentAfterWebinarView = {
  evaluatedAt: string | null
  pendingCertificateSteps: GateStep[]
  recordingUrl: string | null
  materials: Array<{ id: string; fileName: string; bytes: number; speaker: string; talkTitle: string | null }>
}

/** After the webinar, on the personal page: the evaluation, then the slides and the recording. */
export function AfterWebinarSections({ after, base, justEvaluated }: { after: ResidentAfterWebinarView; base: string; justEvaluated: boolean }) {
  return (
    <>
      <EvaluationSection evaluatedAt={after.evaluatedAt} base={base} justEvaluated={justEvaluated} />
      <MaterialsSection after={after} base={base} />
    </>
  )
}

function EvaluationSection({ evaluatedAt, base, justEvaluated }: { evaluatedAt: string | null; base: string; justEvaluated: boolean }) {
  const t = useT()
  return (
    <section aria-labelledby="evaluation-section-title">
      <h2 id="evaluation-section-title">{t('evaluation.title')}</h2>
      {evaluatedAt ? (
        <p className={justEvaluated ? 'notice' : undefined} role={justEvaluated ? 'status' : undefined}>
          {t('evaluation.thanks')}
        </p>
      ) : (
        <>
          <p>{t('evaluation.invite')}</p>
          <p>
            <Link to={`${base}/evaluation`} className="button">
              {t('evaluation.start')}
            </Link>
          </p>
        </>
      )}
    </section>
  )
}

function MaterialsSection({ after, base }: { after: ResidentAfterWebinarView; base: string }) {
  const t = useT()
  const lang = useLang()
  return (
    <section aria-labelledby="materials-title">
      <h2 id="materials-title">{t('materials.title')}</h2>
      {after.recordingUrl ? (
        <p>
          {t('after.recording')}:{' '}
          <a href={after.recordingUrl} rel="noreferrer" className="break-anywhere">
            {after.recordingUrl}
          </a>
        </p>
      ) : (
        <p className="hint">{t('materials.noRecording')}</p>
      )}
      {after.materials.length ? (
        <ul>
          {after.materials.map((m) => (
            <li key={m.id}>
              <a href={`${base}/materials/${m.id}.pdf`} download>
                {t('materials.download', { speaker: m.speaker })}
              </a>{' '}
              <span className="muted">
                ({m.talkTitle ? `${m.talkTitle}, ` : ''}
                {formatBytes(m.bytes, lang)})
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">{t('materials.none')}</p>
      )}
    </section>
  )
}

/** The certificate section's text while a gated certificate waits: what is left to do, each linked. */
export function CertificateGateNotice({ steps, base }: { steps: GateStep[]; base: string }) {
  const t = useT()
  const links: Record<GateStep, string> = { evaluation: `${base}/evaluation`, postTest: `${base}/test/post` }
  return (
    <>
      <p>{t('gate.intro')}</p>
      <ul>
        {steps.map((step) => (
          <li key={step}>
            <Link to={links[step]}>{t(`gate.step.${step}` as MessageKey)}</Link>
          </li>
        ))}
      </ul>
    </>
  )
}
