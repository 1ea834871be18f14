import { type TProperties, Type } from '@sinclair/typebox';

// Response schemas document the API (OpenAPI); responses are serialised with JSON.stringify (see app.ts), so
// a schema can never silently drop a field.

export const Loose = <T extends TProperties>(props: T, description?: string) =>
  Type.Object(props, { additionalProperties: true, ...(description ? { description } : {}) });

export const ErrorSchema = Type.Object(
  {
    code: Type.String(),
    message: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ property: Type.String(), message: Type.String() }))),
  },
  { $id: 'Error', description: 'Yoti error shape' },
);

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref(ErrorSchema)]));

export const Id = () => Type.String({ minLength: 1, maxLength: 128 });

export const SessionParams = Type.Object({ sessionId: Id() });
export const MediaParams = Type.Object({ sessionId: Id(), mediaId: Id() });
export const ResourceParams = Type.Object({ sessionId: Id(), resourceId: Id() });

export const SIGNED = [{ YotiSignature: [], SdkId: [] }];
