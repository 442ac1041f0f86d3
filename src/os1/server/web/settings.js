// Settings: which model os1 thinks with (among those the server offers), its voice, and the
// quiet hours in which it keeps reminders to itself ("22:00-08:00"; empty for none).

import { api } from "./api.js";

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

  fill(settings) {
    const options = (settings.models || []).map(modelName);
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
