/**
 * What the viewer's ←/→ step through: the screen that opened it (the timeline, search results, an
 * album) registers a list; `neighbour` may load more (the next month) before answering.
 */
export interface ViewerList {
  neighbour(id: string, step: 1 | -1): Promise<string | undefined>
  /** Tells the list that an asset left it (trashed from the viewer). */
  removed?(id: string): void
  /** Whether an asset's preview exists already (processed), so it can be fetched ahead. */
  ready?(id: string): boolean
  /** Tells the list to look again at everything it shows (a stack changed: its cover, its count). */
  refresh?(): void
  /** Tells the list an asset changed (favourite). */
  changed?(id: string, patch: { isFavorite?: boolean, rotation?: number }): void
}

let current: ViewerList | undefined
export const setViewerList = (list: ViewerList | undefined) => { current = list }
export const viewerList = () => current

/** A list from ids already in memory (search results, an album's assets). */
export function arrayList (ids: () => string[]): ViewerList {
  return {
    async neighbour (id, step) {
      const all = ids()
      const i = all.indexOf(id)
      return i === -1 ? undefined : all[i + step]
    },
  }
}
