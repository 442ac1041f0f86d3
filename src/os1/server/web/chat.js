// The conversation: /v1/chat/ws (docs/api.md). Each `say` opens a turn; the server answers every
// turn in order with `recalled`, many `delta`s, maybe a `confirm`, then `done` (or `error`), so
// events always belong to the oldest turn still open. Notices from the user's other devices and
// reminders can arrive at any time.

import { api, socketUrl } from "./api.js";
import { showDetails } from "./letters.js";
import { heldCard } from "./held.js";
import { piecePlayer } from "./music.js";

const RETRY_MS = [500, 1000, 2000, 4000, 8000, 15000];

/** A line in the conversation log. */
function bubble(role, text, extra) {
  const item = document.createElement("li");
  item.className = `msg ${role}${extra ? ` ${extra}` : ""}`;
  const words = document.createElement("p");
  words.className = "text";
  words.textContent = text;
  item.append(words);
  return item;
}

function label(text) {
  const tag = document.createElement("span");
  tag.className = "tag";
  tag.textContent = text;
  return tag;
}

export class Chat {
  /**
   * @param {HTMLOListElement} log where the conversation is shown
   * @param {{notify: (line: string) => void, dropped: () => void, speaking: (on: boolean) => void}} hooks
   */
  constructor(log, hooks) {
    this.log = log;
    this.hooks = hooks;
    this.ws = null;
    this.turns = [];       // open turns, oldest first: {item, text}
    this.outbox = [];      // says written while the socket was down
    this.retries = 0;
    this.wanted = false;   // keep the socket open while logged in
    this.opening = false;  // asking for a ticket to open it with
    this.historyShown = false;
    this.historyLoading = null; // the history request, which new lines wait for (no duplicates)
    this.voiceTurns = new Map();
  }

  /** Open the socket (and keep reopening it) until stop() is called. */
  async start() {
    this.wanted = true;
    if (this.opening || (this.ws && this.ws.readyState <= WebSocket.OPEN)) return;
    this.opening = true;
    let url;
    try {
      url = await socketUrl("/v1/chat/ws");
    } catch {
      this.opening = false;
      this.retry();
      return;
    }
    this.opening = false;
    if (!this.wanted) return;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.retries = 0;
      document.body.dataset.chat = "open";
      for (const text of this.outbox.splice(0)) ws.send(JSON.stringify({ type: "say", text }));
    });
    ws.addEventListener("message", (event) => this.receive(event.data));
    ws.addEventListener("close", () => this.closed(ws));
  }

  /** Close the socket for good (logging out) and forget what was shown. */
  stop() {
    this.wanted = false;
    if (this.ws) this.ws.close();
    this.ws = null;
    this.turns = [];
    this.outbox = [];
    this.voiceTurns.clear();
    this.historyShown = false;
    this.log.replaceChildren();
    document.body.dataset.chat = "closed";
  }

  closed(ws) {
    if (ws !== this.ws) return;
    this.ws = null;
    document.body.dataset.chat = "closed";
    // the server went away mid-reply (a worker stopped or killed): say so, keep what came
    const open = this.turns.splice(0);
    for (const turn of open) this.finish(turn, turn.text, true, "cut off");
    if (open.length) this.hooks.notify("The connection was lost and the reply was cut off; reconnecting.");
    this.hooks.speaking(false);
    this.retry();
  }

  /** Try again after a while, ever longer, while the socket is wanted. */
  retry() {
    if (!this.wanted) return;
    const wait = RETRY_MS[Math.min(this.retries++, RETRY_MS.length - 1)];
    setTimeout(() => {
      if (this.wanted && !this.ws) this.hooks.dropped();
    }, wait);
  }

  get busy() {
    return this.turns.length > 0;
  }

  /** Say something: shown at once (after the earlier conversation), answered as the reply streams in. */
  async say(text) {
    if (this.historyLoading) await this.historyLoading;
    this.log.append(bubble("user", text));
    const item = bubble("os", "");
    item.dataset.state = "waiting";
    item.setAttribute("aria-busy", "true");
    this.log.append(item);
    this.turns.push({ item, text: "", deltas: 0 });
    this.scroll(true);
    this.hooks.speaking(true);
    const message = JSON.stringify({ type: "say", text });
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(message);
    else {
      this.outbox.push(text);
      this.start();
    }
  }

  /** Show something the user shares (a preview of a picture, or the file's name) and then what
   * os1 said about it; ``sharing`` is the request to /v1/share, ``note`` the words sent with a picture. */
  async shared(file, sharing, note = "") {
    const item = bubble("user", file.type.startsWith("image/") ? note : `Shared ${file.name || "a file"}`, "sharing");
    if (file.type.startsWith("image/")) {
      const preview = document.createElement("img");
      preview.className = "preview";
      preview.alt = "The picture you are sharing";
      preview.src = URL.createObjectURL(file);
      preview.addEventListener("load", () => URL.revokeObjectURL(preview.src), { once: true });
      item.prepend(preview);
    }
    const reply = bubble("os", "");
    reply.dataset.state = "waiting";
    reply.setAttribute("aria-busy", "true");
    this.log.append(item, reply);
    this.scroll(true);
    this.hooks.speaking(true);
    try {
      const done = await sharing;
      reply.querySelector(".text").textContent = done.said || done.perceived || "I have kept it.";
      reply.dataset.momentId = String(done.moment_id);
      reply.append(label(done.new ? "kept in your memories" : "kept with what you showed me before"));
    } catch (error) {
      this.hooks.notify(error.message);
      reply.remove();
      item.append(label("not shared"));
    } finally {
      reply.dataset.state = "done";
      reply.removeAttribute("aria-busy");
      if (!this.busy) this.hooks.speaking(false);
      this.scroll(true);
    }
  }

  /** Stop the reply in flight; it is kept as far as it went. */
  interrupt() {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "stop" }));
  }

  receive(data) {
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    const turn = this.turns[0];
    switch (event.type) {
      case "recalled":
        if (turn) this.recalled(turn, event.memories || []);
        break;
      case "delta":
        if (turn) this.delta(turn, event.text || "");
        break;
      case "confirm":
        this.confirm(event);
        break;
      case "done":
        if (turn) this.finish(this.turns.shift(), event.reply ?? turn.text, Boolean(event.interrupted));
        break;
      case "error":
        this.hooks.notify(event.message || "Something went wrong.");
        if (turn) this.finish(this.turns.shift(), turn.text, true);
        break;
      case "notice":
        this.notice(event);
        break;
      case "letter": // asked for in plain words: the draft, kept only on the person's yes
        this.letterDraft(event);
        break;
      case "piece": // asked for in plain words or with /compose: the piece itself, to play here
        if (turn) turn.item.append(piecePlayer(event.moment_id), label("kept in your memories"));
        break;
      default:
        break;
    }
    if (!this.busy) this.hooks.speaking(false);
  }

  delta(turn, text) {
    const near = this.near(); // before the words grow: one long delta must not leave it behind
    turn.text += text;
    turn.deltas += 1;
    turn.item.dataset.state = "streaming";
    turn.item.dataset.deltas = String(turn.deltas);
    turn.item.querySelector(".text").textContent = turn.text;
    this.scroll(near);
  }

  finish(turn, reply, interrupted, why = "stopped") {
    const near = this.near();
    const { item } = turn;
    item.dataset.state = "done";
    item.removeAttribute("aria-busy");
    item.querySelector(".text").textContent = reply;
    if (!reply && !item.querySelector(".recalled")) {
      item.remove();
      return;
    }
    if (interrupted) item.append(label(why));
    this.scroll(near);
  }

  recalled(turn, memories) {
    if (!memories.length) return;
    const peek = document.createElement("details");
    peek.className = "recalled";
    const summary = document.createElement("summary");
    summary.textContent = memories.length === 1 ? "I remembered one thing" : `I remembered ${memories.length} things`;
    const list = document.createElement("ul");
    for (const memory of memories) {
      const line = document.createElement("li");
      line.textContent = memory.text;
      list.append(line);
    }
    peek.append(summary, list);
    turn.item.append(peek);
  }

  /** A held action: the model wants to do something that needs the user's yes. */
  confirm(event) {
    const card = heldCard(event, (answer, typed) => this.say(typed ? `yes ${event.action_id} ${typed}` : answer));
    this.log.append(card);
    this.scroll(true);
  }

  // A letter asked for in the chat ("write a letter to Ana for her birthday"): the draft with each
  // detail and where it came from (the flagged ones marked), kept through /v1/letters on "Keep it";
  // one with details not grounded only after a second, explicit "Keep it anyway".
  letterDraft(event) {
    const card = document.createElement("li");
    card.className = "msg held letter";
    const text = document.createElement("p");
    text.className = "text letter-text";
    text.textContent = event.text || "";
    const details = document.createElement("ul");
    details.className = "details";
    showDetails(details, event.grounding);
    const row = document.createElement("div");
    row.className = "row";
    const keep = document.createElement("button");
    keep.type = "button";
    keep.className = "primary";
    keep.textContent = "Keep it";
    const skip = document.createElement("button");
    skip.type = "button";
    skip.className = "ghost";
    skip.textContent = "Not now";
    let anyway = false;
    const brief = event.brief || {};
    keep.addEventListener("click", async () => {
      keep.disabled = skip.disabled = true;
      try {
        const kept = await api("POST", "/v1/letters", { to: brief.to, from: brief.from, occasion: brief.occasion,
          tone: brief.tone, client: brief.client, text: event.text, keep_flagged: anyway });
        const open = document.createElement("a");
        open.href = "#/letters";
        open.textContent = `Kept as letter ${kept.id}: open it in Letters`;
        card.dataset.kept = String(kept.id);
        row.replaceChildren(open);
      } catch (error) {
        this.hooks.notify(error.message);
        anyway = error.status === 409;
        if (anyway) keep.textContent = "Keep it anyway";
        keep.disabled = skip.disabled = false;
      }
    });
    skip.addEventListener("click", () => row.replaceChildren(label("not kept")));
    row.append(keep, skip);
    card.append(text, details, row);
    this.log.append(card);
    this.scroll(true);
  }

  notice(event) {
    if (event.kind === "turn") {
      this.log.append(bubble("user", event.said || "", "elsewhere"));
      const reply = bubble("os", event.reply || "", "elsewhere");
      reply.append(label("on another device"));
      this.log.append(reply);
    } else if (event.kind === "initiative") {
      const note = bubble("note", event.text || "", "initiative");
      note.dataset.plan = String(event.plan_id ?? "");
      note.title = event.reason ? `because: ${event.reason}` : "";
      note.prepend(label(event.about === "morning" ? "morning note" : "on my mind"));
      this.log.append(note);
    } else if (event.kind === "reminder") {
      const note = bubble("note", event.text || "A reminder");
      note.prepend(label("reminder"));
      this.log.append(note);
    } else if (event.text) {
      this.log.append(bubble("note", event.text));
    }
    this.scroll();
  }

  /** Show the recent conversation once, so a reload does not start from a blank page. */
  history() {
    if (this.historyShown) return this.historyLoading;
    this.historyShown = true;
    this.historyLoading = this.loadHistory().finally(() => {
      this.historyLoading = null;
    });
    return this.historyLoading;
  }

  async loadHistory() {
    let items = [];
    try {
      items = (await api("GET", "/v1/memories?kind=utterance&limit=30")).items || [];
    } catch {
      return;
    }
    items.sort((a, b) => (a.created_at - b.created_at) || (a.id > b.id ? 1 : -1));
    const earlier = document.createDocumentFragment();
    for (const memory of items) {
      const role = memory.role === "user" ? "user" : "os";
      const item = bubble(role, memory.text, "earlier");
      item.dataset.state = "done";
      if (memory.status === "interrupted") item.append(label("interrupted"));
      earlier.append(item);
    }
    this.log.prepend(earlier);
    this.scroll(true);
  }

  // Voice: what was heard and said in a spoken conversation appears in the same log.

  heard(text) {
    this.log.append(bubble("user", text, "spoken"));
    this.scroll(true);
  }

  spoken(text, turnId) {
    let item = this.voiceTurns.get(turnId);
    if (!item) {
      item = bubble("os", "", "spoken");
      item.dataset.state = "streaming";
      this.voiceTurns.set(turnId, item);
      this.log.append(item);
    }
    const words = item.querySelector(".text");
    words.textContent = words.textContent ? `${words.textContent} ${text}` : text;
    this.scroll();
  }

  savedSpoken(turnId, interrupted) {
    const item = this.voiceTurns.get(turnId);
    if (!item) return;
    item.dataset.state = "done";
    if (interrupted) item.append(label("interrupted"));
    this.voiceTurns.delete(turnId);
  }

  /** Is the page scrolled to (about) the end of the conversation? */
  near() {
    const root = document.scrollingElement;
    return root.scrollHeight - root.scrollTop - root.clientHeight < 160;
  }

  scroll(force = false) {
    const near = this.near();
    const still = matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (force || near) this.log.lastElementChild?.scrollIntoView({ block: "end", behavior: still ? "auto" : "smooth" });
  }
}
