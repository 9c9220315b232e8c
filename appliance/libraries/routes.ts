import { z } from 'zod'
import { isUuid } from '../../node/db/ids.ts'
import { NotFoundError } from '../../node/http/errors.ts'
import { route } from '../../node/http/route.ts'
import type { LibraryRow } from './repo.ts'
import type { LibraryService, ScanState } from './service.ts'
import type { WatchMode } from './watcher.ts'

const importPaths = z.array(z.string().min(1).max(4096)).max(128)
const exclusionPatterns = z.array(z.string().min(1).max(1024)).max(256)

/**
 * External libraries in Immich's shapes (LibraryResponseDto, LibraryStatsResponseDto,
 * ValidateLibraryResponseDto). Creating, changing, deleting and validating paths on the server is
 * for admins; owners see their libraries (an admin sees all), and someone else's is "not found".
 * Hearth adds `watchMode` (how changes are followed) and `scan` (where scanning stands).
 */
export function libraryRoutes ({ service, watchMode, onChanged, onRemoved }: {
  service: LibraryService
  watchMode: (libraryId: string) => { watchMode: WatchMode, reason: string }
  /** A library was created or its paths changed: (re)start following it. */
  onChanged: (library: LibraryRow) => void
  onRemoved: (libraryId: string) => void
}) {
  const dto = (l: LibraryRow, assetCount: number, scan?: ScanState) => {
    const watch = watchMode(l.id)
    return {
      id: l.id,
      ownerId: l.owner_id,
      name: l.name,
      importPaths: l.import_paths,
      exclusionPatterns: l.exclusion_patterns,
      createdAt: l.created_at.toISOString(),
      updatedAt: l.updated_at.toISOString(),
      refreshedAt: l.refreshed_at?.toISOString() ?? null,
      assetCount,
      watchMode: watch.watchMode,
      watchModeReason: watch.reason,
      ...(scan !== undefined && { scan }),
    }
  }
  const one = async (l: LibraryRow) => dto(l, (await service.statistics(l.id)).total, await service.scanState(l.id))
  const visible = async (user: { id: string, is_admin: boolean }, id: string) => {
    if (!isUuid(id)) throw new NotFoundError('Library')
    return service.visibleTo(user, id)
  }

  return [
    route({
      method: 'GET', path: '/api/libraries', tag: 'Libraries', access: 'user', permission: 'library.read',
      summary: 'External libraries: all of them for an admin, your own otherwise',
      handler: async ({ auth }) => {
        const counts = await service.repo.assetCounts()
        return (await service.repo.list(auth.user.is_admin ? undefined : auth.user.id)).map((l) => dto(l, counts.get(l.id) ?? 0))
      },
    }),
    route({
      method: 'POST', path: '/api/libraries', tag: 'Libraries', access: 'admin', permission: 'library.create', status: 201,
      summary: 'Create an external library: folders of the NAS indexed in place (default exclusions when none are given)',
      body: z.object({
        ownerId: z.uuid({ error: 'expected the id of the user who will own the library' }),
        name: z.string().trim().min(1).max(500).optional(),
        importPaths: importPaths.optional(),
        exclusionPatterns: exclusionPatterns.optional(),
      }),
      handler: async ({ body }) => {
        const library = await service.create(body)
        onChanged(library)
        return one(library)
      },
    }),
    route({
      method: 'GET', path: '/api/libraries/{id}', tag: 'Libraries', access: 'user', permission: 'library.read',
      summary: 'One library, with how its changes are followed (watchMode) and its scan progress',
      handler: async ({ auth, params }) => one(await visible(auth.user, params.id)),
    }),
    route({
      method: 'PUT', path: '/api/libraries/{id}', tag: 'Libraries', access: 'admin', permission: 'library.update',
      summary: 'Rename a library or change its import paths and exclusion patterns (a scan follows)',
      body: z.object({
        name: z.string().trim().min(1).max(500).optional(),
        importPaths: importPaths.optional(),
        exclusionPatterns: exclusionPatterns.optional(),
      }),
      handler: async ({ auth, params, body }) => {
        await visible(auth.user, params.id)
        const library = await service.update(params.id, body)
        if (body.importPaths !== undefined || body.exclusionPatterns !== undefined) onChanged(library)
        return one(library)
      },
    }),
    route({
      method: 'DELETE', path: '/api/libraries/{id}', tag: 'Libraries', access: 'admin', permission: 'library.delete', status: 204,
      summary: 'Delete a library and its assets from Hearth (the files on the share are never touched)',
      handler: async ({ auth, params }) => {
        await visible(auth.user, params.id)
        onRemoved(params.id)
        await service.remove(params.id)
      },
    }),
    route({
      method: 'POST', path: '/api/libraries/{id}/scan', tag: 'Libraries', access: 'user', permission: 'library.update', status: 204,
      summary: 'Queue a scan of the library (new, changed, moved and deleted files); for its owner or an admin',
      handler: async ({ auth, params }) => {
        await visible(auth.user, params.id)
        await service.enqueueScan(params.id)
      },
    }),
    route({
      method: 'GET', path: '/api/libraries/{id}/statistics', tag: 'Libraries', access: 'user', permission: 'library.statistics',
      summary: 'Photos, videos, total and bytes of a library (not counting trashed assets); offline among them',
      handler: async ({ auth, params }) => {
        await visible(auth.user, params.id)
        return service.statistics(params.id)
      },
    }),
    route({
      method: 'POST', path: '/api/libraries/{id}/validate', tag: 'Libraries', access: 'admin', permission: 'library.update',
      summary: 'Check import paths (those given, else the library\'s): exist, are folders, can be read, lie outside Hearth\'s data',
      body: z.object({ importPaths: z.array(z.string().max(4096)).max(128).optional(), exclusionPatterns: exclusionPatterns.optional() }),
      handler: async ({ auth, params, body }) => {
        const library = await visible(auth.user, params.id)
        return { importPaths: await service.validate(body.importPaths ?? library.import_paths) }
      },
    }),
  ]
}
