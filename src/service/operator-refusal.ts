/** The operator asked for something the state does not allow (an unknown contract, another contract's datacenter). */
export class OperatorRefusal extends Error {
  override readonly name = 'OperatorRefusal';
}
