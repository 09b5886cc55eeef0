import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { expect } from 'vitest';
import { validate as precompiled } from '../generated/config-validator.js';
import { configSchema } from '../schema.js';
import { AJV_OPTIONS } from '../write-validator.js';

let compiled: ValidateFunction | undefined;

/** The schema compiled by ajv now, from schema.ts, with the generated validator's options. */
export function runtimeValidator(): ValidateFunction {
  compiled ??= new Ajv(AJV_OPTIONS).compile(configSchema);
  return compiled;
}

function errorsOf(validate: ValidateFunction, data: unknown): ErrorObject[] | null {
  validate(data);
  return validate.errors ? structuredClone(validate.errors) : null;
}

/** Fails the test unless the generated and the run-time compiled validators report the same errors. */
export function expectSameStructureErrors(data: unknown): ErrorObject[] | null {
  const expected = errorsOf(runtimeValidator(), data);
  expect(errorsOf(precompiled, data)).toEqual(expected);
  return expected;
}
