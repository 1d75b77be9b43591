import { randomUUID } from 'node:crypto';
import { conflict, forbidden, notFound } from '../domain/errors.ts';
import type { Page } from '../domain/pagination.ts';
import type { Actor, Principal } from '../domain/principal.ts';
import { GroupPrivilegeNames, type GroupCreateProperties, type UserCreateProperties, type UserUpdateProperties } from '../schemas/user-management.ts';
import { hashPassword } from '../security/passwords.ts';
import type { GroupRecord, Listing, Store, StoreReader, StoreWriter, UserRecord } from '../store/store.ts';
import { auditedTransaction } from './change-audit.ts';

/** A user with the groups it is in, or a group with its members: what the Cloud API shapes show. */
export interface UserView { user: UserRecord; groups: GroupRecord[] }
export interface GroupView { group: GroupRecord; members: UserRecord[] }

// Inside a transaction only the transaction's reader may be used: SQLite has one connection.
async function activeAdministrators(reader: StoreReader, contractNumber: number): Promise<number> {
  const all = await reader.listUsers(contractNumber, { offset: 0, limit: Number.MAX_SAFE_INTEGER });
  return all.items.filter((u) => u.administrator && u.active).length;
}

/** A group's stored properties: its name and every privilege flag, false unless given. */
function groupContent(input: GroupCreateProperties) {
  const flags = Object.fromEntries(GroupPrivilegeNames.map((name) => [name, input[name] ?? false]));
  return { properties: { name: input.name, ...flags }, accessAndManageVpn: input.accessAndManageVpn ?? false };
}

/** User and group management within the caller's contract; administrators only. */
export class UserService {
  constructor(private readonly store: Store, private readonly now: () => Date = () => new Date()) {}

  private requireAdministrator(principal: Principal) {
    if (!principal.administrator) throw forbidden('Only the contract\'s administrators manage users and groups.');
  }

  /** A change and its audit record in one transaction; `resourceIdOf` names what it created. */
  private changed<T>(actor: Actor, work: (tx: StoreWriter) => Promise<T>, resourceIdOf?: (result: T) => string): Promise<T> {
    return auditedTransaction(this.store, actor, this.now, work, resourceIdOf);
  }

  async listUsers(principal: Principal, page: Page): Promise<Listing<UserView>> {
    this.requireAdministrator(principal);
    const listing = await this.store.listUsers(principal.contractNumber, page);
    return { items: await this.withGroups(listing.items), total: listing.total };
  }

  async getUser(principal: Principal, id: string): Promise<UserView> {
    this.requireAdministrator(principal);
    const user = await this.store.findUserById(id);
    if (!user || user.contractNumber !== principal.contractNumber) throw notFound('User', id);
    return { user, groups: await this.store.listUserGroups(id) };
  }

  async createUser(principal: Actor, input: UserCreateProperties): Promise<UserView> {
    this.requireAdministrator(principal);
    const passwordHash = await hashPassword(input.password);
    const date = this.now().toISOString();
    const user: UserRecord = {
      id: randomUUID(), contractNumber: principal.contractNumber, email: input.email.toLowerCase(), passwordHash,
      firstname: input.firstname ?? '', lastname: input.lastname ?? '', administrator: input.administrator ?? false,
      active: input.active ?? true, createdDate: date, lastModifiedDate: date,
    };
    await this.changed(principal, async (tx) => {
      if (await tx.findUserByEmail(user.email)) throw conflict('properties.email is already in use.', 'DUPLICATE_EMAIL');
      await tx.insertUser(user);
    }, () => user.id);
    return { user, groups: [] };
  }

  /** PUT: replaces the user's properties (the password only when given); takes effect on the next request. */
  async updateUser(principal: Actor, id: string, input: UserUpdateProperties): Promise<UserView> {
    this.requireAdministrator(principal);
    const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
    await this.changed(principal, async (tx) => {
      await tx.lockContract(principal.contractNumber);
      const user = await tx.findUserById(id);
      if (!user || user.contractNumber !== principal.contractNumber) throw notFound('User', id);
      const holder = await tx.findUserByEmail(input.email);
      if (holder && holder.id !== id) throw conflict('properties.email is already in use.', 'DUPLICATE_EMAIL');
      const updated: UserRecord = {
        ...user, email: input.email.toLowerCase(), firstname: input.firstname ?? '', lastname: input.lastname ?? '',
        administrator: input.administrator ?? false, active: input.active ?? true, passwordHash: passwordHash ?? user.passwordHash,
        lastModifiedDate: this.now().toISOString(),
      };
      const losesAdministration = user.administrator && user.active && !(updated.administrator && updated.active);
      if (losesAdministration && (await activeAdministrators(tx, principal.contractNumber)) <= 1) {
        throw conflict('The contract\'s last active administrator must stay one.', 'LAST_ADMINISTRATOR');
      }
      await tx.updateUser(updated);
    });
    return this.getUser(principal, id);
  }

  async deleteUser(principal: Actor, id: string): Promise<void> {
    this.requireAdministrator(principal);
    await this.changed(principal, async (tx) => {
      await tx.lockContract(principal.contractNumber);
      const user = await tx.findUserById(id);
      if (!user || user.contractNumber !== principal.contractNumber) throw notFound('User', id);
      if (user.administrator && user.active && (await activeAdministrators(tx, principal.contractNumber)) <= 1) {
        throw conflict('The contract\'s last administrator cannot be deleted.', 'LAST_ADMINISTRATOR');
      }
      await tx.deleteUser(id);
    });
  }

  async listGroups(principal: Principal, page: Page): Promise<Listing<GroupView>> {
    this.requireAdministrator(principal);
    const listing = await this.store.listGroups(principal.contractNumber, page);
    const items = await Promise.all(listing.items.map(async (group) => ({ group, members: await this.store.listGroupMembers(group.id) })));
    return { items, total: listing.total };
  }

  async getGroup(principal: Principal, id: string): Promise<GroupView> {
    this.requireAdministrator(principal);
    const group = await this.store.findGroup(principal.contractNumber, id);
    if (!group) throw notFound('Group', id);
    return { group, members: await this.store.listGroupMembers(id) };
  }

  async createGroup(principal: Actor, input: GroupCreateProperties): Promise<GroupView> {
    this.requireAdministrator(principal);
    const date = this.now().toISOString();
    const group: GroupRecord = {
      id: randomUUID(), contractNumber: principal.contractNumber, ...groupContent(input), createdDate: date, lastModifiedDate: date,
    };
    await this.changed(principal, (tx) => tx.insertGroup(group), () => group.id);
    return { group, members: [] };
  }

  /** PUT: replaces the group's name and privileges; members keep their membership. */
  async updateGroup(principal: Actor, id: string, input: GroupCreateProperties): Promise<GroupView> {
    const { group } = await this.getGroup(principal, id);
    const updated: GroupRecord = { ...group, ...groupContent(input), lastModifiedDate: this.now().toISOString() };
    await this.changed(principal, (tx) => tx.updateGroup(updated));
    return this.getGroup(principal, id);
  }

  async deleteGroup(principal: Actor, id: string): Promise<void> {
    await this.getGroup(principal, id);
    await this.changed(principal, (tx) => tx.deleteGroup(id));
  }

  async addMember(principal: Actor, groupId: string, userId: string): Promise<UserView> {
    this.requireAdministrator(principal);
    await this.changed(principal, async (tx) => {
      if (!(await tx.findGroup(principal.contractNumber, groupId))) throw notFound('Group', groupId);
      const user = await tx.findUserById(userId);
      if (user?.contractNumber !== principal.contractNumber) throw notFound('User', userId);
      await tx.addGroupMember(groupId, userId);
    });
    return this.getUser(principal, userId);
  }

  /** A group's members, each with its groups, paged like the other collections. */
  async listMembers(principal: Principal, groupId: string, page: Page): Promise<Listing<UserView>> {
    const { members } = await this.getGroup(principal, groupId);
    return { items: await this.withGroups(members.slice(page.offset, page.offset + page.limit)), total: members.length };
  }

  private withGroups(users: UserRecord[]): Promise<UserView[]> {
    return Promise.all(users.map(async (user) => ({ user, groups: await this.store.listUserGroups(user.id) })));
  }

  async removeMember(principal: Actor, groupId: string, userId: string): Promise<void> {
    await this.getGroup(principal, groupId);
    await this.changed(principal, async (tx) => {
      if (!(await tx.removeGroupMember(groupId, userId))) throw notFound('Group member', userId);
    });
  }
}
