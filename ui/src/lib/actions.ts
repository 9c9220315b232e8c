/** What can be done to assets, as API calls (shared by the timeline's selection bar and the viewer). */
import { api, media, withKey } from '../api.ts'
import { notify } from '../notify.ts'
import { navigate } from '../router.ts'
import { t } from '../strings.ts'
import type { Album, AuthStatus, Tag } from '../types.ts'

/** `items` in runs of at most `size`. */
function chunks<T> (items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))
}

export const actions = {
  /** One bulk update (PUT /api/assets) per thousand assets, not a request each. */
  async setFavorite (ids: string[], isFavorite: boolean): Promise<void> {
    for (const part of chunks(ids, 1000)) await api.put<void>('/api/assets', { ids: part, isFavorite })
  },
  /** Archive ('archive'), the locked folder ('locked', which must be open) or back to the timeline ('timeline'), a thousand at a time. */
  async setVisibility (ids: string[], visibility: 'archive' | 'locked' | 'timeline'): Promise<void> {
    for (const part of chunks(ids, 1000)) await api.put<void>('/api/assets', { ids: part, visibility })
  },
  /**
   * Before a move into the locked folder: whether this session has it open ('open'), must give
   * the PIN first ('closed'), or has no PIN yet ('no-pin': the user is told, with a way to set one).
   */
  async lockedFolder (): Promise<'open' | 'closed' | 'no-pin'> {
    const status = await api.get<AuthStatus>('/api/auth/status')
    if (status.isElevated) return 'open'
    if (status.pinCode) return 'closed'
    notify(t.locked.needsPin, { action: { label: t.locked.setUpNow, run: () => navigate('/locked') } })
    return 'no-pin'
  },
  tags: () => api.get<Tag[]>('/api/tags'),
  /** Gives the tag at `value` ("Family/Grandma", made when new) to the assets; returns it. */
  async tag (value: string, ids: string[]): Promise<Tag> {
    const [tag] = await api.put<Tag[]>('/api/tags', { tags: [value] })
    for (const part of chunks(ids, 1000)) await api.put<unknown>('/api/tags/assets', { tagIds: [tag!.id], assetIds: part })
    return tag!
  },
  untag: (tagId: string, ids: string[]) => api.del<unknown>(`/api/tags/${tagId}/assets`, { ids }),
  trash: (ids: string[]) => api.del<void>('/api/assets', { ids }),
  deleteForGood: (ids: string[]) => api.del<void>('/api/assets', { ids, force: true }),
  restore: (ids: string[]) => api.post<{ count: number }>('/api/trash/restore/assets', { ids }),
  restoreAll: () => api.post<{ count: number }>('/api/trash/restore'),
  emptyTrash: () => api.post<{ count: number }>('/api/trash/empty'),
  albums: () => api.get<Album[]>('/api/albums'),
  addToAlbum: (albumId: string, ids: string[]) => api.put<Array<{ id: string, success: boolean }>>(`/api/albums/${albumId}/assets`, { ids }),
  createAlbum: (albumName: string, assetIds: string[]) => api.post<Album>('/api/albums', { albumName, assetIds }),

  /**
   * One original as it is; several (or an album: `albumId`) as ZIP archives of at most 4 GiB each
   * (POST /api/download/info plans them, Immich's way). Each archive is a form post, so the browser
   * saves it to disk itself with its own progress; `name` names them ("Beach", "Beach (2)"…).
   * `key`: a public link's. Resolves with how many archives were asked for (0 for one original).
   */
  async download (ids: string[], o: { albumId?: string, name?: string, key?: string } = {}): Promise<number> {
    if (o.albumId === undefined && ids.length === 1) {
      const a = document.createElement('a')
      a.href = withKey(media.original(ids[0]!), o.key)
      a.download = ''
      document.body.append(a)
      a.click()
      a.remove()
      return 0
    }
    const plan = await api.post<{ archives: Array<{ assetIds: string[] }> }>(withKey('/api/download/info', o.key), o.albumId !== undefined ? { albumId: o.albumId } : { assetIds: ids })
    const base = o.name ?? `Hearth ${new Date().toISOString().slice(0, 10)}`
    for (const [i, archive] of plan.archives.entries()) {
      const form = document.createElement('form')
      form.method = 'POST'
      form.action = withKey('/api/download/archive', o.key)
      form.hidden = true
      for (const [name, value] of [['assetIds', archive.assetIds.join(',')], ['name', plan.archives.length === 1 ? base : `${base} (${i + 1})`]]) {
        const input = document.createElement('input')
        input.type = 'hidden'
        input.name = name!
        input.value = value!
        form.append(input)
      }
      document.body.append(form)
      form.submit()
      form.remove()
      if (i < plan.archives.length - 1) await new Promise((r) => setTimeout(r, 500))
    }
    return plan.archives.length
  },
}
