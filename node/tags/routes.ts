/**
 * Tags in Immich's shapes: a user's own labels, nested by "/" ("Family/Grandma"), given to their
 * assets. Only the owner's tags and assets: another user's are "not found" (404) or, in a bulk
 * answer, `no_permission`.
 */
import { z } from 'zod'
import type { Database } from '../db/index.ts'
import { isUuid } from '../db/ids.ts'
import { BadRequestError, ConflictError, NotFoundError } from '../http/errors.ts'
import { route } from '../http/route.ts'
import { createAssetRepo } from '../assets/repo.ts'
import { createTagRepo, tagPath, toTagDto } from './repo.ts'

const uuids = (what: string) => z.array(z.uuid({ error: `expected ${what} ids (UUIDs)` })).min(1, `name at least one ${what}`).max(10_000)
const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour such as #1e88e5').nullable().optional()
const name = z.string().trim().min(1, 'a tag needs a name').max(1000)

export function tagRoutes ({ db }: { db: Database }) {
  const tags = createTagRepo(db)
  const assets = createAssetRepo(db)
  const path = (value: string) => {
    const parts = tagPath(value)
    if (parts === undefined) throw new BadRequestError(`"${value}" is not a tag: a name, or names joined by "/" (Family/Grandma), none of them empty`)
    return parts
  }
  const mine = async (ownerId: string, id: string) => {
    const tag = isUuid(id) ? await tags.get(ownerId, id) : undefined
    if (tag === undefined) throw new NotFoundError('Tag')
    return tag
  }
  /**
   * Tags or untags the caller's assets among `ids` and answers for each (Immich's
   * BulkIdResponseDto): success, `unchanged` when it already was so, or `no_permission`.
   */
  const perAsset = async (ownerId: string, ids: string[], unchanged: 'duplicate' | 'not_found', change: (owned: string[]) => Promise<Set<string>>) => {
    const unique = [...new Set(ids)]
    const owned = await assets.ownedIds(ownerId, unique)
    const done = await change(owned)
    const mine = new Set(owned)
    return unique.map((id) => done.has(id) ? { id, success: true } : { id, success: false, error: mine.has(id) ? unchanged : 'no_permission' })
  }
  return [
    route({
      method: 'GET', path: '/api/tags', tag: 'Tags', access: 'user', permission: 'tag.read',
      summary: 'Your tags, by path (Family, Family/Grandma…)',
      handler: async ({ auth }) => (await tags.list(auth.user.id)).map(toTagDto),
    }),
    route({
      method: 'POST', path: '/api/tags', tag: 'Tags', access: 'user', permission: 'tag.create', status: 201,
      summary: 'A new tag (name, under parentId when given); 409 when you have it already',
      body: z.object({ name, parentId: z.uuid().nullable().optional(), color }),
      handler: async ({ auth, body }) => {
        const parent = body.parentId == null ? undefined : await mine(auth.user.id, body.parentId)
        const parts = [...(parent === undefined ? [] : path(parent.value)), ...path(body.name)]
        const { tag, created } = await tags.upsert(auth.user.id, parts, body.color ?? null)
        if (!created) throw new ConflictError(`You have the tag "${tag.value}" already`)
        return toTagDto(tag)
      },
    }),
    route({
      method: 'PUT', path: '/api/tags', tag: 'Tags', access: 'user', permission: 'tag.create',
      summary: 'Makes sure these tags exist ("Family/Grandma" makes Family too); returns them',
      body: z.object({ tags: z.array(name).min(1).max(1000) }),
      handler: async ({ auth, body }) => {
        const out = []
        for (const value of body.tags) out.push(toTagDto((await tags.upsert(auth.user.id, path(value))).tag))
        return out
      },
    }),
    route({
      method: 'PUT', path: '/api/tags/assets', tag: 'Tags', access: 'user', permission: 'tag.asset',
      summary: 'Gives every one of these tags to every one of these assets; all must be yours',
      body: z.object({ tagIds: uuids('tag'), assetIds: uuids('asset') }),
      handler: async ({ auth, body }) => {
        for (const id of new Set(body.tagIds)) await mine(auth.user.id, id)
        const assetIds = [...new Set(body.assetIds)]
        const owned = new Set(await assets.ownedIds(auth.user.id, assetIds))
        const other = assetIds.find((id) => !owned.has(id))
        if (other !== undefined) throw new NotFoundError(`Asset ${other}`)
        return { count: (await tags.tag([...new Set(body.tagIds)], assetIds)).size }
      },
    }),
    route({
      method: 'GET', path: '/api/tags/{id}', tag: 'Tags', access: 'user', permission: 'tag.read',
      summary: 'One of your tags',
      handler: async ({ auth, params }) => toTagDto(await mine(auth.user.id, params.id)),
    }),
    route({
      method: 'PUT', path: '/api/tags/{id}', tag: 'Tags', access: 'user', permission: 'tag.update',
      summary: 'A tag\'s colour (null takes it off), and Hearth\'s `name`: a new last part of its path, the tags below it moving with it (409 when that tag exists)',
      body: z.object({ color, name: name.refine((n) => !n.includes('/'), 'name: one part of the path, without "/" (to move a tag, make it again where it belongs)').optional() }),
      handler: async ({ auth, params, body }) => {
        let tag = await mine(auth.user.id, params.id)
        if (body.name !== undefined) {
          const longer = body.name.length - tag.value.slice(tag.value.lastIndexOf('/') + 1).length
          if (await tags.longestBelow(auth.user.id, tag) + longer > 1000) throw new BadRequestError('name: too long for the tags below it (a path holds at most 1,000 characters)')
          const renamed = await tags.rename(auth.user.id, tag, body.name)
          if (renamed === undefined) throw new ConflictError(`You have the tag "${[...tag.value.split('/').slice(0, -1), body.name].join('/')}" already`)
          tag = renamed
        }
        if (body.color !== undefined) tag = (await tags.setColor(auth.user.id, tag.id, body.color))!
        return toTagDto(tag)
      },
    }),
    route({
      method: 'DELETE', path: '/api/tags/{id}', tag: 'Tags', access: 'user', permission: 'tag.delete', status: 204,
      summary: 'Deletes the tag and the tags below it; the assets stay',
      handler: async ({ auth, params }) => {
        await mine(auth.user.id, params.id)
        await tags.delete(auth.user.id, params.id)
      },
    }),
    route({
      method: 'PUT', path: '/api/tags/{id}/assets', tag: 'Tags', access: 'user', permission: 'tag.asset',
      summary: 'Gives the tag to these assets; each answers success, or why not (duplicate, no_permission)',
      body: z.object({ ids: uuids('asset') }),
      handler: async ({ auth, params, body }) => {
        const tag = await mine(auth.user.id, params.id)
        return perAsset(auth.user.id, body.ids, 'duplicate', async (owned) => new Set([...await tags.tag([tag.id], owned)].map((k) => k.slice(k.indexOf(':') + 1))))
      },
    }),
    route({
      method: 'DELETE', path: '/api/tags/{id}/assets', tag: 'Tags', access: 'user', permission: 'tag.asset',
      summary: 'Takes the tag off these assets; each answers success, or why not (not_found, no_permission)',
      body: z.object({ ids: uuids('asset') }),
      handler: async ({ auth, params, body }) => {
        const tag = await mine(auth.user.id, params.id)
        return perAsset(auth.user.id, body.ids, 'not_found', (owned) => tags.untag(tag.id, owned))
      },
    }),
  ]
}
