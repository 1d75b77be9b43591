import { unprocessable, type ApiError } from './errors.ts';

/** A Linux interface name: at most 15 characters (IFNAMSIZ less the terminator), no slash or space. */
export const HOST_INTERFACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

/** A LAN id as the connections carry it: a string of digits (at most 10, as the schema says). */
export const LAN_ID = /^[0-9]{1,10}$/;

export const isHostInterfaceName = (name: string) => HOST_INTERFACE_NAME.test(name);
export const isLanId = (id: string) => LAN_ID.test(id);

/**
 * The 422 for a connection whose datacenter belongs to another contract. It says nothing about that
 * contract, and reads the same whether the datacenter was declared or claimed.
 */
export function datacenterNotInContract(index: number): ApiError {
  return unprocessable(
    `properties.connections[${index}].datacenterId names a datacenter that does not belong to this contract.`,
    'DATACENTER_NOT_IN_CONTRACT',
  );
}

/** The key of a LAN in lookups: the datacenter id lower-cased, and the LAN id. */
export const lanKey = (datacenterId: string, lanId: string) => `${datacenterId.toLowerCase()}/${lanId}`;
