import type { Transaction } from 'kysely'
import type { Database, TestKind } from '#db/schema'
import type { DB } from '#app/utils/db.server'

// Learning tests on a webinar (issue 15): a pre-test open from registration until the start and a
// post-test open from the end for N days, both over the same bank questions. This file holds what
// other parts of the app ask about a webinar's tests; the bank is in question.server.ts and the
// attempts in test-attempt.server.ts.

type Conn = DB | Transaction<Database>

export type WebinarTests = {
  pre: boolean
  post: boolean
  postOpenDays: number
  questionsPerPillar: number
  /** when the first attempt began; the question set no longer changes */
  frozenAt: string | null
}

const NO_TESTS: WebinarTests = { pre: false, post: false, postOpenDays: 7, questionsPerPillar: 5, frozenAt: null }

/** Which tests a webinar has switched on (both off when it was never set up). */
export async function webinarTests(db: Conn, webinarId: string): Promise<WebinarTests> {
  const row = await db
    .selectFrom('webinar_tests')
    .select(['pre_enabled', 'post_enabled', 'post_open_days', 'questions_per_pillar', 'frozen_at'])
    .where('webinar_id', '=', webinarId)
    .executeTakeFirst()
  if (!row) return NO_TESTS
  return {
    pre: row.pre_enabled === 1,
    post: row.post_enabled === 1,
    postOpenDays: row.post_open_days,
    questionsPerPillar: row.questions_per_pillar,
    frozenAt: row.frozen_at,
  }
}

/** Whether this registration completed (finished) that test. */
export async function finishedTest(db: Conn, registrationId: string, kind: TestKind): Promise<boolean> {
  const row = await db
    .selectFrom('test_attempts')
    .select('id')
    .where('registration_id', '=', registrationId)
    .where('kind', '=', kind)
    .where('finished_at', 'is not', null)
    .executeTakeFirst()
  return row !== undefined
}
