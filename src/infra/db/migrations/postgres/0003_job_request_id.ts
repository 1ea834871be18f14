export const up = `
ALTER TABLE jobs ADD COLUMN request_id TEXT;
`;
