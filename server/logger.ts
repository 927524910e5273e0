/**
 * The one logger: one JSON line per event on stderr. Callers pass no personal data;
 * the redactor is a second line of defence for ID-number-like and secret fields.
 */
type Fields = Record<string, unknown>;

const SECRET_KEYS = /pass|token|secret|cookie|id_number|idnumber/i;
const ID_NUMBER_PATTERN = /\b\d{17}[\dXx]\b/g;

function redact(fields: Fields): Fields {
  const clean: Fields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_KEYS.test(key)) clean[key] = '[redacted]';
    else if (typeof value === 'string') clean[key] = value.replace(ID_NUMBER_PATTERN, '[id]');
    else clean[key] = value;
  }
  return clean;
}

function write(level: 'info' | 'warn' | 'error', message: string, fields: Fields = {}) {
  if (process.env.RENWU_QUIET === '1' && level === 'info') return;
  process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), level, message, ...redact(fields) })}\n`);
}

export const logger = {
  info: (message: string, fields?: Fields) => write('info', message, fields),
  warn: (message: string, fields?: Fields) => write('warn', message, fields),
  error: (message: string, fields?: Fields) => write('error', message, fields),
};
