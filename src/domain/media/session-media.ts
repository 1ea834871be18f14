import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import type { ImageInspector } from '../ports/image-inspector.port.js';
import type { MediaStore } from '../ports/media-store.port.js';
import type { MediaRepository } from '../ports/repositories.port.js';
import type { MediaRecord, SessionRecord } from '../sessions/session.types.js';
import { type ImageMime, sniffImageType } from './image-type.js';

export const mediaKey = (m: Pick<MediaRecord, 'appId' | 'sessionId' | 'id'>) => `${m.appId}/${m.sessionId}/${m.id}`;

/**
 * The media of sessions: the bytes in the store and their rows. Captures (the session API, the capture page) and
 * the document tasks (portrait crops, extracted fields) all write through here, so none of them needs the
 * session service to store a file.
 */
export class SessionMedia {
  constructor(
    private readonly deps: {
      store: Pick<MediaStore, 'put'>;
      media: Pick<MediaRepository, 'create'>;
      images: ImageInspector;
      now: () => number;
      newId: () => string;
    },
  ) {}

  /**
   * Refuses (422) bytes that are not a JPEG, PNG or WebP, or whose header the decode limits forbid, before anything
   * is stored. The type is sniffed from the bytes, never trusted.
   */
  async checkImage(data: Buffer): Promise<ImageMime> {
    const contentType = sniffImageType(data);
    if (!contentType) throw new AppError('UNPROCESSABLE_IMAGE', 'The image must be a JPEG, PNG or WebP file');
    await this.deps.images.check(data);
    return contentType;
  }

  /** Stores an image as a media of the session, once checkImage() accepts it. */
  async storeImage(session: SessionRecord, data: Buffer): Promise<MediaRecord> {
    return this.store(session, 'IMAGE', await this.checkImage(data), data);
  }

  async store(
    session: SessionRecord,
    type: MediaRecord['type'],
    contentType: string,
    data: Buffer,
  ): Promise<MediaRecord> {
    const media: MediaRecord = {
      id: this.deps.newId(),
      sessionId: session.id,
      appId: session.appId,
      type,
      contentType,
      storageKey: '',
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      createdAt: this.deps.now(),
    };
    media.storageKey = mediaKey(media);
    // Bytes first: a crash between the two leaves an orphan file (erased with the session), never a dangling row.
    await this.deps.store.put(media.storageKey, data, contentType);
    await this.deps.media.create(media);
    return media;
  }
}
