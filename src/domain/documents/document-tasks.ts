import { approve, notAvailable, reject, report, subCheck } from '../checks/report.js';
import type { FaceEvidence } from '../pipeline/face-evidence.js';
import type { TaskRunner } from '../pipeline/session-pipeline.js';
import type { DocumentRead, DocumentReader } from '../ports/document-reader.port.js';
import type { AnalysedFace, Box } from '../ports/face-engine.port.js';
import type { SessionMedia } from '../media/session-media.js';
import type { MediaStore } from '../ports/media-store.port.js';
import type { Repositories } from '../ports/repositories.port.js';
import type { CheckRecord, MediaRecord, Report, ResourceRecord, SessionBundle, TaskRecord } from '../sessions/session.types.js';
import { documentFields, isoCountry, typeMatches } from './document-fields.js';

export interface StoredDocumentRead extends DocumentRead {
  /** Index of the page the reading comes from (the one with the MRZ, else the first). */
  page: number;
}

/**
 * ID_DOCUMENT_TEXT_DATA_EXTRACTION and ID_DOCUMENT_AUTHENTICITY. Both rest on one reading per document,
 * stored on the resource (erased with the session), so the MRZ is read once whichever runs first.
 */
export class DocumentTasks implements TaskRunner {
  constructor(
    private readonly deps: {
      repos: Repositories;
      media: MediaStore;
      sessionMedia: Pick<SessionMedia, 'store'>;
      reader: () => Promise<DocumentReader>;
      faces: FaceEvidence;
      now: () => number;
    },
  ) {}

  private pageMedia(bundle: SessionBundle, resource: ResourceRecord): MediaRecord[] {
    return (resource.data.pages ?? []).map((p) => bundle.media.find((m) => m.id === p.media_id)).filter((m): m is MediaRecord => Boolean(m));
  }

  /** Reads the pages in order until one yields an MRZ; remembers the result on the resource. */
  private async reading(bundle: SessionBundle, resource: ResourceRecord): Promise<StoredDocumentRead | null> {
    if (resource.data.reading) return resource.data.reading as StoredDocumentRead;
    const pages = this.pageMedia(bundle, resource);
    if (!pages.length) return null;
    const reader = await this.deps.reader();
    let first: StoredDocumentRead | null = null;
    for (const [page, media] of pages.entries()) {
      const bytes = await this.deps.media.get(media.storageKey);
      if (!bytes) continue;
      const read: StoredDocumentRead = { ...(await reader.read(bytes)), page };
      first ??= read;
      if (read.mrz) {
        first = read;
        break;
      }
    }
    if (first) {
      resource.data = { ...resource.data, reading: first };
      resource.updatedAt = this.deps.now();
      await this.deps.repos.resources.update(resource);
    }
    return first;
  }

  /** The portrait: the largest face on the MRZ page inside the layout's portrait window, else on any page. */
  private async portrait(bundle: SessionBundle, resource: ResourceRecord, read: StoredDocumentRead | null): Promise<{ media: MediaRecord; face: AnalysedFace } | null> {
    const pages = this.pageMedia(bundle, resource);
    const order = read ? [pages[read.page], ...pages.filter((_, i) => i !== read.page)] : pages;
    for (const media of order) {
      if (!media) continue;
      const stored = await this.deps.faces.analyse(media);
      const window = media === pages[read?.page ?? -1] ? read?.portraitWindow : undefined;
      const face = stored.analysis.faces.find((f) => !window || inside(f.box, window)) ?? stored.analysis.faces[0];
      if (face) return { media, face };
    }
    return null;
  }

  async run(task: TaskRecord, bundle: SessionBundle): Promise<TaskRecord> {
    const resource = bundle.resources.find((r) => r.id === task.resourceId);
    if (!resource) return { ...task, recommendation: notAvailable('DOCUMENT_NOT_FOUND') };
    const read = await this.reading(bundle, resource);
    const portrait = await this.portrait(bundle, resource, read);
    if (portrait && !resource.data.document_id_photo_media_id) {
      const bytes = await this.deps.media.get(portrait.media.storageKey);
      if (bytes) {
        const crop = await (await this.deps.reader()).cropPortrait(bytes, portrait.face.box);
        const media = await this.deps.sessionMedia.store(bundle.session, 'IMAGE', 'image/jpeg', crop);
        resource.data = { ...resource.data, document_id_photo_media_id: media.id };
      }
    }
    if (read?.mrz && !resource.data.document_fields_media_id) {
      const json = Buffer.from(JSON.stringify(documentFields(read.mrz)));
      const media = await this.deps.sessionMedia.store(bundle.session, 'JSON', 'application/json', json);
      resource.data = { ...resource.data, document_fields_media_id: media.id };
    }
    resource.updatedAt = this.deps.now();
    await this.deps.repos.resources.update(resource);
    // Listed from the resource, not from what this run stored: a run after a worker died between the resource
    // update and the task's save finds both media already made, and must still list them.
    const generated: TaskRecord['generatedMedia'] = [
      ...(resource.data.document_id_photo_media_id ? [{ id: resource.data.document_id_photo_media_id, type: 'IMAGE' as const }] : []),
      ...(resource.data.document_fields_media_id ? [{ id: resource.data.document_fields_media_id, type: 'JSON' as const }] : []),
    ].filter((m) => !task.generatedMedia.some((g) => g.id === m.id));
    const recommendation = read?.mrz ? { value: 'PROGRESS' as const } : notAvailable(read?.failure?.reason ?? 'UNABLE_TO_LOAD');
    return { ...task, recommendation, generatedMedia: [...task.generatedMedia, ...generated] };
  }

  async runCheck(check: CheckRecord, bundle: SessionBundle): Promise<{ report: Report; resourcesUsed: string[] } | null> {
    if (check.type !== 'ID_DOCUMENT_AUTHENTICITY') return null;
    const resource = bundle.resources.find((r) => r.type === 'ID_DOCUMENT' && r.data.pages?.length);
    if (!resource) return { report: report(notAvailable('DOCUMENT_NOT_FOUND'), []), resourcesUsed: [] };
    const read = await this.reading(bundle, resource);
    return { report: await this.authenticity(bundle, resource, read), resourcesUsed: [resource.id] };
  }

  /**
   * Only what openidv can verify from the images: the MRZ's check digits, the expiry date, the document number,
   * agreement between the MRZ and the document the user said they hold, and a portrait on the page. Security
   * features (holograms, UV, microprint, chip) are not examined; the report says so.
   */
  private async authenticity(bundle: SessionBundle, resource: ResourceRecord, read: StoredDocumentRead | null): Promise<Report> {
    const scope = { assurance: 'MRZ_AND_IMAGE_ONLY', security_features: 'NOT_CHECKED' };
    if (!read?.mrz) {
      return report(notAvailable(read?.failure?.reason ?? 'UNABLE_TO_LOAD'), [subCheck('mrz_validation', false, { reason: read?.failure?.detail, ...scope })]);
    }
    const mrz = read.mrz;
    const today = new Date(this.deps.now()).toISOString().slice(0, 10);
    const inDate = mrz.expiryDate !== null && mrz.expiryDate >= today;
    const numberOk = mrz.checkDigits.some((c) => c.name === 'documentNumber' && c.ok);
    const typeOk = typeMatches(resource.data.document_type, mrz);
    const countryOk = !resource.data.issuing_country || isoCountry(mrz.issuingState) === resource.data.issuing_country;
    const portrait = await this.portrait(bundle, resource, read);
    const filter = bundle.session.requirements.find((r) => r.id === resource.requirementId)?.filter;
    const expiredAllowed = Boolean(filter?.allow_expired_documents);
    const breakdown = [
      subCheck('mrz_validation', true, { format: mrz.format, corrected_fields: String(mrz.correctedFields.length), ...scope }),
      subCheck('doc_number_validation', numberOk),
      subCheck('document_in_date', inDate || expiredAllowed, { expiration_date: mrz.expiryDate ?? 'NOT_IN_MRZ' }),
      subCheck('document_recognition', typeOk && countryOk, {
        document_type_expected: resource.data.document_type,
        document_code_read: mrz.documentCode,
        issuing_country_expected: resource.data.issuing_country,
        issuing_country_read: isoCountry(mrz.issuingState) ?? undefined,
      }),
      subCheck('portrait_present', Boolean(portrait)),
    ];
    let recommendation = approve();
    if (!typeOk || !countryOk) recommendation = notAvailable('INCORRECT_DOCUMENT_TYPE');
    else if (!portrait) recommendation = notAvailable('PARTIAL_PHOTO');
    else if (!inDate && !expiredAllowed) recommendation = reject('EXPIRED_DOCUMENT');
    else if (!numberOk) recommendation = notAvailable('INCORRECT_MRZ');
    return report(recommendation, breakdown);
  }
}

function inside(box: Box, window: Box): boolean {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  return cx >= window.x && cx <= window.x + window.width && cy >= window.y && cy <= window.y + window.height;
}
