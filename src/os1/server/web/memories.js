// The memories page: what os1 remembers, newest first; search by words and meaning; correct a
// memory; keep one between us (private) or share it again; forget one for good (after asking);
// export everything (a plain download); bring in
// the memories of an export (`os1 memory export`, or another os1's "Export everything").

import { api } from "./api.js";
import { editInPlace } from "./editing.js";
import { piecePlayer } from "./music.js";

const PAGE = 30;

function when(seconds) {
  if (!seconds) return "";
  const date = new Date(seconds * 1000);
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

// A memory's words as shown, cut to fit a question or a button's label.
function short(memory) {
  const text = memory.shown || memory.text;
  return text.length > 90 ? `${text.slice(0, 90)}…` : text;
}

function describe(memory) {
  const parts = [];
  if (memory.kind === "fact") {
    parts.push(memory.provenance === "shared" ? "you shared" : "something I know");
    if (memory.valid_to) parts.push("no longer true");
  } else {
    if (memory.source) parts.push(`from ${memory.source}: outside content`);
    else parts.push(memory.role === "user" ? "you said" : "I said");
    if (memory.status === "interrupted") parts.push("cut short");
  }
  if (memory.private) parts.push("private, between us");
  return parts.join(" · ");
}

export class Memories {
  /**
   * @param {{notify: (line: string) => void, confirm: (text: string) => Promise<boolean>}} hooks
   */
  constructor(hooks) {
    this.hooks = hooks;
    this.list = document.getElementById("memory-list");
    this.empty = document.getElementById("memory-empty");
    this.more = document.getElementById("memory-more");
    this.query = document.getElementById("memory-q");
    this.kind = document.getElementById("memory-kind");
    this.offset = 0;
    this.asked = 0; // answers to older requests are ignored
    let typing = 0;
    this.query.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => this.load(), 300);
    });
    document.getElementById("memory-search").addEventListener("submit", (event) => {
      event.preventDefault();
      this.load();
    });
    this.kind.addEventListener("change", () => this.load());
    this.more.addEventListener("click", () => this.load(true));
    const file = document.getElementById("memory-import-file");
    document.getElementById("memory-import").addEventListener("click", () => file.click());
    file.addEventListener("change", () => {
      if (file.files && file.files[0]) this.bringIn(file.files[0]);
      file.value = "";
    });
  }

  /** Add the memories of an export file; nothing is added if any line of it is malformed. */
  async bringIn(file) {
    try {
      const { imported } = await api("POST", "/v1/memories/import", file);
      this.hooks.notify(imported === 1 ? "I remember 1 more thing now." : `I remember ${imported} more things now.`);
    } catch (error) {
      this.hooks.notify(error.message);
      return;
    }
    this.load();
  }

  /** Load the first page again (or the next one). */
  async load(next = false) {
    const ask = ++this.asked;
    const params = new URLSearchParams({ limit: String(PAGE), offset: String(next ? this.offset : 0) });
    if (this.query.value.trim()) params.set("q", this.query.value.trim());
    if (this.kind.value) params.set("kind", this.kind.value);
    this.list.setAttribute("aria-busy", "true");
    let items;
    try {
      items = (await api("GET", `/v1/memories?${params}`)).items || [];
    } catch (error) {
      this.hooks.notify(error.message);
      return;
    } finally {
      if (ask === this.asked) this.list.removeAttribute("aria-busy");
    }
    if (ask !== this.asked) return;
    if (!next) {
      this.list.replaceChildren();
      this.offset = 0;
    }
    this.offset += items.length;
    for (const memory of items) this.list.append(this.row(memory));
    this.empty.hidden = this.list.children.length > 0;
    this.empty.textContent = this.query.value.trim() ? "Nothing I remember matches that." : "Nothing here yet.";
    this.more.hidden = params.has("q") || items.length < PAGE;
  }

  row(memory) {
    const item = document.createElement("li");
    item.className = `memory ${memory.kind || ""}`;
    item.dataset.id = String(memory.id);
    if (memory.source) item.dataset.source = memory.source; // another agent's words, say
    const text = document.createElement("p");
    text.className = "text";
    text.textContent = memory.shown || memory.text;
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = [describe(memory), when(memory.created_at)].filter(Boolean).join(" · ");
    for (const digest of memory.images || []) {
      const picture = document.createElement("img");
      picture.className = "picture";
      picture.src = `/v1/images/${encodeURIComponent(digest)}`;
      picture.alt = "The picture you shared";
      picture.loading = "lazy";
      item.append(picture);
    }
    const actions = document.createElement("div");
    actions.className = "row actions";
    actions.append(
      this.button("Edit", "edit", () => this.edit(item, memory), `Edit: ${short(memory)}`),
      this.privacy(memory),
      this.button("Forget", "forget", () => this.forget(item, memory), `Forget: ${short(memory)}`),
    );
    item.append(text, meta);
    if (memory.piece) item.append(piecePlayer(memory.id, short(memory))); // a piece os1 composed: play it
    item.append(actions);
    return item;
  }

  /** A toggle: keep the memory (and what says the same) private, or share it again. */
  privacy(memory) {
    const toggle = this.button("Private", "private", () => this.keepPrivate(memory, !memory.private),
      `Private: ${short(memory)}`);
    toggle.setAttribute("aria-pressed", memory.private ? "true" : "false");
    toggle.title = "Private memories are never followed up, journaled or told to another agent";
    return toggle;
  }

  async keepPrivate(memory, keep) {
    try {
      await api("PATCH", `/v1/memories/${memory.id}`, { private: keep });
    } catch (error) {
      this.hooks.notify(error.message);
      return;
    }
    this.hooks.notify(keep ? "I'll keep that between us." : "That is no longer private.");
    this.load(); // what says the same thing changed with it
  }

  button(text, name, action, label = "") {
    const button = document.createElement("button");
    button.type = "button";
    if (label) button.setAttribute("aria-label", label);
    button.className = `ghost small ${name}`;
    button.textContent = text;
    button.addEventListener("click", action);
    return button;
  }

  edit(item, memory) {
    editInPlace(item, {
      id: `edit-${memory.id}`, label: "Memory text", text: memory.text, notify: (message) => this.hooks.notify(message),
      save: async (text) => {
        const changed = await api("PATCH", `/v1/memories/${encodeURIComponent(memory.id)}`, { text });
        memory.text = (changed && changed.text) || text;
        memory.shown = (changed && changed.shown) || memory.text;
        return memory.shown;
      },
    });
  }


  // Forgetting a thing, not a row: what else says it (the sentence it came from, replies that
  // repeat it, other facts) is listed in the question and forgotten with it on yes.
  async forget(item, memory) {
    let saying;
    try {
      saying = (await api("GET", `/v1/memories/${encodeURIComponent(memory.id)}/saying`)).items || [];
    } catch (error) {
      this.hooks.notify(error.message);
      return;
    }
    const others = saying.filter((other) => other.id !== memory.id);
    const question = others.length
      ? `Forget “${short(memory)}” for good, and the ${others.length === 1 ? "memory" : `${others.length} memories`} that say it too?`
      : `Forget “${short(memory)}” for good? I won't be able to remember it again.`;
    if (!(await this.hooks.confirm(question, "Forget", others.map(short)))) return;
    const ids = [memory.id, ...others.map((other) => other.id)];
    try {
      await api("POST", "/v1/memories/forget", { ids });
    } catch (error) {
      this.hooks.notify(error.message);
      return;
    }
    const rows = ids.map((id) => this.list.querySelector(`li[data-id="${id}"]`)).filter(Boolean);
    const after = [item.nextElementSibling, item.previousElementSibling].find((row) => row && !rows.includes(row));
    for (const row of rows) row.classList.add("leaving");
    const gone = () => {
      for (const row of rows) row.remove();
      this.offset = Math.max(0, this.offset - rows.length);
      this.empty.hidden = this.list.children.length > 0;
    };
    if (matchMedia("(prefers-reduced-motion: reduce)").matches) gone();
    else setTimeout(gone, 250);
    this.hooks.notify(ids.length > 1 ? `Forgotten, with ${ids.length - 1} more.` : "Forgotten.");
    (after?.querySelector("button") || this.query).focus();
  }
}
