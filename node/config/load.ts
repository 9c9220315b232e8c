import { readFileSync, existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { configSchema, type Config } from './schema.ts'

/** Thrown when the configuration is invalid; `problems` lists every bad setting at once. */
export class ConfigError extends Error {
  readonly problems: string[]
  constructor (problems: string[]) {
    super(`Hearth's configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/**
 * Builds the configuration from a JSON file (HEARTH_CONFIG, or hearth.json in the data folder when
 * present) overlaid with the environment, which wins. Keys in the file are the variable names.
 */
export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = []
  let fromFile: Record<string, unknown> = {}
  const dataDir = env.HEARTH_DATA_DIR ?? './data'
  const file = env.HEARTH_CONFIG ?? (existsSync(resolve(dataDir, 'hearth.json')) ? resolve(dataDir, 'hearth.json') : undefined)
  if (file !== undefined) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        problems.push(`HEARTH_CONFIG (${file}): expected a JSON object of settings`)
      } else {
        fromFile = parsed as Record<string, unknown>
        for (const key of Object.keys(fromFile)) {
          if (!(key in configSchema.shape)) problems.push(`${key} (in ${file}): not a Hearth setting`)
        }
      }
    } catch (err) {
      problems.push(`HEARTH_CONFIG (${file}): ${(err as Error).message}`)
    }
  }
  const input: Record<string, unknown> = {}
  for (const key of Object.keys(configSchema.shape)) {
    const fromEnv = env[key]
    if (fromEnv !== undefined && fromEnv !== '') input[key] = fromEnv
    else if (key in fromFile) input[key] = fromFile[key]
  }
  const result = configSchema.safeParse(input)
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.join('.')
      problems.push(`${key}=${JSON.stringify(printable(key, input[key]))}: ${issue.message}`)
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems)
  const config = { ...result.data, HEARTH_DATA_DIR: resolve(result.data.HEARTH_DATA_DIR) }
  if (config.HEARTH_PUBLIC_URL?.startsWith('https:') === true) config.HEARTH_SECURE_COOKIES = true
  return Object.freeze(config)
}

/** A value as it may be shown in an error: never a secret, never a password inside a URL. */
function printable (key: string, value: unknown): string {
  if (value === undefined) return ''
  if (/TOKEN|SECRET|PASSWORD|KEY/i.test(key)) return '[redacted]'
  const text = String(value)
  try {
    const url = new URL(text)
    if (url.password !== '') { url.password = '***'; return url.toString() }
  } catch {
    // Not a URL: shown as it is.
  }
  return text
}
