// The answer of GET …/media/{mediaId}/content: raw bytes under their own content type, so an OpenAPI response
// object rather than a TypeBox schema.

const Binary = { schema: { type: 'string', format: 'binary' } };

export const MediaContentResponse = {
  description: 'The media bytes',
  content: { 'image/jpeg': Binary, 'image/png': Binary, 'image/webp': Binary, 'application/json': Binary },
};
