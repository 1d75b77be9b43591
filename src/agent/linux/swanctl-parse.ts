/** A section of swanctl's `--raw` output: scalar values, lists and nested sections. */
export interface RawSection {
  values: Record<string, string>;
  lists: Record<string, string[]>;
  sections: Record<string, RawSection>;
}

const emptySection = (): RawSection => ({ values: {}, lists: {}, sections: {} });

function tokenize(text: string): string[] {
  return text.match(/[^\s{}[\]]+|[{}[\]]/g) ?? [];
}

/**
 * Parses the body of every `<event> {...}` message in `swanctl --list-* --raw` output. Values
 * holding spaces (`class=pre-shared key`) keep only their first word; nothing used here has one.
 */
export function parseRawEvents(text: string, event: string): RawSection[] {
  const tokens = tokenize(text);
  const events: RawSection[] = [];
  let index = 0;
  const parseSection = (): RawSection => {
    const section = emptySection();
    while (index < tokens.length && tokens[index] !== '}') {
      const token = tokens[index++] ?? '';
      const next = tokens[index];
      if (next === '{') {
        index++;
        section.sections[token] = parseSection();
      } else if (token.endsWith('=') && next === '[') {
        index++;
        const items: string[] = [];
        while (index < tokens.length && tokens[index] !== ']') items.push(tokens[index++] ?? '');
        section.lists[token.slice(0, -1)] = items;
      } else if (token.includes('=')) {
        const at = token.indexOf('=');
        section.values[token.slice(0, at)] = token.slice(at + 1);
      }
      if (tokens[index] === ']') index++;
    }
    index++; // the closing brace
    return section;
  };
  while (index < tokens.length) {
    const token = tokens[index++];
    if (token !== '{') continue;
    const name = tokens.slice(Math.max(0, index - 3), index - 1).join(' ');
    const body = parseSection();
    if (name === event) events.push(body);
  }
  return events;
}

/** The names of the loaded connections, from `swanctl --list-conns --raw`. */
export function parseConnectionNames(text: string): string[] {
  return parseRawEvents(text, 'list-conn event').flatMap((body) => Object.keys(body.sections));
}

/** One CHILD_SA of an IKE_SA. */
export interface ObservedChildSa {
  name: string;
  state: string;
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsOut: number;
}

/** One IKE_SA with its CHILD_SAs, from `swanctl --list-sas --raw`. */
export interface ObservedIkeSa {
  connection: string;
  state: string;
  remoteHost: string | null;
  establishedSeconds: number | null;
  children: ObservedChildSa[];
}

export function parseIkeSas(text: string): ObservedIkeSa[] {
  return parseRawEvents(text, 'list-sa event').flatMap((body) =>
    Object.entries(body.sections).map(([connection, sa]) => ({
      connection,
      state: sa.values.state ?? 'UNKNOWN',
      remoteHost: sa.values['remote-host'] ?? null,
      establishedSeconds: sa.values.established !== undefined ? Number(sa.values.established) : null,
      children: Object.values(sa.sections['child-sas']?.sections ?? {}).map((child) => ({
        name: child.values.name ?? '',
        state: child.values.state ?? 'UNKNOWN',
        bytesIn: Number(child.values['bytes-in'] ?? 0),
        bytesOut: Number(child.values['bytes-out'] ?? 0),
        packetsIn: Number(child.values['packets-in'] ?? 0),
        packetsOut: Number(child.values['packets-out'] ?? 0),
      })),
    })));
}
