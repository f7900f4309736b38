import type { Transaction } from 'kysely'
import type { Database } from '#db/schema'
import { isBusy, type DB } from './db.server'

type Pending<I, O> = { input: I; resolve: (output: O) => void; reject: (error: unknown) => void }

/**
 * Group commit for hot write paths (the registration rush, check-in). Each call still gets its own
 * result, but the calls that arrive in the same turn of the event loop are written in one
 * transaction: one lock and one commit for the group instead of one each. With several app
 * processes on one SQLite file, that is the difference between taking turns at the write lock a
 * few dozen times a second and queueing for it hundreds of times a second.
 *
 * `work` gets the group's inputs in arrival order and returns one output for each. It should
 * handle them one after the other, so a later input sees an earlier one's writes exactly as if
 * each had its own transaction; what does not change within the transaction (the webinar, say)
 * it may read once for the group. If the group's transaction fails, nothing of it is kept and
 * every input is tried again in a group of its own, so one bad input fails alone. A group that
 * could not get the write lock in time fails as a whole: trying each input again would only keep
 * its callers waiting that long again, one after the other.
 */
export function createGroupCommit<I, O>(work: (trx: Transaction<Database>, inputs: I[]) => Promise<O[]>, { maxGroup = 32 } = {}) {
  const queues = new WeakMap<DB, Array<Pending<I, O>>>()

  async function writeOne(db: DB, item: Pending<I, O>) {
    try {
      const [output] = await db.transaction().execute((trx) => work(trx, [item.input]))
      item.resolve(output!)
    } catch (error) {
      item.reject(error)
    }
  }

  async function writeGroup(db: DB, group: Array<Pending<I, O>>) {
    if (group.length === 1) return writeOne(db, group[0]!)
    let outputs: O[]
    try {
      outputs = await db.transaction().execute((trx) =>
        work(
          trx,
          group.map((item) => item.input),
        ),
      )
    } catch (error) {
      if (isBusy(error)) for (const item of group) item.reject(error)
      else for (const item of group) await writeOne(db, item)
      return
    }
    group.forEach((item, i) => item.resolve(outputs[i]!))
  }

  async function drain(db: DB, queue: Array<Pending<I, O>>) {
    while (queue.length > 0) await writeGroup(db, queue.splice(0, maxGroup))
    queues.delete(db)
  }

  return function submit(db: DB, input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      let queue = queues.get(db)
      if (!queue) {
        queue = []
        queues.set(db, queue)
        // Wait for the rest of this turn's requests to reach here too, then write them together.
        const started = queue
        setImmediate(() => void drain(db, started))
      }
      queue.push({ input, resolve, reject })
    })
  }
}
