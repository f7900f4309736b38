import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

// Column types are what better-sqlite3 returns: no booleans and no Dates.
// Times are ISO-8601 UTC strings ("2021-09-01T02:00:00.000Z"), which sort as text
// and read the same on PostgreSQL.

export type TimeZoneCode = 'WIB' | 'WITA' | 'WIT'
export type StaffRole = 'organiser' | 'moderator' | 'speaker'
export type WebinarStatus = 'draft' | 'published' | 'finished' | 'cancelled'
export type AssignmentRole = 'moderator' | 'speaker' | 'kol' | 'keynote'
export type Lang = 'id' | 'en'
export type MailState = 'queued' | 'sending' | 'retrying' | 'sent' | 'failed'
export type Confirmation = 'pending' | 'confirmed' | 'declined'
export type RegistrationStatus = 'registered' | 'waitlisted' | 'cancelled'

interface ProvinceTable {
  code: string
  name: string
  time_zone: TimeZoneCode
}

interface RegencyTable {
  code: string
  province_code: string
  name: string
}

interface UserTable {
  id: string
  email: string
  name: string
  role: StaffRole
  password_hash: string | null
  lang: Generated<Lang>
  created_at: string
  updated_at: string
}

interface SessionTable {
  /** sha256 of the cookie's session id, so a copy of the database cannot be replayed */
  id: string
  user_id: string
  created_at: string
  expires_at: string
}

interface PasswordTokenTable {
  /** sha256 of the token in the link */
  id: string
  user_id: string
  created_at: string
  expires_at: string
  used_at: string | null
}

interface RateLimitTable {
  key: string
  hits: number
  window_started_at: string
}

interface PersonTable {
  id: string
  name: string
  title: string
  organisation: string
  email: string | null
  whatsapp: string | null
  bio: string
  user_id: string | null
  lang: Generated<Lang>
  created_at: string
  updated_at: string
}

interface WebinarTable {
  id: string
  slug: string
  topic: string
  description: string
  /** comma-separated pillar codes, e.g. "cakap,etika" */
  pillars: string
  segment: string
  regency_code: string | null
  start_at: string | null
  end_at: string | null
  platform_url: string | null
  meeting_id: string | null
  passcode: string | null
  livestream_url: string | null
  capacity: number
  registration_opens_at: string | null
  registration_closes_at: string | null
  attendance_threshold: number
  status: WebinarStatus
  calendar_uid: string
  calendar_sequence: number
  created_by: string | null
  created_at: string
  updated_at: string
  published_at: string | null
  finished_at: string | null
  cancelled_at: string | null
  reminder_day_sent_at: string | null
  reminder_hour_sent_at: string | null
  /** seats taken: kept beside capacity so a registration takes a seat in one conditional UPDATE */
  registered_count: Generated<number>
  /** registrations ever made: the next one's arrival number */
  registrations_total: Generated<number>
  /** the code the moderator announces; check-ins count between opened and closes (inclusive) */
  checkin_code: string | null
  checkin_opened_at: string | null
  checkin_closes_at: string | null
  /** the committed Zoom report whose minutes count */
  zoom_import_id: string | null
  attendance_finalised_at: string | null
  attendance_finalised_by: string | null
  /** when the retention period purged its registrants' personal data; the counts stay */
  personal_data_purged_at: string | null
  /** 1: a present resident's certificate waits for their evaluation (and the post-test, if the webinar has one) */
  certificate_gate: Generated<number>
  /** the recording (e.g. YouTube), added after the webinar; registrants see it on their page */
  recording_url: string | null
  /** 1: the public webinar page shows the recording link too */
  recording_public: Generated<number>
  /** the "thank you" mail goes out this long after the end */
  thank_you_delay_minutes: Generated<number>
  thank_you_sent_at: string | null
}

interface RegistrationTable {
  id: string
  webinar_id: string
  /** the personal link: 256 random bits */
  token: string
  name: string
  /** lower-cased */
  email: string
  /** +62… */
  whatsapp: string
  regency_code: string
  occupation: string
  age_range: string
  gender: string | null
  lang: Generated<Lang>
  status: RegistrationStatus
  consent_at: string
  created_at: string
  updated_at: string
  cancelled_at: string | null
  promoted_at: string | null
  /** arrival order within the webinar: the waitlist moves up in this order */
  position: Generated<number>
  checked_in_at: string | null
  /** summed over rejoins, from the committed Zoom report */
  zoom_minutes: number | null
  /** a moderator's mark, which overrides the evidence: 1 present, 0 absent */
  manual_present: number | null
  manual_reason: string | null
  manual_note: string | null
  manual_by: string | null
  manual_at: string | null
  /** the finalised outcome (1/0), the basis for certificates; null until finalised */
  attended: number | null
  /** when the person erased their data, or the retention period did: name, e-mail, WhatsApp and link are gone */
  data_deleted_at: string | null
}

interface WebinarRoleTable {
  id: string
  webinar_id: string
  person_id: string
  role: AssignmentRole
  talk_title: string | null
  pillar: string | null
  position: number
  created_at: string
  /** the personal link to the brief, where the person confirms or declines */
  brief_token: string | null
  confirmation: Generated<Confirmation>
  confirmed_at: string | null
  /** recorded on the attendance console: 1 took part, 0 did not, null not recorded (then the confirmation decides the certificate) */
  spoke: number | null
}

interface OutboxTable {
  id: string
  kind: string
  webinar_id: string | null
  recipient_email: string
  recipient_name: string
  lang: Lang
  /** everything the template needs, captured when the change happened (JSON) */
  payload: string
  /** stable across retries, so a receiving server can recognise a repeat */
  message_id: string
  state: MailState
  attempts: number
  next_attempt_at: string
  claimed_at: string | null
  claimed_by: string | null
  last_error: string | null
  sent_at: string | null
  /** 'smtp', or 'outbox' when kept as raw MIME without SMTP_URL */
  transport: string | null
  raw: string | null
  created_at: string
}

interface RundownItemTable {
  id: string
  webinar_id: string
  /** minutes after the webinar's start, so a reschedule moves the whole run-down */
  offset_minutes: number
  title: string
  person_id: string | null
  position: number
}

export type ZoomMatch = 'email' | 'link' | 'name' | 'ambiguous' | 'unmatched' | 'guest' | 'staff'

interface ZoomImportTable {
  id: string
  webinar_id: string
  file_sha256: string
  file_name: string
  file_bytes: number
  topic: string | null
  /** as the report wrote it ("912 3456 7890") */
  meeting_id: string | null
  /** "YYYY-MM-DD": the report's start in its metadata, else its first join */
  report_date: string | null
  /** 'mdy' | 'dmy': how "01/09/2021" was read when nothing in the file settled it; null when the file did, or it did not matter */
  date_order: 'mdy' | 'dmy' | null
  rows: number
  uploaded_by: string | null
  uploaded_at: string
  committed_by: string | null
  /** null while it is a preview */
  committed_at: string | null
}

/** One person of a Zoom report: their joins summed, and whom they matched. */
interface ZoomImportPersonTable {
  id: string
  import_id: string
  /** e-mail, or "name:" + the normalised name when the row has no e-mail */
  person_key: string
  role: 'host' | 'panelist' | 'attendee'
  email: string | null
  /** JSON array, in order of trust: the original name (before renaming), first + last, the display name */
  names: string
  minutes: number
  joins: number
  first_line: number
  match: ZoomMatch
  registration_id: string | null
  /** JSON array of registration ids: everyone with the same name (ambiguous), or the closest names (unmatched, guest) */
  candidates: string | null
}

interface ZoomLinkTable {
  webinar_id: string
  person_key: string
  registration_id: string
  linked_by: string | null
  linked_at: string
}

interface AttendanceEventTable {
  id: string
  webinar_id: string
  registration_id: string | null
  actor_id: string | null
  at: string
  action: string
  /** JSON: what changed */
  detail: string
  reason: string | null
}

export type CertificateRole = 'peserta' | 'narasumber' | 'moderator' | 'kol'

interface CertificateTable {
  id: string
  /** unguessable, 80 random bits: XXXX-XXXX-XXXX-XXXX in Crockford's base 32 */
  number: string
  webinar_id: string
  registration_id: string | null
  webinar_role_id: string | null
  person_id: string | null
  /** "r:<registration id>" or "p:<person id>:<role>": whose certificate it is */
  holder_key: string
  role: CertificateRole
  /** as registered; null once the person deleted their data */
  name: string | null
  issued_at: string
  revoked_at: string | null
  revoked_by: string | null
  revoked_reason: string | null
  replaces_id: string | null
  replaced_by_id: string | null
}

interface SettingTable {
  key: string
  value: string
  updated_by: string | null
  updated_at: string
}

/** One purge of personal data, without any of the data: when, why, which webinar, how many. */
interface DataPurgeTable {
  id: string
  at: string
  /** 'request': a resident erased their own registration; 'retention': the retention period ran out */
  scope: 'request' | 'retention'
  webinar_id: string | null
  actor_id: string | null
  registrations: number
  /** JSON: what else was removed (messages, Zoom rows, certificate names) */
  detail: string
}

/** One of the organiser's own evaluation questions (at most three per webinar), rated 1–5. */
interface EvaluationQuestionTable {
  id: string
  webinar_id: string
  position: number
  text: string
  created_at: string
}

/** A resident's evaluation of a webinar: one per registration, final once submitted. */
interface EvaluationTable {
  id: string
  webinar_id: string
  /** null once made anonymous (erasure, retention); the ratings stay for the means */
  registration_id: string | null
  /** free text: removed on erasure and by the retention purge */
  comment: string | null
  submitted_at: string
  anonymised_at: string | null
}

export type EvaluationItem = 'content' | 'moderator' | 'platform' | 'speaker' | 'own'

interface EvaluationRatingTable {
  evaluation_id: string
  webinar_id: string
  item: EvaluationItem
  /** the speaker's webinar_roles.id, the own question's id, or '' for the fixed items */
  subject: Generated<string>
  /** 1–5 */
  rating: number
}

/** A speaker's slides (a PDF under UPLOAD_DIR): one current file per speaker role. */
interface MaterialTable {
  id: string
  webinar_id: string
  webinar_role_id: string
  /** the name it was uploaded with, for the download */
  file_name: string
  bytes: number
  sha256: string
  uploaded_at: string
}

export interface Database {
  provinces: ProvinceTable
  regencies: RegencyTable
  users: UserTable
  sessions: SessionTable
  password_tokens: PasswordTokenTable
  rate_limits: RateLimitTable
  people: PersonTable
  webinars: WebinarTable
  webinar_roles: WebinarRoleTable
  rundown_items: RundownItemTable
  outbox: OutboxTable
  registrations: RegistrationTable
  zoom_imports: ZoomImportTable
  zoom_import_people: ZoomImportPersonTable
  zoom_links: ZoomLinkTable
  attendance_events: AttendanceEventTable
  certificates: CertificateTable
  settings: SettingTable
  data_purges: DataPurgeTable
  residents: ResidentTable
  webinar_reach: WebinarReachTable
  webinar_outcomes: WebinarOutcomesTable
  questions: QuestionTable
  webinar_tests: WebinarTestTable
  webinar_questions: WebinarQuestionTable
  test_attempts: TestAttemptTable
  test_answers: TestAnswerTable
  evaluation_questions: EvaluationQuestionTable
  evaluations: EvaluationTable
  evaluation_ratings: EvaluationRatingTable
  materials: MaterialTable
}

export type Province = Selectable<ProvinceTable>
export type Regency = Selectable<RegencyTable>
export type User = Selectable<UserTable>
export type NewUser = Insertable<UserTable>
export type Person = Selectable<PersonTable>
export type NewPerson = Insertable<PersonTable>
export type PersonUpdate = Updateable<PersonTable>
export type Webinar = Selectable<WebinarTable>
export type NewWebinar = Insertable<WebinarTable>
export type WebinarUpdate = Updateable<WebinarTable>
export type WebinarRole = Selectable<WebinarRoleTable>
export type RundownItem = Selectable<RundownItemTable>
export type OutboxMessage = Selectable<OutboxTable>
export type NewOutboxMessage = Insertable<OutboxTable>
export type Registration = Selectable<RegistrationTable>
export type ZoomImport = Selectable<ZoomImportTable>
export type ZoomImportPerson = Selectable<ZoomImportPersonTable>
export type NewZoomImportPerson = Insertable<ZoomImportPersonTable>
export type AttendanceEvent = Selectable<AttendanceEventTable>
export type Certificate = Selectable<CertificateTable>
export type EvaluationQuestion = Selectable<EvaluationQuestionTable>
export type Material = Selectable<MaterialTable>

/** One small number per e-mail, so the programme report counts a resident once across webinars. */
interface ResidentTable {
  id: Generated<number>
  email: string
}

/**
 * A finished webinar's reach, built by the programme report. Triggers on registrations delete it
 * whenever a row that feeds it changes, so it is current or missing, never stale.
 */
/** A finished webinar's learning and satisfaction sums for the programme dashboard: current or missing (triggers retire it on every change). */
interface WebinarOutcomesTable {
  webinar_id: string
  /** bumped by every write that retires the sums (PostgreSQL); a builder writes only over the generation it read */
  generation: Generated<number>
  /** JSON: finished attempts' score sums per test, pairing and pillar; null while retired */
  learning: string | null
  /** JSON: the number of evaluations, and per fixed rating item its sum and count; null while retired */
  satisfaction: string | null
  built_at: string | null
}

interface WebinarReachTable {
  webinar_id: string
  /** registrations with status 'registered' */
  registered: number
  /** of those, attended = 1 */
  present: number
  /** the registered residents' ids, ascending, each as the gap from the previous one in LEB128 varint bytes */
  resident_ids: Buffer
  built_at: string
}

export type QuestionPillar = 'cakap' | 'etika' | 'aman' | 'budaya'
export type QuestionDifficulty = 'easy' | 'medium' | 'hard'
export type TestKind = 'pre' | 'post'

/** One version of a bank question. An edit after first use adds a version and retires this one. */
interface QuestionTable {
  id: string
  /** the first version's id: every version of one question shares it */
  family_id: string
  version: Generated<number>
  pillar: QuestionPillar
  difficulty: QuestionDifficulty
  prompt: string
  /** JSON array of 2 to 5 option texts */
  options: string
  /** 0-based index into options */
  correct_option: number
  explanation: string | null
  created_by: string | null
  created_at: string
  updated_at: string
  /** first used in a live test: from then on an edit makes a new version */
  used_at: string | null
  replaced_by_id: string | null
  archived_at: string | null
}

/** A webinar's tests: which are switched on, and when the question set froze. */
interface WebinarTestTable {
  webinar_id: string
  /** 1/0 */
  pre_enabled: Generated<number>
  post_enabled: Generated<number>
  /** the post-test stays open this many days after the end */
  post_open_days: Generated<number>
  questions_per_pillar: Generated<number>
  /** when the first attempt began: the question set no longer changes */
  frozen_at: string | null
  updated_by: string | null
  updated_at: string
}

/** The questions (exact versions) of a webinar's tests: the pre- and post-test share them. */
interface WebinarQuestionTable {
  webinar_id: string
  question_id: string
  position: number
}

/** One registration's attempt at one test. Scores stay when the answers are erased. */
interface TestAttemptTable {
  id: string
  webinar_id: string
  registration_id: string
  kind: TestKind
  /** JSON array of question ids, in the order this resident sees them */
  question_order: string
  started_at: string
  finished_at: string | null
  total: number
  /** null until finished */
  correct: number | null
  cakap_total: Generated<number>
  cakap_correct: number | null
  etika_total: Generated<number>
  etika_correct: number | null
  aman_total: Generated<number>
  aman_correct: number | null
  budaya_total: Generated<number>
  budaya_correct: number | null
  /** 1 on both attempts once the same registration finished the pre- and the post-test */
  paired: Generated<number>
}

/** A resident's answer, saved as soon as it is given. Removed when their data is erased. */
interface TestAnswerTable {
  attempt_id: string
  question_id: string
  chosen_option: number
  answered_at: string
}

export type Question = Selectable<QuestionTable>
export type WebinarTest = Selectable<WebinarTestTable>
export type TestAttempt = Selectable<TestAttemptTable>
export type TestAnswer = Selectable<TestAnswerTable>
