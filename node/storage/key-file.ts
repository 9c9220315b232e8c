/**
 * A key made once and kept for good in `<data>/keys/<name>` (the file 0600, the folder 0700): read
 * when it is there, else made and written exclusively ('wx'), so two processes starting at once end
 * up with the same key and a key once written is never replaced. The node's secrets (public links'
 * sealing key, the SFTP host key, the libp2p identity) all live this way.
 *
 * @example
 * const { bytes, created } = await keyFile(dataDir, 'shared-links.key', () => randomBytes(32))
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export async function keyFile (dataDir: string, name: string, make: () => Uint8Array | string | Promise<Uint8Array | string>): Promise<{ path: string, bytes: Buffer, created: boolean }> {
  const dir = join(dataDir, 'keys')
  const path = join(dir, name)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  let bytes: Buffer
  let created = false
  try {
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    const made = await make()
    bytes = typeof made === 'string' ? Buffer.from(made, 'utf8') : Buffer.from(made)
    created = true
    await writeFile(path, bytes, { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e
      bytes = await readFile(path)
      created = false
    })
  }
  await chmod(path, 0o600)
  return { path, bytes, created }
}
