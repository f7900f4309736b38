import type { TimeZoneCode } from '#db/schema'
import { formatDateTime, formatTime, useLang, useT } from '#app/i18n'
import { splitPillars } from '#app/utils/catalog'

/** "Rabu, 1 September 2021, 09.00 WIB – 12.00 WIB", in the webinar's own zone, as the e-mails write it. */
export function WebinarWhen({ startAt, endAt, zone }: { startAt: string; endAt: string; zone: TimeZoneCode }) {
  const lang = useLang()
  return <>{`${formatDateTime(startAt, zone, lang)} – ${formatTime(endAt, zone, lang)}`}</>
}

export function PillarNames({ pillars }: { pillars: string }) {
  const t = useT()
  return <>{splitPillars(pillars).map((p) => t(`pillar.${p}`)).join(' · ')}</>
}

/** Seats left, or that the seats are gone and new registrations wait for one. */
export function SeatsLeft({ capacity, registered }: { capacity: number; registered: number }) {
  const t = useT()
  const left = Math.max(0, capacity - registered)
  return left > 0 ? <>{t('catalogue.seatsLeft', { count: left, capacity })}</> : <strong>{t('catalogue.full')}</strong>
}
