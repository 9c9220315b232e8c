/**
 * The folder view in Immich's shapes (`/api/view/folder`): the folders the user's photos and
 * videos are in, as they lie on disk (a share's "2019/Lisbon", the uploads' year and month), and
 * one folder's own assets. Only the owner's, and not trashed, locked or hidden ones (a live photo's
 * video). A share's folders are absolute paths; the uploads' are relative to the data folder, as
 * the assets' originalPath gives them (the data folder's place on the NAS is not told). The path only filters the owner's assets: nothing is opened on disk, so no path can reach
 * another user's files or anything outside the libraries.
 */
import { relative } from 'node:path'
import { z } from 'zod'
import type { Database } from '../db/index.ts'
import { route } from '../http/route.ts'
import type { AssetRow } from '../assets/repo.ts'
import { toAssetDto } from '../assets/dto.ts'

/** The folder part of `a.original_path` (without the last "/"), as migration 0017 indexes it. */
const FOLDER = 'left(a.original_path, length(a.original_path) - strpos(reverse(a.original_path), \'/\'))'
const SHOWN = "a.deleted_at IS NULL AND a.visibility IN ('timeline', 'archive')"

export function folderRoutes ({ db, dataDir }: { db: Database, dataDir: string }) {
  const root = dataDir.replace(/\/+$/, '')
  return [
    route({
      method: 'GET', path: '/api/view/folder/unique-paths', tag: 'View', access: 'user', permission: 'folder.read',
      summary: 'Every folder that holds one of your photos or videos (not trashed or locked), sorted: a share\'s as its path on the server, the uploads\' relative to the data folder (as originalPath gives them)',
      handler: async ({ auth }) => {
        const rows = await db.query<{ path: string, upload: boolean }>(
          `SELECT DISTINCT ${FOLDER} AS path, a.library_id IS NULL AS upload FROM assets a WHERE a.owner_id = $1 AND ${SHOWN}`, [auth.user.id])
        return [...new Set(rows.map((r) => r.upload ? relative(root, r.path) : r.path))].sort()
      },
    }),
    route({
      method: 'GET', path: '/api/view/folder', tag: 'View', access: 'user', permission: 'folder.read',
      summary: 'Your photos and videos directly in one folder (path, as unique-paths gives it), by file name; an unknown folder is an empty list',
      query: z.object({ path: z.string({ error: 'path: the folder, as /api/view/folder/unique-paths gives it' }).max(4096) }),
      handler: async ({ auth, query }) => {
        const given = query.path.length > 1 ? query.path.replace(/\/+$/, '') : query.path
        // An upload's folder is given relative to the data folder; it is joined as text, not resolved.
        const upload = !given.startsWith('/')
        const rows = await db.query<AssetRow>(
          `SELECT a.* FROM assets a WHERE a.owner_id = $1 AND ${FOLDER} = $2 AND (a.library_id IS NULL) = $3 AND ${SHOWN}
           ORDER BY a.original_path, a.id`, [auth.user.id, upload ? `${root}/${given}` : given, upload])
        return rows.map((a) => toAssetDto(a, dataDir))
      },
    }),
  ]
}
