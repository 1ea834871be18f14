import type { DocumentEvidence, StoredDocumentRead } from '../checks/check-definition.js';
import { notAvailable } from '../checks/report.js';
import type { FaceEvidence } from '../pipeline/face-evidence.js';
import type { TaskRunner } from '../pipeline/session-pipeline.js';
import type { DocumentReader } from '../ports/document-reader.port.js';
import type { AnalysedFace, Box } from '../ports/face-engine.port.js';
import type { SessionMedia } from '../media/session-media.js';
import type { MediaStore } from '../ports/media-store.port.js';
import type { Repositories } from '../ports/repositories.port.js';
import type { MediaRecord, ResourceRecord, SessionBundle, TaskRecord } from '../sessions/session.types.js';
import { documentFields, expandedDocumentFields } from './document-fields.js';

/**
 * ID_DOCUMENT_TEXT_DATA_EXTRACTION, and the document reading it shares with the document checks (the evidence of
 * ID_DOCUMENT_AUTHENTICITY): one reading per document, stored on the resource (erased with the session), so the
 * MRZ is read once whichever runs first.
 */
export class DocumentTasks implements TaskRunner, DocumentEvidence {
  constructor(
    private readonly deps: {
      repos: Pick<Repositories, 'resources'>;
      media: Pick<MediaStore, 'get'>;
      sessionMedia: Pick<SessionMedia, 'store'>;
      reader: () => Promise<DocumentReader>;
      faces: FaceEvidence;
      now: () => number;
    },
  ) {}

  private pageMedia(bundle: SessionBundle, resource: ResourceRecord): MediaRecord[] {
    return (resource.data.pages ?? [])
      .map((p) => bundle.media.find((m) => m.id === p.media_id))
      .filter((m): m is MediaRecord => Boolean(m));
  }

  /** Reads the pages in order until one yields an MRZ; remembers the result on the resource. */
  async reading(bundle: SessionBundle, resource: ResourceRecord): Promise<StoredDocumentRead | null> {
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
  async portrait(
    bundle: SessionBundle,
    resource: ResourceRecord,
    read: StoredDocumentRead | null,
  ): Promise<{ media: MediaRecord; face: AnalysedFace } | null> {
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

  private async storeJson(bundle: SessionBundle, value: unknown): Promise<string> {
    return (
      await this.deps.sessionMedia.store(bundle.session, 'JSON', 'application/json', Buffer.from(JSON.stringify(value)))
    ).id;
  }

  /** chip_data is a wish (openidv cannot read NFC chips, and Yoti too reads the images without one): no effect. */
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
      resource.data = {
        ...resource.data,
        document_fields_media_id: await this.storeJson(bundle, documentFields(read.mrz)),
      };
    }
    if (
      read?.mrz &&
      task.config.create_expanded_document_fields === true &&
      !resource.data.expanded_document_fields_media_id
    ) {
      resource.data = {
        ...resource.data,
        expanded_document_fields_media_id: await this.storeJson(bundle, expandedDocumentFields(read.mrz)),
      };
    }
    resource.updatedAt = this.deps.now();
    await this.deps.repos.resources.update(resource);
    // Listed from the resource, not from what this run stored: a run after a worker died between the resource
    // update and the task's save finds both media already made, and must still list them.
    const generated: TaskRecord['generatedMedia'] = [
      ...(resource.data.document_id_photo_media_id
        ? [{ id: resource.data.document_id_photo_media_id, type: 'IMAGE' as const }]
        : []),
      ...(resource.data.document_fields_media_id
        ? [{ id: resource.data.document_fields_media_id, type: 'JSON' as const }]
        : []),
      ...(resource.data.expanded_document_fields_media_id
        ? [{ id: resource.data.expanded_document_fields_media_id, type: 'JSON' as const }]
        : []),
    ].filter((m) => !task.generatedMedia.some((g) => g.id === m.id));
    const recommendation = read?.mrz
      ? { value: 'PROGRESS' as const }
      : notAvailable(read?.failure?.reason ?? 'UNABLE_TO_LOAD');
    return { ...task, recommendation, generatedMedia: [...task.generatedMedia, ...generated] };
  }
}

function inside(box: Box, window: Box): boolean {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  return cx >= window.x && cx <= window.x + window.width && cy >= window.y && cy <= window.y + window.height;
}
