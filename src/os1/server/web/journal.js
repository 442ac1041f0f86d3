// The journal page: os1's mood now (its word, its cause, and what a mood is here: a small
// state, never more than that), and the journal it writes after conversations, newest first;
// any entry can be forgotten for good (after asking).

import { api } from "./api.js";
import { editInPlace } from "./editing.js";

function when(seconds) {
  if (!seconds) return "";
  return new Date(seconds * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function short(text) {
  return text.length > 90 ? `${text.slice(0, 90)}…` : text;
}

export class Journal {
  /**
   * @param {{notify: (line: string) => void, confirm: (text: string, yes?: string) => Promise<boolean>}} hooks
   */
  constructor(hooks) {
    this.hooks = hooks;
    this.list = document.getElementById("journal-list");
    this.empty = document.getElementById("journal-empty");
    this.asked = 0; // answers to older requests are ignored
  }

  async load() {
    const ask = ++this.asked;
    this.list.setAttribute("aria-busy", "true");
    let status;
    let items;
    try {
      [status, { items }] = await Promise.all([api("GET", "/v1/status"), api("GET", "/v1/journal?limit=100")]);
    } catch (error) {
      this.hooks.notify(error.message);
      return;
    } finally {
      if (ask === this.asked) this.list.removeAttribute("aria-busy");
    }
    if (ask !== this.asked) return;
    this.mood(status);
    this.list.replaceChildren(...items.map((entry) => this.row(entry)));
    this.empty.hidden = items.length > 0;
  }

  mood(status) {
    const word = document.getElementById("mood-word");
    word.textContent = status.mood;
    word.dataset.mood = status.mood;
    const since = status.since ? ` (${when(status.since)})` : "";
    document.getElementById("mood-cause").textContent = status.cause ? `Because ${status.cause}${since}.` : "Nothing has moved it yet.";
    document.getElementById("mood-what").textContent = `A mood here is ${status.what}.`;
  }

  row(entry) {
    const item = document.createElement("li");
    item.className = "memory entry";
    item.dataset.id = String(entry.id);
    const text = document.createElement("p");
    text.className = "text";
    text.textContent = entry.text;
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = when(entry.created_at);
    const actions = document.createElement("div");
    actions.className = "row actions";
    actions.append(
      this.button("Edit", "edit", `Edit the entry: ${short(entry.text)}`, () => this.edit(item, entry)),
      this.button("Forget", "forget", `Forget the entry: ${short(entry.text)}`, () => this.forget(item, entry)),
    );
    item.append(text, meta, actions);
    return item;
  }

  button(text, name, label, action) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `ghost small ${name}`;
    button.textContent = text;
    button.setAttribute("aria-label", label);
    button.addEventListener("click", action);
    return button;
  }

  edit(item, entry) {
    editInPlace(item, {
      id: `entry-${entry.id}`, label: "Entry text", text: entry.text, notify: (message) => this.hooks.notify(message),
      save: async (text) => {
        entry.text = (await api("PATCH", `/v1/journal/${encodeURIComponent(entry.id)}`, { text })).text;
        for (const [name, verb] of [["edit", "Edit"], ["forget", "Forget"]]) {
          item.querySelector(`.${name}`).setAttribute("aria-label", `${verb} the entry: ${short(entry.text)}`);
        }
        return entry.text;
      },
    });
  }


  async forget(item, entry) {
    const asked = `Forget this entry of my journal for good? “${short(entry.text)}”`;
    if (!(await this.hooks.confirm(asked, "Forget"))) return;
    try {
      await api("DELETE", `/v1/journal/${encodeURIComponent(entry.id)}`);
    } catch (error) {
      this.hooks.notify(error.message);
      return;
    }
    const after = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    this.empty.hidden = this.list.children.length > 0;
    this.hooks.notify("Forgotten.");
    (after?.querySelector("button") || document.querySelector("#screen-journal h1")).focus();
  }
}
