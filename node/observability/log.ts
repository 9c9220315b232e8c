import pino, { type Logger } from 'pino'

/** The one logger. Secrets never reach it: credentials in headers and bodies are redacted. */
export function createLogger ({ level, format }: { level: string, format: 'json' | 'pretty' }): Logger {
  return pino({
    level,
    base: { app: 'hearth' },
    redact: {
      paths: ['password', '*.password', 'newPassword', 'secret', '*.secret', 'token', '*.token', 'accessToken', 'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
      censor: '[redacted]',
    },
    ...(format === 'pretty' && { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } }),
  })
}
