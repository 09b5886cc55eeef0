// Types of the generated validator beside this file (see libs/config/src/write-validator.ts).
import type { ValidateFunction } from 'ajv';

export declare const validate: ValidateFunction;
export default validate;
