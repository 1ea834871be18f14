// Sends one webhook request; the adapter enforces the network policy (SSRF guard, timeout, no redirects).
export interface WebhookSender {
  post(endpoint: string, body: string, headers: Record<string, string>): Promise<{ status: number }>;
}
