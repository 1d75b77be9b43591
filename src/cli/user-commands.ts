import { printList, printResource, type CommandGroup, type Subcommand } from './command.ts';
import type { Column } from './output.ts';
import { str } from './property-options.ts';
import { readSecretFile, UsageError } from './secret-input.ts';

const UM = '/cloudapi/v6/um';

type Item = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- API JSON
type Collection = { items: Item[] };

const id = (name: string, value: string | undefined) => {
  if (!value) throw new UsageError(`<${name}> is required`);
  return encodeURIComponent(value);
};

function listAndGet(path: string, noun: string, columns: Column[], idArg: string): Record<string, Subcommand> {
  return {
    list: {
      summary: `List the contract's ${noun}s.`,
      async run(ctx) {
        const collection = await ctx.client.get<Collection>(`${path}?limit=1000`);
        printList(ctx, columns, collection, collection.items);
      },
    },
    get: {
      summary: `Show one ${noun}.`, args: [idArg],
      async run(ctx, _values, [value]) {
        printResource(ctx, await ctx.client.get(`${path}/${id(idArg, value)}`));
      },
    },
    delete: {
      summary: `Delete a ${noun}.`, args: [idArg],
      async run(ctx, _values, [value]) {
        await ctx.client.delete(`${path}/${id(idArg, value)}`);
        ctx.out(ctx.output === 'json' ? `${JSON.stringify({ id: value, deleted: true })}\n` : `${noun} ${value} deleted\n`);
      },
    },
  };
}

const userColumns: Column[] = [
  { header: 'ID', value: (u) => u.id },
  { header: 'EMAIL', value: (u) => u.properties?.email },
  { header: 'NAME', value: (u) => [u.properties?.firstname, u.properties?.lastname].filter(Boolean).join(' ') },
  { header: 'ADMIN', value: (u) => u.properties?.administrator },
  { header: 'ACTIVE', value: (u) => u.properties?.active },
];

/** `vpngw user list|get|create|delete` (administrators only, like the Cloud API). */
export const userCommands: CommandGroup = {
  ...listAndGet(`${UM}/users`, 'user', userColumns, 'userId'),
  create: {
    summary: 'Create a user; the password is read from a file (or - for standard input).',
    options: { email: { type: 'string' }, firstname: { type: 'string' }, lastname: { type: 'string' }, 'user-password-file': { type: 'string' }, administrator: { type: 'boolean' } },
    optionsHelp: '--email EMAIL --user-password-file FILE|- [--firstname] [--lastname] [--administrator]',
    async run(ctx, values) {
      const email = str(values, 'email');
      const file = str(values, 'user-password-file');
      if (!email || !file) throw new UsageError('--email and --user-password-file are required');
      const properties = {
        email, password: readSecretFile(file, 'password'), administrator: values.administrator === true,
        ...(str(values, 'firstname') ? { firstname: str(values, 'firstname') } : {}),
        ...(str(values, 'lastname') ? { lastname: str(values, 'lastname') } : {}),
      };
      printResource(ctx, await ctx.client.post(`${UM}/users`, { properties }));
    },
  },
};

/** `vpngw group list|get|create|delete|users|add-user|remove-user`. */
export const groupCommands: CommandGroup = {
  ...listAndGet(`${UM}/groups`, 'group', [
    { header: 'ID', value: (g) => g.id },
    { header: 'NAME', value: (g) => g.properties?.name },
    { header: 'VPN', value: (g) => g.properties?.accessAndManageVpn },
    { header: 'USERS', value: (g) => g.entities?.users?.items?.length ?? 0 },
  ], 'groupId'),
  create: {
    summary: 'Create a group; --vpn grants its members accessAndManageVpn.',
    options: { name: { type: 'string' }, vpn: { type: 'boolean' } },
    optionsHelp: '--name NAME [--vpn]',
    async run(ctx, values) {
      const name = str(values, 'name');
      if (!name) throw new UsageError('--name is required');
      printResource(ctx, await ctx.client.post(`${UM}/groups`, { properties: { name, accessAndManageVpn: values.vpn === true } }));
    },
  },
  users: {
    summary: 'List the members of a group.', args: ['groupId'],
    async run(ctx, _values, [groupId]) {
      const collection = await ctx.client.get<Collection>(`${UM}/groups/${id('groupId', groupId)}/users?limit=1000`);
      printList(ctx, userColumns, collection, collection.items);
    },
  },
  'add-user': {
    summary: 'Add a user to a group.', args: ['groupId', 'userId'],
    async run(ctx, _values, [groupId, userId]) {
      printResource(ctx, await ctx.client.post(`${UM}/groups/${id('groupId', groupId)}/users`, { id: userId }));
    },
  },
  'remove-user': {
    summary: 'Remove a user from a group.', args: ['groupId', 'userId'],
    async run(ctx, _values, [groupId, userId]) {
      await ctx.client.delete(`${UM}/groups/${id('groupId', groupId)}/users/${id('userId', userId)}`);
      ctx.out(ctx.output === 'json' ? `${JSON.stringify({ groupId, userId, removed: true })}\n` : `user ${userId} removed from group ${groupId}\n`);
    },
  },
};
