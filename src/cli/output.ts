/** One column of a human table: its header and how to read the cell from an item. */
export interface Column {
  header: string;
  value: (item: Record<string, any>) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any -- API JSON
}

export type OutputFormat = 'table' | 'json';

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(cellText).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  // A newline in a name must not break the table's rows.
  return String(value).replace(/[\r\n\t]+/g, ' ');
}

/** Aligned columns separated by two spaces, a header row first; no trailing spaces. */
export function formatTable(columns: Column[], items: Array<Record<string, unknown>>): string {
  const rows = [columns.map((c) => c.header), ...items.map((item) => columns.map((c) => cellText(c.value(item))))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return `${rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n')}\n`;
}

/** Flattens an object into `a.b.c  value` lines, for showing one resource. */
export function formatDetails(resource: Record<string, unknown>): string {
  const lines: Array<[string, string]> = [];
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(prefix ? `${prefix}.${key}` : key, inner);
    } else if (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object')) {
      value.forEach((inner, i) => walk(`${prefix}[${i}]`, inner));
    } else {
      lines.push([prefix, cellText(value)]);
    }
  };
  walk('', resource);
  const width = Math.max(0, ...lines.map(([key]) => key.length));
  return `${lines.map(([key, value]) => `${key.padEnd(width)}  ${value}`.trimEnd()).join('\n')}\n`;
}

export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
