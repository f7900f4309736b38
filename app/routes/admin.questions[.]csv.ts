import type { LoaderFunctionArgs } from '@remix-run/node'
import { listBankQuestions } from '#app/models/question.server'
import { requireOrganiser } from '#app/utils/auth.server'
import { csvResponse } from '#app/utils/csv.server'
import { getDb } from '#app/utils/db.server'
import { questionsCsv } from '#app/utils/question-csv.server'

// The bank in the import's own columns, so it can be edited in a spreadsheet and imported again.
export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrganiser(request)
  return csvResponse('bank-soal.csv', questionsCsv(await listBankQuestions(getDb())))
}
