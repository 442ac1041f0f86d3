// The goodbye page (docs/goodbye.md): os1's letter and everything exported, verified on the
// server; the export downloaded (a zip: the letter, a page any browser opens, plain files for
// another assistant, the open export); then two confirmations, typed: "goodbye", then "erase".
// Only then is everything erased, and the proof shown and offered as a file.

import { api } from "./api.js";

const $ = (id) => document.getElementById(id);

function counted(counts) {
  const parts = [];
  for (const [name, one, many] of [["conversations", "conversation", "conversations"],
    ["memories", "memory", "memories"], ["moments", "moment", "moments"], ["images", "picture", "pictures"],
    ["letters", "letter", "letters"]]) {
    if (counts[name]) parts.push(`${counts[name]} ${counts[name] === 1 ? one : many}`);
  }
  return parts.length ? `In the download: ${parts.join(", ")}.` : "";
}

export class Goodbye {
  /**
   * @param {{notify: (line: string) => void, leaving: () => void, stayed: () => void, ended: () => void}} hooks
   */
  constructor(hooks) {
    this.hooks = hooks;
    $("goodbye-begin").addEventListener("click", () => this.begin());
    $("goodbye-download").addEventListener("click", () => this.download());
    $("goodbye-keep").addEventListener("click", () => this.keep());
    $("goodbye-first").addEventListener("submit", (event) => {
      event.preventDefault();
      this.confirm();
    });
    $("goodbye-second").addEventListener("submit", (event) => {
      event.preventDefault();
      this.erase();
    });
  }

  /** Where the goodbye stands (none begun: the first step). */
  async load() {
    if (!$("goodbye-done").hidden) return;
    try {
      this.show(await api("GET", "/v1/goodbye"));
    } catch (error) {
      if (error.status !== 404) this.hooks.notify(error.message);
      this.show(null);
    }
  }

  show(stage) {
    $("goodbye-start").hidden = Boolean(stage && stage.verified);
    $("goodbye-ready").hidden = !(stage && stage.verified);
    const problems = $("goodbye-problems");
    problems.replaceChildren(...((stage && stage.problems) || []).map((line) => {
      const item = document.createElement("li");
      item.textContent = line;
      return item;
    }));
    problems.hidden = problems.children.length === 0;
    if (!stage || !stage.verified) return;
    $("goodbye-letter").textContent = stage.letter;
    $("goodbye-counts").textContent = counted(stage.counts);
    $("goodbye-first").hidden = stage.next !== "goodbye";
    $("goodbye-second").hidden = stage.next !== "erase";
  }

  async begin() {
    const button = $("goodbye-begin");
    button.disabled = true;
    button.textContent = "Writing…";
    try {
      const stage = await api("POST", "/v1/goodbye");
      this.show(stage);
      if (!stage.verified) this.hooks.notify("The export did not check out, so nothing can be erased.");
      else $("goodbye-letter-title").focus?.();
    } catch (error) {
      this.hooks.notify(error.message);
    } finally {
      button.disabled = false;
      button.textContent = "Write the letter and the export";
    }
  }

  /** The zip, fetched whole, then handed to the browser as a download. */
  async download() {
    const button = $("goodbye-download");
    button.disabled = true;
    try {
      const response = await fetch("/v1/goodbye/export", { credentials: "same-origin" });
      if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error || "The download failed.");
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = "os1-goodbye.zip";
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      this.hooks.notify(error.message);
      return;
    } finally {
      button.disabled = false;
    }
    await this.load();
    $("goodbye-word").focus();
  }

  async keep() {
    try {
      await api("DELETE", "/v1/goodbye");
    } catch (error) {
      this.hooks.notify(error.message);
      return;
    }
    this.show(null);
    this.hooks.notify("Everything stays. I'm glad.");
  }

  async confirm() {
    try {
      this.show(await api("POST", "/v1/goodbye/confirm", { word: $("goodbye-word").value }));
    } catch (error) {
      this.hooks.notify(error.message);
      return;
    }
    $("goodbye-word").value = "";
    $("goodbye-erase-word").focus();
  }

  async erase() {
    const button = $("goodbye-erase");
    button.disabled = true;
    let proof;
    this.hooks.leaving();
    try {
      proof = await api("POST", "/v1/goodbye/erase", { word: $("goodbye-erase-word").value });
    } catch (error) {
      this.hooks.notify(error.message);
      this.hooks.stayed();
      button.disabled = false;
      return;
    }
    this.hooks.ended();
    $("goodbye-ready").hidden = true;
    $("goodbye-done").hidden = false;
    $("goodbye-proof").textContent = this.said(proof);
    const file = new Blob([JSON.stringify(proof, null, 1)], { type: "application/json" });
    $("goodbye-proof-file").href = URL.createObjectURL(file);
    $("goodbye-done-title").focus();
  }

  said(proof) {
    const bytes = proof.erased.reduce((sum, file) => sum + file.bytes, 0);
    const rows = Object.values(proof.rows_erased || {}).reduce((sum, n) => sum + n, 0);
    const many = (n, one, more) => `${n.toLocaleString()} ${n === 1 ? one : more}`;
    const gone = `I erased ${many(proof.erased.length, "file", "files")} (${many(bytes, "byte", "bytes")})` +
      (rows ? ` and ${many(rows, "row", "rows")}` : "");
    const checked = `then read ${many(proof.checked_files, "file", "files")}` +
      ` (${many(proof.checked_bytes, "byte", "bytes")}) for ${many(proof.traces_looked_for, "trace", "traces")} of you`;
    if (proof.clean) return `${gone}, ${checked}: none found. Thank you for the time we had.`;
    return `${gone}, ${checked}, and something remains: ${[...proof.traces_found, ...proof.remaining,
      ...Object.keys(proof.rows_left || {})].join(", ")}. The proof says where.`;
  }
}
