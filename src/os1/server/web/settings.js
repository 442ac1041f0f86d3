// Settings: which model os1 thinks with (among those the server offers), its voice, the
// quiet hours in which it keeps reminders to itself ("22:00-08:00"; empty for none) and the
// time zone those hours (and the time os1 knows) are in: the browser's own, until changed.

import { api } from "./api.js";

/** The browser's IANA time zone ("Europe/Lisbon"), or "" if it does not say. */
export function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
}

function modelName(model) {
  if (typeof model === "string") return { value: model, text: model };
  const value = model.name ?? model.id ?? model.model ?? "";
  const usable = model.available === false || model.ok === false ? " (not reachable now)" : "";
  return { value: String(value), text: `${model.label ?? value}${usable}` };
}

export class Settings {
  /** @param {{notify: (line: string) => void}} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    this.form = document.getElementById("settings-form");
    this.model = document.getElementById("set-model");
    this.voice = document.getElementById("set-voice");
    this.quietOn = document.getElementById("set-quiet-on");
    this.quietFrom = document.getElementById("set-quiet-from");
    this.quietTo = document.getElementById("set-quiet-to");
    this.zone = document.getElementById("set-zone");
    this.quietOn.addEventListener("change", () => this.showQuiet());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
  }

  async load() {
    try {
      this.fill(await api("GET", "/v1/settings"));
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  /** Once signed in: a person without a time zone gets their browser's, so that their quiet
   * hours are their own nights even when the server is elsewhere. */
  async adoptZone() {
    const zone = browserZone();
    if (!zone) return;
    try {
      const current = await api("GET", "/v1/settings");
      if (!current.time_zone) await api("PUT", "/v1/settings", { time_zone: zone });
    } catch {
      // not fatal: the server's time zone stays in use, and settings shows it
    }
  }

  fill(settings) {
    const labels = settings.model_labels || {};
    const options = (settings.models || []).map(modelName)
      .map((option) => ({ ...option, text: labels[option.value] || option.text }));
    if (settings.model && !options.some((o) => o.value === settings.model)) {
      options.unshift({ value: settings.model, text: settings.model });
    }
    this.model.replaceChildren(...options.map(({ value, text }) => new Option(text, value)));
    this.model.value = settings.model || "";
    this.voice.value = settings.voice || "";
    const quiet = typeof settings.quiet_hours === "string" ? settings.quiet_hours : "";
    const match = /^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/.exec(quiet);
    this.quietOn.checked = Boolean(match);
    if (match) {
      this.quietFrom.value = match[1].padStart(5, "0");
      this.quietTo.value = match[2].padStart(5, "0");
    }
    this.zone.value = settings.time_zone || browserZone();
    this.showQuiet();
  }

  showQuiet() {
    document.getElementById("quiet-times").hidden = !this.quietOn.checked;
  }

  async save() {
    const body = {
      model: this.model.value,
      voice: this.voice.value.trim(),
      quiet_hours: this.quietOn.checked ? `${this.quietFrom.value}-${this.quietTo.value}` : "",
      time_zone: this.zone.value.trim(),
    };
    const button = document.getElementById("settings-save");
    button.disabled = true;
    try {
      this.fill(await api("PUT", "/v1/settings", body));
      this.hooks.notify("Saved.");
    } catch (error) {
      this.hooks.notify(error.message);
    } finally {
      button.disabled = false;
    }
  }
}
