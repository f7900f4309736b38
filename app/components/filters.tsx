import { Link, useSearchParams } from '@remix-run/react'
import { Field, SelectField } from '#app/components/forms'
import { useT } from '#app/i18n'
import { PILLARS } from '#app/utils/catalog'

/** The pillar and date-range fields shared by the organiser's list and the public catalogue. */
export function PillarAndDateFilters({ errors }: { errors?: Record<string, string[]> | null }) {
  const [searchParams] = useSearchParams()
  const t = useT()
  return (
    <>
      <SelectField
        label={t('webinar.filter.pillar')}
        name="pillar"
        defaultValue={searchParams.get('pillar') ?? ''}
        placeholder={t('webinar.filter.all')}
        options={PILLARS.map((p) => ({ value: p, label: t(`pillar.${p}`) }))}
        errors={errors?.pillar}
      />
      <Field label={t('webinar.filter.from')} name="from" type="date" defaultValue={searchParams.get('from') ?? ''} errors={errors?.from} />
      <Field label={t('webinar.filter.to')} name="to" type="date" defaultValue={searchParams.get('to') ?? ''} errors={errors?.to} />
    </>
  )
}

/** Apply, and a link back to the unfiltered list. */
export function FilterActions({ resetTo }: { resetTo: string }) {
  const t = useT()
  return (
    <div className="actions">
      <button type="submit">{t('form.filter')}</button>
      <Link to={resetTo}>{t('form.reset')}</Link>
    </div>
  )
}
