// serve's log: one line per event on stderr, as text or (--log-format json) one
// JSON object per line. Callers pass only ids, profile names and reasons: never
// a secret, a code, a state or a cookie; values are cut and stripped of control characters.

export type LogFormat = 'text' | 'json';
export type LogFields = Record<string, string | number | boolean | undefined>;
export type Log = (event: string, fields?: LogFields) => void;

const MAX_VALUE_LENGTH = 300;

export function serveLog(format: LogFormat, write: (line: string) => void, now: () => Date): Log {
  return (event, fields = {}) => {
    const clean: Record<string, string | number | boolean> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      clean[key] = typeof value === 'string' ? value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, MAX_VALUE_LENGTH) : value;
    }
    const time = now().toISOString();
    try {
      if (format === 'json') {
        write(JSON.stringify({ time, event, ...clean }));
      } else {
        const rest = Object.entries(clean).map(([key, value]) => `${key}=${typeof value === 'string' && /[\s"=]/.test(value) ? JSON.stringify(value) : String(value)}`);
        write([time, event, ...rest].join(' '));
      }
    } catch {
      // A log line is a courtesy: a closed stderr must not take a seller's request down.
    }
  };
}
