/**
 * Database backups for admins, in Immich's shapes (`/api/admin/database-backups`): the list, a
 * backup made now, one downloaded (to keep a copy off this machine), and removal.
 */
import { z } from 'zod'
import { route } from '../http/route.ts'
import { BadRequestError, NotFoundError } from '../http/errors.ts'
import { sendFile } from '../http/send-file.ts'
import type { BackupService } from './service.ts'

export function backupRoutes ({ backups }: { backups: BackupService }) {
  return [
    route({
      method: 'GET', path: '/api/admin/database-backups', tag: 'Database backups', access: 'admin', permission: 'backup.list',
      summary: 'The database backups in <data>/backups, newest first (made at HEARTH_DB_BACKUP, 02:00 by default)',
      handler: async () => ({ backups: await backups.list() }),
    }),
    route({
      method: 'POST', path: '/api/admin/database-backups', tag: 'Database backups', access: 'admin', permission: 'job.create', status: 201,
      summary: 'Backs the database up now (the oldest beyond HEARTH_DB_BACKUP_KEEP go); answers when it is written',
      handler: async () => backups.create(),
    }),
    route({
      method: 'GET', path: '/api/admin/database-backups/{filename}', tag: 'Database backups', access: 'admin', permission: 'backup.download',
      summary: 'Downloads one backup, to keep a copy somewhere else',
      handler: async ({ ctx, params }) => {
        const path = backups.path(params.filename!)
        if (path === undefined) throw new NotFoundError('Backup')
        await sendFile(ctx, path, { mime: 'application/octet-stream', downloadName: params.filename!, cache: 'no-store' })
      },
    }),
    route({
      method: 'DELETE', path: '/api/admin/database-backups', tag: 'Database backups', access: 'admin', permission: 'backup.delete', status: 204,
      summary: 'Removes backups by file name (all of them or none)',
      body: z.object({ backups: z.array(z.string().max(200)).min(1, 'name at least one backup').max(1000) }),
      handler: async ({ body }) => {
        await backups.remove(body.backups).catch((err: Error) => { throw new BadRequestError(err.message) })
      },
    }),
  ]
}
