// Staff accounts and the people they are linked to, saved twice at once (the PostgreSQL run only):
// both saves read the address or the account as free, and the later write meets the unique index
// (users.email, people.user_id). SQLite's single write lock makes the second read wait for the
// first commit, so there the race cannot happen. Two connection pools stand in for two app
// processes; both transactions are held at the point after their check until the other has
// passed it too, so every run races. Each test proves it did: the refused save carries the
// unique violation as its cause, so it was the index that caught it, not the check. Without the
// mapping, that violation reached the organiser as a raw 23505, a 500.
import { createPerson, updatePerson, AccountAlreadyLinkedError, type PersonInput } from '#app/models/person.server'
import { createStaffUser, DuplicateEmailError } from '#app/models/user.server'
import { getDb, type DB } from '#app/utils/db.server'
import type { RacePoint } from '#app/utils/race-points.server'
import { createPersonFor, createUser } from '#tests/setup/factories'
import { TEST_ENGINE } from '#tests/setup/paths'
import { meetAt, twoProcesses } from './__helpers/race'

const pools = twoProcesses()

/** Long enough for the second save to arrive on a busy machine; nothing but the machine holds it back. */
const PATIENCE_MS = 10_000

/** Both saves, held at `point` until both have passed their check; what each came to. */
async function bothAt<T>(point: RacePoint, both: [() => Promise<T>, () => Promise<T>]): Promise<PromiseSettledResult<T>[]> {
  const stop = meetAt(point, PATIENCE_MS)
  try {
    return await Promise.allSettled(both.map((run) => run()))
  } finally {
    stop()
  }
}

/** The one refusal among two answers, which must be an `errorClass` caused by the unique index `constraint`. */
function onlyRefusal(answers: PromiseSettledResult<unknown>[], errorClass: new (...args: never[]) => Error, constraint: string) {
  expect(answers.filter((answer) => answer.status === 'fulfilled')).toHaveLength(1)
  const [refused] = answers.flatMap((answer) => (answer.status === 'rejected' ? [answer.reason as Error] : []))
  expect(refused).toBeInstanceOf(errorClass)
  // The race happened: both passed the check, and the index refused the later write.
  expect(refused!.cause).toMatchObject({ code: '23505', constraint })
}

function personInput(name: string, userId: string): PersonInput {
  return { name, title: null, organisation: null, email: null, whatsapp: null, bio: null, userId }
}

describe.skipIf(TEST_ENGINE !== 'postgres')('on PostgreSQL', () => {
  test('the same staff address created by two organisers at once: one account, and the other is told the address is taken', async () => {
    const email = `kembar-${Date.now()}@example.org`
    const create = (db: DB) => () => createStaffUser(db, { email, name: 'Staf Kembar', role: 'moderator' })
    const answers = await bothAt('staff:after-check', [create(pools.first), create(pools.second)])
    onlyRefusal(answers, DuplicateEmailError, 'users_email_key')
    expect(await getDb().selectFrom('users').select('id').where('email', '=', email).execute()).toHaveLength(1)
    // The refused creation sent no invitation: its transaction rolled back whole.
    expect(await getDb().selectFrom('outbox').select('id').where('recipient_email', '=', email).execute()).toHaveLength(1)
  })

  test('two new people linked to the same account at once: one is linked, the other is told the account is taken', async () => {
    const account = await createUser('speaker')
    const create = (db: DB, name: string) => () => createPerson(db, personInput(name, account.id))
    const answers = await bothAt('person-account:after-check', [create(pools.first, 'Narasumber A'), create(pools.second, 'Narasumber B')])
    onlyRefusal(answers, AccountAlreadyLinkedError, 'people_user_id_key')
    expect(await getDb().selectFrom('people').select('id').where('user_id', '=', account.id).execute()).toHaveLength(1)
  })

  test('two people edited at once to link the same account: one is linked, the other is told and keeps its own row', async () => {
    const account = await createUser('speaker')
    const [first, second] = [await createPersonFor('Narasumber C'), await createPersonFor('Narasumber D')]
    const link = (db: DB, personId: string, name: string) => () => updatePerson(db, personId, personInput(name, account.id))
    const answers = await bothAt('person-account:after-check', [link(pools.first, first, 'Narasumber C'), link(pools.second, second, 'Narasumber D')])
    onlyRefusal(answers, AccountAlreadyLinkedError, 'people_user_id_key')
    const linked = await getDb().selectFrom('people').select(['id', 'name']).where('id', 'in', [first, second]).where('user_id', '=', account.id).execute()
    expect(linked).toHaveLength(1)
  })
})
