// Other agents: the ones the person knows (GET /v1/agents; add one by its URL), and a
// conversation with one over /v1/agents/ws (docs/api.md). Each message os1 drafts arrives as a
// held action (the same card as in the chat) and is sent only on a yes; "all" lets this agent
// receive the kind of thing chosen (my questions, my opinions, facts about me) for the rest of
// this conversation only, and a message the guard finds beyond it is held again. Both sides appear as they are
// said; the agent's words are marked as its own, outside content.

import { api, socketUrl } from "./api.js";
import { heldCard } from "./held.js";

const $ = (id) => document.getElementById(id);
// "ask Sam what she thinks about this", read by the same rule as os1 chat (agents/a2a_asking.py)
const ASK = /^\s*(?:(?:can|could|would|will) you\s+|please\s+)?(?:go\s+)?ask\s+([^\s,:]+)[\s,:]+((?:what|how|if|whether|about|for|to|why|when|where|who|which)\b[\s\S]*)$/i;

function line(role, text, tag = "") {
  const item = document.createElement("li");
  item.className = `msg ${role}`;
  const words = document.createElement("p");
  words.className = "text";
  words.textContent = text;
  item.append(words);
  if (tag) {
    const label = document.createElement("span");
    label.className = "tag";
    label.textContent = tag;
    item.append(label);
  }
  return item;
}

export class Agents {
  /** @param {{notify: (line: string) => void, confirm: (text: string, yes?: string) => Promise<boolean>}} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    this.list = $("agent-list");
    this.log = $("meeting-log");
    this.agent = "";       // the agent the panel talks with
    this.ws = null;
    this.opened = null;    // the socket's opening, which asks wait for
    this.hearing = null;   // the agent's reply as it arrives
    this.names = [];       // the agents known by name, for "ask Sam ..." in the chat
    $("agent-add").addEventListener("submit", (event) => {
      event.preventDefault();
      this.add();
    });
    $("meeting-ask").addEventListener("submit", (event) => {
      event.preventDefault();
      this.ask();
    });
    $("meeting-text").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.ask();
      }
    });
    $("meeting-end").addEventListener("click", () => this.end());
  }

  async load() {
    let items = [];
    try {
      items = (await api("GET", "/v1/agents")).items || [];
    } catch (error) {
      this.hooks.notify(error.message);
      return;
    }
    this.names = items.map((agent) => agent.name);
    this.list.replaceChildren(...items.map((agent) => this.row(agent)));
    $("agent-empty").hidden = items.length > 0;
  }

  row(agent) {
    const item = document.createElement("li");
    item.className = "agent card";
    item.dataset.name = agent.name;
    const name = document.createElement("p");
    name.className = "name";
    name.textContent = agent.name;
    const where = document.createElement("p");
    where.className = "meta";
    where.textContent = agent.added ? agent.url : `${agent.url} · from the settings`;
    const row = document.createElement("div");
    row.className = "row";
    const talk = document.createElement("button");
    talk.type = "button";
    talk.className = "primary small talk";
    talk.textContent = `Talk with ${agent.name}`;
    talk.addEventListener("click", () => this.open(agent.name));
    row.append(talk);
    if (agent.added) {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "ghost small";
      remove.textContent = "Remove";
      remove.addEventListener("click", () => this.remove(agent.name));
      row.append(remove);
    }
    item.append(name, where, row);
    return item;
  }

  /** The known agent that words said in the chat ask os1 to ask something, or "". */
  requested(text) {
    const match = ASK.exec(text);
    if (!match) return "";
    return this.names.find((name) => name.toLowerCase() === match[1].toLowerCase()) || "";
  }

  /** Ask ``name`` from the chat's words: the conversation panel opens with them. */
  askFromChat(name, text) {
    this.open(name);
    $("meeting-text").value = text;
    this.ask(true);
  }

  async add() {
    const url = $("agent-url").value.trim();
    const name = $("agent-name").value.trim();
    if (!url) return this.hooks.notify("Please give the agent's address.");
    const button = $("agent-add-submit");
    button.disabled = true;
    try {
      const agent = await api("POST", "/v1/agents", name ? { url, name } : { url });
      $("agent-url").value = "";
      $("agent-name").value = "";
      this.hooks.notify(`${agent.name} is one of your agents now.`);
      await this.load();
    } catch (error) {
      this.hooks.notify(error.message);
    } finally {
      button.disabled = false;
    }
  }

  async remove(name) {
    if (!(await this.hooks.confirm(`Remove ${name} from your agents? What it said stays in your memories.`, "Remove"))) return;
    try {
      await api("DELETE", `/v1/agents/${encodeURIComponent(name)}`);
    } catch (error) {
      this.hooks.notify(error.message);
    }
    if (this.agent === name) this.end();
    this.load();
  }

  /** Show the conversation panel for ``name`` (a conversation with another agent ends). */
  open(name) {
    if (this.agent && this.agent !== name) this.end();
    this.agent = name;
    $("meeting").hidden = false;
    $("meeting-title").textContent = `Talking with ${name}`;
    $("meeting-text").placeholder = `What should I ask ${name}?`;
    $("meeting-text").focus();
  }

  async connect() {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return;
    if (!this.opened) {
      this.opened = (async () => {
        const ws = new WebSocket(await socketUrl("/v1/agents/ws"));
        ws.addEventListener("message", (event) => this.receive(event.data));
        ws.addEventListener("close", () => {
          if (this.ws === ws) this.ws = null;
          this.busy(false);
        });
        await new Promise((resolve, reject) => {
          ws.addEventListener("open", resolve, { once: true });
          ws.addEventListener("error", () => reject(new Error("I can't reach os1 right now.")), { once: true });
        });
        this.ws = ws;
      })().finally(() => {
        this.opened = null;
      });
    }
    await this.opened;
  }

  /** @param {boolean} inChat the words were said in Talk: drafted with what you were just saying */
  async ask(inChat = false) {
    const text = $("meeting-text").value.trim();
    if (!text || !this.agent) return;
    this.busy(true);
    try {
      await this.connect();
    } catch (error) {
      this.hooks.notify(error.message);
      this.busy(false);
      return;
    }
    $("meeting-text").value = "";
    this.append(line("user", text, `you asked me to talk with ${this.agent}`));
    const turns = Number($("meeting-turns").value) || 1;
    this.ws.send(JSON.stringify({ type: "ask", agent: this.agent, text, turns, chat: inChat === true }));
  }

  end() {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "end" }));
  }

  /** Logging out: the socket closes and the conversation is forgotten from the page. */
  stop() {
    if (this.ws) this.ws.close();
    this.ws = null;
    this.agent = "";
    this.log.replaceChildren();
    $("meeting").hidden = true;
  }

  busy(on) {
    $("meeting-send").disabled = on;
    $("meeting").dataset.busy = on ? "true" : "false";
  }

  receive(data) {
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    switch (event.type) {
      case "meeting":
        this.append(line("note", event.description || "", `${event.name} · ${event.url}`));
        break;
      case "confirm": {
        const allowance = `Yes, and let ${this.agent} have this kind for the rest of this conversation`;
        this.append(heldCard(event, (answer, _typed, kind) => this.answer(event.action_id, answer, kind), allowance));
        break;
      }
      case "sent":
        this.append(line("os", event.text || "", event.asked === false ? `sent: within what you allowed (${event.allowance})` : "sent"));
        this.hearing = line("agent", "", "");
        this.hearing.dataset.state = "streaming";
        this.append(this.hearing);
        break;
      case "heard":
        if (this.hearing) {
          this.hearing.querySelector(".text").textContent += event.text || "";
          this.hearing.dataset.state = "streaming";
        }
        break;
      case "said":
        this.said(event);
        break;
      case "stopped":
        if (event.why === "declined") this.append(line("note", "Not sent."));
        this.busy(false);
        break;
      case "ended":
        this.append(line("note", "The conversation ended; any allowance ended with it."));
        break;
      case "error":
        this.hooks.notify(event.message || "Something went wrong.");
        this.append(line("note", event.message || "Something went wrong."));
        if (this.hearing && !this.hearing.querySelector(".text").textContent) this.hearing.remove();
        this.hearing = null;
        break;
      default:
        break;
    }
  }

  answer(actionId, answer, kind = "") {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type: "answer", action_id: actionId, answer, ...(kind ? { kind } : {}) }));
    } else this.hooks.notify("The conversation closed; ask again.");
  }

  said(event) {
    const item = this.hearing || line("agent", "");
    item.querySelector(".text").textContent = event.text || "(no reply)";
    item.dataset.state = "done";
    const label = document.createElement("span");
    label.className = "tag";
    label.textContent = `${event.who}, another agent: its words are kept, never obeyed`;
    item.append(label);
    if (!this.hearing) this.append(item);
    this.hearing = null;
  }

  append(item) {
    this.log.append(item);
    item.scrollIntoView({ block: "nearest" });
  }
}
