import type { ReactNode } from 'react'
import { useT } from '#app/i18n'
import { BarChart } from './charts'
import { TableScroll } from './table-scroll'

export type CutRow = {
  key: string
  /** the group as the table names it (whole) and as the chart does (cut to fit if need be) */
  label: ReactNode
  chartLabel: string
  /** the bar; `valueText` replaces its written value (e.g. "—" for a group with no data) */
  value: number
  valueText?: string
  /** the table's figures after the group, already formatted */
  cells: string[]
}

/**
 * One cut of the programme dashboard (by province, by month, …): a chart drawn on the server, a
 * table of the figures as its text alternative, and the table's CSV with the page's filters
 * (`exportQuery`), a plain link that downloads with or without JavaScript.
 */
export function CutSection({
  id,
  level,
  heading,
  note,
  chartTitle,
  formatValue,
  groupHeader,
  columns,
  rows,
  exportQuery,
  exportHeading,
}: {
  /** the section's id, which also names its CSV (/admin/reports/<id>.csv) */
  id: string
  level: 2 | 3
  heading: string
  note?: string
  chartTitle: string
  formatValue: (value: number) => string
  groupHeader: string
  columns: string[]
  rows: CutRow[]
  exportQuery: string
  /** what the CSV holds, when it is more than the table shows */
  exportHeading?: string
}) {
  const t = useT()
  const Heading = level === 2 ? 'h2' : 'h3'
  return (
    <section aria-labelledby={`${id}-heading`}>
      <Heading id={`${id}-heading`}>{heading}</Heading>
      {note ? <p className="muted">{note}</p> : null}
      <BarChart
        id={`${id}-chart`}
        title={chartTitle}
        description={t('programme.chartDesc')}
        bars={rows.map((row) => ({ key: row.key, label: row.chartLabel, value: row.value, text: row.valueText }))}
        formatValue={formatValue}
      />
      <TableScroll labelledBy={`${id}-heading`}>
        <table aria-labelledby={`${id}-heading`}>
          <thead>
            <tr>
              <th scope="col">{groupHeader}</th>
              {columns.map((column) => (
                <th scope="col" key={column}>
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <th scope="row">{row.label}</th>
                {row.cells.map((cell, i) => (
                  <td key={i}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <p>
        <a href={`/admin/reports/${id}.csv${exportQuery}`} download>
          {t('programme.csv.download', { table: exportHeading ?? heading })}
        </a>
      </p>
    </section>
  )
}
