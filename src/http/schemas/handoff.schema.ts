import { Type } from '@sinclair/typebox';
import { Id } from './common.schema.js';

// Requests and answers of the desktop-to-phone hand-off (handoff.routes.ts).

const Secret = () => Type.String({ minLength: 1, maxLength: 128 });

export const StartHandoffResponse = Type.Object({
  handoff_id: Type.String(),
  claim_token: Type.String(),
  watch_token: Type.String(),
  expires_at: Type.String(),
});
export const ClaimHandoffBody = Type.Object({ claim_token: Secret() });
export const ClaimHandoffResponse = Type.Object({ client_session_token: Type.String() });
export const HandoffParams = Type.Object({ sessionId: Id(), handoffId: Id() });
export const HandoffWatchHeaders = Type.Object({ 'x-handoff-watch-token': Secret() });
export const HandoffStatusResponse = Type.Object({
  state: Type.Union(['WAITING', 'CLAIMED', 'FINISHED', 'LEFT', 'EXPIRED', 'REPLACED'].map((s) => Type.Literal(s))),
  requirements_completed: Type.Integer(),
  requirements_total: Type.Integer(),
  error: Type.Optional(Type.String()),
});
