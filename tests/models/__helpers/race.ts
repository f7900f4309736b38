// Forcing a race between two transactions, for the PostgreSQL race tests
// (tests/models/postgres-races*.test.ts): each stops at a named point until the other arrives.
import { createDb, getDb, type DB } from '#app/utils/db.server'
import { onRacePoint, setLockRuleForTests, type RacePoint } from '#app/utils/race-points.server'
import { TEST_ENGINE } from '#tests/setup/paths'

/**
 * The first transaction to pass `point` waits for the second (at most `patienceMs`, which is all
 * it waits when the second is held off by a lock), then both go on.
 */
export function meetAt(point: RacePoint, patienceMs = 400): () => void {
  let waiting: (() => void) | null = null
  return onRacePoint(point, () => {
    if (waiting) {
      waiting()
      waiting = null
      return Promise.resolve()
    }
    return new Promise<void>((resolve) => {
      waiting = resolve
      setTimeout(() => {
        if (waiting === resolve) {
          waiting = null
          resolve()
        }
      }, patienceMs)
    })
  })
}

/**
 * How long the first waits for the second in a control run. Without the lock rule nothing holds
 * the second back but a busy machine (a full `npm test` on two cores), and a control run whose
 * second arrives too late shows no race and fails for the wrong reason: so it waits that long.
 */
const CONTROL_PATIENCE_MS = 10_000

/** The first's patience: short with the lock rule (the second is held off by the lock), long in a control run. */
const patienceFor = (lockRule: boolean, patienceMs: number, controlPatienceMs = CONTROL_PATIENCE_MS) => (lockRule ? patienceMs : controlPatienceMs)

/**
 * Runs both at once, meeting at `point`, with the lock rule on or (the control run) off. A race
 * whose second is held off by a row lock even in the control run (it shows the race after the
 * first commits) gives a short `controlPatienceMs`.
 */
export async function race<T>(point: RacePoint, lockRule: boolean, both: [() => Promise<T>, () => Promise<T>], { controlPatienceMs = CONTROL_PATIENCE_MS } = {}): Promise<T[]> {
  setLockRuleForTests(lockRule)
  const stop = meetAt(point, patienceFor(lockRule, 400, controlPatienceMs))
  try {
    return await Promise.all(both.map((run) => run()))
  } finally {
    stop()
    setLockRuleForTests(true)
  }
}

/** What a call came to: its answer, or the SQLSTATE of the error it threw (a 500 for the user). */
export async function outcome<T>(run: Promise<T>): Promise<T | { error: string }> {
  try {
    return await run
  } catch (error) {
    return { error: String((error as { code?: unknown }).code ?? error) }
  }
}

type Step<T> = { point: RacePoint; run: () => Promise<T> }

/**
 * The interleaving a stale read needs, made certain, for two different transactions: `first`
 * runs to its point; then `second` starts, runs to its own point (reading while `first` has not
 * committed) and goes on only once `first` has finished. With the lock rule, `second` cannot read
 * until `first` commits: `first` waits for it at most `patienceMs`, and `second` then reads what
 * `first` wrote.
 */
export async function readDuring<A, B>(lockRule: boolean, first: Step<A>, second: Step<B>, patienceMs = 400): Promise<[A, B]> {
  setLockRuleForTests(lockRule)
  let secondRun: Promise<B> | null = null
  let secondArrived = () => {}
  const arrival = new Promise<void>((resolve) => (secondArrived = resolve))
  let firstFinished = () => {}
  const finish = new Promise<void>((resolve) => (firstFinished = resolve))
  const stops = [
    onRacePoint(first.point, async () => {
      if (secondRun) return
      secondRun = second.run()
      await Promise.race([arrival, new Promise((resolve) => setTimeout(resolve, patienceFor(lockRule, patienceMs)))])
    }),
    onRacePoint(second.point, async () => {
      secondArrived()
      await finish
    }),
  ]
  try {
    const a = await first.run().finally(firstFinished)
    if (!secondRun) throw new Error(`the first transaction never reached ${first.point}`)
    return [a, await secondRun]
  } finally {
    stops.forEach((stop) => stop())
    setLockRuleForTests(true)
  }
}

/**
 * Two connection pools on this test file's database, standing in for two app processes or two
 * machines; opened on the PostgreSQL run only, closed (and the lock rule restored) after the file.
 */
export function twoProcesses(): { first: DB; second: DB } {
  const pools = {} as { first: DB; second: DB }
  beforeAll(() => {
    if (TEST_ENGINE !== 'postgres') return
    pools.first = createDb(process.env.DATABASE_URL!)
    pools.second = createDb(process.env.DATABASE_URL!)
  })
  afterAll(async () => {
    setLockRuleForTests(true)
    await pools.first?.destroy()
    await pools.second?.destroy()
  })
  return pools
}

/**
 * The first and the second "process" of a test that runs on both engines: two pools on
 * PostgreSQL (twoProcesses), the test file's one connection on SQLite.
 */
export function eitherEngineProcesses(): { first: () => DB; second: () => DB } {
  const pools = twoProcesses()
  return {
    first: () => (TEST_ENGINE === 'postgres' ? pools.first : getDb()),
    second: () => (TEST_ENGINE === 'postgres' ? pools.second : getDb()),
  }
}
