// More races that SQLite's single write lock hid and PostgreSQL shows (the PostgreSQL run only):
// roles, attendance, certificates, the Zoom import, the webinar's lifecycle and erasure. As in
// postgres-races.test.ts, two connection pools stand in for two app processes, each race is
// forced at the point that matters, and the control run turns the lock rule off and must show
// the race, or the test would prove nothing.
import { checkIn, finaliseAttendance, listAttendance, markAttendance, openCheckinWindow, type AttendanceWebinar } from '#app/models/attendance.server'
import { reissueCertificate, revokeCertificate } from '#app/models/certificate.server'
import { eraseRegistrationByToken } from '#app/models/personal-data.server'
import { cancelRegistration } from '#app/models/registration.server'
import { cancelWebinar, publishWebinar, saveWebinar } from '#app/models/webinar.server'
import { assignRole, recordBriefAnswer, removeRole } from '#app/models/webinar-role.server'
import { commitZoomImport, previewZoomImport } from '#app/models/zoom-import.server'
import { getDb, type DB } from '#app/utils/db.server'
import { buildZoomReport } from '../../scripts/demo/zoom-report'
import { afterEnd, at, consoleWebinar, setZoomMinutes, stay, zoomUpload } from '#tests/setup/attendance'
import { confirmRoles, createPersonFor, createUser, createWebinar, publishedWebinar, register, registrationRow, webinarForm } from '#tests/setup/factories'
import type { WebinarForm } from '#app/utils/webinar-schema.server'
import { TEST_ENGINE } from '#tests/setup/paths'
import fs from 'node:fs'
import path from 'node:path'
import { getIssuerSettings, updateIssuer } from '#app/models/site-settings.server'
import { checkSiteImage } from '#app/utils/site-image.server'
import { uploadRoot } from '#app/utils/uploads.server'
import { pngBytes } from '#tests/setup/images'
import { onRacePoint, setLockRuleForTests } from '#app/utils/race-points.server'
import { outcome, race, readDuring, twoProcesses } from './__helpers/race'

const pools = twoProcesses()

const isOk = (answer: unknown) => (answer as { ok?: boolean }).ok === true

const texts = { programmeNameId: null, programmeNameEn: null, issuerName: null, signatoryName: null, signatoryTitle: null }

/** A checked 120×60 PNG logo of one colour. */
async function logo(rgba: [number, number, number, number]) {
  const image = await checkSiteImage(pngBytes(120, 60, rgba))
  if (!image.ok) throw new Error('a test logo was refused')
  return image
}

function rolesOf(webinarId: string) {
  return getDb().selectFrom('webinar_roles').select(['role', 'position', 'brief_token', 'confirmation']).where('webinar_id', '=', webinarId).execute()
}

/** Whether the finalised outcome (`attended`) is what the console shows for the registrant now. */
async function finalisedAsShown(webinar: AttendanceWebinar, registrationId: string): Promise<boolean> {
  const { rows } = await listAttendance(getDb(), webinar, {})
  const shown = rows.find((row) => row.id === registrationId)!
  return (await registrationRow(registrationId)).attended === shown.present
}

describe.skipIf(TEST_ENGINE !== 'postgres')('on PostgreSQL', () => {
  describe.each([
    { lockRule: true, run: 'with the lock rule' },
    { lockRule: false, run: 'control: without it, the race shows' },
  ])('$run', ({ lockRule }) => {
    // --- Roles ---------------------------------------------------------------------------------

    test('two moderators assigned at once: one moderator, and both organisers get an answer', async () => {
      const organiser = await createUser('organiser')
      const webinar = await createWebinar(organiser.id)
      const moderator = async (db: DB, name: string) =>
        outcome(assignRole(db, webinar.id, { personId: await createPersonFor(name), role: 'moderator', talkTitle: null, pillar: null }))
      const answers = await race('assign-role:after-read', lockRule, [() => moderator(pools.first, 'Moderator A'), () => moderator(pools.second, 'Moderator B')])
      const moderators = (await rolesOf(webinar.id)).filter((role) => role.role === 'moderator')
      expect(answers.every(isOk) && moderators.length === 1).toBe(lockRule)
      // The partial unique index keeps one moderator even in the control run; what the control
      // shows is the later assignment failing with a raw unique violation, a 500 for its organiser.
      if (!lockRule) expect(answers).toContainEqual({ error: '23505' })
    })

    // --- Webinars -------------------------------------------------------------------------------

    test('two webinars created at once with the same topic, place and date get distinct slugs, and the same chosen slug is refused beside the field', async () => {
      const organiser = await createUser('organiser')
      const topic = `Rebutan Alamat ${lockRule ? 'A' : 'B'} ${Date.now()}`
      const create = (db: DB, form: Partial<WebinarForm>) => outcome(saveWebinar(db, webinarForm({ topic, ...form }), { userId: organiser.id }))
      const generated = await race('slug:after-check', lockRule, [() => create(pools.first, {}), () => create(pools.second, {})])
      const chosenSlug = `alamat-pilihan-${lockRule ? 'a' : 'b'}-${Date.now()}`
      const chosen = await race('slug:after-check', lockRule, [() => create(pools.first, { slug: chosenSlug }), () => create(pools.second, { slug: chosenSlug })])
      const slugs = generated.flatMap((answer) => ('ok' in answer && answer.ok ? [answer.slug] : []))
      const holds =
        generated.every(isOk) &&
        new Set(slugs).size === 2 &&
        chosen.filter(isOk).length === 1 &&
        chosen.some((answer) => 'ok' in answer && !answer.ok && answer.errors.slug?.[0] === 'webinar.slugTaken')
      expect(holds).toBe(lockRule)
      // Without the lock the later insert fails with a raw unique violation, a 500 for its organiser.
      if (!lockRule) expect([...generated, ...chosen]).toContainEqual({ error: '23505' })
    })

    test('two speakers added at once take distinct positions', async () => {
      const organiser = await createUser('organiser')
      const webinar = await createWebinar(organiser.id)
      const speaker = async (db: DB, name: string) =>
        assignRole(db, webinar.id, { personId: await createPersonFor(name), role: 'speaker', talkTitle: 'Materi', pillar: 'cakap' })
      const answers = await race('assign-role:after-read', lockRule, [() => speaker(pools.first, 'Narasumber A'), () => speaker(pools.second, 'Narasumber B')])
      expect(answers.every(isOk)).toBe(true)
      const positions = (await rolesOf(webinar.id)).map((role) => role.position)
      expect(positions).toHaveLength(2)
      expect(new Set(positions).size === 2).toBe(lockRule)
    })

    test('publishing while the moderator is removed: a published webinar has its moderator', async () => {
      const organiser = await createUser('organiser')
      const webinar = await createWebinar(organiser.id, { complete: true })
      const [moderator] = await getDb().selectFrom('webinar_roles').select('id').where('webinar_id', '=', webinar.id).where('role', '=', 'moderator').execute()
      const [, published] = await readDuring(
        lockRule,
        { point: 'remove-role:after-read', run: () => removeRole(pools.first, webinar.id, moderator!.id) },
        { point: 'publish:after-read', run: () => publishWebinar(pools.second, webinar.id) },
      )
      const moderators = (await rolesOf(webinar.id)).filter((role) => role.role === 'moderator')
      expect(moderators).toHaveLength(0)
      expect(published).toEqual(lockRule ? { ok: false, reason: 'incomplete', missing: ['moderator'] } : { ok: true })
    })

    test('a speaker answers while the webinar is cancelled: no answer lands on a cancelled webinar', async () => {
      const webinar = await publishedWebinar()
      const speaker = (await rolesOf(webinar.id)).find((role) => role.role === 'speaker')!
      const [cancelled, answered] = await readDuring(
        lockRule,
        { point: 'cancel-webinar:after-read', run: () => cancelWebinar(pools.first, webinar.id) },
        { point: 'brief-answer:after-read', run: () => recordBriefAnswer(pools.second, speaker.brief_token!, 'confirmed') },
      )
      expect(cancelled).toEqual({ ok: true })
      const after = (await rolesOf(webinar.id)).find((role) => role.brief_token === speaker.brief_token)!
      expect(answered.ok === false && after.confirmation === 'pending').toBe(lockRule)
    })

    // --- Attendance and certificates ----------------------------------------------------------

    test('two finalises at once: each certificate is issued once, and neither fails', async () => {
      const { webinar, organiser } = await consoleWebinar()
      // The moderator and speaker confirmed, so both hold a certificate once the webinar is finished.
      await confirmRoles(webinar.id)
      const present = [await register(webinar.id), await register(webinar.id), await register(webinar.id)]
      for (const registrant of present) await setZoomMinutes(registrant.id, 150)
      await register(webinar.id)
      const finalise = (db: DB) => outcome(finaliseAttendance(db, webinar.id, organiser.id, afterEnd(5)))
      const answers = await race('finalise:after-read', lockRule, [() => finalise(pools.first), () => finalise(pools.second)])
      const certificates = await getDb().selectFrom('certificates').select(['holder_key', 'role']).where('webinar_id', '=', webinar.id).execute()
      const participants = certificates.filter((certificate) => certificate.role === 'peserta')
      // Moderator and speaker, once each; the three present participants, once each.
      expect(certificates).toHaveLength(5)
      expect(new Set(certificates.map((certificate) => certificate.holder_key)).size).toBe(5)
      expect(participants).toHaveLength(3)
      const finalised = await getDb().selectFrom('attendance_events').select('id').where('webinar_id', '=', webinar.id).where('action', '=', 'finalised').execute()
      // The conditional status change and the row locks on the registrations already make the
      // second finalise wait and then issue nothing; what the control shows is that it still
      // answers "finalised" to the second organiser and writes the audit trail's entry twice.
      expect(answers).toContainEqual({ ok: true, present: 3, registered: 4 })
      expect(answers).toContainEqual(lockRule ? { ok: false, reason: 'finalised' } : { ok: true, present: 3, registered: 4 })
      expect(finalised.length === 1).toBe(lockRule)
    })

    test('two moderators opening the check-in window at once: one window, so the code announced stays the code', async () => {
      const { webinar, organiser } = await consoleWebinar()
      const answers = await race('open-checkin:after-read', lockRule, [
        () => openCheckinWindow(pools.first, webinar.id, organiser.id, 15, afterEnd(0)),
        () => openCheckinWindow(pools.second, webinar.id, organiser.id, 15, afterEnd(0)),
      ])
      const opened = await getDb().selectFrom('attendance_events').select('detail').where('webinar_id', '=', webinar.id).where('action', '=', 'windowOpened').execute()
      // In the control both answer ok, and the code of whichever wrote first is replaced.
      expect(answers.filter(isOk).length === 1 && opened.length === 1).toBe(lockRule)
      if (lockRule) expect(answers).toContainEqual({ ok: false, reason: 'alreadyOpen' })
    })

    test('a mark while the list is finalised: the finalised outcome is the one the console shows', async () => {
      const { webinar, organiser } = await consoleWebinar()
      const registrant = await register(webinar.id)
      const [, marked] = await readDuring(
        lockRule,
        { point: 'finalise:after-read', run: () => finaliseAttendance(pools.first, webinar.id, organiser.id, afterEnd(5)) },
        { point: 'mark:after-read', run: () => markAttendance(pools.second, webinar.id, registrant.id, { present: true, reason: 'livestream', note: null }, organiser.id, afterEnd(5)) },
      )
      expect(marked).toEqual(lockRule ? { ok: false, reason: 'finalised' } : { ok: true })
      expect(await finalisedAsShown(webinar, registrant.id)).toBe(lockRule)
    })

    test('a check-in while the list is finalised: the finalised outcome is the one the console shows', async () => {
      const { webinar, organiser } = await consoleWebinar()
      const registrant = await register(webinar.id)
      expect(await openCheckinWindow(getDb(), webinar.id, organiser.id, 30, afterEnd(0))).toEqual({ ok: true })
      const { checkin_code: code } = await getDb().selectFrom('webinars').select('checkin_code').where('id', '=', webinar.id).executeTakeFirstOrThrow()
      const [, checkedIn] = await readDuring(
        lockRule,
        { point: 'finalise:after-read', run: () => finaliseAttendance(pools.first, webinar.id, organiser.id, afterEnd(5)) },
        { point: 'check-in:after-read', run: () => checkIn(pools.second, registrant.token, code!, [], afterEnd(5)) },
      )
      expect(checkedIn).toEqual(lockRule ? { ok: false, reason: 'finalised' } : { ok: true, checkedInAt: afterEnd(5), already: false })
      expect(await finalisedAsShown(webinar, registrant.id)).toBe(lockRule)
    })

    test('a check-in while the resident erases their data: refused as not found, and the erased seat is not checked in', async () => {
      const { webinar, organiser } = await consoleWebinar()
      const registrant = await register(webinar.id)
      expect(await openCheckinWindow(getDb(), webinar.id, organiser.id, 30, at(60))).toEqual({ ok: true })
      const { checkin_code: code } = await getDb().selectFrom('webinars').select('checkin_code').where('id', '=', webinar.id).executeTakeFirstOrThrow()
      // During the webinar: the erasure gives the seat up too.
      const [erased, checkedIn] = await readDuring(
        lockRule,
        { point: 'erase:after-read', run: () => eraseRegistrationByToken(pools.first, registrant.token, at(65)) },
        { point: 'check-in:after-read', run: () => checkIn(pools.second, registrant.token, code!, [], at(65)) },
      )
      expect(erased).toEqual({ slug: webinar.slug })
      const row = await registrationRow(registrant.id)
      expect(row).toMatchObject({ status: 'cancelled', name: '' })
      // In the control the check-in lands after the erasure: a cancelled, erased seat checked in.
      expect(checkedIn).toEqual(lockRule ? { ok: false, reason: 'notFound' } : { ok: true, checkedInAt: at(65), already: false })
      expect(row.checked_in_at === null).toBe(lockRule)
    })

    test('a Zoom report committed while the list is finalised: the finalised outcome is the one the console shows', async () => {
      const { webinar, organiser } = await consoleWebinar()
      const registrant = await register(webinar.id)
      const csv = buildZoomReport({
        topic: webinar.topic,
        startAt: new Date(Date.UTC(2030, 2, 4, 9, 0, 0)),
        people: [{ name: registrant.name, email: registrant.email, joins: stay(170) }],
        style: 'current',
      })
      const { importId } = await previewZoomImport(getDb(), webinar.id, zoomUpload(csv), organiser.id)
      const [, committed] = await readDuring(
        lockRule,
        { point: 'finalise:after-read', run: () => finaliseAttendance(pools.first, webinar.id, organiser.id, afterEnd(5)) },
        { point: 'zoom-commit:after-read', run: () => commitZoomImport(pools.second, webinar.id, importId, organiser.id, afterEnd(5)) },
      )
      expect(committed).toEqual(lockRule ? { ok: false, reason: 'finalised' } : { ok: true, changed: true })
      expect(await finalisedAsShown(webinar, registrant.id)).toBe(lockRule)
    })

    test('the same reissue clicked twice: one new certificate, and no error', async () => {
      const { webinar, organiser } = await consoleWebinar()
      const registrant = await register(webinar.id)
      await setZoomMinutes(registrant.id, 150)
      await finaliseAttendance(getDb(), webinar.id, organiser.id, afterEnd(5))
      const old = await getDb().selectFrom('certificates').select(['id', 'holder_key']).where('registration_id', '=', registrant.id).executeTakeFirstOrThrow()
      const reissue = (db: DB) => outcome(reissueCertificate(db, webinar.id, old.id, 'Nama Yang Benar', afterEnd(60)))
      const answers = await race('reissue:after-read', lockRule, [() => reissue(pools.first), () => reissue(pools.second)])
      const current = await getDb().selectFrom('certificates').select('id').where('holder_key', '=', old.holder_key).where('replaced_by_id', 'is', null).execute()
      // The partial unique index keeps one current certificate even in the control run; what the
      // control shows is the second click failing with a raw unique violation.
      expect(current).toHaveLength(1)
      expect(answers).toContainEqual(lockRule ? { ok: false, reason: 'notCurrent' } : { error: '23505' })
      expect(answers.filter(isOk)).toHaveLength(1)
    })

    test('the same revoke clicked twice: revoked once, with the reason given first', async () => {
      const { webinar, organiser } = await consoleWebinar()
      const registrant = await register(webinar.id)
      await setZoomMinutes(registrant.id, 150)
      await finaliseAttendance(getDb(), webinar.id, organiser.id, afterEnd(5))
      const certificate = await getDb().selectFrom('certificates').select('id').where('registration_id', '=', registrant.id).executeTakeFirstOrThrow()
      const answers = await race('revoke:after-read', lockRule, [
        () => revokeCertificate(pools.first, webinar.id, certificate.id, organiser.id, 'Alasan pertama', afterEnd(60)),
        () => revokeCertificate(pools.second, webinar.id, certificate.id, organiser.id, 'Alasan kedua', afterEnd(61)),
      ])
      // In the control both answer ok, and the later one overwrites the first one's reason.
      expect(answers.filter(isOk).length === 1).toBe(lockRule)
      if (lockRule) expect(answers).toContainEqual({ ok: false, reason: 'revoked' })
    })

    // --- Erasure -------------------------------------------------------------------------------

    test('erasing and cancelling the same link at once: nothing is mailed to the erased address', async () => {
      const webinar = await publishedWebinar()
      const registrant = await register(webinar.id)
      const [erased, cancelled] = await readDuring(
        lockRule,
        { point: 'erase:after-read', run: () => eraseRegistrationByToken(pools.first, registrant.token) },
        { point: 'cancel:after-read', run: () => cancelRegistration(pools.second, registrant.token) },
      )
      expect(erased).toEqual({ slug: webinar.slug })
      const mailed = await getDb().selectFrom('outbox').select('recipient_email').where('webinar_id', '=', webinar.id).where('kind', '=', 'registration_cancelled').execute()
      expect(cancelled).toBe(!lockRule)
      expect(mailed.length === 0).toBe(lockRule)
    })

    // --- The certificate's issuer ------------------------------------------------------------------

    test('two organisers replace the logo at once: the later one’s stays, and no file is left that nothing refers to', async () => {
      const organiser = await createUser('organiser')
      await updateIssuer(getDb(), texts, { logo: await logo([200, 0, 0, 255]), signature: 'keep' }, organiser.id)
      const [first, second] = [await logo([0, 200, 0, 255]), await logo([0, 0, 200, 255])]
      const answers = await race('issuer:after-read', lockRule, [
        () => outcome(updateIssuer(pools.first, texts, { logo: first, signature: 'keep' }, organiser.id)),
        () => outcome(updateIssuer(pools.second, texts, { logo: second, signature: 'keep' }, organiser.id)),
      ])
      expect(answers).toEqual([undefined, undefined])
      const kept = (await getIssuerSettings(getDb())).logo!
      const referenced = [kept.png, kept.svg, kept.mark?.png].filter((file): file is string => !!file).sort()
      const root = path.join(uploadRoot(), 'site')
      const onDisk = (fs.readdirSync(root) as string[]).map((name) => `site/${name}`).sort()
      // Without the rule both read the first logo as the one they replace, and the earlier
      // commit's files stay on disk with nothing referring to them.
      expect(onDisk.join() === referenced.join()).toBe(lockRule)
    })

    test('an organiser puts the old logo back while the save that replaced it removes its files: the files stay', async () => {
      const organiser = await createUser('organiser')
      const [old, replacement] = [await logo([10, 120, 10, 255]), await logo([120, 10, 120, 255])]
      await updateIssuer(getDb(), texts, { logo: old, signature: 'keep' }, organiser.id)
      const oldFile = (await getIssuerSettings(getDb())).logo!.png
      // The first save replaces the old logo and, having read that nothing refers to its files any
      // more, is about to remove them; the second puts the old logo back (the same files) meanwhile.
      let putBack: Promise<unknown> | null = null
      let arrived = () => {}
      const arrival = new Promise<void>((resolve) => (arrived = resolve))
      let finished = () => {}
      const finish = new Promise<void>((resolve) => (finished = resolve))
      const stops = [
        onRacePoint('issuer:cleanup-after-read', async () => {
          if (putBack) return
          putBack = outcome(updateIssuer(pools.second, texts, { logo: old, signature: 'keep' }, organiser.id))
          await Promise.race([arrival, new Promise((resolve) => setTimeout(resolve, lockRule ? 400 : 10_000))])
        }),
        onRacePoint('issuer:after-read', async () => {
          if (!putBack) return
          arrived()
          await finish
        }),
      ]
      setLockRuleForTests(lockRule)
      try {
        expect(await outcome(updateIssuer(pools.first, texts, { logo: replacement, signature: 'keep' }, organiser.id).finally(finished))).toBeUndefined()
        expect(await putBack).toBeUndefined()
      } finally {
        stops.forEach((stop) => stop())
        setLockRuleForTests(true)
      }
      const kept = (await getIssuerSettings(getDb())).logo!
      const present = [kept.png, kept.svg, kept.mark?.png].filter((file): file is string => !!file).every((file) => fs.existsSync(path.join(uploadRoot(), file)))
      expect(kept.png).toBe(oldFile)
      // Without the turn, the first removes the files the second has just written and committed.
      expect(present).toBe(lockRule)
    })
  })
})

