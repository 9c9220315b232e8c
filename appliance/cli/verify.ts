/**
 * `hearth verify`: the integrity check of originals from the command line, with a progress bar.
 * Every original is read again and compared with what Hearth recorded (appliance/integrity); the
 * command lists what is missing or damaged and exits 1 if anything is, so a cron job or a NAS's
 * task scheduler can raise the alarm.
 *
 * Like `hearth library`: with Hearth running, the check runs in the server (an admin's API key in
 * HEARTH_API_KEY) and the command follows it; with Hearth stopped, it opens the database and runs
 * the check itself. `--server` or `--direct` forces one way. Ctrl-C stops a direct check and
 * reports what it covered.
 *
 * @example
 * hearth verify                # exit 0: every original intact; 1: some missing or damaged
 */
import { parseArgs } from 'node:util'
import type { Config } from '../../node/config/schema.ts'
import { openHearthDatabase } from '../../node/backups/service.ts'
import { cliLogger, createLogger } from '../../node/observability/log.ts'
import { createIntegrityChecker, type IntegrityReport } from '../integrity/checker.ts'
import { bytes, CliError, createProgress, fmt, runningHearth, type Progress } from './shared.ts'

const usage = `Usage: hearth verify [--server | --direct]

Reads every original again and compares it with what Hearth recorded when it stored or indexed it.
Exits 0 when every original is intact, 1 when some are missing or damaged (they are listed).

Options: --server (the running Hearth checks; needs HEARTH_API_KEY), --direct (this command opens the database; Hearth must be stopped)
Environment: HEARTH_URL (default http://127.0.0.1:HEARTH_PORT), HEARTH_API_KEY (an admin's API key)`

export async function verifyCommand (config: Config, argv: string[]): Promise<number> {
  let values
  try {
    values = parseArgs({ args: argv, options: { server: { type: 'boolean', default: false }, direct: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } }).values
  } catch (err) {
    console.error(`hearth verify: ${(err as Error).message}\n\n${usage}`)
    return 64
  }
  if (values.help === true) { console.log(usage); return 0 }
  const progress = createProgress()
  try {
    const server = await runningHearth(config, { server: values.server === true, direct: values.direct === true })
    const report = server === undefined ? await direct(config, progress) : await viaServer(server.call, progress)
    progress.end()
    return summarise(report)
  } catch (err) {
    progress.end()
    if (err instanceof CliError) { console.error(`hearth verify: ${err.message}`); return 1 }
    throw err
  }
}

const show = (progress: Progress, r: IntegrityReport) =>
  progress.update('Checking originals', r.total === 0 ? 0 : r.checked / r.total, `${fmt(r.checked)} / ${fmt(r.total)} files · ${bytes(r.bytes)} read · ${fmt(r.problems.length)} problem(s)`)

async function direct (config: Config, progress: Progress): Promise<IntegrityReport> {
  const db = await openHearthDatabase(config, cliLogger())
  try {
    // Each problem is printed in the summary; the log would print it a second time.
    const checker = createIntegrityChecker({ db, log: createLogger({ level: 'silent', format: 'json' }) })
    const stop = () => { void checker.stop() }
    process.once('SIGINT', stop)
    const done = checker.start()
    const timer = setInterval(() => { const r = checker.current(); if (r !== undefined) show(progress, r) }, 200)
    try { return await done } finally { clearInterval(timer); process.off('SIGINT', stop) }
  } finally {
    await db.close()
  }
}

async function viaServer (call: <T>(method: string, path: string, body?: unknown) => Promise<T>, progress: Progress): Promise<IntegrityReport> {
  type State = { running: boolean, current: IntegrityReport | null, last: IntegrityReport | null }
  const before = await call<State>('GET', '/api/admin/integrity')
  const started = before.running ? before.current!.startedAt : (await call<State>('POST', '/api/admin/integrity', {})).current?.startedAt
  for (;;) {
    const s = await call<State>('GET', '/api/admin/integrity')
    if (s.running && s.current !== null) show(progress, s.current)
    // The check this command started (or joined) has ended when the last report is that one.
    else if (s.last !== null && (started === undefined || s.last.startedAt >= started)) return s.last
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

function summarise (r: IntegrityReport): number {
  const what = `${fmt(r.checked)} of ${fmt(r.total)} originals (${bytes(r.bytes)} read)`
  if (r.problems.length === 0) {
    console.log(r.interrupted ? `Stopped after ${what}: those are intact.` : `Checked ${what}: every one is intact.`)
    return 0
  }
  console.log(`Checked ${what}${r.interrupted ? ' before it was stopped' : ''}: ${fmt(r.problems.length)} missing or damaged. Restore ${r.problems.length === 1 ? 'it' : 'them'} from another copy:`)
  for (const p of r.problems) console.log(`  ${p.kind === 'missing' ? 'missing' : 'damaged'}  ${p.path}\n           ${p.detail}`)
  return 1
}
