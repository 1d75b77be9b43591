import { DatacenterAdministration } from '../service/datacenter-admin.ts';
import { nameOption, optionalOption, requiredOption, runAdminCommand, uuidOption, type AdminAction, type AdminValues } from './admin-command.ts';
import { formatTable } from './output.ts';
import { UsageError } from './secret-input.ts';

const ABOUT = `Datacenters belong to one contract each: declared here by the operator, or claimed by the first
contract whose gateway names one in its connections. A gateway of another contract that names it is
refused (422). Works on the service's store (--data-dir, VPNGW_DATA_DIR or VPNGW_DATABASE_URL).
`;

function contractOption(values: AdminValues): number {
  const value = requiredOption(values, 'contract');
  if (!/^[0-9]{1,15}$/.test(value)) throw new UsageError(`--contract must be a contract number, not "${value}"`);
  return Number(value);
}

function locationOption(values: AdminValues): string | undefined {
  const value = optionalOption(values, 'location');
  if (value !== undefined && !/^[a-z0-9]+([/-][a-z0-9]+)*$/i.test(value)) throw new UsageError(`--location must look like de/fra, not "${value}"`);
  return value;
}

interface Declaration { contractNumber: number; id?: string; name?: string; location?: string }

const create: AdminAction<Declaration> = {
  synopsis: 'create --contract N [--id UUID] [--name NAME] [--location LOC]',
  options: { contract: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, location: { type: 'string' } },
  parse(values) {
    const contractNumber = contractOption(values);
    const id = values.id === undefined ? undefined : uuidOption(values, 'id');
    const name = nameOption(values);
    const location = locationOption(values);
    return { contractNumber, ...(id ? { id } : {}), ...(name !== undefined ? { name } : {}), ...(location !== undefined ? { location } : {}) };
  },
  async run(input, { store, out }) {
    const declared = await new DatacenterAdministration(store).declareDatacenter(input);
    out(`${declared.id}\n`);
  },
};

const list: AdminAction<null> = {
  synopsis: 'list',
  options: {},
  parse: () => null,
  async run(_input, { store, out }) {
    const datacenters = await store.listAllDatacenters();
    out(formatTable([
      { header: 'ID', value: (d) => d.id },
      { header: 'CONTRACT', value: (d) => d.contractNumber },
      { header: 'NAME', value: (d) => d.name },
      { header: 'DECLARED', value: (d) => (d.declared ? 'yes' : 'no (claimed)') },
    ], datacenters as unknown as Array<Record<string, unknown>>));
  },
};

/** `vpngw datacenter create|list`. */
export function datacenterCommand(argv: string[]): Promise<number> {
  return runAdminCommand('datacenter', { create, list }, ABOUT, argv);
}
