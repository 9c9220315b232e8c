/**
 * Import paths: what a library may point at. A share is an absolute, existing, readable folder
 * outside Hearth's data folder and outside the system's own folders; two import paths never
 * overlap (a file belongs to one library, once).
 */
import { constants } from 'node:fs'
import { access, realpath, stat } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'

export interface ImportPathCheck { importPath: string, isValid: boolean, message?: string }

/** Folders that hold the system rather than photos: indexing them is always a mistake. */
const systemFolders = ['/', '/proc', '/sys', '/dev', '/run', '/boot', '/etc', '/bin', '/sbin', '/lib', '/lib64', '/usr', '/var/lib']

export const normalizeImportPath = (p: string) => resolve(p)

/** True when `inner` is `outer` or lies inside it (both normalised, absolute). */
export const isWithin = (inner: string, outer: string) =>
  inner === outer || inner.startsWith(outer.endsWith('/') ? outer : outer + '/')

/**
 * Checks one import path the way Immich's validate endpoint reports it: exists, is a folder,
 * can be listed, and is not Hearth's data folder or inside it (nor a system folder).
 */
export async function checkImportPath (importPath: string, dataDir: string): Promise<ImportPathCheck> {
  const bad = (message: string): ImportPathCheck => ({ importPath, isValid: false, message })
  if (importPath.includes('\0')) return bad('Import path contains a NUL character')
  if (!isAbsolute(importPath)) return bad(`Import path must be absolute, try ${resolve('/', importPath)}`)
  const normal = normalizeImportPath(importPath)
  if (systemFolders.includes(normal)) return bad(`${normal} is a system folder, not a share: point the library at the folder holding the photos`)
  let real: string
  try {
    const s = await stat(normal)
    if (!s.isDirectory()) return bad('Not a directory')
    real = await realpath(normal)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return bad('Path does not exist (ENOENT)')
    if (code === 'EACCES') return bad('Lacking read permission for folder')
    return bad(`Cannot read this folder (${code ?? (err as Error).message})`)
  }
  try {
    await access(normal, constants.R_OK | constants.X_OK)
  } catch {
    return bad('Lacking read permission for folder')
  }
  const data = await realpath(dataDir).catch(() => resolve(dataDir))
  if (isWithin(real, data)) return bad(`This folder is inside Hearth's data folder (${data}): a share must be outside it`)
  if (systemFolders.includes(real)) return bad(`${real} is a system folder, not a share`)
  return { importPath, isValid: true }
}

/** Problems with a list of import paths as a whole: relative, duplicated or nested paths. */
export function overlapProblems (paths: readonly string[]): string[] {
  const problems: string[] = []
  const normal = paths.map(normalizeImportPath)
  for (let i = 0; i < normal.length; i++) {
    for (let j = 0; j < normal.length; j++) {
      if (i === j) continue
      if (normal[i] === normal[j] && i < j) problems.push(`importPaths.${j}: ${paths[j]} is listed twice`)
      else if (normal[i] !== normal[j] && isWithin(normal[i], normal[j])) problems.push(`importPaths.${i}: ${paths[i]} lies inside ${paths[j]}, which already covers it`)
    }
  }
  return problems
}
