import { printList, printResource, type CliContext, type CommandGroup, type OptionSpec, type OptionValues } from './command.ts';
import type { Column } from './output.ts';
import { propertiesFromFile } from './property-options.ts';
import { waitUntilAvailable, waitUntilGone } from './wait.ts';

type Properties = Record<string, unknown>;
type Resource = { id: string; properties: Properties; metadata?: Record<string, unknown> };
type Collection = { items: Resource[] };

/** One of the four VPN resources, as the CLI presents it. */
export interface ResourceDefinition {
  /** For messages: "WireGuard gateway". */
  noun: string;
  /** Positional arguments naming the parent (a peer's gateway), then the resource's own id argument. */
  parentArgs: string[];
  idArg: string;
  collectionPath(parents: string[]): string;
  /** For peers and tunnels: the gateway whose re-apply a --wait after delete waits for. */
  gatewayPath?(parents: string[]): string;
  columns: Column[];
  options: Record<string, OptionSpec>;
  optionsHelp: string;
  /**
   * Resolves options that need the API before they apply (`--allowed-ips auto`); `ownId` is the
   * resource being updated.
   */
  prepare?(ctx: CliContext, values: OptionValues, parents: string[], ownId?: string): Promise<OptionValues>;
  /** Applies the options over `base` (current properties on update; --from-file's on create). */
  applyOptions(base: Properties, values: OptionValues, mode: 'create' | 'update'): Properties;
}

const itemPath = (def: ResourceDefinition, args: string[]) => `${def.collectionPath(args.slice(0, -1))}/${encodeURIComponent(args[args.length - 1] ?? '')}`;

/** With --wait, returns the resource once AVAILABLE; a peer or tunnel is AVAILABLE once its gateway applied it. */
async function settled(ctx: CliContext, def: ResourceDefinition, path: string, resource: Resource): Promise<Resource> {
  if (!ctx.wait.enabled) return resource;
  return (await waitUntilAvailable(ctx, `${def.noun} ${resource.id}`, path)) as Resource;
}

async function create(ctx: CliContext, def: ResourceDefinition, given: OptionValues, parents: string[]) {
  const values = def.prepare ? await def.prepare(ctx, given, parents) : given;
  const properties = def.applyOptions(propertiesFromFile(values), values, 'create');
  const created = await ctx.client.post<Resource>(def.collectionPath(parents), { properties });
  printResource(ctx, await settled(ctx, def, `${def.collectionPath(parents)}/${created.id}`, created));
}

/** GET, change what the options say, PUT: write-only secrets left out are kept by the server. */
async function update(ctx: CliContext, def: ResourceDefinition, given: OptionValues, args: string[]) {
  const path = itemPath(def, args);
  const values = def.prepare ? await def.prepare(ctx, given, args.slice(0, -1), args[args.length - 1]) : given;
  const current = await ctx.client.get<Resource>(path);
  const base = { ...current.properties, ...propertiesFromFile(values) };
  const updated = await ctx.client.put<Resource>(path, { id: current.id, properties: def.applyOptions(base, values, 'update') });
  printResource(ctx, await settled(ctx, def, path, updated));
}

async function remove(ctx: CliContext, def: ResourceDefinition, args: string[]) {
  const path = itemPath(def, args);
  const id = args[args.length - 1] ?? '';
  await ctx.client.delete(path);
  if (ctx.wait.enabled) {
    await waitUntilGone(ctx, `${def.noun} ${id}`, path);
    // A peer or tunnel is gone from the API at once; the data plane has dropped it when its gateway is AVAILABLE again.
    if (def.gatewayPath) await waitUntilAvailable(ctx, `gateway ${args[0] ?? ''}`, def.gatewayPath(args.slice(0, -1)));
  }
  if (ctx.output === 'json') ctx.out(`${JSON.stringify({ id, deleted: true })}\n`);
  else ctx.out(`${def.noun} ${id} ${ctx.wait.enabled ? 'deleted' : 'is being deleted'}\n`);
}

/** list, get, create, update and delete for one VPN resource. */
export function resourceCommands(def: ResourceDefinition): CommandGroup {
  const parents = def.parentArgs;
  const ids = [...parents, def.idArg];
  return {
    list: {
      summary: `List the ${def.noun}s.`, args: parents,
      async run(ctx, _values, args) {
        const collection = await ctx.client.get<Collection>(`${def.collectionPath(args)}?limit=1000`);
        printList(ctx, def.columns, collection, collection.items);
      },
    },
    get: {
      summary: `Show one ${def.noun}.`, args: ids,
      async run(ctx, _values, args) {
        printResource(ctx, await ctx.client.get(itemPath(def, args)));
      },
    },
    create: {
      summary: `Create a ${def.noun}.`, args: parents, options: def.options, optionsHelp: def.optionsHelp,
      run: (ctx, values, args) => create(ctx, def, values, args),
    },
    update: {
      summary: `Change a ${def.noun}: the given options replace those properties, the others stay.`, args: ids, options: def.options, optionsHelp: def.optionsHelp,
      run: (ctx, values, args) => update(ctx, def, values, args),
    },
    delete: {
      summary: `Delete a ${def.noun}.`, args: ids,
      run: (ctx, _values, args) => remove(ctx, def, args),
    },
  };
}
