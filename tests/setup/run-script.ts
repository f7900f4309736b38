import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { ROOT } from './paths'

// The app's variables, which a child must not inherit from the test process by accident.
const APP_VARIABLES = [
  'NODE_ENV',
  'PORT',
  'APP_URL',
  'DATABASE_URL',
  'SESSION_SECRET',
  'SMTP_URL',
  'MAIL_FROM',
  'DEMO_PASSWORD',
  'TRUST_PROXY',
  'MAIL_RATE_PER_SEC',
  'MAIL_LEASE_SECONDS',
  'MAIL_WORKER',
  'DATABASE_POOL_SIZE',
  'LOG_REQUESTS',
  'METRICS_TOKEN',
  'METRICS_PORT',
  'WEB_CONCURRENCY',
]

/** The test process's environment without the app's variables, plus `overrides`. */
export function scriptEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const name of APP_VARIABLES) delete env[name]
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  return env
}

/**
 * Starts a TypeScript file (relative to the project root) under tsx, in the project root.
 * The tsx CLI runs the script in a second process and relays signals to it; a SIGKILL cannot be
 * relayed, so a test that kills the script itself asks for `singleProcess` (node --import tsx).
 */
export function spawnScript(script: string, args: string[], env: NodeJS.ProcessEnv, options: { singleProcess?: boolean } = {}): ChildProcess {
  const runner = options.singleProcess ? ['--import', 'tsx'] : [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs')]
  return spawn(process.execPath, [...runner, path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

export type ScriptResult = { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Waits for the child to exit; kills it (and reports the signal) after `timeoutMs`. */
export function waitForExit(child: ChildProcess, timeoutMs = 60_000): Promise<ScriptResult> {
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (status, signal) => {
      clearTimeout(timer)
      resolve({ status, signal, stdout, stderr })
    })
  })
}

export function runScript(script: string, options: { env: Record<string, string | undefined>; args?: string[]; timeoutMs?: number }): Promise<ScriptResult> {
  const child = spawnScript(script, options.args ?? [], scriptEnv(options.env))
  child.stdin?.end()
  return waitForExit(child, options.timeoutMs)
}

/** The non-empty lines a script wrote to stderr. */
export function stderrLines(result: ScriptResult): string[] {
  return result.stderr.split('\n').filter((line) => line.trim() !== '')
}
