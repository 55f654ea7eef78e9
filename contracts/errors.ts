/**
 * A secret value that does not match its contract. The message names the secret kind and the field,
 * never the value: these errors end up in logs and CloudWatch.
 */
export class SecretShapeError extends Error {
  readonly field: string;
  readonly shape: string;

  constructor(shape: string, field: string, problem: string) {
    super(`${shape} secret: field "${field}" ${problem}`);
    this.name = 'SecretShapeError';
    this.field = field;
    this.shape = shape;
  }
}
