import pino, { type DestinationStream, type Logger } from 'pino'

/** The one logger. Secrets never reach it: credentials in headers and bodies are redacted. */
export function createLogger ({ level, format, destination }: { level: string, format: 'json' | 'pretty', destination?: DestinationStream }): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { app: 'hearth' },
    redact: {
      paths: ['password', '*.password', 'newPassword', 'secret', '*.secret', 'token', '*.token', 'accessToken', 'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
      censor: '[redacted]',
    },
    ...(format === 'pretty' && destination === undefined && { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } }),
  }
  return destination !== undefined ? pino(options, destination) : pino(options)
}

/** The command line's logger: warnings and errors only, readable, for a person at a terminal. */
export const cliLogger = (): Logger => createLogger({ level: 'warn', format: 'pretty' })
