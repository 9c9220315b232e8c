/**
 * Photos of "the same person": the fixtures hold no second photo of anyone, so the tests make
 * variants of one photo (resized, recompressed, mirrored, rotated), each a different file.
 */
import sharp from 'sharp'

/** Variants of a photo, each a different file (so none is a duplicate upload). */
export async function variants (path: string, names: string[]): Promise<Array<{ name: string, data: Uint8Array }>> {
  const base = () => sharp(path).rotate().resize({ width: 1440, height: 1440, fit: 'inside', withoutEnlargement: true })
  const make: Record<string, () => Promise<Buffer>> = {
    original: () => base().jpeg({ quality: 92 }).toBuffer(),
    resized: () => base().resize({ width: 600 }).jpeg({ quality: 85 }).toBuffer(),
    recompressed: () => base().jpeg({ quality: 35 }).toBuffer(),
    mirrored: () => base().flop().jpeg({ quality: 90 }).toBuffer(),
    rotated: async () => sharp(await base().toBuffer()).rotate(6, { background: '#222' }).jpeg({ quality: 90 }).toBuffer(),
  }
  const tag = path.split('/').pop()!.replace(/\.\w+$/, '')
  return Promise.all(names.map(async (n) => ({ name: `${tag}-${n}.jpg`, data: new Uint8Array(await make[n]!()) })))
}

