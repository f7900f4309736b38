// Forcing a race between two transactions, for the PostgreSQL race tests
// (tests/models/postgres-races*.test.ts): each stops at a named point until the other arrives.
import { onRacePoint, setLockRuleForTests, type RacePoint } from '#app/utils/race-points.server'

/**
 * The first transaction to pass `point` (or any of `points`, when two different functions race)
 * waits for the second (at most `patienceMs`, which is all it waits when the second is held off
 * by a lock), then both go on.
 */
export function meetAt(point: RacePoint | RacePoint[], patienceMs = 400): () => void {
  let waiting: (() => void) | null = null
  const meet = () => {
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
  }
  const stops = [point].flat().map((name) => onRacePoint(name, meet))
  return () => stops.forEach((stop) => stop())
}

/** Runs both at once, meeting at `point`, with the lock rule on or (the control run) off. */
export async function race<T>(point: RacePoint | RacePoint[], lockRule: boolean, both: [() => Promise<T>, () => Promise<T>]): Promise<T[]> {
  setLockRuleForTests(lockRule)
  const stop = meetAt(point)
  try {
    return await Promise.all(both.map((run) => run()))
  } finally {
    stop()
    setLockRuleForTests(true)
  }
}
