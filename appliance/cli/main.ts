/**
 * The `hearth` command line: `serve`, `user add|list|remove`, `db backup|list|restore`, `verify`, `doctor`, and the commands later
 * parts of Hearth add. Run through `bin/hearth`, which brings Node 24 and the packages first.
 *
 * @example
 * bin/hearth serve
 * bin/hearth user add --email grandma@example.org --name Grandma
 * bin/hearth doctor
 */
import { ConfigError, loadConfig } from '../../node/config/load.ts'

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
  verify                        read every original again and report any missing or damaged (exit 1), with a progress bar
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
  // Each command loads only what it needs: `serve` brings the whole node (libp2p alone takes
  // 0.6 s to load), which `hearth user add` or `hearth db list` should not wait for.
  switch (command) {
    case 'serve': return (await import('./serve.ts')).serve(config)
    case 'user': return (await import('./user.ts')).userCommand(config, rest)
    case 'doctor': return (await import('./doctor.ts')).doctor(config)
    case 'library': return (await import('./library.ts')).libraryCommand(config, rest)
    case 'models': return (await import('./models.ts')).modelsCommand(config, rest)
    case 'db': return (await import('./db.ts')).dbCommand(config, rest)
    case 'verify': return (await import('./verify.ts')).verifyCommand(config, rest)
    default:
      console.error(`hearth: unknown command "${command}"\n\n${usage}`)
      return 64
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => {
  console.error(`hearth: ${(err as Error).message}`)
  process.exitCode = 1
})
