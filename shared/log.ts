/**
 * Structured JSON logs through Powertools for AWS Lambda's Logger: one JSON object per line on
 * stdout, with the Lambda context (function name, request id, cold start) once a handler has added
 * it, the correlation id (API Gateway's request id) and the X-Ray trace id. LOG_LEVEL (debug, info,
 * warn, error, silent) sets the level; LOG_LEVEL=error keeps test output readable. Nothing secret is
 * ever passed here: never a token, a header value or a body.
 */
import { Logger } from '@aws-lambda-powertools/logger';

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;

function configuredLevel(): (typeof LEVELS)[number] {
  const level = (process.env.LOG_LEVEL ?? 'info').toUpperCase();
  return (LEVELS as readonly string[]).includes(level) ? (level as (typeof LEVELS)[number]) : 'INFO';
}

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'quay-tag-service', logLevel: configuredLevel() });

/** One log line: `fields.message` (if any) is the line's message, the other fields are its keys. */
export function log(level: Level, fields: Record<string, unknown>): void {
  const { message, ...rest } = fields;
  logger[level](typeof message === 'string' ? message : (level === 'info' ? 'event' : level), rest);
}
