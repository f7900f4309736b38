import { z } from 'zod'
import { isValidLocalDate } from './time'

const emptyToNull = (value: unknown) => (value === '' || value === null || value === undefined ? null : value)
const dateFilter = z.preprocess(emptyToNull, z.string().refine(isValidLocalDate, 'form.invalidDate').nullable())

/** The programme dashboard's filters, from the query string: a local date range and a province from the official list. */
export function programmeReportFilterSchema(provinceCodes: readonly string[]) {
  return z
    .object({
      from: dateFilter,
      to: dateFilter,
      province: z.preprocess(emptyToNull, z.string().refine((code) => provinceCodes.includes(code), 'form.invalidChoice').nullable()),
    })
    .superRefine((filters, ctx) => {
      if (filters.from && filters.to && filters.to < filters.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'programme.toBeforeFrom' })
    })
}

/** The filters as a query string for links that keep them ("?from=2021-09-01&province=33"); empty when there are none. */
export function filterQuery(filters: { from: string | null; to: string | null; province: string | null }): string {
  const params = new URLSearchParams()
  for (const key of ['from', 'to', 'province'] as const) if (filters[key]) params.set(key, filters[key])
  const query = params.toString()
  return query ? `?${query}` : ''
}
