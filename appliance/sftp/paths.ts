/**
 * SFTP paths: every path a client sends is made absolute against the root of the user's tree and
 * normalised; anything that could escape it (`..`, NUL, backslashes, control characters) is refused.
 */
export class PathRefused extends Error {
  constructor (path: string) { super(`Permission denied: path refused: ${JSON.stringify(path)}`); this.name = 'PathRefused' }
}

/** '/Uploads/a/b.jpg' from 'Uploads/a/./b.jpg' or '/Uploads//a/b.jpg'; throws PathRefused on `..` and the like. */
export function normalizeSftpPath (raw: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) throw new PathRefused(raw)
  const parts: string[] = []
  for (const seg of raw.normalize('NFC').split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..' || seg.trim() === '..' || /^\.{2,}$/.test(seg.trim())) throw new PathRefused(raw)
    parts.push(seg)
  }
  return '/' + parts.join('/')
}

export const parentOf = (p: string) => p === '/' ? '/' : (p.slice(0, p.lastIndexOf('/')) || '/')
export const nameOf = (p: string) => p.slice(p.lastIndexOf('/') + 1)
export const joinPath = (dir: string, name: string) => dir === '/' ? `/${name}` : `${dir}/${name}`
