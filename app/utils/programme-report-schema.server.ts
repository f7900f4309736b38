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
