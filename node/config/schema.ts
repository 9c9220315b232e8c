/**
 * Hearth's configuration: one schema, read from the environment and an optional JSON file,
 * validated at start-up with every problem reported at once, then frozen and passed down.
 *
 * @example
 * const config = loadConfig(process.env) // throws ConfigError listing every bad variable
 */
import { hostname } from 'node:os'
import { z } from 'zod'
import cron from 'node-cron'

const port = (fallback: number) =>
  z.coerce.number({ error: 'expected a TCP port number (1-65535)' })
    .int('expected a whole number (a TCP port, 1-65535)')
    .min(0, 'expected a TCP port number (1-65535, or 0 for any free port)')
    .max(65535, 'expected a TCP port number (1-65535)')
    .default(fallback)

const bool = (fallback: boolean) =>
  z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })])
    .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes')
    .default(fallback)

const bytes = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const parsed = parseBytes(v)
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a size such as 500000000, 500MB or 2GiB' })
    return z.NEVER
  }
  return parsed
})

/** Every setting, named as its environment variable. The config file uses the same names. */
export const configSchema = z.object({
  HEARTH_DATA_DIR: z.string().min(1, 'expected a folder path').default('./data'),
  HEARTH_HOST: z.string().min(1).default('0.0.0.0'),
  HEARTH_PORT: port(2284),
  HEARTH_SFTP_PORT: port(2222),
  HEARTH_P2P_PORT: port(4001),
  /** Family federation (libp2p on HEARTH_P2P_PORT): on by default; off listens on no P2P port at all. */
  HEARTH_FEDERATION: z.enum(['on', 'off'], { error: 'expected on or off' }).default('on'),
  /** How this node introduces itself to relatives' nodes (shown in their list of paired nodes). */
  HEARTH_NODE_NAME: z.string().trim().min(1, 'expected a name such as "The Smiths"').max(100, 'expected at most 100 characters').default(hostname()),
  HEARTH_PUBLIC_URL: z.url({ error: 'expected an absolute URL such as https://photos.example.org' }).optional(),
  DATABASE_URL: z.string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL (leave it unset to use the embedded database)')
    .optional(),
  HEARTH_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
    error: 'expected one of trace, debug, info, warn, error, fatal, silent',
  }).default('info'),
  HEARTH_LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'expected json or pretty' }).default('json'),
  /** Largest single upload accepted, whatever the quota. */
  HEARTH_MAX_UPLOAD_SIZE: bytes.default(100 * 1024 ** 3),
  /** Free space kept on the data disk; an upload that would eat into it is refused with 507. */
  HEARTH_MIN_FREE_SPACE: bytes.default(256 * 1024 ** 2),
  HEARTH_TRASH_DAYS: z.coerce.number({ error: 'expected a number of days' }).int().min(0).max(3650).default(30),
  /** A resumable (tus) upload left unfinished this long after it started is deleted. */
  HEARTH_UPLOAD_EXPIRY_HOURS: z.coerce.number({ error: 'expected a number of hours' }).min(0.001).max(8760).default(72),
  /** Follow shares live with inotify where the watch limit allows (periodic rescans run anyway). */
  HEARTH_LIBRARY_WATCH: bool(true),
  /** Hours between full rescans of every share; 0 turns them off. */
  HEARTH_LIBRARY_RESCAN_HOURS: z.coerce.number({ error: 'expected a number of hours' }).min(0).max(720).default(6),
  /** Days a missing file's asset stays offline before it goes to the trash. */
  HEARTH_LIBRARY_OFFLINE_DAYS: z.coerce.number({ error: 'expected a number of days' }).int().min(0).max(3650).default(7),
  HEARTH_LOGIN_MAX_FAILURES: z.coerce.number({ error: 'expected a whole number' }).int().min(1).max(1000).default(5),
  HEARTH_LOGIN_LOCKOUT_SECONDS: z.coerce.number({ error: 'expected a number of seconds' }).int().min(1).max(86400).default(300),
  HEARTH_SESSION_DAYS: z.coerce.number({ error: 'expected a number of days' }).int().min(1).max(3650).default(90),
  /** Bearer token Prometheus sends for /metrics; without it only admins' credentials can read it. */
  HEARTH_METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  /**
   * When WebDAV accepts a password (Basic auth) over plain HTTP: `lan` (default) from loopback and
   * private addresses only (and over HTTPS, or from a trusted proxy saying X-Forwarded-Proto: https);
   * `always`; `never` (HTTPS only).
   */
  HEARTH_WEBDAV_ALLOW_HTTP: z.enum(['lan', 'always', 'never'], { error: 'expected lan, always or never' }).default('lan'),
  /** Cookies get the Secure flag; on by default when HEARTH_PUBLIC_URL is https. */
  HEARTH_SECURE_COOKIES: bool(false),
  /** Hardware video encoder for transcodes: none (CPU, x264), nvenc (NVIDIA), qsv (Intel Quick Sync), vaapi. */
  HEARTH_VIDEO_ACCELERATION: z.enum(['none', 'nvenc', 'qsv', 'vaapi'], { error: 'expected none, nvenc, qsv or vaapi' }).default('none'),
  HEARTH_VAAPI_DEVICE: z.string().default('/dev/dri/renderD128'),
  /** Height of transcoded videos (never upscaled). */
  HEARTH_TRANSCODE_HEIGHT: z.coerce.number({ error: 'expected a height in pixels such as 720' }).int().min(144).max(4320).default(720),
  /** Images with more pixels are refused (decompression bombs). */
  HEARTH_MAX_IMAGE_PIXELS: z.coerce.number({ error: 'expected a number of pixels' }).int().min(1_000_000).default(100_000_000),
  /** Where ML model packs live (`<dir>/<pack>/<file>`); default `<HEARTH_DATA_DIR>/models`. */
  HEARTH_MODELS_DIR: z.string().min(1, 'expected a folder path').optional(),
  /** ONNX Runtime execution provider: auto (CUDA when its provider and a GPU are present, else CPU), cpu or cuda. */
  HEARTH_ML_PROVIDER: z.enum(['auto', 'cpu', 'cuda'], { error: 'expected auto, cpu or cuda' }).default('auto'),
  /** Intra-op threads per model session; 0 follows the machine's cores. */
  HEARTH_ML_THREADS: z.coerce.number({ error: 'expected a whole number' }).int().min(0).max(256).default(0),
  /** Inference threads the models run in (two jobs' models run at once with two); 0: two, or one on a single core. */
  HEARTH_ML_WORKERS: z.coerce.number({ error: 'expected a whole number' }).int().min(0).max(64).default(0),
  /**
   * CPU priority of the inference threads (Linux nice, 0-19; only those threads, not Hearth's
   * main thread or the NAS's other services): with the cores busy, requests, uploads and the NAS's
   * file serving go first and the ML backlog takes what is left. 0: the same priority as the rest.
   */
  HEARTH_ML_NICE: z.coerce.number({ error: 'expected a whole number from 0 to 19' }).int().min(0).max(19).default(10), // ML_NICE (node/ml/runtime.ts)
  /** A model unloads after this many idle seconds, giving its memory back. */
  HEARTH_ML_IDLE_SECONDS: z.coerce.number({ error: 'expected a number of seconds' }).int().min(1).max(86400).default(300),
  /** An existing Immich model cache folder (`<cache>/clip/ViT-B-32__openai/visual/model.onnx`...) whose models Hearth uses as they are. */
  HEARTH_IMMICH_MODEL_CACHE: z.string().min(1, 'expected a folder path').optional(),
  /** Immich machine-learning servers to send ML work to, comma-separated; local models when none answers. */
  HEARTH_ML_URLS: z.string().default('').transform((v, ctx) => {
    const urls = v.split(',').map((u) => u.trim()).filter((u) => u !== '')
    for (const u of urls) {
      if (!/^https?:\/\/[^\s]+$/.test(u)) ctx.addIssue({ code: 'custom', message: `expected comma-separated http(s) URLs such as http://gpu-box:3003; "${u}" is not one` })
    }
    return urls
  }),
  /** Token sent (as a Bearer token) to the HEARTH_ML_URLS servers: another Hearth's HEARTH_ML_SERVER_TOKEN. Immich's own ML container needs none. */
  HEARTH_ML_URLS_TOKEN: z.string().min(1, 'expected a token').optional(),
  /** Turns on Hearth's own ML server (Immich's protocol at /ml/predict) for clients sending this Bearer token. */
  HEARTH_ML_SERVER_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  /** The default overnight window for the ML backlog (local time, HH:MM-HH:MM); admins change it at /api/system-config. */
  HEARTH_ML_WINDOW: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time window such as 01:00-06:00').default('01:00-06:00'),
  /** When the database is backed up into <data>/backups (a cron expression, local time; "off": never). */
  HEARTH_DB_BACKUP: z.string().default('0 2 * * *').refine((v) => v === 'off' || cron.validate(v), 'expected a cron expression such as "0 2 * * *" (02:00 every day), or off'),
  /** How many database backups are kept (the oldest go first). */
  HEARTH_DB_BACKUP_KEEP: z.coerce.number({ error: 'expected a number' }).int().min(1).max(1000).default(14),
  /** When every original is read again and checked against its recorded checksum (cron, local time; "off": never). */
  HEARTH_INTEGRITY_CHECK: z.string().default('0 3 1 * *').refine((v) => v === 'off' || cron.validate(v), 'expected a cron expression such as "0 3 1 * *" (03:00 on the 1st of each month), or off'),
  /** Seconds SIGTERM waits for uploads in flight before closing anyway. */
  HEARTH_SHUTDOWN_GRACE_SECONDS: z.coerce.number({ error: 'expected a number of seconds' }).int().min(0).max(3600).default(30),
})

export type Config = Readonly<z.infer<typeof configSchema>>

/** Parses "500MB", "2GiB", "1048576" (bytes). Returns undefined when it is not a size. */
export function parseBytes(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$/i.exec(value)
  if (!m) return undefined
  const unit = (m[2] ?? '').toLowerCase().replace(/b$/, '')
  const powers: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3, ti: 1024 ** 4 }
  const mult = powers[unit]
  return mult === undefined ? undefined : Math.floor(Number(m[1]) * mult)
}
