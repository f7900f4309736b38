import { Link, useSearchParams } from '@remix-run/react'
import { Field, SelectField } from '#app/components/forms'
import { useT } from '#app/i18n'
import { PILLARS } from '#app/utils/catalog'

type FilterErrors = Record<string, string[]> | null | undefined

/** The pillar and date-range fields shared by the organiser's list and the public catalogue. */
export function PillarAndDateFilters({ errors }: { errors?: FilterErrors }) {
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
      <DateRangeFilters errors={errors} />
    </>
  )
}

/** From and to dates (`from`, `to`). */
export function DateRangeFilters({ errors }: { errors?: FilterErrors }) {
  const [searchParams] = useSearchParams()
  const t = useT()
  return (
    <>
      <Field label={t('webinar.filter.from')} name="from" type="date" defaultValue={searchParams.get('from') ?? ''} errors={errors?.from} />
      <Field label={t('webinar.filter.to')} name="to" type="date" defaultValue={searchParams.get('to') ?? ''} errors={errors?.to} />
    </>
  )
}

/** One province, or all of them (`province`). */
export function ProvinceFilter({ provinces, errors }: { provinces: Array<{ code: string; name: string }>; errors?: FilterErrors }) {
  const [searchParams] = useSearchParams()
  const t = useT()
  return (
    <SelectField
      label={t('webinar.filter.province')}
      name="province"
      defaultValue={searchParams.get('province') ?? ''}
      placeholder={t('webinar.filter.all')}
      options={provinces.map((p) => ({ value: p.code, label: p.name }))}
      errors={errors?.province}
    />
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
