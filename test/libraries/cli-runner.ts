/**
 * `hearth library ...` as main.ts will run it (until appliance/cli/main.ts dispatches `library`):
 * the configuration from the environment, then the command; its exit code is the process's.
 */
import { loadConfig } from '../../node/config/load.ts'
import { libraryCommand } from '../../appliance/cli/library.ts'

process.exitCode = await libraryCommand(loadConfig(process.env), process.argv.slice(2))
