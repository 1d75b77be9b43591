/** The authenticated caller of a request. */
export interface Principal {
  userId: string;
  email: string;
  contractNumber: number;
  administrator: boolean;
  /** The token the request came with, when it used one. */
  tokenId?: string;
}
