import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

/** A systemd unit file: each section's settings, every value of a repeated key in order. */
export type SystemdUnit = Record<string, Record<string, string[]>>;

export function readSystemdUnit(relativePath: string): SystemdUnit {
  const unit: SystemdUnit = {};
  let section: Record<string, string[]> | undefined;
  for (const raw of readFileSync(join(REPO_ROOT, relativePath), 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      section = unit[header[1]] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (!section || eq < 0) throw new Error(`${relativePath}: cannot read "${line}"`);
    (section[line.slice(0, eq).trim()] ??= []).push(line.slice(eq + 1).trim());
  }
  return unit;
}

/** The capabilities a unit's CapabilityBoundingSet= leaves (assignments add up; an empty one clears). */
export function boundingCapabilities(unit: SystemdUnit): string[] {
  let caps: string[] = [];
  for (const value of unit.Service?.CapabilityBoundingSet ?? []) caps = value === '' ? [] : [...caps, ...value.split(/\s+/)];
  return caps;
}

/**
 * `setpriv` arguments that hold a command to the unit's capability bounding set and
 * NoNewPrivileges=, as systemd starts the service (root's other powers are gone).
 */
export function unitPrivilegeLimits(unit: SystemdUnit): string[] {
  const caps = boundingCapabilities(unit).map((cap) => `+${cap.replace(/^CAP_/, '').toLowerCase()}`);
  const noNewPrivileges = unit.Service?.NoNewPrivileges?.at(-1) === 'yes';
  return [`--bounding-set=-all${caps.map((cap) => `,${cap}`).join('')}`, ...(noNewPrivileges ? ['--no-new-privs'] : [])];
}

/** One Dockerfile instruction: its keyword and its arguments (continuation lines joined). */
export interface DockerInstruction {
  keyword: string;
  args: string;
}

/** A build stage: its name and its instructions after FROM. */
export interface DockerStage {
  name: string;
  instructions: DockerInstruction[];
}

export function readDockerfile(relativePath: string): DockerStage[] {
  const stages: DockerStage[] = [];
  const lines = readFileSync(join(REPO_ROOT, relativePath), 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    let text = lines[i]?.trim() ?? '';
    if (!text || text.startsWith('#')) continue;
    while (text.endsWith('\\') && i + 1 < lines.length) {
      const next = lines[++i]?.trim() ?? '';
      if (next.startsWith('#')) continue; // a comment inside an instruction is dropped, as Docker does
      text = `${text.slice(0, -1).trimEnd()} ${next}`.trimEnd();
    }
    const [keyword = '', ...rest] = text.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      stages.push({ name: /\bAS\s+(\S+)$/i.exec(instruction.args)?.[1] ?? String(stages.length), instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** A COPY instruction's sources and destination, and the stage it copies from (undefined: the build context). */
export function copyArguments(instruction: DockerInstruction): { from?: string; sources: string[]; destination: string } {
  const words = instruction.args.split(/\s+/);
  const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((word) => !word.startsWith('--'));
  const destination = paths.pop();
  if (!destination || paths.length === 0) throw new Error(`COPY ${instruction.args}: no source or destination`);
  return { ...(from ? { from } : {}), sources: paths, destination };
}

/**
 * The command and arguments that start `command args` as systemd starts the unit's service: held to
 * its capability bounding set, with NoNewPrivileges= (through util-linux's setpriv).
 */
export function asUnitStartsIt(unitPath: string, command: string, args: string[]): [string, string[]] {
  return ['setpriv', [...unitPrivilegeLimits(readSystemdUnit(unitPath)), '--', command, ...args]];
}
