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
import { finaliseAttendance } from '#app/models/attendance.server'
import { reissueCertificate } from '#app/models/certificate.server'
import { getEvaluationForm, ratingFields, submitEvaluation, type EvaluationAnswers } from '#app/models/evaluation.server'
import { eraseRegistrationByToken, purgeExpiredPersonalData, setRetentionMonths } from '#app/models/personal-data.server'
import { resendRegistrationLink } from '#app/models/registration.server'
import { linkZoomPerson, previewZoomImport } from '#app/models/zoom-import.server'
import { getDb } from '#app/utils/db.server'
import { onRacePoint, setLockRuleForTests } from '#app/utils/race-points.server'
import { afterEnd, consoleWebinar, setZoomMinutes, stay, zoomUpload } from '#tests/setup/attendance'
import { publishedWebinar, register, registrationRow, webinarRow, type Registrant } from '#tests/setup/factories'
import { TEST_ENGINE } from '#tests/setup/paths'
import { buildZoomReport } from '../../scripts/demo/zoom-report'
import { eitherEngineProcesses, readDuring } from './__helpers/race'

const db = getDb()
const { first, second } = eitherEngineProcesses()

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

  test("a certificate reissued while its holder erases their data: refused, and no certificate names them", async () => {
    const webinar = await publishedWebinar()
    const person = await register(webinar.id)
    await setZoomMinutes(person.id, 150)
    await finaliseAttendance(db, webinar.id, webinar.organiser.id, afterEnd(5))
    const certificate = await db.selectFrom('certificates').select('id').where('registration_id', '=', person.id).executeTakeFirstOrThrow()
    // The reissue reads the certificate and its holder while the erasure has read but not committed.
    const [erased, reissued] = await readDuring(
      lockRule,
      { point: 'erase:after-read', run: () => eraseRegistrationByToken(first(), person.token, afterEnd(30)) },
      { point: 'reissue:after-read', run: () => reissueCertificate(second(), webinar.id, certificate.id, `${person.name}, S.Pd.`, afterEnd(30)) },
    )
    expect(erased).toEqual({ slug: webinar.slug })
    expect(reissued).toMatchObject(lockRule ? { ok: false, reason: 'erased' } : { ok: true })
    // In the control the new certificate lands after the erasure, with the person's name typed in.
    const named = await db.selectFrom('certificates').select('name').where('registration_id', '=', person.id).where('name', 'is not', null).execute()
    expect(named.length === 0).toBe(lockRule)
  })

  test('a Zoom row linked while the resident erases their data: refused, and nothing links their registration to a name', async () => {
    const { webinar, organiser } = await consoleWebinar()
    const person = await register(webinar.id)
    const csv = buildZoomReport({
      topic: webinar.topic,
      startAt: new Date(Date.UTC(2030, 2, 4, 9, 0, 0)),
      people: [{ name: 'Akun Keluarga', email: 'akun.keluarga@gmail.com', joins: stay(160) }],
      style: 'current',
    })
    const { importId } = await previewZoomImport(db, webinar.id, zoomUpload(csv), organiser.id)
    const row = await db.selectFrom('zoom_import_people').select('id').where('import_id', '=', importId).where('role', '=', 'attendee').executeTakeFirstOrThrow()
    const [erased, linked] = await readDuring(
      lockRule,
      { point: 'erase:after-read', run: () => eraseRegistrationByToken(first(), person.token, afterEnd(10)) },
      { point: 'zoom-link:after-read', run: () => linkZoomPerson(second(), webinar.id, importId, row.id, person.id, organiser.id, afterEnd(10)) },
    )
    expect(erased).toEqual({ slug: webinar.slug })
    expect(linked).toEqual(lockRule ? { ok: false, reason: 'erased' } : { ok: true, changed: true })
    // In the control the link lands after the erasure: the row's names and e-mail tied to the erased registration.
    const links = await db.selectFrom('zoom_links').select('person_key').where('registration_id', '=', person.id).execute()
    const rows = await db.selectFrom('zoom_import_people').select('names').where('registration_id', '=', person.id).execute()
    expect(links.length === 0 && rows.length === 0).toBe(lockRule)
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

// The organiser lengthens or turns off retention just after the hourly purge listed the webinars
// due under the old period. The purge's claim reads the period again and checks it in its own
// statement, so it purges nothing the period now in force keeps. The change is made, and
// committed, inside the purge's pause after its list (a hook at 'purge:after-list'), so the
// interleaving is certain on both engines without any timing; the control run (the claim without
// the re-check) shows the stale purge on both.
describe.each([
  { lockRule: true, run: 'with the re-check in the claim' },
  { lockRule: false, run: 'control: without it, the old period purges' },
])('retention changed between the purge\'s list and its claim, $run', ({ lockRule }) => {
  test.each([
    { change: 'lengthened to 50 years', months: 600 },
    { change: 'turned off', months: null },
  ])('retention $change: the webinar is not purged', async ({ months }) => {
    // Ended in May 2022: due under one month, not under fifty years.
    const webinar = await publishedWebinar({ date: '2022-05-10' })
    const person = await register(webinar.id, {}, '2022-05-01T00:00:00.000Z')
    await setRetentionMonths(db, 1, webinar.organiser.id)
    let changed = false
    const stop = onRacePoint('purge:after-list', async () => {
      if (changed) return
      changed = true
      await setRetentionMonths(second(), months, webinar.organiser.id)
    })
    setLockRuleForTests(lockRule)
    try {
      const purged = await purgeExpiredPersonalData(first(), null)
      expect(changed).toBe(true)
      expect(purged.webinars === 0).toBe(lockRule)
      expect(await registrationRow(person.id)).toMatchObject(lockRule ? { name: person.name, email: person.email, data_deleted_at: null } : { name: '' })
      expect((await webinarRow(webinar.id)).personal_data_purged_at === null).toBe(lockRule)
    } finally {
      stop()
      setLockRuleForTests(true)
      await setRetentionMonths(db, null, webinar.organiser.id)
    }
  })
})
