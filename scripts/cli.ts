// Small CLIs print one line on failure and exit non-zero, never a stack trace for a known problem.
import { DatabaseUrlError } from '#app/utils/db.server'
import { EnvError } from '#app/utils/env.server'
import { BuildMissingError } from './serve-build'

export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main()
  } catch (error) {
    if (error instanceof EnvError || error instanceof DatabaseUrlError || error instanceof BuildMissingError) {
      console.error(error.message)
    } else {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
    }
    process.exit(1)
  }
}
