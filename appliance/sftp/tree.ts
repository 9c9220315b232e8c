/**
 * The tree a user sees over SFTP, the same one WebDAV serves:
 *   /Uploads/    read-write: the user's working folder on disk, shared with WebDAV
 *                (appliance/tree/uploads.ts). Folders are kept as made; photos and videos put
 *                here become assets once their upload is closed.
 *   /Libraries/  read-only: the user's shares as they are on disk (appliance/tree/readonly.ts).
 *   /Albums/     read-only: each album's originals.
 * Paths here are normalised SFTP paths (paths.ts): '/Uploads/a/b.jpg'.
 */
import { lstat, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { ReadOnlyTree } from '../tree/readonly.ts'
import type { UploadsArea } from '../tree/uploads.ts'
import { joinPath } from './paths.ts'

export const UPLOADS = '/Uploads'
export const READ_ONLY_ROOTS = ['/Libraries', '/Albums']
export const ROOTS = [UPLOADS, ...READ_ONLY_ROOTS]

export type Entry =
  | { kind: 'dir', path: string, mtime: Date, readOnly: boolean }
  | { kind: 'file', path: string, size: number, mtime: Date, /** on disk */ file: string, readOnly: boolean }

export const isUnderUploads = (p: string) => p === UPLOADS || p.startsWith(`${UPLOADS}/`)
/** 'Trip/a.jpg' for '/Uploads/Trip/a.jpg' ('' for /Uploads). */
export const uploadsRel = (p: string) => p === UPLOADS ? '' : p.slice(UPLOADS.length + 1)
const started = new Date()

export function createTreeView ({ uploads, readOnly }: { uploads: UploadsArea, readOnly: ReadOnlyTree }) {
  const onDisk = (userId: string, p: string) => join(uploads.rootOf(userId), uploadsRel(p))

  async function fromDisk (userId: string, p: string): Promise<Entry | undefined> {
    const file = onDisk(userId, p)
    const st = await lstat(file).catch(() => undefined)
    // Only plain files and folders: nothing in a working folder may lead elsewhere.
    if (st?.isDirectory() === true) return { kind: 'dir', path: p, mtime: st.mtime, readOnly: false }
    if (st?.isFile() === true) return { kind: 'file', path: p, size: st.size, mtime: st.mtime, file, readOnly: false }
    return undefined
  }

  return {
    onDisk,

    /** The entry at `p`, or undefined. Throws EscapeError for a share path that leads outside. */
    async lookup (userId: string, p: string): Promise<Entry | undefined> {
      if (p === '/') return { kind: 'dir', path: p, mtime: started, readOnly: true }
      if (isUnderUploads(p)) return fromDisk(userId, p)
      const segments = p.slice(1).split('/')
      const n = await readOnly.resolve(userId, segments)
      if (n === undefined) return undefined
      return n.kind === 'dir' ? { kind: 'dir', path: p, mtime: n.mtime, readOnly: true } : { kind: 'file', path: p, size: n.size, mtime: n.mtime, file: n.file, readOnly: true }
    },

    /** The entries of a folder, or undefined when it is not one. */
    async list (userId: string, dir: string): Promise<Entry[] | undefined> {
      if (dir === '/') return ROOTS.map((p) => ({ kind: 'dir' as const, path: p, mtime: started, readOnly: p !== UPLOADS }))
      if (isUnderUploads(dir)) {
        if ((await fromDisk(userId, dir))?.kind !== 'dir') return undefined
        const out: Entry[] = []
        for (const name of (await readdir(onDisk(userId, dir))).sort()) {
          const e = await fromDisk(userId, joinPath(dir, name))
          if (e !== undefined) out.push(e)
        }
        return out
      }
      const nodes = await readOnly.list(userId, dir.slice(1).split('/'))
      return nodes?.map((n) => n.kind === 'dir'
        ? { kind: 'dir' as const, path: joinPath(dir, n.name), mtime: n.mtime, readOnly: true }
        : { kind: 'file' as const, path: joinPath(dir, n.name), size: n.size, mtime: n.mtime, file: n.file, readOnly: true })
    },
  }
}

export type TreeView = ReturnType<typeof createTreeView>
