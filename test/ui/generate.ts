/**
 * Generated timeline rows for scale tests and bench/ui: `count` photos (a video in twenty) spread
 * evenly over `years` from `from`, each with a real thumbhash and one of 24 tiny real WebP
 * thumbnails (portrait, landscape and wide), inserted in a few SQL statements.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { rgbaToThumbHash } from 'thumbhash'
import type { Database } from '../../node/db/index.ts'

const VARIANTS = 24

async function makeThumbnails (dataDir: string) {
  await mkdir(join(dataDir, 'thumbs', 'generated'), { recursive: true })
  const out: Array<{ path: string, hash: Buffer, w: number, h: number }> = []
  for (let i = 0; i < VARIANTS; i++) {
    const [w, h] = i % 3 === 0 ? [188, 250] : i % 5 === 0 ? [250, 141] : [250, 188]
    const hue = (i * 360) / VARIANTS
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${hue},70%,60%)"/><stop offset="1" stop-color="hsl(${(hue + 120) % 360},60%,30%)"/></linearGradient></defs>
      <rect width="100%" height="100%" fill="url(#g)"/><circle cx="${w / 2}" cy="${h / 2}" r="${Math.min(w, h) / 4}" fill="hsl(${(hue + 200) % 360},80%,70%)"/></svg>`
    const rel = `thumbs/generated/${i}.webp`
    await sharp(Buffer.from(svg)).webp({ quality: 80 }).toFile(join(dataDir, rel))
    const small = await sharp(Buffer.from(svg)).resize(100, 100, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
    out.push({ path: rel, hash: Buffer.from(rgbaToThumbHash(small.info.width, small.info.height, small.data)), w: w * 16, h: h * 16 })
  }
  return out
}

export async function generateAssets (db: Database, { userId, dataDir, count, from, years }: { userId: string, dataDir: string, count: number, from: string, years: number }): Promise<void> {
  const thumbs = await makeThumbnails(dataDir)
  const span = Math.round(years * 365 * 86_400)
  for (let start = 0; start < count; start += 25_000) {
    await db.query(
      `INSERT INTO assets (id, owner_id, type, original_path, original_file_name, mime_type, checksum_sha1, checksum_sha256, file_size,
         file_created_at, file_modified_at, local_date_time, ingest_status, width, height, thumbhash, thumbnail_path, duration_seconds)
       SELECT gen_random_uuid(), $1, CASE WHEN g % 20 = 0 THEN 'VIDEO' ELSE 'IMAGE' END, '/gen/' || g || '.jpg', g || '.jpg', 'image/jpeg',
         decode(md5(g::text) || '00000000', 'hex'), decode(md5(g::text) || md5(g::text), 'hex'), 3000000,
         t, t, t, 'ready', (($5::int[])[1 + g % $8]), (($6::int[])[1 + g % $8]), (($7::bytea[])[1 + g % $8]), (($9::text[])[1 + g % $8]),
         CASE WHEN g % 20 = 0 THEN 12.5 END
       FROM generate_series($2::int, $3::int) AS g, LATERAL (SELECT $10::timestamptz + (g * interval '1 second' * ($11::bigint / $4::int))) AS x(t)`,
      [userId, start, Math.min(count, start + 25_000) - 1, count, thumbs.map((x) => x.w), thumbs.map((x) => x.h), thumbs.map((x) => x.hash), VARIANTS, thumbs.map((x) => x.path), from, span])
  }
  await db.query('ANALYZE assets')
}
