/**
 * Reading a share's file once, for its SHA-1 (what Immich clients compare) and SHA-256 (Hearth's
 * identity across nodes and backups). The file is opened read-only, with O_NOATIME where the
 * kernel allows it, so indexing does not even change access times; nothing is ever written.
 */
import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'

export interface FileHashes { sha1: Buffer, sha256: Buffer, size: number }

/** Reads a file and hashes it; injectable so tests can count reads. */
export type Hasher = (path: string, options: { signal?: AbortSignal }) => Promise<FileHashes>

const CHUNK = 1024 * 1024
/** Read buffers are reused: a first scan hashes 100,000 files, and 1 MiB each would churn the heap. */
const spare: Buffer[] = []
let noatime = constants.O_NOATIME !== undefined

async function openReadOnly (path: string): Promise<FileHandle> {
  if (noatime) {
    try {
      return await open(path, constants.O_RDONLY | constants.O_NOATIME)
    } catch (err) {
      // Only the file's owner (or root) may ask for O_NOATIME; others read normally.
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err
      noatime = false
    }
  }
  return open(path, constants.O_RDONLY)
}

export const hashFile: Hasher = async (path, { signal } = {}) => {
  const fh = await openReadOnly(path)
  try {
    const sha1 = createHash('sha1')
    const sha256 = createHash('sha256')
    const buffer = spare.pop() ?? Buffer.allocUnsafe(CHUNK)
    let size = 0
    for (;;) {
      signal?.throwIfAborted()
      const { bytesRead } = await fh.read(buffer, 0, CHUNK, null)
      if (bytesRead === 0) break
      const chunk = buffer.subarray(0, bytesRead)
      sha1.update(chunk)
      sha256.update(chunk)
      size += bytesRead
    }
    if (spare.length < 8) spare.push(buffer)
    return { sha1: sha1.digest(), sha256: sha256.digest(), size }
  } finally {
    await fh.close()
  }
}
