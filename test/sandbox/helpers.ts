/** Small HTTP helpers for sandbox tests: real requests with Zendesk's auth. */
export const TOKEN_AUTH = `Basic ${Buffer.from('admin@acme.example/token:sandbox-token').toString('base64')}`;
export const AGENT_AUTH = `Basic ${Buffer.from('sam@acme.example/token:sandbox-token').toString('base64')}`;
export const OAUTH = 'Bearer sandbox-oauth-token';

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function api<T = any>(
  url: string,
  init: { method?: string; body?: unknown; auth?: string | null; signal?: AbortSignal } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (init.auth !== null) headers.Authorization = init.auth ?? TOKEN_AUTH;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}
