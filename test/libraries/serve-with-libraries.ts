/**
 * `hearth serve` with the library module, for the process tests (kill -9 in the middle of a scan)
 * until appliance/cli/serve.ts plugs the module in. HEARTH_TEST_HASH_DELAY_MS slows each file read
 * so a test can be sure to kill the process while a scan is under way.
 */
import { loadConfig } from '../../node/config/load.ts'
import { createNode } from '../../node/index.ts'
import { libraryModule } from '../../appliance/libraries/index.ts'
import { hashFile, type Hasher } from '../../appliance/libraries/hasher.ts'

const delayMs = Number(process.env.HEARTH_TEST_HASH_DELAY_MS ?? '0')
const hasher: Hasher | undefined = delayMs > 0
  ? async (path, options) => { await new Promise((ok) => setTimeout(ok, delayMs)); return hashFile(path, options) }
  : undefined

const node = await createNode(loadConfig(process.env), { modules: [libraryModule({ hasher, watch: false })] })
await node.start()
let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  node.stop().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1) })
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
