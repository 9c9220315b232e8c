/** What can be done to assets, as API calls (shared by the timeline's selection bar and the viewer). */
import { api, media } from '../api.ts'
import type { Album, Tag } from '../types.ts'

/** `items` in runs of at most `size`. */
function chunks<T> (items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))
}

export const actions = {
  /** One bulk update (PUT /api/assets) per thousand assets, not a request each. */
  async setFavorite (ids: string[], isFavorite: boolean): Promise<void> {
    for (const part of chunks(ids, 1000)) await api.put<void>('/api/assets', { ids: part, isFavorite })
  },
  /** Archive ('archive') or back to the timeline ('timeline'), a thousand at a time. */
  async setVisibility (ids: string[], visibility: 'archive' | 'timeline'): Promise<void> {
    for (const part of chunks(ids, 1000)) await api.put<void>('/api/assets', { ids: part, visibility })
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

  /** Downloads originals one after another (browsers allow a series of downloads started by one click). */
  async download (ids: string[]): Promise<void> {
    for (const id of ids) {
      const a = document.createElement('a')
      a.href = media.original(id)
      a.download = ''
      document.body.append(a)
      a.click()
      a.remove()
      if (ids.length > 1) await new Promise((r) => setTimeout(r, 300))
    }
  },
}
