import type { RequirementNeed } from '../checks/check-definition.js';
import { CHECKS, type CheckRegistry } from '../checks/registry.js';
import type { SessionSpec } from './session-spec.types.js';
import type { Requirement, ResourceRecord } from './session.types.js';

// Which captures a session needs follows from what it asks for: documents listed in required_documents, then what
// each requested check needs (its definition's needs()) and an ID document for document tasks, in a fixed order:
// an ID document, a selfie (the LIVENESS requirement), a relying-business face capture.
export function deriveRequirements(
  spec: SessionSpec,
  newId: () => string,
  checks: CheckRegistry = CHECKS,
): Requirement[] {
  const requirements: Requirement[] = [];
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
  const needs: RequirementNeed[] = spec.requested_checks.flatMap((c) => checks.get(c.type)?.needs(c.config) ?? []);
  const needsDocument = needs.some((n) => n.type === 'ID_DOCUMENT') || spec.requested_tasks.length > 0;
  if (needsDocument && !requirements.some((r) => r.type === 'ID_DOCUMENT')) {
    requirements.push({ id: newId(), type: 'ID_DOCUMENT' });
  }
  const selfies = needs.filter((n) => n.type === 'SELFIE');
  if (selfies.length) {
    const maxRetries = selfies.find((n) => n.maxRetries !== undefined)?.maxRetries;
    // A ZOOM liveness check makes the selfie an active challenge; every other face check takes it as it comes.
    const livenessType = selfies.some((n) => n.livenessType === 'ZOOM') ? 'ZOOM' : 'STATIC';
    requirements.push({
      id: newId(),
      type: 'LIVENESS',
      liveness_type: livenessType,
      max_retries: Number(maxRetries ?? 1),
    });
  }
  if (needs.some((n) => n.type === 'FACE_CAPTURE')) requirements.push({ id: newId(), type: 'FACE_CAPTURE' });
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
        // A ZOOM attempt that failed with tries left is not the capture: the user is asked to try again.
        if (requirement.liveness_type === 'ZOOM')
          return (
            r.data.zoom?.result === 'APPROVE' || livenessAttempts(requirement, resources) >= maxAttempts(requirement)
          );
        return Boolean(r.data.image_media_id);
      case 'FACE_CAPTURE':
        return Boolean(r.data.image_media_id || r.data.applicant_face_id);
    }
  });
}

export function allRequirementsMet(requirements: Requirement[], resources: ResourceRecord[]): boolean {
  return requirements.every((req) => isRequirementMet(req, resources));
}

/** max_retries counts retries after the first attempt. */
export function maxAttempts(requirement: Requirement): number {
  return 1 + (requirement.max_retries ?? 1);
}

/** Liveness attempts used on a requirement (a STATIC resource counts its uploads; a ZOOM resource is one attempt). */
export function livenessAttempts(requirement: Requirement, resources: ResourceRecord[]): number {
  return resources
    .filter((r) => r.requirementId === requirement.id && r.source === 'END_USER')
    .reduce((n, r) => n + (r.data.attempts ?? 0), 0);
}
