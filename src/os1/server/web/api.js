// The HTTP side of the API (docs/api.md): JSON in and out, the CSRF header on every unsafe
// request, and errors as one readable line.

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** The value of a cookie, or "" when it is not set. */
export function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** An error from the server, with its status (0 when the server could not be reached). */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/** Call the API; resolves to the parsed JSON answer (null for 204), rejects with an ApiError.
 * A body is sent as JSON, or as it is when it is a file (a Blob). */
export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const raw = body instanceof Blob;
  if (body !== undefined) headers["Content-Type"] = raw ? body.type || "application/octet-stream" : "application/json";
  if (!SAFE.has(method)) {
    const token = cookie("os1_csrf");
    if (token) headers["X-CSRF-Token"] = token;
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined || raw ? body : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError("I can't reach os1 right now. Is it still running?", 0);
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(errorLine(response.status, data), response.status);
  return data;
}

function errorLine(status, data) {
  if (data && typeof data.error === "string" && data.error) return data.error;
  if (data && Array.isArray(data.detail) && data.detail[0] && data.detail[0].msg) return data.detail[0].msg;
  if (data && typeof data.detail === "string") return data.detail;
  if (status === 401) return "Please log in first.";
  if (status === 429) return "That was a lot at once. Let's slow down for a moment.";
  if (status >= 500) return "Something went wrong on my side. Please try again.";
  return `That didn't work (${status}).`;
}

/** The WebSocket URL for an API path on this server, with a fresh single-use ticket (asked for
 * over the logged-in session), so the URL carries no lasting secret. */
export async function socketUrl(path) {
  const { ticket } = await api("POST", "/v1/sockets/ticket");
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}?ticket=${encodeURIComponent(ticket)}`;
}
