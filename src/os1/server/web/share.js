// Showing os1 something: a picture (attached, dropped, pasted or taken with the camera), a post
// or page (Markdown or HTML), or music to listen to together. The file goes whole to /v1/share
// (docs/api.md); the chat shows a preview at once and os1's words when it has looked.

import { ApiError, cookie } from "./api.js";

const BY_NAME = [
  [/\.(md|markdown)$/i, "text/markdown"],
  [/\.html?$/i, "text/html"],
  [/\.(mp3)$/i, "audio/mpeg"],
  [/\.(wav)$/i, "audio/wav"],
  [/\.(ogg|oga)$/i, "audio/ogg"],
  [/\.(flac)$/i, "audio/flac"],
];

/** The type the server reads the file as ("" when os1 cannot take it). */
export function shareType(file) {
  const type = (file.type || "").toLowerCase();
  if (type.startsWith("image/") || type.startsWith("audio/") || type === "text/markdown" || type === "text/html") return type;
  for (const [pattern, guess] of BY_NAME) if (pattern.test(file.name || "")) return guess;
  return "";
}

const LARGEST = 1_500_000; // bytes: bigger photos (a phone camera's) are made smaller first
const SIDE = 2048; // pixels on the longer side of a photo made smaller

/** A photo small enough for the server's body limit: larger ones are redrawn at most SIDE pixels
 * across as a JPEG (what a person shares keeps its look; the original never leaves the phone). */
async function smaller(file) {
  if (!file.type.startsWith("image/") || file.size <= LARGEST || typeof createImageBitmap !== "function") return file;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    return blob ? new File([blob], (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" }) : file;
  } catch {
    return file; // a format the browser cannot draw: sent as it is, and the server says if it is too large
  }
}

/** Send one file to /v1/share; resolves to what os1 perceived and said, rejects with an ApiError. */
export async function shareFile(file, { note = "", camera = false } = {}) {
  file = await smaller(file);
  const type = shareType(file);
  if (!type) throw new ApiError("I can look at pictures, read posts (Markdown or HTML) and listen to music.", 415);
  const params = new URLSearchParams({ name: (file.name || "").slice(0, 200) });
  if (note) params.set("note", note.slice(0, 2000));
  if (camera) params.set("camera", "true");
  const headers = { Accept: "application/json", "Content-Type": type };
  const token = cookie("os1_csrf");
  if (token) headers["X-CSRF-Token"] = token;
  let response;
  try {
    response = await fetch(`/v1/share?${params}`, { method: "POST", headers, body: file, credentials: "same-origin" });
  } catch {
    throw new ApiError("I can't reach os1 right now. Is it still running?", 0);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const line = (data && (data.error || (typeof data.detail === "string" && data.detail))) || `That didn't work (${response.status}).`;
    throw new ApiError(line, response.status);
  }
  return data;
}

/** The files among a drop or a paste that os1 can take. */
export function sharable(transfer) {
  return Array.from((transfer && transfer.files) || []).filter((file) => shareType(file));
}
