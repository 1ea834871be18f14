import { Type } from '@sinclair/typebox';
import { Id } from './common.schema.js';

// Requests and answers of the relying party's face-capture routes (face-capture.routes.ts). The image upload's
// multipart body is described in openapi-extras.ts.

export const CreateFaceCaptureBody = Type.Object({ requirement_id: Id() });
export const CreateFaceCaptureResponse = Type.Object({ id: Type.String(), frames: Type.Integer() });
export const FaceCaptureApplicantBody = Type.Object({ applicant_id: Id() });
