/**
 * Structured JSON logs, one line per event, on stdout (CloudWatch reads them as they are).
 * LOG_LEVEL=error keeps test output readable; nothing secret is ever passed here.
 */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 50 } as const;
type Level = Exclude<keyof typeof LEVELS, 'silent'>;

function enabled(level: Level): boolean {
  const configured = (process.env.LOG_LEVEL ?? 'info') as keyof typeof LEVELS;
  return LEVELS[level] >= (LEVELS[configured] ?? LEVELS.info);
}

export function log(level: Level, fields: Record<string, unknown>): void {
  if (!enabled(level)) return;
  const line = JSON.stringify({ level, time: new Date().toISOString(), ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
}
