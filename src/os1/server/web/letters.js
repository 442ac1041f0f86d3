// The letters page: write a letter (to whom, from whom or for a client with their brief, the
// occasion, the tone) and see every detail with where it came from, the ones os1 could not
// ground flagged, before keeping it; edit inline (each save a new version, every version
// viewable); proofread with each change listed and ticked one by one; search, forget and
// download letters (a handwritten PDF); make the book by criteria shown and changeable, and
// send it to a publisher: the whole mail shown first, sent only on "Yes, send it".

import { api } from "./api.js";

const $ = (id) => document.getElementById(id);

function item(text, className = "") {
  const li = document.createElement("li");
  li.textContent = text;
  if (className) li.className = className;
  return li;
}

// The details of a letter, each with where it was found, or flagged when nowhere.
export function showDetails(list, grounding) {
  const details = grounding?.details || [];
  if (!details.length) {
    list.replaceChildren(item("No names, places, dates or events to check.", "quiet"));
    return;
  }
  list.replaceChildren(...details.map((detail) => {
    const grounded = detail.sources.length > 0;
    const li = item("", grounded ? "detail" : "detail flagged");
    const what = document.createElement("strong");
    what.textContent = detail.text;
    const where = document.createElement("span");
    where.textContent = grounded ? ` (${detail.kind}) from ${detail.sources.join(", ")}`
      : ` (${detail.kind}) not grounded: not in the brief or in anything I remember`;
    li.append(what, where);
    return li;
  }));
}

function ids(text) {
  return (text.match(/\d+/g) || []).map(Number).filter((n) => n > 0);
}

export class Letters {
  /** @param {{notify: (line: string) => void, confirm: (text: string, yes?: string) => Promise<boolean>}} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    this.brief = null; // what the shown draft was written from
    this.draftText = "";
    this.letter = null; // the open letter
    this.changes = null; // the proofreading shown, for the version it was made for
    this.shown = null; // the digest of the mail shown to the user
    $("letter-for-client").addEventListener("change", () => {
      $("letter-client-fields").hidden = !$("letter-for-client").checked;
    });
    $("letter-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.write();
    });
    $("draft-check").addEventListener("click", () => this.recheck());
    $("draft-keep").addEventListener("click", () => this.keep());
    $("draft-drop").addEventListener("click", () => this.closeDraft());
    $("open-version").addEventListener("change", () => this.showVersion(Number($("open-version").value)));
    $("open-save").addEventListener("click", () => this.saveVersion());
    $("open-proofread").addEventListener("click", () => this.proofread());
    $("proofread-apply").addEventListener("click", () => this.applyChanges());
    $("open-favourite").addEventListener("change", () => this.mark({ favourite: $("open-favourite").checked }));
    $("open-private").addEventListener("change", () => this.mark({ private: $("open-private").checked }));
    $("open-forget").addEventListener("click", () => this.forget());
    $("open-close").addEventListener("click", () => {
      $("letter-open").hidden = true;
      this.letter = null;
    });
    let typing = 0;
    for (const id of ["letter-q", "letter-client-filter"]) {
      $(id).addEventListener("input", () => {
        clearTimeout(typing);
        typing = setTimeout(() => this.load(), 300);
      });
    }
    $("letter-search").addEventListener("submit", (event) => {
      event.preventDefault();
      this.load();
    });
    $("book-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.makeBook(false);
    });
    $("book-preview").addEventListener("click", () => this.makeBook(true));
    $("publish-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.showMail();
    });
    for (const id of ["publish-to", "publish-subject", "publish-body"]) {
      $(id).addEventListener("input", () => this.unshow()); // a changed mail must be shown again
    }
    $("publish-yes").addEventListener("click", () => this.send());
    $("publish-no").addEventListener("click", () => {
      this.unshow();
      this.hooks.notify("Not sent.");
    });
    $("voice-import").addEventListener("click", () => $("voice-file").click());
    $("voice-file").addEventListener("change", () => {
      const files = Array.from($("voice-file").files || []);
      $("voice-file").value = "";
      if (files.length) this.bringIn(files);
    });
    $("letter-voice").addEventListener("toggle", () => {
      if ($("letter-voice").open) this.voice();
    });
  }

  /** The list of kept letters, with the search and the client filter. */
  async load() {
    const q = $("letter-q").value.trim();
    const client = $("letter-client-filter").value.trim();
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    if (client) params.set("client", client);
    $("letter-export").href = `/v1/letters/export${client ? `?client=${encodeURIComponent(client)}` : ""}`;
    let found;
    try {
      found = (await api("GET", `/v1/letters?${params}`)).letters;
    } catch (error) {
      return this.hooks.notify(error.message);
    }
    $("letter-list").replaceChildren(...found.map((letter) => this.row(letter)));
    $("letter-empty").hidden = found.length > 0;
    $("letter-export").hidden = found.length === 0;
  }

  row(letter) {
    const li = item("", "memory letter");
    li.dataset.letterId = String(letter.id);
    const head = document.createElement("button");
    head.type = "button";
    head.className = "letter-head";
    const b = letter.brief;
    head.textContent = `To ${b.to}${b.occasion ? `, ${b.occasion}` : ""}`;
    head.addEventListener("click", () => this.open(letter.id));
    const meta = document.createElement("p");
    meta.className = "meta";
    const marks = [`#${letter.id}`, letter.when, b.client ? `for ${b.client}` : "yours",
      `${letter.versions} version${letter.versions === 1 ? "" : "s"}`];
    if (letter.favourite) marks.push("a favourite");
    if (letter.private) marks.push("private");
    if (letter.flagged.length) marks.push(`${letter.flagged.length} not grounded`);
    meta.textContent = marks.join(" · ");
    const text = document.createElement("p");
    text.className = "text";
    text.textContent = letter.excerpt;
    li.append(head, meta, text);
    return li;
  }

  // ---- writing ----

  briefFields() {
    const client = $("letter-for-client").checked;
    const fields = {
      to: $("letter-to").value.trim(),
      from: $("letter-from").value.trim(),
      occasion: $("letter-occasion").value.trim(),
      tone: $("letter-tone").value.trim(),
    };
    if (client) {
      fields.client = $("letter-client").value.trim() || null;
      fields.brief = $("letter-brief").value;
    }
    return fields;
  }

  async write() {
    const fields = this.briefFields();
    const button = $("letter-write");
    button.disabled = true;
    button.textContent = "Writing…";
    document.body.classList.add("thinking");
    try {
      const made = await api("POST", "/v1/letters/draft", fields);
      this.brief = fields; // the form stays filled: nothing the user typed is lost
      this.draftText = made.text;
      $("draft-text").value = made.text;
      $("draft-note").textContent = made.by_model ? ""
        : "The model wrote too little, so the body is made from the brief. Change anything you like.";
      this.showCheck(made.grounding);
      $("letter-draft").hidden = false;
      $("draft-title").scrollIntoView({ block: "start", behavior: "smooth" });
    } catch (error) {
      this.hooks.notify(error.message);
    } finally {
      button.disabled = false;
      button.textContent = "Write it";
      document.body.classList.remove("thinking");
    }
  }

  showCheck(grounding) {
    showDetails($("draft-details"), grounding);
    const flagged = (grounding?.flagged || []).length > 0;
    $("letter-draft").dataset.flagged = String(flagged);
    $("draft-flagged-ok").hidden = !flagged;
    $("draft-keep-flagged").checked = false;
  }

  async recheck() {
    try {
      const { grounding } = await api("POST", "/v1/letters/check", { ...this.brief, text: $("draft-text").value });
      this.showCheck(grounding);
      return grounding;
    } catch (error) {
      this.hooks.notify(error.message);
      return null;
    }
  }

  async keep() {
    const text = $("draft-text").value;
    if (!text.trim()) return this.hooks.notify("The letter is empty.");
    const grounding = await this.recheck();
    if (!grounding) return;
    if (grounding.flagged.length && !$("draft-keep-flagged").checked) {
      return this.hooks.notify(`Not kept: I could not ground ${grounding.flagged.join(", ")}. Change it, or tick the box to keep it anyway.`);
    }
    try {
      const letter = await api("POST", "/v1/letters", {
        ...this.brief, text, edited: text !== this.draftText, keep_flagged: $("draft-keep-flagged").checked,
      });
      this.closeDraft();
      this.hooks.notify(`Kept as letter ${letter.id}.`);
      await this.load();
      this.show(letter);
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  closeDraft() {
    $("letter-draft").hidden = true;
    this.brief = null;
  }

  // ---- one letter ----

  async open(id) {
    try {
      this.show(await api("GET", `/v1/letters/${id}`));
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  show(letter) {
    this.letter = letter;
    this.changes = null;
    $("proofread").hidden = true;
    const b = letter.brief;
    $("open-title").textContent = `Letter ${letter.id}: to ${b.to}${b.client ? ` (for ${b.client})` : ""}`;
    $("open-version").replaceChildren(...letter.versions.map((v) => {
      const option = document.createElement("option");
      option.value = String(v.n);
      option.textContent = `Version ${v.n}: ${v.note}`;
      return option;
    }));
    $("open-version").value = String(letter.versions[letter.versions.length - 1].n);
    this.showVersion(letter.versions[letter.versions.length - 1].n);
    $("open-favourite").checked = letter.favourite;
    $("open-private").checked = letter.private;
    for (const fmt of ["pdf", "txt", "md"]) $(`open-${fmt}`).href = `/v1/letters/${letter.id}/file?format=${fmt}`;
    $("letter-open").hidden = false;
    $("open-title").focus({ preventScroll: true });
    $("letter-open").scrollIntoView({ block: "start", behavior: "smooth" });
  }

  showVersion(n) {
    const version = this.letter.versions.find((v) => v.n === n);
    if (!version) return;
    $("open-text").value = version.text;
    showDetails($("open-details"), version.grounding);
  }

  async saveVersion() {
    const text = $("open-text").value;
    if (!text.trim()) return this.hooks.notify("The letter is empty.");
    try {
      const letter = await api("POST", `/v1/letters/${this.letter.id}/versions`, { text });
      this.show(letter);
      this.hooks.notify(`Saved as version ${letter.versions.length}; the earlier ones are kept.`);
      this.load();
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  async proofread() {
    let result;
    try {
      result = await api("GET", `/v1/letters/${this.letter.id}/proofread`);
    } catch (error) {
      return this.hooks.notify(error.message);
    }
    this.changes = result;
    $("proofread-list").replaceChildren(...result.changes.map((change, i) => {
      const li = item("", "change");
      const label = document.createElement("label");
      label.className = "check";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = true;
      box.dataset.index = String(i);
      const words = document.createElement("span");
      words.textContent = `“${change.old}” → “${change.new}” (${change.reason})`;
      label.append(box, words);
      li.append(label);
      return li;
    }));
    for (const note of result.notes) $("proofread-list").append(item(note, "quiet"));
    $("proofread-none").hidden = result.changes.length > 0;
    $("proofread-apply").hidden = result.changes.length === 0;
    $("proofread").hidden = false;
  }

  async applyChanges() {
    const accepted = Array.from($("proofread-list").querySelectorAll("input[type=checkbox]:checked"))
      .map((box) => Number(box.dataset.index));
    if (!accepted.length) return this.hooks.notify("No change ticked, so nothing changed.");
    try {
      const letter = await api("POST", `/v1/letters/${this.letter.id}/proofread`,
        { version: this.changes.version, accepted });
      this.show(letter);
      this.hooks.notify(`${accepted.length} change${accepted.length === 1 ? "" : "s"} made, as version ${letter.versions.length}.`);
      this.load();
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  async mark(marks) {
    try {
      this.letter = await api("PATCH", `/v1/letters/${this.letter.id}`, marks);
      this.load();
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  async forget() {
    const letter = this.letter;
    if (!(await this.hooks.confirm(`Forget letter ${letter.id} to ${letter.brief.to} for good, with every version?`))) return;
    try {
      await api("DELETE", `/v1/letters/${letter.id}`);
      $("letter-open").hidden = true;
      this.letter = null;
      this.hooks.notify(`Letter ${letter.id} is forgotten.`);
      this.load();
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  // ---- the book ----

  criteria(dryRun) {
    const number = (id) => Number($(id).value);
    return {
      title: $("book-title").value.trim() || "Letters",
      size: number("book-size"), favourite: number("book-favourite"), variety: number("book-variety"),
      reading: number("book-reading"), client: $("book-client").value.trim() || null,
      include: ids($("book-include").value), exclude: ids($("book-exclude").value), dry_run: dryRun,
    };
  }

  async makeBook(dryRun) {
    const button = $(dryRun ? "book-preview" : "book-make");
    button.disabled = true;
    try {
      const made = await api("POST", "/v1/letters/book", this.criteria(dryRun));
      $("book-criteria").replaceChildren(...made.criteria.map((line) => item(line)));
      $("book-letters").replaceChildren(...made.letters.map((x) =>
        item(`Letter ${x.id}, to ${x.to}${x.occasion ? `, ${x.occasion}` : ""} (${x.reason})`)));
      if (!made.letters.length) {
        $("book-letters").replaceChildren(item("No letter fits these criteria: private letters and letters with details not grounded stay out unless you put them in.", "quiet"));
      }
      $("book-made").hidden = false;
      $("book-files").hidden = made.files.length === 0;
      $("publish-form").hidden = made.files.length === 0;
      if (made.files.length) this.hooks.notify("The book is ready.");
      this.unshow();
    } catch (error) {
      this.hooks.notify(error.message);
    } finally {
      button.disabled = false;
    }
  }

  mail() {
    return { to: $("publish-to").value.trim(), subject: $("publish-subject").value.trim() || "A book of letters",
      body: $("publish-body").value };
  }

  unshow() {
    this.shown = null;
    $("publish-shown").hidden = true;
  }

  async showMail() {
    try {
      const { preview, shown } = await api("POST", "/v1/letters/book/mail", this.mail());
      $("publish-preview").textContent = preview;
      this.shown = shown;
      $("publish-shown").hidden = false;
      $("publish-yes").focus();
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  async send() {
    if (!this.shown) return;
    const button = $("publish-yes");
    button.disabled = true;
    try {
      const { sent } = await api("POST", "/v1/letters/book/send", { ...this.mail(), shown: this.shown });
      this.unshow();
      this.hooks.notify(sent || "Sent.");
    } catch (error) {
      this.hooks.notify(error.message);
    } finally {
      button.disabled = false;
    }
  }

  // ---- the user's voice ----

  async voice() {
    try {
      this.showVoice(await api("GET", "/v1/letters/voice"));
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  showVoice(learnt) {
    const lines = learnt.lines.length ? learnt.lines : ["Nothing learnt yet."];
    $("voice-lines").replaceChildren(...lines.map((line) => item(line)));
  }

  /** Each file is read whole on the server; one it cannot read keeps nothing of itself. */
  async bringIn(files) {
    let learnt = 0;
    for (const file of files) {
      try {
        const done = await api("POST", `/v1/letters/import?name=${encodeURIComponent(file.name)}`,
          new Blob([file], { type: "application/octet-stream" }));
        learnt += done.imported;
        this.showVoice(done);
      } catch (error) {
        const line = error.message.includes(file.name) ? error.message : `${file.name}: ${error.message}`;
        this.hooks.notify(`${line}${learnt ? ` (learnt from ${learnt} before it)` : ""}`);
        return;
      }
    }
    this.hooks.notify(`Learnt from ${learnt} new letter${learnt === 1 ? "" : "s"}.`);
  }
}
