import { isHostInterfaceName, isLanId } from '../domain/datacenters.ts';
import { DatacenterAdministration } from '../service/datacenter-admin.ts';
import { nameOption, requiredOption, runAdminCommand, uuidOption, type AdminAction, type AdminValues } from './admin-command.ts';
import { formatTable } from './output.ts';
import { UsageError } from './secret-input.ts';

const ABOUT = `A LAN of a datacenter is an interface of the gateway host: binding it lets the data plane attach
the gateways whose connections name that LAN. Tenants never see the interface. Works on the
service's store (--data-dir, VPNGW_DATA_DIR or VPNGW_DATABASE_URL); a running server picks a change
up on its next reconcile pass.
`;

function lanOption(values: AdminValues): string {
  const value = requiredOption(values, 'lan');
  if (!isLanId(value)) throw new UsageError(`--lan must be a LAN id of digits only (at most 10), not "${value}"`);
  return value;
}

function interfaceOption(values: AdminValues): string {
  const value = requiredOption(values, 'interface');
  if (!isHostInterfaceName(value)) {
    throw new UsageError(`--interface must be a Linux interface name (a letter or digit, then letters, digits or "_.-"; 15 at most), not "${value}"`);
  }
  return value;
}

const target = { datacenter: { type: 'string' }, lan: { type: 'string' } } as const;

const bind: AdminAction<{ datacenterId: string; lanId: string; hostInterface: string; name?: string }> = {
  synopsis: 'bind --datacenter UUID --lan ID --interface IFNAME [--name NAME]',
  options: { ...target, interface: { type: 'string' }, name: { type: 'string' } },
  parse(values) {
    const name = nameOption(values);
    return { datacenterId: uuidOption(values, 'datacenter'), lanId: lanOption(values), hostInterface: interfaceOption(values), ...(name !== undefined ? { name } : {}) };
  },
  async run(input, { store, out }) {
    await new DatacenterAdministration(store).bindLan(input);
    out(`LAN ${input.lanId} of datacenter ${input.datacenterId} is interface ${input.hostInterface}\n`);
  },
};

const unbind: AdminAction<{ datacenterId: string; lanId: string }> = {
  synopsis: 'unbind --datacenter UUID --lan ID',
  options: { ...target },
  parse: (values) => ({ datacenterId: uuidOption(values, 'datacenter'), lanId: lanOption(values) }),
  async run({ datacenterId, lanId }, { store, out }) {
    const wasBound = await new DatacenterAdministration(store).unbindLan(datacenterId, lanId);
    out(`LAN ${lanId} of datacenter ${datacenterId} ${wasBound ? 'is bound to no interface now' : 'was bound to no interface'}\n`);
  },
};

const list: AdminAction<{ datacenterId?: string }> = {
  synopsis: 'list [--datacenter UUID]',
  options: { datacenter: { type: 'string' } },
  parse: (values) => (values.datacenter === undefined ? {} : { datacenterId: uuidOption(values, 'datacenter') }),
  async run({ datacenterId }, { store, out }) {
    const lans = datacenterId === undefined
      ? await store.listAllLans()
      : (await store.listLans(datacenterId, { offset: 0, limit: Number.MAX_SAFE_INTEGER })).items;
    out(formatTable([
      { header: 'DATACENTER', value: (l) => l.datacenterId },
      { header: 'LAN', value: (l) => l.lanId },
      { header: 'NAME', value: (l) => l.name },
      { header: 'INTERFACE', value: (l) => l.hostInterface ?? '-' },
    ], lans as unknown as Array<Record<string, unknown>>));
  },
};

/** `vpngw lan bind|unbind|list`. */
export function lanCommand(argv: string[]): Promise<number> {
  return runAdminCommand('lan', { bind, unbind, list }, ABOUT, argv);
}
