// Settings, multi mode: the password (changed with the current one), the browser sessions
// logged in to this account and the API tokens, each of which can be ended here (its open
// sockets close at once).

import { api } from "./api.js";

const day = (seconds) => new Date(seconds * 1000).toLocaleDateString();

/** A short name for a browser from its User-Agent. */
function browserName(agent) {
  const known = ["Firefox", "Edg", "Chrome", "Safari"].find((name) => agent.includes(`${name}/`));
  const system = ["Android", "iPhone", "iPad", "Mac OS", "Windows", "Linux"].find((name) => agent.includes(name));
  const name = known === "Edg" ? "Edge" : known;
  return [name, system].filter(Boolean).join(" on ") || "A browser";
}

export class Access {
  /** @param {{notify: (line: string) => void, confirm: (text: string) => Promise<boolean>}} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    this.section = document.getElementById("access");
    this.sessions = document.getElementById("sessions");
    this.tokens = document.getElementById("tokens");
    this.form = document.getElementById("password-form");
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.changePassword();
    });
    document.getElementById("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.makeToken();
    });
  }

  /** Fill the lists (multi mode only: single mode has no accounts). */
  async load(mode) {
    this.section.hidden = mode !== "multi";
    document.getElementById("token-made").hidden = true;
    if (mode !== "multi") return;
    try {
      const [sessions, tokens] = await Promise.all([api("GET", "/v1/sessions"), api("GET", "/v1/tokens")]);
      this.sessions.replaceChildren(...sessions.map((s) => this.sessionItem(s)));
      this.tokens.replaceChildren(...tokens.map((t) => this.tokenItem(t)));
      document.getElementById("tokens-none").hidden = tokens.length > 0;
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  sessionItem(session) {
    const what = `${browserName(session.agent)}, since ${day(session.created_at)}`;
    return this.item(session.current ? `${what} (this one)` : what, session.current ? null : {
      label: "Log out", ask: `Log out ${browserName(session.agent)}?`, path: `/v1/sessions/${session.id}`,
      done: "Logged out there.",
    }, session.id);
  }

  tokenItem(token) {
    const ends = token.expires_at ? `until ${day(token.expires_at)}` : "no end date";
    return this.item(`${token.name} (${token.scope}, ${ends})`, {
      label: "Revoke", ask: `Revoke the token "${token.name}"?`, path: `/v1/tokens/${token.id}`, done: "Revoked.",
    }, token.id);
  }

  item(text, end, id) {
    const li = document.createElement("li");
    li.dataset.id = id;
    const label = document.createElement("span");
    label.textContent = text;
    li.append(label);
    if (end) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "ghost";
      button.textContent = end.label;
      button.addEventListener("click", async () => {
        if (!(await this.hooks.confirm(end.ask, end.label))) return;
        try {
          await api("DELETE", end.path);
          li.remove();
          this.hooks.notify(end.done);
        } catch (error) {
          this.hooks.notify(error.message);
        }
      });
      li.append(button);
    }
    return li;
  }

  /** A new token (90 days), shown once. */
  async makeToken() {
    const name = document.getElementById("token-name");
    if (!name.value.trim()) return name.focus();
    try {
      const made = await api("POST", "/v1/tokens", {
        name: name.value.trim(), scope: document.getElementById("token-scope").value,
      });
      name.value = "";
      document.getElementById("token-secret").textContent = made.token;
      document.getElementById("token-made").hidden = false;
      this.tokens.append(this.tokenItem(made));
      document.getElementById("tokens-none").hidden = true;
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  async changePassword() {
    const current = document.getElementById("password-current");
    const fresh = document.getElementById("password-new");
    const button = document.getElementById("password-save");
    button.disabled = true;
    try {
      await api("POST", "/v1/auth/password", { current: current.value, new: fresh.value });
      current.value = "";
      fresh.value = "";
      this.hooks.notify("Password changed. Other browsers are logged out.");
      await this.load("multi");
    } catch (error) {
      this.hooks.notify(error.message);
    } finally {
      button.disabled = false;
    }
  }
}
