// The mails' footer names the programme as an organiser set it on /admin/issuer, as the pages
// and the certificates do; the dictionary's name while none is set. Delivered through a real
// SMTP server, and shown alike in the outbox's preview.
import { updateIssuer } from '#app/models/site-settings.server'
import { loader as outboxMessageLoader } from '#app/routes/admin.outbox.$id._index'
import { getDb } from '#app/utils/db.server'
import { translate } from '#app/i18n'
import { call, createUser, getRequest, signedInAs } from '#tests/setup/factories'
import { deliverAll, parseMessage, queueParticipantInvitations, smtpWorker } from './__helpers/mail'
import { startSmtpSink } from './__helpers/smtp-sink'

const db = getDb()
const texts = { programmeNameId: 'Gerakan Cakap Digital Jawa Tengah', programmeNameEn: 'Central Java Digital Skills', issuerName: null, signatoryName: null, signatoryTitle: null }

async function deliveredFooters(): Promise<string[]> {
  const sink = await startSmtpSink()
  const { transport, worker } = smtpWorker(sink.url)
  try {
    await deliverAll(worker)
    // The residents' invitations (publishing also mails the webinar's team).
    const invitations = sink.messages.filter((message) => message.envelope.rcptTo.some((to) => to.startsWith('peserta-')))
    return await Promise.all(invitations.map(async (message) => (await parseMessage(message.raw)).mail.text ?? ''))
  } finally {
    transport.close()
    await sink.stop()
  }
}

test('the footer names the programme as set, in every message sent after the change; the dictionary’s name before', async () => {
  await queueParticipantInvitations(2)
  const before = await deliveredFooters()
  expect(before).toHaveLength(2)
  for (const text of before) expect(text).toContain(translate('id', 'mail.footer', { programme: translate('id', 'app.programme') }))

  const organiser = await createUser('organiser')
  await updateIssuer(db, texts, { logo: 'keep', signature: 'keep' }, organiser.id)
  await queueParticipantInvitations(1)
  const after = await deliveredFooters()
  expect(after).toHaveLength(1)
  expect(after[0]).toContain('program Gerakan Cakap Digital Jawa Tengah.')
})

test('the outbox shows a message with the footer it is sent with', async () => {
  const organiser = await signedInAs('organiser')
  await updateIssuer(db, texts, { logo: 'keep', signature: 'keep' }, organiser.id)
  const { webinarId } = await queueParticipantInvitations(1)
  const { id } = await db.selectFrom('outbox').select('id').where('webinar_id', '=', webinarId).executeTakeFirstOrThrow()
  const data = await (await call(outboxMessageLoader, getRequest(`/admin/outbox/${id}`, { cookie: organiser.cookie }), { id })).json()
  expect(data.preview.text).toContain('program Gerakan Cakap Digital Jawa Tengah.')
})
