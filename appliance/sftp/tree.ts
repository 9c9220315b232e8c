/**
 * The tree a user sees over SFTP:
 *   /Uploads/    read-write. Lists the user's uploaded assets (not trashed, not from a library) by
 *                their file name. Files the user uploads into folders they made with MKDIR are
 *                shown there while the node runs; every other asset is shown flat in /Uploads
 *                (a name used twice gets ` ~<id>` before its extension). Folders made with MKDIR
 *                are kept in memory only (a restart shows everything flat again).
 *   /Libraries/  read-only, empty for now.
 *   /Albums/     read-only, empty for now.
 */
import type { Database } from '../../node/db/index.ts'
import { extname } from 'node:path'
import { joinPath, nameOf, parentOf } from './paths.ts'

export const UPLOADS = '/Uploads'
export const READ_ONLY_ROOTS = ['/Libraries', '/Albums']
export const ROOTS = [UPLOADS, ...READ_ONLY_ROOTS]

export interface AssetFile { id: string, original_file_name: string, original_path: string, file_size: number, file_modified_at: Date, file_created_at: Date }
export type Entry = { kind: 'dir', path: string } | { kind: 'file', path: string, asset: AssetFile } | { kind: 'pending', path: string, size: number }

export interface UserTreeState {
  folders: Set<string>
  /** Files uploaded (or renamed) to a known place: path → asset id. */
  placed: Map<string, string>
  /** Files being written right now: path → bytes so far. */
  pending: Map<string, { size: number }>
}

export const isUnderUploads = (p: string) => p === UPLOADS || p.startsWith(`${UPLOADS}/`)

export function createTreeView (db: Database) {
  const states = new Map<string, UserTreeState>()
  const stateOf = (userId: string): UserTreeState => {
    let s = states.get(userId)
    if (s === undefined) { s = { folders: new Set(), placed: new Map(), pending: new Map() }; states.set(userId, s) }
    return s
  }

  async function assetsOf (userId: string): Promise<AssetFile[]> {
    return db.query<AssetFile>(
      `SELECT id, original_file_name, original_path, file_size, file_modified_at, file_created_at FROM assets
       WHERE owner_id = $1 AND deleted_at IS NULL AND library_id IS NULL ORDER BY id`, [userId])
  }

  /** Every file of the user's tree under /Uploads: path → asset. */
  async function files (userId: string): Promise<Map<string, AssetFile>> {
    const s = stateOf(userId)
    const rows = await assetsOf(userId)
    const byId = new Map(rows.map((r) => [r.id, r]))
    const out = new Map<string, AssetFile>()
    const placedIds = new Set<string>()
    for (const [path, id] of s.placed) {
      const a = byId.get(id)
      if (a === undefined) { s.placed.delete(path); continue }
      out.set(path, a)
      placedIds.add(id)
    }
    for (const a of rows) {
      if (placedIds.has(a.id)) continue
      let path = joinPath(UPLOADS, a.original_file_name)
      if (out.has(path) || s.pending.has(path)) {
        const ext = extname(a.original_file_name)
        path = joinPath(UPLOADS, `${a.original_file_name.slice(0, a.original_file_name.length - ext.length)} ~${a.id.slice(-8)}${ext}`)
      }
      out.set(path, a)
    }
    return out
  }

  return {
    stateOf,

    async lookup (userId: string, path: string): Promise<Entry | undefined> {
      if (path === '/' || ROOTS.includes(path)) return { kind: 'dir', path }
      if (!isUnderUploads(path)) return undefined
      const s = stateOf(userId)
      if (s.folders.has(path)) return { kind: 'dir', path }
      const pending = s.pending.get(path)
      if (pending !== undefined) return { kind: 'pending', path, size: pending.size }
      const asset = (await files(userId)).get(path)
      return asset !== undefined ? { kind: 'file', path, asset } : undefined
    },

    /** The entries of a folder, or undefined when it is not one. */
    async list (userId: string, dir: string): Promise<Entry[] | undefined> {
      if (dir === '/') return ROOTS.map((p) => ({ kind: 'dir' as const, path: p }))
      if (READ_ONLY_ROOTS.includes(dir)) return []
      const s = stateOf(userId)
      if (dir !== UPLOADS && !s.folders.has(dir)) return undefined
      const out: Entry[] = []
      for (const f of s.folders) if (parentOf(f) === dir) out.push({ kind: 'dir', path: f })
      for (const [p, { size }] of s.pending) if (parentOf(p) === dir) out.push({ kind: 'pending', path: p, size })
      for (const [p, asset] of await files(userId)) if (parentOf(p) === dir && !s.pending.has(p)) out.push({ kind: 'file', path: p, asset })
      return out.sort((a, b) => nameOf(a.path).localeCompare(nameOf(b.path)))
    },
  }
}

export type TreeView = ReturnType<typeof createTreeView>
