/**
 * People and faces in Immich's shapes: PeopleResponseDto, PersonResponseDto,
 * AssetFaceResponseDto, BulkIdResponseDto. A person or face of another user is 404, as if it
 * did not exist.
 */
import { z } from 'zod'
import type { Database } from '../db/index.ts'
import { isUuid } from '../db/ids.ts'
import { NotFoundError } from '../http/errors.ts'
import { route } from '../http/route.ts'
import { sendFile } from '../http/send-file.ts'
import { createPeopleRepo, type FaceRow, type PersonRow } from './repo.ts'
import type { PeopleService } from './service.ts'

/** Immich's PersonResponseDto. */
export function toPersonDto (p: PersonRow) {
  return {
    id: p.id,
    name: p.name,
    birthDate: p.birth_date,
    thumbnailPath: p.thumbnail_path,
    isHidden: p.is_hidden,
    isFavorite: p.is_favorite,
    updatedAt: p.updated_at.toISOString(),
  }
}

/** Immich's AssetFaceWithoutPersonResponseDto. */
export function toFaceDto (f: FaceRow) {
  return {
    id: f.id,
    imageWidth: f.image_width,
    imageHeight: f.image_height,
    boundingBoxX1: f.bounding_box_x1,
    boundingBoxY1: f.bounding_box_y1,
    boundingBoxX2: f.bounding_box_x2,
    boundingBoxY2: f.bounding_box_y2,
    sourceType: f.source_type,
  }
}

/**
 * The `people` of Immich's AssetResponseDto (PersonWithFacesResponseDto[]): the people on an
 * asset with their faces there, hidden people left out. One query on the asset's faces.
 */
export async function assetPeopleDto (db: Database, assetId: string) {
  const faces = await createPeopleRepo(db).facesWithPeopleOfAsset(assetId)
  const byPerson = new Map<string, ReturnType<typeof toPersonDto> & { faces: Array<ReturnType<typeof toFaceDto>> }>()
  for (const { face, person } of faces) {
    if (person.is_hidden) continue
    let entry = byPerson.get(person.id)
    if (entry === undefined) { entry = { ...toPersonDto(person), faces: [] }; byPerson.set(person.id, entry) }
    entry.faces.push(toFaceDto(face))
  }
  return [...byPerson.values()]
}

const birthDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'birthDate: expected YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s)), 'birthDate: not a date').nullable()
const personUpdate = z.object({
  name: z.string().max(500).optional(),
  birthDate: birthDate.optional(),
  isHidden: z.boolean().optional(),
  isFavorite: z.boolean().optional(),
  featureFaceAssetId: z.uuid({ error: 'featureFaceAssetId: expected an asset id' }).optional(),
  color: z.string().max(50).optional(),
})
const bool = z.enum(['true', 'false']).transform((v) => v === 'true')
/** Lower case without accents, for matching names as people type them ("zoe" finds Zoë). */
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()

export function peopleRoutes ({ people }: { people: PeopleService }) {
  const id = (s: string, what: string) => { if (!isUuid(s)) throw new NotFoundError(what); return s }
  return [
    route({
      method: 'GET', path: '/api/people', tag: 'People', access: 'user', permission: 'person.read',
      summary: 'Your people with at least one face: named and most seen first; hidden ones only with withHidden=true',
      query: z.object({ withHidden: bool.optional(), page: z.coerce.number().int().min(1).default(1), size: z.coerce.number().int().min(1).max(1000).default(500) }),
      handler: async ({ auth, query }) => {
        const { rows, total, hidden } = await people.list(auth.user.id, { withHidden: query.withHidden ?? false, page: query.page, size: query.size })
        return { total, hidden, people: rows.slice(0, query.size).map(toPersonDto), hasNextPage: rows.length > query.size }
      },
    }),
    route({
      method: 'GET', path: '/api/search/person', tag: 'Search', access: 'user', permission: 'person.read',
      summary: 'Your named people whose name, or a word in it, starts with `name` (case and accents aside), in the people list\'s order; hidden ones with withHidden=true',
      query: z.object({ name: z.string().trim().min(1, 'name: type the start of a name').max(200), withHidden: bool.optional() }),
      handler: async ({ auth, query }) => {
        const { rows } = await people.list(auth.user.id, { withHidden: query.withHidden ?? false, page: 1, size: 1_000_000 })
        const q = fold(query.name)
        return rows.filter((p) => { const name = fold(p.name); return name.startsWith(q) || name.includes(` ${q}`) || name.includes(`-${q}`) }).slice(0, 100).map(toPersonDto)
      },
    }),
    route({
      method: 'POST', path: '/api/people', tag: 'People', access: 'user', permission: 'person.create', status: 201,
      summary: 'Create a person (then give them faces with PUT /api/faces/{id}; a person with no face is not listed)',
      body: z.object({ name: z.string().max(500).optional(), birthDate: birthDate.optional(), isHidden: z.boolean().optional() }),
      handler: async ({ auth, body }) => toPersonDto(await people.create(auth.user.id, body)),
    }),
    route({
      method: 'PUT', path: '/api/people', tag: 'People', access: 'user', permission: 'person.update',
      summary: 'Update several people at once (Immich\'s BulkIdResponseDto per person)',
      body: z.object({ people: z.array(personUpdate.extend({ id: z.uuid() })).max(1000) }),
      handler: async ({ auth, body }) => {
        const out: Array<{ id: string, success: boolean, error?: string }> = []
        for (const { id: pid, ...patch } of body.people) {
          try {
            await people.update(auth.user.id, pid, patch)
            out.push({ id: pid, success: true })
          } catch (err) {
            out.push({ id: pid, success: false, error: err instanceof NotFoundError ? 'not_found' : 'unknown' })
          }
        }
        return out
      },
    }),
    route({
      method: 'GET', path: '/api/people/{id}', tag: 'People', access: 'user', permission: 'person.read',
      summary: 'One of your people',
      handler: async ({ auth, params }) => toPersonDto(await people.get(auth.user.id, id(params.id, 'Person'))),
    }),
    route({
      method: 'PUT', path: '/api/people/{id}', tag: 'People', access: 'user', permission: 'person.update',
      summary: 'Name a person, set their birth date, hide them, favourite them, or choose the feature face (an asset they are on)',
      body: personUpdate,
      handler: async ({ auth, params, body }) => toPersonDto(await people.update(auth.user.id, id(params.id, 'Person'), body)),
    }),
    route({
      method: 'POST', path: '/api/people/{id}/merge', tag: 'People', access: 'user', permission: 'person.merge',
      summary: 'Merge other people into this one: their faces move here and they are deleted',
      body: z.object({ ids: z.array(z.uuid({ error: 'ids: expected person ids' })).min(1).max(1000) }),
      handler: async ({ auth, params, body }) => people.merge(auth.user.id, id(params.id, 'Person'), body.ids),
    }),
    route({
      method: 'GET', path: '/api/people/{id}/thumbnail', tag: 'People', access: 'user', permission: 'person.read',
      summary: 'The person\'s face, cropped from the preview of their feature face (JPEG)',
      handler: async ({ ctx, auth, params }) => {
        const path = await people.thumbnail(auth.user.id, id(params.id, 'Person'))
        await sendFile(ctx, path, { mime: 'image/jpeg', cache: 'private, max-age=3600' })
      },
    }),
    route({
      method: 'GET', path: '/api/people/{id}/statistics', tag: 'People', access: 'user', permission: 'person.statistics',
      summary: 'How many of your assets the person is on',
      handler: async ({ auth, params }) => people.statistics(auth.user.id, id(params.id, 'Person')),
    }),
    route({
      method: 'GET', path: '/api/faces', tag: 'Faces', access: 'user', permission: 'face.read',
      summary: 'The faces on one of your assets (?id=<assetId>), with boxes in the preview\'s pixels and their person',
      query: z.object({ id: z.uuid({ error: 'id: expected an asset id' }) }),
      handler: async ({ auth, query }) => {
        const faces = await people.facesOfAsset(auth.user.id, query.id)
        return faces.map(({ face, person }) => ({ ...toFaceDto(face), person: person === undefined ? null : toPersonDto(person) }))
      },
    }),
    route({
      method: 'PUT', path: '/api/faces/{id}', tag: 'Faces', access: 'user', permission: 'face.update',
      summary: 'Give a face to another of your people (split a wrong grouping); returns that person',
      body: z.object({ id: z.uuid({ error: 'id: expected a person id' }) }),
      handler: async ({ auth, params, body }) => toPersonDto(await people.reassignFace(auth.user.id, id(params.id, 'Face'), body.id)),
    }),
    route({
      method: 'POST', path: '/api/faces/{id}/person', tag: 'Faces', access: 'user', permission: 'face.update', status: 201,
      summary: 'Give a face a new person of their own, with this face as their feature face (split a wrong grouping into someone not yet known); returns the person',
      handler: async ({ auth, params }) => toPersonDto(await people.splitFace(auth.user.id, id(params.id, 'Face'))),
    }),
    route({
      method: 'DELETE', path: '/api/faces/{id}', tag: 'Faces', access: 'user', permission: 'face.delete', status: 204,
      summary: 'Delete a face (it stays deleted when detection runs again)',
      handler: async ({ auth, params }) => { await people.deleteFace(auth.user.id, id(params.id, 'Face')) },
    }),
    route({
      method: 'POST', path: '/api/people/recluster', tag: 'People', access: 'admin', permission: 'job.create',
      summary: 'Re-cluster every user\'s faces into people now (named people keep their faces)',
      handler: async () => people.recluster(),
    }),
  ]
}
