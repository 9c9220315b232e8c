/**
 * The read-only parts of each user's tree, shared by WebDAV and SFTP:
 *   /Libraries/<name>/...  the shares (external libraries) the user owns, as they are on disk. A
 *                          library with several import paths shows one folder per path.
 *   /Albums/<album>/<file> each album's originals (the user's own albums and, where album sharing
 *                          exists, albums shared with them), named by their file names.
 * Names used twice get ` ~<id>` (before the extension for files). Nothing here is ever written.
 * Inside a share, a path whose real location (symlinks followed) is outside that share is refused
 * with EscapeError, and such entries are left out of listings.
 */
import { lstat, readdir, realpath, stat } from 'node:fs/promises'
import { basename, extname, join, sep } from 'node:path'
import type { Database } from '../../node/db/index.ts'

export const LIBRARIES = 'Libraries'
export const ALBUMS = 'Albums'

/** Thrown for a path that leads outside a share (a symlink pointing elsewhere). */
export class EscapeError extends Error {
  constructor (what: string) { super(`Permission denied: ${what} leads outside the share`); this.name = 'EscapeError' }
}

export type RoNode =
  | { kind: 'dir', name: string, mtime: Date }
  | { kind: 'file', name: string, size: number, mtime: Date, /** what to read */ file: string }

const started = new Date()
// eslint-disable-next-line no-control-regex
const safeName = (s: string) => s.replace(/[/\\\u0000-\u001f]/g, '_').trim() || '_'

/** Gives each item a unique name: the second `x.jpg` becomes `x ~<id>.jpg`. */
function uniqueNames<T extends { id: string }> (items: T[], nameOf: (t: T) => string, isFile: boolean): Array<[string, T]> {
  const seen = new Set<string>()
  const out: Array<[string, T]> = []
  for (const item of items) {
    let name = safeName(nameOf(item))
    if (seen.has(name)) {
      const ext = isFile ? extname(name) : ''
      name = `${name.slice(0, name.length - ext.length)} ~${item.id.slice(-8)}${ext}`
    }
    seen.add(name)
    out.push([name, item])
  }
  return out
}

const inside = (path: string, root: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep)

export function createReadOnlyTree (db: Database) {
  let albumSharing: boolean | undefined

  async function libraries (userId: string): Promise<Map<string, string[]>> {
    const rows = await db.query<{ id: string, name: string, import_paths: string[] }>(
      'SELECT id, name, import_paths FROM libraries WHERE owner_id = $1 ORDER BY created_at, id', [userId])
    return new Map(uniqueNames(rows, (r) => r.name, false).map(([n, r]) => [n, r.import_paths]))
  }

  /** A library's folder: its one import path, or one folder per import path. */
  function rootsOf (paths: string[]): Map<string, string> | string | undefined {
    if (paths.length === 0) return undefined
    if (paths.length === 1) return paths[0]
    return new Map(uniqueNames(paths.map((p, i) => ({ id: String(i).padStart(8, '0'), p })), (x) => basename(x.p) || 'share', false).map(([n, x]) => [n, x.p]))
  }

  async function albums (userId: string) {
    if (albumSharing === undefined) {
      const [{ ok }] = await db.query<{ ok: boolean }>("SELECT to_regclass('album_users') IS NOT NULL AS ok")
      albumSharing = ok
    }
    const rows = await db.query<{ id: string, album_name: string, updated_at: Date }>(
      albumSharing
        ? `SELECT id, album_name, updated_at FROM albums WHERE owner_id = $1
             OR id IN (SELECT album_id FROM album_users WHERE user_id = $1) ORDER BY created_at, id`
        : 'SELECT id, album_name, updated_at FROM albums WHERE owner_id = $1 ORDER BY created_at, id', [userId])
    return new Map(uniqueNames(rows, (r) => r.album_name, false))
  }

  async function albumFiles (albumId: string) {
    const rows = await db.query<{ id: string, original_file_name: string, original_path: string, file_size: number, file_modified_at: Date }>(
      `SELECT x.id, x.original_file_name, x.original_path, x.file_size, x.file_modified_at
       FROM album_assets aa JOIN assets x ON x.id = aa.asset_id
       WHERE aa.album_id = $1 AND x.deleted_at IS NULL AND x.visibility IN ('timeline', 'archive') AND NOT x.is_offline
       ORDER BY x.file_created_at, x.id`, [albumId])
    return new Map(uniqueNames(rows, (r) => r.original_file_name, true))
  }

  /** The node at a share path, after checking that its real location stays inside the share. */
  async function onDisk (root: string, rest: string[]): Promise<RoNode | undefined> {
    for (const s of rest) if (s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\\') || s.includes('\u0000')) throw new EscapeError(JSON.stringify(s))
    let realRoot: string
    try { realRoot = await realpath(root) } catch { return undefined }
    const path = join(root, ...rest)
    let real: string
    try { real = await realpath(path) } catch (err) {
      // A dangling symlink: say whether it would have escaped, otherwise it is simply not there.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && await lstat(path).then((s) => s.isSymbolicLink(), () => false)) throw new EscapeError(rest.join('/'))
      return undefined
    }
    if (!inside(real, realRoot)) throw new EscapeError(rest.join('/'))
    const st = await stat(real).catch(() => undefined)
    if (st === undefined) return undefined
    const name = rest.at(-1) ?? basename(root)
    if (st.isDirectory()) return { kind: 'dir', name, mtime: st.mtime }
    if (st.isFile()) return { kind: 'file', name, size: st.size, mtime: st.mtime, file: real }
    return undefined
  }

  async function resolveLibrary (userId: string, rest: string[]): Promise<{ node: RoNode, root?: string, sub?: string[] } | undefined> {
    const libs = await libraries(userId)
    if (rest.length === 0) return { node: { kind: 'dir', name: LIBRARIES, mtime: started } }
    const paths = libs.get(rest[0])
    if (paths === undefined) return undefined
    const roots = rootsOf(paths)
    if (roots === undefined) return rest.length === 1 ? { node: { kind: 'dir', name: rest[0], mtime: started } } : undefined
    if (typeof roots === 'string') {
      const node = await onDisk(roots, rest.slice(1))
      if (node !== undefined && rest.length === 1) node.name = rest[0]
      return node === undefined ? undefined : { node, root: roots, sub: rest.slice(1) }
    }
    if (rest.length === 1) return { node: { kind: 'dir', name: rest[0], mtime: started } }
    const root = roots.get(rest[1])
    if (root === undefined) return undefined
    const node = await onDisk(root, rest.slice(2))
    if (node !== undefined && rest.length === 2) node.name = rest[1]
    return node === undefined ? undefined : { node, root, sub: rest.slice(2) }
  }

  return {
    /** The node at `segments` (starting with 'Libraries' or 'Albums'), or undefined. Throws EscapeError. */
    async resolve (userId: string, segments: string[]): Promise<RoNode | undefined> {
      const [area, ...rest] = segments
      if (area === LIBRARIES) return (await resolveLibrary(userId, rest))?.node
      if (area !== ALBUMS) return undefined
      if (rest.length === 0) return { kind: 'dir', name: ALBUMS, mtime: started }
      const album = (await albums(userId)).get(rest[0])
      if (album === undefined) return undefined
      if (rest.length === 1) return { kind: 'dir', name: rest[0], mtime: album.updated_at }
      if (rest.length > 2) return undefined
      const a = (await albumFiles(album.id)).get(rest[1])
      return a === undefined ? undefined : { kind: 'file', name: rest[1], size: Number(a.file_size), mtime: a.file_modified_at, file: a.original_path }
    },

    /** The entries of the folder at `segments`, or undefined when it is not a folder. */
    async list (userId: string, segments: string[]): Promise<RoNode[] | undefined> {
      const [area, ...rest] = segments
      if (area === ALBUMS) {
        if (rest.length === 0) return [...(await albums(userId))].map(([name, a]) => ({ kind: 'dir' as const, name, mtime: a.updated_at }))
        if (rest.length !== 1) return undefined
        const album = (await albums(userId)).get(rest[0])
        if (album === undefined) return undefined
        return [...(await albumFiles(album.id))].map(([name, a]) => ({ kind: 'file' as const, name, size: Number(a.file_size), mtime: a.file_modified_at, file: a.original_path }))
      }
      if (area !== LIBRARIES) return undefined
      if (rest.length === 0) return [...(await libraries(userId)).keys()].map((name) => ({ kind: 'dir' as const, name, mtime: started }))
      const found = await resolveLibrary(userId, rest)
      if (found === undefined || found.node.kind !== 'dir') return undefined
      if (found.root === undefined) {
        const roots = rootsOf((await libraries(userId)).get(rest[0]) ?? [])
        return roots instanceof Map ? [...roots.keys()].map((name) => ({ kind: 'dir' as const, name, mtime: started })) : []
      }
      const out: RoNode[] = []
      for (const name of (await readdir(join(found.root, ...found.sub!))).sort()) {
        try {
          const n = await onDisk(found.root, [...found.sub!, name])
          if (n !== undefined) out.push(n)
        } catch (err) {
          if (!(err instanceof EscapeError)) throw err
        }
      }
      return out
    },
  }
}

export type ReadOnlyTree = ReturnType<typeof createReadOnlyTree>
