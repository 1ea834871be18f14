// JSON columns are text in both dialects, so one repository implementation serves SQLite and PostgreSQL.
export const toJson = (value: unknown): string => JSON.stringify(value);
export const fromJson = <T>(text: string | null): T => (text === null ? (null as T) : (JSON.parse(text) as T));
