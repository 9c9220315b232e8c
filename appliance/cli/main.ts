/**
 * The `hearth` command line: `serve`, `user add|list|remove`, `db backup|list|restore`, `doctor`, and the commands later
 * parts of Hearth add. Run through `bin/hearth`, which brings Node 24 and the packages first.
 *
 * @example
 * bin/hearth serve
 * bin/hearth user add --email grandma@example.org --name Grandma
 * bin/hearth doctor
 */
import { ConfigError, loadConfig } from '../../node/config/load.ts'
import { serve } from './serve.ts'
import { userCommand } from './user.ts'
import { doctor } from './doctor.ts'
import { libraryCommand } from './library.ts'
import { modelsCommand } from './models.ts'
import { dbCommand } from './db.ts'

const usage = `Usage: hearth <command> [options]

Commands:
  serve                         start Hearth (web UI and API on HEARTH_PORT, default 2284)
  user add --email E --name N   add a user (--admin, --quota 50GiB, --password-stdin)
  user list                     list users
  user remove --email E         remove a user (their originals are set aside, not deleted)
  library add PATH [--name N]   index an existing share in place (--owner EMAIL, --exclude GLOB, --no-scan)
  library scan [LIBRARY]        rescan one library, or all, with a progress bar
  library status [LIBRARY]      libraries, their files, how changes are followed
  models list|fetch PACK|verify ML model packs: which are here, download one, check their sha256
  db backup | db list           back the database up now into <data>/backups; list the backups
  db restore FILE               put a backup back (Hearth stopped; the replaced database is kept aside)
  doctor                        check this machine and Hearth's set-up, and say what to fix

Settings come from environment variables (HEARTH_DATA_DIR, HEARTH_PORT, DATABASE_URL, ...) and an
optional JSON file (HEARTH_CONFIG, or hearth.json in the data folder). See README.md.`

async function main (argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(usage)
    return command === undefined ? 1 : 0
  }
  if (command === '--version' || command === 'version') {
    const { version } = await import('../../node/server/version.ts')
    console.log(version)
    return 0
  }
  let config
  try {
    // People at a terminal get readable logs; services and pipes get JSON.
    const env = { ...process.env }
    if (env.HEARTH_LOG_FORMAT === undefined && process.stdout.isTTY) env.HEARTH_LOG_FORMAT = 'pretty'
    config = loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) { console.error(err.message); return 78 }
    throw err
  }
  switch (command) {
    case 'serve': return serve(config)
    case 'user': return userCommand(config, rest)
    case 'doctor': return doctor(config)
    case 'library': return libraryCommand(config, rest)
    case 'models': return modelsCommand(config, rest)
    case 'db': return dbCommand(config, rest)
    default:
      console.error(`hearth: unknown command "${command}"\n\n${usage}`)
      return 64
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => {
  console.error(`hearth: ${(err as Error).message}`)
  process.exitCode = 1
})
