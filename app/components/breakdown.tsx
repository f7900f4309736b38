import { Fragment } from 'react'
import { formatNumber, isMessageKey, useLang, useT, type Lang, type Translate } from '#app/i18n'
import { TableScroll } from './table-scroll'

export type RegistrantDimension = 'occupation' | 'ageRange' | 'gender'

/** The label of a stored code ("guru" → "Guru/pendidik"); null is a gender nobody gave. */
export function groupLabel(t: Translate, dimension: RegistrantDimension, code: string | null): string {
  if (code === null) return t('report.notGiven')
  const key = `${dimension}.${code}`
  return isMessageKey(key) ? t(key) : code
}

/** 0.853 → "85,3%" in Indonesian, "85.3%" in English. */
export function formatPercent(fraction: number, lang: Lang): string {
  return formatNumber(fraction, lang, 'percent')
}

export type BreakdownTableRow = { key: string; label: string; registered: number; present: number }

/** "Kabupaten/kota" may wrap after its slash, so the first column does not push the table past 360 px. */
function breakAfterSlashes(text: string) {
  return text.split('/').map((part, index, parts) => (
    <Fragment key={index}>
      {part}
      {index < parts.length - 1 ? (
        <>
          /<wbr />
        </>
      ) : null}
    </Fragment>
  ))
}

/**
 * One breakdown as a table: each group's registrants with their share of everyone registered
 * (a CSS bar, hidden from screen readers, which read the percentage beside it), and who came
 * with the group's attendance rate. Three columns, so it fits 360 px; wider content scrolls
 * inside its focusable wrapper rather than widening the page.
 */
export function BreakdownTable({ id, title, groupHeader, rows, total }: { id: string; title: string; groupHeader: string; rows: BreakdownTableRow[]; total: number }) {
  const t = useT()
  const lang = useLang()
  return (
    <div>
      <h3 id={id}>{title}</h3>
      <TableScroll labelledBy={id}>
        <table aria-labelledby={id}>
          <thead>
            <tr>
              <th scope="col">{breakAfterSlashes(groupHeader)}</th>
              <th scope="col">
                {t('report.col.registered')} <span className="muted cell-note">{t('report.col.share')}</span>
              </th>
              <th scope="col">
                {t('report.col.present')} <span className="muted cell-note">{t('report.col.rate')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const share = total === 0 ? 0 : row.registered / total
              return (
                <tr key={row.key}>
                  <th scope="row">{breakAfterSlashes(row.label)}</th>
                  <td>
                    {row.registered}{' '}
                    <span className="muted share">
                      <span aria-hidden="true" className="bar">
                        <span style={{ width: `${(share * 100).toFixed(1)}%` }} />
                      </span>
                      {formatPercent(share, lang)}
                    </span>
                  </td>
                  <td>
                    {row.present} <span className="muted cell-note">{formatPercent(row.registered === 0 ? 0 : row.present / row.registered, lang)}</span>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </TableScroll>
    </div>
  )
}
