/**
 * API key permissions, named as Immich names them so Immich's tools can ask for what they need.
 * A session (password login) carries every permission its user has; an API key only those it lists.
 */
export const permissions = [
  'all',
  'apiKey.create', 'apiKey.read', 'apiKey.update', 'apiKey.delete',
  'asset.read', 'asset.update', 'asset.delete', 'asset.statistics', 'asset.view', 'asset.download', 'asset.upload',
  'album.create', 'album.read', 'album.update', 'album.delete', 'album.statistics',
  'albumAsset.create', 'albumAsset.delete',
  'activity.create', 'activity.read', 'activity.update', 'activity.delete', 'activity.statistics',
  'albumUser.create', 'albumUser.update', 'albumUser.delete',
  'sharedLink.create', 'sharedLink.read', 'sharedLink.update', 'sharedLink.delete',
  'auth.changePassword', 'pinCode.create', 'pinCode.update', 'pinCode.delete',
  'server.about', 'server.storage', 'server.statistics', 'server.metrics',
  'session.read', 'session.delete',
  'user.read', 'user.update',
  'adminUser.create', 'adminUser.read', 'adminUser.update', 'adminUser.delete',
  'job.create', 'job.read',
  'library.create', 'library.read', 'library.update', 'library.delete', 'library.statistics',
  'timeline.read',
  'person.create', 'person.read', 'person.update', 'person.delete', 'person.merge', 'person.statistics', 'person.reassign',
  'face.create', 'face.read', 'face.update', 'face.delete',
  'systemConfig.read', 'systemConfig.update',
  'tag.create', 'tag.read', 'tag.update', 'tag.delete', 'tag.asset',
  'partner.create', 'partner.read', 'partner.update', 'partner.delete',
  'folder.read',
  'stack.create', 'stack.read', 'stack.update', 'stack.delete',
  'backup.list', 'backup.download', 'backup.delete',
  'notification.read', 'notification.update', 'notification.delete',
] as const

export type Permission = typeof permissions[number]

export const isPermission = (p: string): p is Permission => (permissions as readonly string[]).includes(p)

export function hasPermission (granted: readonly string[], needed: Permission): boolean {
  return granted.includes('all') || granted.includes(needed)
}
