import type { SessionSpec } from './session-spec.validator.js';
import type { Requirement, ResourceRecord } from './session.types.js';

// Which captures a session needs follows from what it asks for: documents listed in required_documents,
// an ID document for document checks and tasks, a selfie (liveness) for liveness, familiar face search and
// document face match, and a relying-business face capture for face comparison.
export function deriveRequirements(spec: SessionSpec, newId: () => string): Requirement[] {
  const requirements: Requirement[] = [];
  const checkTypes = new Set(spec.requested_checks.map((c) => c.type));
  for (const doc of spec.required_documents) {
    if (doc.type === 'ID_DOCUMENT') {
      requirements.push({ id: newId(), type: 'ID_DOCUMENT', ...(doc.filter ? { filter: doc.filter } : {}) });
    } else {
      requirements.push({
        id: newId(),
        type: 'SUPPLEMENTARY_DOCUMENT',
        document_types: doc.document_types ?? [],
        country_codes: doc.country_codes ?? [],
        ...(doc.objective ? { objective: doc.objective } : {}),
      });
    }
  }
  const needsDocument =
    checkTypes.has('ID_DOCUMENT_AUTHENTICITY') || checkTypes.has('ID_DOCUMENT_FACE_MATCH') || spec.requested_tasks.length > 0;
  if (needsDocument && !requirements.some((r) => r.type === 'ID_DOCUMENT')) {
    requirements.push({ id: newId(), type: 'ID_DOCUMENT' });
  }
  const liveness = spec.requested_checks.find((c) => c.type === 'LIVENESS');
  const needsSelfie = checkTypes.has('FAMILIAR_FACE_SEARCH') || checkTypes.has('ID_DOCUMENT_FACE_MATCH');
  if (liveness || needsSelfie) {
    requirements.push({
      id: newId(),
      type: 'LIVENESS',
      liveness_type: 'STATIC',
      max_retries: Number(liveness?.config.max_retries ?? 1),
    });
  }
  if (checkTypes.has('FACE_COMPARISON')) requirements.push({ id: newId(), type: 'FACE_CAPTURE' });
  return requirements;
}

/** A requirement is met once a resource fulfilling it carries its capture. */
export function isRequirementMet(requirement: Requirement, resources: ResourceRecord[]): boolean {
  return resources.some((r) => {
    if (r.requirementId !== requirement.id) return false;
    switch (requirement.type) {
      case 'ID_DOCUMENT':
      case 'SUPPLEMENTARY_DOCUMENT':
        return Boolean(r.data.complete && r.data.pages?.length);
      case 'LIVENESS':
      case 'FACE_CAPTURE':
        return Boolean(r.data.image_media_id || r.data.applicant_face_id);
    }
  });
}

export function allRequirementsMet(requirements: Requirement[], resources: ResourceRecord[]): boolean {
  return requirements.every((req) => isRequirementMet(req, resources));
}
