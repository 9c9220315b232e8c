import type { Config } from '../../node/config/schema.ts'
import { createNode } from '../../node/index.ts'
import { staticUi } from '../web/static.ts'
import { integrityModule } from '../integrity/index.ts'
import { libraryModule } from '../libraries/index.ts'
import { webdavModule } from '../webdav/index.ts'
import { sftpModule } from '../sftp/index.ts'
import { federationModule } from '../../federation/index.ts'

/** Starts the node and keeps it running until SIGTERM or SIGINT, then stops it cleanly. */
export async function serve (config: Config): Promise<number> {
  const node = await createNode(config, { fallback: staticUi(), modules: [libraryModule(), webdavModule(), sftpModule(), integrityModule(), federationModule()] })
  try {
    await node.start()
  } catch (err) {
    await node.stop().catch(() => {})
    throw err
  }
  console.log(`\n  Hearth is running: ${node.url}\n  Data folder: ${config.HEARTH_DATA_DIR} (${node.db.engine === 'pglite' ? 'embedded database' : 'PostgreSQL'})\n`)
  return new Promise<number>((resolve) => {
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      node.log.info({ signal }, 'stopping')
      node.stop().then(() => resolve(0), (err: unknown) => { node.log.error({ err }, 'error while stopping'); resolve(1) })
    }
    process.on('SIGTERM', () => stop('SIGTERM'))
    process.on('SIGINT', () => stop('SIGINT'))
  })
}
