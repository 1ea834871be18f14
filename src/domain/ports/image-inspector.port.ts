/**
 * Checks untrusted image bytes from their header alone (format, dimensions, estimated decoding memory) before
 * they are stored: an image no decoder of the server may open is refused at the door instead of failing later in
 * a job. Refusals are FaceEngineErrors with an IMAGE_* code.
 */
export interface ImageInspector {
  check(bytes: Uint8Array): Promise<void>;
}
