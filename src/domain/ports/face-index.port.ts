// 1:N search over the faces of one pool. Keys are the database's integer face keys; similarity is cosine.
export interface FaceIndexHit {
  key: number;
  similarity: number;
}

export interface FaceIndexStats {
  size: number;
  kind: 'exact' | 'hnsw';
  bytes: number;
}

export interface FaceIndex {
  add(pool: string, key: number, embedding: Float32Array): void;
  remove(pool: string, key: number): void;
  dropPool(pool: string): void;
  has(pool: string, key: number): boolean;
  search(pool: string, probe: Float32Array, k: number): FaceIndexHit[];
  stats(pool: string): FaceIndexStats;
}
