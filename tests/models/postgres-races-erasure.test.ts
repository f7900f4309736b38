// What a resident sends while their data is erased (issue 12, "one lock rule"), by themselves from
// their link or by the hourly retention purge: an evaluation, a lost link asked for again. Both
// erasures hold the webinar's lock while they make the evaluations there are anonymous and delete
// the person's mail; an evaluation read before that committed and saved after it would keep the
// comment and the link to the person, and a link mailed again would be queued for an erased
// registration. As in postgres-races.test.ts,
// two connection pools stand in for two app processes and the interleaving is made certain
// (readDuring); the control run (PostgreSQL only) turns the lock rule off and must show the race.
// On SQLite the runs with the rule go through one connection, whose write lock makes them take
// turns, and must hold as well.
import { getEvaluationForm, ratingFields, submitEvaluation, type EvaluationAnswers } from '#app/models/evaluation.server'
import { eraseRegistrationByToken, purgeExpiredPersonalData, setRetentionMonths } from '#app/models/personal-data.server'
import { resendRegistrationLink } from '#app/models/registration.server'
import { getDb, type DB } from '#app/utils/db.server'
import { publishedWebinar, register, type Registrant } from '#tests/setup/factories'
import { TEST_ENGINE } from '#tests/setup/paths'
import { readDuring, twoProcesses } from './__helpers/race'

const db = getDb()
const pools = twoProcesses()
/** The first and the second "process": two pools on PostgreSQL, the one connection on SQLite. */
const first = (): DB => (TEST_ENGINE === 'postgres' ? pools.first : db)
const second = (): DB => (TEST_ENGINE === 'postgres' ? pools.second : db)

// The factory's webinar: 4 March 2030, 09.00–12.00 WIB; its evaluation opens at the end.
const BEFORE = '2030-03-01T00:00:00.000Z'
const AFTER_END = '2030-03-05T00:00:00.000Z'

/** Every question rated, and a comment that names the person. */
async function evaluationBy(person: Registrant, now?: string): Promise<EvaluationAnswers> {
  const form = (await getEvaluationForm(db, person.token, now))!
  expect(form.open).toBe(true)
  return { ratings: ratingFields(form).map((f) => ({ item: f.item, subject: f.subject, rating: 4 })), comment: `Saya ${person.name}, nomor WA ${person.whatsapp}` }
}

/** The person's evaluations that still name them: linked to their registration, or with their comment. */
function namingEvaluations(person: Registrant) {
  return db
    .selectFrom('evaluations')
    .select(['id', 'comment'])
    .where((eb) => eb.or([eb('registration_id', '=', person.id), eb('comment', 'like', `%${person.whatsapp}%`)]))
    .execute()
}

describe.each([
  { lockRule: true, run: 'with the lock rule' },
  ...(TEST_ENGINE === 'postgres' ? [{ lockRule: false, run: 'control (PostgreSQL): without it, the race shows' }] : []),
])('$run', ({ lockRule }) => {
  test('an evaluation submitted while the resident erases their data: refused as not found, and nothing names them', async () => {
    const webinar = await publishedWebinar()
    const person = await register(webinar.id)
    const answers = await evaluationBy(person, AFTER_END)
    // The evaluation reads the link while the erasure has read but not committed; in the control
    // it writes only once the erasure has committed.
    const [erased, submitted] = await readDuring(
      lockRule,
      { point: 'erase:after-read', run: () => eraseRegistrationByToken(first(), person.token, AFTER_END) },
      { point: 'evaluation:after-read', run: () => submitEvaluation(second(), person.token, answers, AFTER_END) },
    )
    expect(erased).toEqual({ slug: webinar.slug })
    // In the control the evaluation lands after the erasure: linked to the person, comment and all.
    expect(submitted).toEqual(lockRule ? { ok: false, reason: 'notFound' } : { ok: true })
    expect((await namingEvaluations(person)).length === 0).toBe(lockRule)
  })

  test('a lost link asked for while the resident erases their data: nothing is mailed', async () => {
    const webinar = await publishedWebinar()
    const person = await register(webinar.id)
    const [erased, resent] = await readDuring(
      lockRule,
      { point: 'erase:after-read', run: () => eraseRegistrationByToken(first(), person.token, BEFORE) },
      { point: 'resend-link:after-read', run: () => resendRegistrationLink(second(), webinar.id, person.email, BEFORE) },
    )
    expect(erased).toEqual({ slug: webinar.slug })
    // The person's mail, to their address or to the one their erasure left.
    const mails = await db
      .selectFrom('outbox')
      .select(['kind', 'recipient_email'])
      .where('webinar_id', '=', webinar.id)
      .where((eb) => eb.or([eb('recipient_email', '=', person.email), eb('recipient_email', '=', `erased-${person.id}@erased.invalid`)]))
      .execute()
    // In the control the invitation is queued again after the erasure deleted the person's mail:
    // a mail for an erased registration, with its dead link.
    expect(resent).toBe(!lockRule)
    expect(mails.length === 0).toBe(lockRule)
  })

  test('an evaluation submitted while the retention purge runs: refused as not found, and nothing names the person', async () => {
    // Ended long ago, so the purge (one month kept) takes it; evaluations never close.
    const webinar = await publishedWebinar({ date: '2021-09-01' })
    const person = await register(webinar.id, {}, '2021-08-01T00:00:00.000Z')
    const answers = await evaluationBy(person)
    await setRetentionMonths(db, 1, webinar.organiser.id)
    try {
      // The purge claims the webinar (its row, written) and stops; the evaluation reads meanwhile.
      const [purged, submitted] = await readDuring(
        lockRule,
        { point: 'purge:after-claim', run: () => purgeExpiredPersonalData(first(), null) },
        { point: 'evaluation:after-read', run: () => submitEvaluation(second(), person.token, answers) },
      )
      expect(purged).toEqual({ webinars: 1, registrations: 1 })
      expect(submitted).toEqual(lockRule ? { ok: false, reason: 'notFound' } : { ok: true })
      expect((await namingEvaluations(person)).length === 0).toBe(lockRule)
    } finally {
      await setRetentionMonths(db, null, webinar.organiser.id)
    }
  })
})
