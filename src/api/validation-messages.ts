import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { formatRules } from '../domain/formats.ts';
import type { FormatName } from '../schemas/formats.ts';

/** `/properties/connections/0/lanId` → `properties.connections[0].lanId` */
function fieldName(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((name, part) => (/^[0-9]+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part), '');
}

const article = (type: string) => (type === 'integer' || type === 'object' || type === 'array' ? `an ${type}` : `a ${type}`);

function requirement(e: FastifySchemaValidationError): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'format':
      return `must be ${formatRules[p.format as FormatName]?.expected ?? `in format ${String(p.format)}`}`;
    case 'type':
      return `must be ${article(String(p.type))}`;
    case 'enum':
      return `must be one of: ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `must be ${String(p.allowedValue)}`;
    case 'minLength':
      return `must be at least ${String(p.limit)} characters long`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters long`;
    case 'minItems':
      return `must have at least ${String(p.limit)} items`;
    case 'maxItems':
      return `must have at most ${String(p.limit)} items`;
    case 'pattern':
      return 'has an invalid format';
    default:
      return e.message ?? 'is invalid';
  }
}

/** One readable sentence per schema violation, naming the field as the client wrote it. */
export function validationMessage(e: FastifySchemaValidationError, context: string): string {
  const field = fieldName(e.instancePath);
  if (e.keyword === 'required') {
    const missing = String((e.params as { missingProperty?: unknown }).missingProperty);
    return `${field ? `${field}.` : ''}${missing} is required.`;
  }
  return `${field || (context === 'body' ? 'The request body' : context)} ${requirement(e)}.`;
}
