import type { ReviewRepository } from '../../src/domain/ports/console-repository.port.js';
import type { ReviewItem } from '../../src/domain/review/review.types.js';

/** The review queue's table in memory: one item per check, decisions by compare-and-set, for the unit tier. */
export class MemoryReviewRepository implements ReviewRepository {
  readonly items = new Map<string, ReviewItem>();

  async createOrGet(item: ReviewItem): Promise<ReviewItem> {
    const existing = [...this.items.values()].find((i) => i.checkId === item.checkId);
    if (existing) return { ...existing };
    this.items.set(item.id, { ...item });
    return { ...item };
  }
  async get(id: string): Promise<ReviewItem | null> {
    const item = this.items.get(id);
    return item ? { ...item } : null;
  }
  async listQueue(query: Parameters<ReviewRepository['listQueue']>[0]): Promise<ReviewItem[]> {
    return [...this.items.values()]
      .filter((i) => query.states.includes(i.state) && (!query.appIds || query.appIds.includes(i.appId)))
      .slice(0, query.limit);
  }
  async listForSession(sessionId: string): Promise<ReviewItem[]> {
    return [...this.items.values()].filter((i) => i.sessionId === sessionId);
  }
  async saveDecision(item: ReviewItem, expected: ReviewItem['state']): Promise<boolean> {
    if (this.items.get(item.id)?.state !== expected) return false;
    this.items.set(item.id, { ...item });
    return true;
  }
  async markApplied(id: string, at: number): Promise<void> {
    const item = this.items.get(id);
    if (item) this.items.set(id, { ...item, appliedAt: at });
  }
  async listUnapplied(limit: number): Promise<ReviewItem[]> {
    return [...this.items.values()].filter((i) => i.state === 'DECIDED' && i.appliedAt === null).slice(0, limit);
  }
}
