import { Type } from '@sinclair/typebox';

/** Yoti's manual_check setting, accepted on every check and task. */
export const ManualCheck = Type.Union([Type.Literal('ALWAYS'), Type.Literal('FALLBACK'), Type.Literal('NEVER')]);
