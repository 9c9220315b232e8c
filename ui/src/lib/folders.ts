/**
 * The folder tree of the folder view, built from GET /api/view/folder/unique-paths: a share's
 * folders are absolute paths ("/volume1/photo/2019/Lisbon"), the uploads' relative to the data
 * folder ("library/ada/2024/05"). Each side starts where it branches: a chain of folders that hold
 * one folder and no photo ("/volume1/photo") is one top entry, named by its whole path.
 */

export interface Folder {
  /** The path the server knows it by (the one GET /api/view/folder takes). */
  path: string
  /** What to call it: its own name, or the whole path of a top entry. */
  name: string
  /** Whether photos lie directly in it (it is among the unique paths). */
  holds: boolean
  children: Folder[]
  parent: Folder | undefined
}

/** The top entries of one side (absolute or relative paths). */
function tops (paths: string[], absolute: boolean): Folder[] {
  const root: Folder = { path: '', name: '', holds: false, children: [], parent: undefined }
  const byPath = new Map<string, Folder>()
  for (const p of paths) {
    let node = root
    let at = ''
    for (const part of p.split('/').filter((x) => x !== '')) {
      at = absolute || at !== '' ? `${at}/${part}` : part
      let child = byPath.get(at)
      if (child === undefined) {
        child = { path: at, name: part, holds: false, children: [], parent: node }
        byPath.set(at, child)
        node.children.push(child)
      }
      node = child
    }
    node.holds = true
  }
  for (const f of [root, ...byPath.values()]) f.children.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }))
  let top = root
  while (top.children.length === 1 && !top.holds) top = top.children[0]!
  const out = top === root ? root.children : [top]
  for (const f of out) { f.parent = undefined; f.name = f.path }
  return out
}

export interface FolderTree {
  /** The shares' top entries first, then the uploads'. */
  tops: Folder[]
  find(path: string): Folder | undefined
}

export function folderTree (paths: string[]): FolderTree {
  const all = [...tops(paths.filter((p) => p.startsWith('/')), true), ...tops(paths.filter((p) => !p.startsWith('/')), false)]
  const byPath = new Map<string, Folder>()
  const index = (f: Folder): void => { byPath.set(f.path, f); f.children.forEach(index) }
  all.forEach(index)
  return { tops: all, find: (path) => byPath.get(path) }
}

/** The folders from the top entry down to `f`, for a breadcrumb. */
export function ancestry (f: Folder): Folder[] {
  const out: Folder[] = []
  for (let x: Folder | undefined = f; x !== undefined; x = x.parent) out.unshift(x)
  return out
}
