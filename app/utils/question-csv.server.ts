import { parse } from 'csv-parse/sync'
import { PILLARS, type Pillar } from '#app/utils/catalog'
import { DIFFICULTIES, type BankQuestion, type QuestionInput } from '#app/models/question.server'
import { toCsv } from './csv.server'
import { OPTION_FIELDS, QuestionFormSchema } from './question-schema.server'
import { message } from './messages'

// The question bank as a spreadsheet, so the ministry's curriculum team can write questions in
// one. Import is all or nothing: every row is checked, and one bad row saves none of them.

// The checked file goes back in the commit form as base64, which must stay under the 1 MB form limit.
export const QUESTION_CSV_MAX_BYTES = 512 * 1024
export const QUESTION_CSV_MAX_ROWS = 2000

/** Header names read (lower-cased, spaces and dashes as underscores); Indonesian ones too. */
const HEADER_ALIASES: Record<string, string> = {
  pillar: 'pillar',
  pilar: 'pillar',
  difficulty: 'difficulty',
  tingkat: 'difficulty',
  tingkat_kesulitan: 'difficulty',
  question: 'prompt',
  pertanyaan: 'prompt',
  soal: 'prompt',
  correct: 'correct',
  jawaban: 'correct',
  jawaban_benar: 'correct',
  explanation: 'explanation',
  penjelasan: 'explanation',
  ...Object.fromEntries([1, 2, 3, 4, 5].flatMap((n) => [[`option_${n}`, `option${n}`], [`option${n}`, `option${n}`], [`opsi_${n}`, `option${n}`], [`pilihan_${n}`, `option${n}`]])),
}

const PILLAR_ALIASES: Record<string, Pillar> = Object.fromEntries(PILLARS.flatMap((p) => [[p, p], [`${p} digital`, p], [`digital ${p}`, p]]))
const DIFFICULTY_ALIASES: Record<string, (typeof DIFFICULTIES)[number]> = { easy: 'easy', mudah: 'easy', medium: 'medium', sedang: 'medium', hard: 'hard', sulit: 'hard', susah: 'hard' }
const LETTERS: Record<string, string> = { a: '1', b: '2', c: '3', d: '4', e: '5' }

export type QuestionCsvResult = { ok: true; questions: QuestionInput[] } | { ok: false; errors: string[] }

const fail = (...errors: string[]): QuestionCsvResult => ({ ok: false, errors })

export function parseQuestionCsv(bytes: Uint8Array): QuestionCsvResult {
  if (bytes.byteLength === 0) return fail(message('questions.import.error.empty'))
  if (bytes.byteLength > QUESTION_CSV_MAX_BYTES) return fail(message('questions.import.error.tooLarge'))
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return fail(message('questions.import.error.notText'))
  }
  text = text.replace(/^\ufeff/, '')
  if (text.includes('\u0000')) return fail(message('questions.import.error.notText'))
  const firstLine = text.slice(0, text.search(/\r?\n|$/))
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ','
  let records: string[][]
  try {
    records = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true, trim: false, to_line: QUESTION_CSV_MAX_ROWS + 2 }) as string[][]
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1
    return fail(message('questions.import.error.notCsv', { line }))
  }
  const [header, ...rows] = records
  if (!header) return fail(message('questions.import.error.noRows'))
  const columns = header.map((name) => HEADER_ALIASES[name.trim().toLowerCase().replace(/[\s-]+/g, '_')] ?? null)
  for (const required of ['pillar', 'difficulty', 'prompt', 'option1', 'option2', 'correct'] as const) {
    if (!columns.includes(required)) return fail(message('questions.import.error.missingColumn', { column: required === 'prompt' ? 'question' : required === 'option1' || required === 'option2' ? `option_${required.slice(-1)}` : required }))
  }
  if (rows.length === 0) return fail(message('questions.import.error.noRows'))
  if (rows.length > QUESTION_CSV_MAX_ROWS) return fail(message('questions.import.error.tooMany'))

  const questions: QuestionInput[] = []
  const errors: string[] = []
  rows.forEach((row, index) => {
    // Line numbers as a spreadsheet shows them: the header is line 1.
    const line = index + 2
    const fields: Record<string, string> = {}
    columns.forEach((column, i) => {
      if (column) fields[column] = row[i] ?? ''
    })
    const problem = rowProblem(fields)
    if (problem) return errors.push(message(`questions.import.problem.${problem.problem}`, { line, value: problem.value }))
    const parsed = QuestionFormSchema.safeParse(normalised(fields))
    if (parsed.success) return questions.push(parsed.data)
    errors.push(message(`questions.import.problem.${issueProblem(parsed.error.issues[0]!)}`, { line, value: fields.correct ?? '' }))
  })
  if (errors.length > 0) return { ok: false, errors: [message('questions.import.error.rows', { count: errors.length }), ...errors.slice(0, 50)] }
  return { ok: true, questions }
}

/** The cells whose spelling the import is lenient about, in the form's terms. */
function normalised(fields: Record<string, string>): Record<string, string> {
  const correct = (fields.correct ?? '').trim().toLowerCase()
  return {
    ...fields,
    pillar: PILLAR_ALIASES[(fields.pillar ?? '').trim().toLowerCase()] ?? '',
    difficulty: DIFFICULTY_ALIASES[(fields.difficulty ?? '').trim().toLowerCase()] ?? '',
    correct: LETTERS[correct] ?? correct,
  }
}

type Problem = 'pillar' | 'difficulty' | 'prompt' | 'options' | 'duplicateOptions' | 'correct' | 'explanation' | 'characters'

/** What the form's own messages would not say well about a spreadsheet row: the value that was not understood. */
function rowProblem(fields: Record<string, string>): { problem: Problem; value: string } | null {
  const pillar = (fields.pillar ?? '').trim()
  if (!PILLAR_ALIASES[pillar.toLowerCase()]) return { problem: 'pillar', value: pillar.slice(0, 40) }
  const difficulty = (fields.difficulty ?? '').trim()
  if (!DIFFICULTY_ALIASES[difficulty.toLowerCase()]) return { problem: 'difficulty', value: difficulty.slice(0, 40) }
  return null
}

function issueProblem(issue: { path: PropertyKey[]; message: string }): Problem {
  const field = String(issue.path[0] ?? '')
  if (issue.message === 'form.badCharacters') return 'characters'
  if (field === 'prompt' || field === 'explanation' || field === 'correct') return field
  if (issue.message === 'questions.error.duplicateOptions') return 'duplicateOptions'
  return 'options'
}

/** The bank as CSV, in the import's own columns, plus its id, version and use. */
export function questionsCsv(questions: BankQuestion[]): string {
  const header = ['pillar', 'difficulty', 'question', ...OPTION_FIELDS.map((_, i) => `option_${i + 1}`), 'correct', 'explanation', 'id', 'version', 'used_at']
  return toCsv(
    header,
    questions.map((q) => [q.pillar, q.difficulty, q.prompt, ...OPTION_FIELDS.map((_, i) => q.options[i] ?? ''), q.correctOption + 1, q.explanation ?? '', q.familyId, q.version, q.usedAt ?? '']),
  )
}
