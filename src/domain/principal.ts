/** The authenticated caller of a request. */
export interface Principal {
  userId: string;
  email: string;
  contractNumber: number;
  administrator: boolean;
  /** The token the request came with, when it used one. */
  tokenId?: string;
}

/** The request a principal acts through: what the audit record of its change names besides the principal. */
export interface RequestTrace {
  /** Method and route, e.g. `POST /wireguardgateways`. */
  operation: string;
  requestId: string;
  clientIp: string;
  /** The status the request answers when its change is made. */
  successStatus: number;
  /** The resource the path names (its last id), for changes that create none. */
  resourceId: string | null;
  /** Set once the change and its audit record have committed together. */
  recorded: boolean;
}

/** A principal acting through one request; a use case records its change in the transaction that makes it. */
export interface Actor extends Principal {
  request?: RequestTrace;
}
