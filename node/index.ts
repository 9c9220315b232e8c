/**
 * The household node: wires configuration, database, services and the HTTP API together, and
 * starts and stops them in order. Everything Hearth runs goes through `createNode`.
 *
 * @example
 * const node = await createNode(loadConfig())
 * await node.start()            // migrates, recovers interrupted uploads, listens
 * console.log(node.url)
 * await node.stop()             // finishes uploads in flight, then closes
 */
import { createServer, type Server } from 'node:http'
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Logger } from 'pino'
import type Koa from 'koa'
import type { Config } from './config/schema.ts'
import type { Database } from './db/index.ts'
import { createHttpApp } from './http/app.ts'
import type { AnyRoute } from './http/route.ts'
import { createLogger } from './observability/log.ts'
import { createMetrics } from './observability/metrics.ts'
import { createLibraryStorage } from './storage/library.ts'
import { createUserService } from './users/service.ts'
import { userRoutes } from './users/routes.ts'
import { createAuthService, type AuthService } from './auth/service.ts'
import { authRoutes } from './auth/routes.ts'
import { createAssetService, userFolder } from './assets/service.ts'
import { assetRoutes } from './assets/routes.ts'
import { createAlbumService } from './albums/service.ts'
import { albumRoutes } from './albums/routes.ts'
import { activityRoutes } from './activities/routes.ts'
import { tagRoutes } from './tags/routes.ts'
import { createSharedLinkService } from './shared-links/service.ts'
import { sharedLinkAuthenticator, sharedLinkRoutes } from './shared-links/routes.ts'
import { loadLinkSecret } from './shared-links/secret.ts'
import { createTusUploads } from './assets/tus.ts'
import { serverRoutes } from './server/routes.ts'
import { createJobService, type JobService } from './jobs/service.ts'
import type { QueueName } from './jobs/queues.ts'
import type { LibraryStorage } from './storage/library.ts'
import type { AssetService } from './assets/service.ts'
import type { UserService } from './users/service.ts'
import { jobRoutes } from './jobs/routes.ts'
import { timelineRoutes } from './timeline/routes.ts'
import { stackRoutes } from './stacks/routes.ts'
import { createBackupService, openHearthDatabase } from './backups/service.ts'
import { createNotificationService, type NotificationService } from './notifications/service.ts'
import { notificationRoutes } from './notifications/routes.ts'
import { backupRoutes } from './backups/routes.ts'
import { createIngestService, type IngestService } from './ingest/service.ts'
import { createMetadataReader } from './media/metadata.ts'
import { createImageProcessor } from './media/image.ts'
import { createVideoProcessor } from './media/video.ts'
import { loadManifest, type Manifest } from './ml/models.ts'
import { createModelRuntime, type ModelRuntime } from './ml/runtime.ts'
import { createModelStore } from './ml/model-store.ts'
import { createMlService, type MlService } from './ml/service.ts'
import { createRemoteMl } from './ml/remote/client.ts'
import { createLocalMl } from './ml/remote/local.ts'
import { mlServerMiddleware } from './ml/remote/server.ts'
import { defaultMlSettings } from './ml/settings.ts'
import { mlRoutes } from './ml/routes.ts'
import { ocrStage } from './ml/ocr/stage.ts'
import { createPeople } from './people/index.ts'
import { ocrRoutes } from './ocr/routes.ts'
import { createClip } from './ml/clip/index.ts'
import { createDuplicates } from './duplicates/module.ts'
import { createSmartSearchRoutes } from './search/module.ts'
import { editRoutes } from './edits/routes.ts'
import { createPlaceService } from './places/service.ts'
import { placeRoutes } from './places/routes.ts'
import { partnerRoutes } from './partners/routes.ts'
import { folderRoutes } from './folders/routes.ts'
import { downloadRoutes } from './downloads/routes.ts'

/** What a module (the appliance's share indexing, later SFTP or federation) gets from the node. */
export interface NodeContext {
  config: Config, db: Database, log: Logger, storage: LibraryStorage, jobs: JobService, assets: AssetService, users: UserService, ingest: IngestService
  /** The ML pipeline (`ml.addStage`, `ml.models.ready/path`, `ml.remote`), its ONNX runtime, and the model packs. */
  ml: MlService, runtime: ModelRuntime, modelsDir: string, manifest: Manifest
  /** Credentials for protocols without sessions (WebDAV, SFTP), throttled together with the web login. */
  auth: AuthService
  /** In-app notifications (an admin hears of a damaged original). */
  notifications: NotificationService
}

/** A part that plugs into the node: its routes, and what to start after the node and stop before it. */
export interface NodeModule {
  name: string
  routes?: AnyRoute[]
  /** Raw HTTP handling for protocols that are not JSON routes (WebDAV at /dav/); runs before the API routes. */
  middleware?: Koa.Middleware
  start?(): Promise<void>
  stop?(): Promise<void>
}

export interface NodeOptions {
  log?: Logger
  /** Extra routes and a fallback handler (the web UI) added by the appliance. */
  extraRoutes?: AnyRoute[]
  fallback?: Koa.Middleware
  modules?: Array<(ctx: NodeContext) => NodeModule>
  /** Job workers per queue (tests use fewer). */
  jobConcurrency?: Partial<Record<QueueName, number>>
}

export async function createNode (config: Config, options: NodeOptions = {}) {
  const log = options.log ?? createLogger({ level: config.HEARTH_LOG_LEVEL, format: config.HEARTH_LOG_FORMAT })
  await mkdir(config.HEARTH_DATA_DIR, { recursive: true })
  const storage = createLibraryStorage(config.HEARTH_DATA_DIR)
  await storage.init()
  const db: Database = await openHearthDatabase(config, log.child({ component: 'backup' }))
  const metrics = createMetrics()

  const users = createUserService({
    db,
    onUserRemoved: async (user) => {
      const where = await storage.setAsideUserFolder(userFolder(user))
      log.warn({ userId: user.id, setAsideAt: where }, 'user removed; their originals were set aside, not deleted')
    },
  })
  const auth = createAuthService({
    db, users, config,
    onEvent: (event, detail) => {
      if (event === 'login') log.info(detail, 'login')
      else log.warn(detail, event === 'login-locked' ? 'login refused: too many failures' : 'login failed')
    },
  })
  const notifications = createNotificationService({ db })
  const albums = createAlbumService({ db, notifications })
  const links = createSharedLinkService({
    db, albums, secret: await loadLinkSecret(config.HEARTH_DATA_DIR),
    maxFailures: config.HEARTH_LOGIN_MAX_FAILURES, lockoutSeconds: config.HEARTH_LOGIN_LOCKOUT_SECONDS,
  })
  const jobs = createJobService({ db, log: log.child({ component: 'jobs' }), concurrency: options.jobConcurrency })
  const modelsDir = resolve(config.HEARTH_MODELS_DIR ?? resolve(config.HEARTH_DATA_DIR, 'models'))
  const manifest = await loadManifest()
  const runtime = createModelRuntime({ provider: config.HEARTH_ML_PROVIDER, threads: config.HEARTH_ML_THREADS, workers: config.HEARTH_ML_WORKERS || undefined, nice: config.HEARTH_ML_NICE, idleMs: config.HEARTH_ML_IDLE_SECONDS * 1000, log: log.child({ component: 'ml' }) })
  // Immich ML servers to send work to (HEARTH_ML_URLS), local models when none answers (node/ml/remote/).
  const remote = createRemoteMl({ urls: config.HEARTH_ML_URLS, token: config.HEARTH_ML_URLS_TOKEN, log: log.child({ component: 'ml-remote' }) })
  const ml = createMlService({
    db, jobs, log: log.child({ component: 'ml' }), dataDir: config.HEARTH_DATA_DIR, runtime, remote,
    defaults: defaultMlSettings({ urls: config.HEARTH_ML_URLS, window: config.HEARTH_ML_WINDOW, concurrency: jobs.limits }),
    models: createModelStore({ modelsDir, manifest, immichCache: config.HEARTH_IMMICH_MODEL_CACHE }),
  })
  // ML capabilities, one line each (node/ml/README.md): ml.addStage(someStage({ db, ml, ... }))
  ml.addStage(ocrStage({ db, ml, runtime }))
  const clip = createClip({ db, ml, runtime })
  ml.addStage(clip.stage)
  const duplicates = createDuplicates({ db, trash: (ownerId, ids) => assets.repo.trash(ownerId, ids) })
  ml.addStage(duplicates.stage)
  const people = createPeople({ db, dataDir: config.HEARTH_DATA_DIR, ml, runtime })
  const metadata = createMetadataReader()
  const image = createImageProcessor({ pixelLimit: config.HEARTH_MAX_IMAGE_PIXELS, metadata })
  const video = createVideoProcessor({ acceleration: config.HEARTH_VIDEO_ACCELERATION, vaapiDevice: config.HEARTH_VAAPI_DEVICE })
  const places = createPlaceService({ db, log: log.child({ component: 'places' }) })
  const ingest = createIngestService({
    db, jobs, log: log.child({ component: 'ingest' }), dataDir: config.HEARTH_DATA_DIR, metadata, image, video, transcodeHeight: config.HEARTH_TRANSCODE_HEIGHT, geocode: places.geocode,
    adoptFile: async (ownerId, path, o) => assets.adoptFile(ownerId, path, o),
    onReady: async (assetId, priority) => { await ml.enqueueAsset(assetId, priority) },
  })
  ingest.registerHandlers()
  // ingest and assets refer to each other, through closures that run only after both exist.
  const assets = createAssetService({
    db, storage, config, log, onUploadBytes: (n) => metrics.uploadBytes.inc(n),
    onCreated: async (asset) => { await ingest.enqueueAsset(asset.id, 'interactive') },
  })
  const modules = (options.modules ?? []).map((make) => make({ config, db, log, storage, jobs, assets, users, ingest, auth, ml, runtime, modelsDir, manifest, notifications }))

  let draining = false
  let inFlight = 0
  let drained: (() => void) | undefined
  const uploads = {
    begin: () => { if (draining) return false; inFlight++; metrics.uploadsInFlight.set(inFlight); return true },
    end: () => { inFlight--; metrics.uploadsInFlight.set(inFlight); if (inFlight === 0) drained?.() },
  }

  const backups = createBackupService({ db, dataDir: config.HEARTH_DATA_DIR, keep: config.HEARTH_DB_BACKUP_KEEP, log: log.child({ component: 'backup' }), notifications })
  let stopBackups = () => {}

  const routes: AnyRoute[] = []
  routes.push(
    ...serverRoutes({ db, config, storage, auth, metrics, allRoutes: () => routes, mlFeatures: () => ml.features() }),
    ...authRoutes({ auth, users, config }),
    ...userRoutes({ users }),
    ...assetRoutes({ db, assets, config, uploads, geocode: places.geocode, ingest }),
    ...albumRoutes({ albums, config, db }),
    ...activityRoutes({ db, albums, notifications }),
    ...notificationRoutes({ notifications }),
    ...tagRoutes({ db }),
    ...sharedLinkRoutes({ links, albums, config, db }),
    ...jobRoutes({
      jobs,
      // Metadata: what is missing (Immich's "Missing"), or with force every asset's again ("All"), keeping what owners set.
      onStart: (queue, o) => queue === 'metadataExtraction' ? (o.force ? ingest.refresh('all', 'backlog') : ingest.enqueueMissing()) : ml.startQueue(queue, o),
    }),
    ...mlRoutes({ ml, provider: () => runtime.provider() }),
    ...people.routes,
    ...timelineRoutes({ db }),
    ...stackRoutes({ db, dataDir: config.HEARTH_DATA_DIR }),
    ...backupRoutes({ backups }),
    ...placeRoutes({ db, config, places }),
    ...partnerRoutes({ db, notifications }),
    ...folderRoutes({ db, dataDir: config.HEARTH_DATA_DIR }),
    ...downloadRoutes({ db, albums, log: log.child({ component: 'download' }) }),
    ...ocrRoutes({ db, assets }),
    ...createSmartSearchRoutes({ db, clip: clip.text, dataDir: config.HEARTH_DATA_DIR }),
    ...duplicates.routes(config.HEARTH_DATA_DIR),
    ...editRoutes({ db, assets, dataDir: config.HEARTH_DATA_DIR }),
    ...modules.flatMap((m) => m.routes ?? []),
    ...(options.extraRoutes ?? []),
  )
  const tus = createTusUploads({
    auth, assets, storage, config, log: log.child({ component: 'tus' }), expiryMs: config.HEARTH_UPLOAD_EXPIRY_HOURS * 3_600_000,
    onCreated: async (o) => { await ingest.enqueueAsset(o.id, 'interactive') },
  })
  const app = createHttpApp({
    routes, auth, log, metrics, isDraining: () => draining, fallback: options.fallback,
    middleware: [
      tus.middleware(uploads), ...modules.flatMap((m) => m.middleware ?? []),
      // Hearth answering Immich's ML protocol at /ml/predict for other nodes, only with HEARTH_ML_SERVER_TOKEN.
      ...(config.HEARTH_ML_SERVER_TOKEN !== undefined ? [mlServerMiddleware({ token: config.HEARTH_ML_SERVER_TOKEN, local: createLocalMl({ models: ml.models, runtime, pixelLimit: config.HEARTH_MAX_IMAGE_PIXELS }), log: log.child({ component: 'ml-server' }) })] : []),
    ],
    sharedLinks: sharedLinkAuthenticator(links, config),
  })

  let server: Server | undefined
  let trashTimer: NodeJS.Timeout | undefined
  let url = ''

  return {
    config, db, log, storage, users, auth, assets, albums, links, tus, jobs, ingest, ml, places, people: people.service, runtime, modelsDir, manifest, modules, routes, app, backups,
    get url () { return url },

    async start () {
      await assets.recover()
      // Resumable uploads whose last byte arrived just before a crash: imported now, once.
      await tus.recover((id) => users.repo.byId(id))
      await auth.repo.deleteExpiredSessions()
      await jobs.start()
      const missing = await ingest.enqueueMissing()
      if (missing > 0) log.info({ assets: missing }, 'queued assets still waiting for processing')
      await ml.start()
      places.start()
      stopBackups = backups.schedule(config.HEARTH_DB_BACKUP)
      for (const m of modules) await m.start?.()
      server = createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 5_000 }, app.callback())
      await new Promise<void>((ok, fail) => {
        server!.once('error', (err: NodeJS.ErrnoException) => {
          fail(err.code === 'EADDRINUSE'
            ? new Error(`Port ${config.HEARTH_PORT} is already in use: stop the other program or set HEARTH_PORT`)
            : err)
        })
        server!.listen(config.HEARTH_PORT, config.HEARTH_HOST, () => ok())
      })
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : config.HEARTH_PORT
      const host = config.HEARTH_HOST === '0.0.0.0' || config.HEARTH_HOST === '::' ? 'localhost' : config.HEARTH_HOST
      url = config.HEARTH_PUBLIC_URL ?? `http://${host}:${port}`
      const purge = () => { assets.purgeExpiredTrash().then((n) => { if (n > 0) log.info({ purged: n }, 'emptied expired trash') }, (err: unknown) => log.error({ err }, 'trash purge failed')) }
      const cleanUploads = () => { tus.cleanUpExpired().then((n) => { if (n > 0) log.info({ removed: n }, 'removed expired unfinished uploads') }, (err: unknown) => log.error({ err }, 'cleaning expired uploads failed')) }
      trashTimer = setInterval(() => { purge(); cleanUploads() }, 3_600_000).unref()
      purge()
      cleanUploads()
      log.info({ url, engine: db.engine, dataDir: config.HEARTH_DATA_DIR }, 'Hearth is listening')
    },

    /** Stops taking work, lets uploads in flight finish (up to the grace period), then closes. */
    async stop () {
      if (draining) return
      draining = true
      clearInterval(trashTimer)
      if (server !== undefined) {
        const closed = new Promise<void>((ok) => server!.close(() => ok()))
        server.closeIdleConnections()
        const uploadsDone = inFlight === 0 ? Promise.resolve() : new Promise<void>((ok) => { drained = ok })
        const grace = new Promise<'timeout'>((ok) => setTimeout(() => ok('timeout'), config.HEARTH_SHUTDOWN_GRACE_SECONDS * 1000).unref())
        if (inFlight > 0) log.info({ uploads: inFlight }, 'waiting for uploads in flight before stopping')
        const outcome = await Promise.race([Promise.all([uploadsDone, closed]), grace])
        if (outcome === 'timeout') log.warn({ uploads: inFlight }, 'grace period over; closing connections still open')
        server.closeAllConnections()
        await closed
      }
      for (const m of [...modules].reverse()) await m.stop?.().catch((err: unknown) => log.error({ err, module: m.name }, 'module failed to stop'))
      await places.stop()
      await jobs.stop()
      stopBackups()
      await backups.idle()
      remote.close()
      await ml.stop()
      await Promise.allSettled([metadata.close(), image.close(), storage.close()])
      await db.close()
      log.info('Hearth stopped')
    },
  }
}

export type HearthNode = Awaited<ReturnType<typeof createNode>>
