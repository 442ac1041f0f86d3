// Settings: which model os1 thinks with (among those the server offers), its voice (among those
// the server's speech engine has, each with a sample to play), the quiet hours in which it keeps
// reminders to itself ("22:00-08:00"; empty for none) and the person's time zone, which those
// hours (and the time os1 knows) are in. The time zone is the person's, kept in their profile:
// a browser elsewhere offers its own (ZoneOffer) and never sets it unasked.

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
    this.voiceList = document.getElementById("voice-list");
    this.chosenVoice = "";
    this.sample = new Audio();
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
      const [settings, voices] = await Promise.all([api("GET", "/v1/settings"), api("GET", "/v1/voices")]);
      this.fill(settings);
      this.fillVoices(voices);
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  /** One radio button per voice, with a button that plays its sample. */
  fillVoices({ voices, chosen, note }) {
    document.getElementById("voice-note").textContent = note;
    this.chosenVoice = chosen;
    this.voiceList.replaceChildren(...voices.map(({ name, about }) => {
      const item = document.createElement("li");
      const label = document.createElement("label");
      label.className = "check";
      const radio = document.createElement("input");
      Object.assign(radio, { type: "radio", name: "voice", value: name, checked: name === chosen });
      const words = document.createElement("span");
      const title = name === "usual" ? "Usual" : name[0].toUpperCase() + name.slice(1);
      words.append(`${title}: `, Object.assign(document.createElement("span"), { className: "about", textContent: about }));
      label.append(radio, words);
      const play = document.createElement("button");
      Object.assign(play, { type: "button", className: "ghost small play", textContent: "Play" });
      play.dataset.voice = name;
      play.setAttribute("aria-label", `Play a sample of the ${title.toLowerCase()} voice`);
      play.addEventListener("click", () => this.play(play, name));
      item.append(label, play);
      return item;
    }));
  }

  /** Speak the sample line in ``name``; the button says what the sample is doing. */
  play(button, name) {
    const sample = this.sample;
    sample.pause();
    for (const other of this.voiceList.querySelectorAll("button.play")) delete other.dataset.state;
    button.dataset.state = "loading";
    const mark = (state) => () => {
      if (sample.dataset.voice === name) button.dataset.state = state;
    };
    sample.dataset.voice = name;
    sample.onplaying = mark("playing");
    sample.onended = mark("played");
    sample.onerror = () => {
      mark("failed")();
      this.hooks.notify("I couldn't play that sample; the server's speech engine may be missing.");
    };
    sample.src = `/v1/voices/${encodeURIComponent(name)}/sample`;
    sample.play().catch(() => {}); // a failure is reported by onerror
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
    const quiet = typeof settings.quiet_hours === "string" ? settings.quiet_hours : "";
    const match = /^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/.exec(quiet);
    this.quietOn.checked = Boolean(match);
    if (match) {
      this.quietFrom.value = match[1].padStart(5, "0");
      this.quietTo.value = match[2].padStart(5, "0");
    }
    this.zone.value = settings.time_zone || "";
    this.showQuiet();
  }

  showQuiet() {
    document.getElementById("quiet-times").hidden = !this.quietOn.checked;
  }

  async save() {
    const body = {
      model: this.model.value,
      quiet_hours: this.quietOn.checked ? `${this.quietFrom.value}-${this.quietTo.value}` : "",
      time_zone: this.zone.value.trim(),
    };
    const voice = this.voiceList.querySelector("input[name=voice]:checked")?.value;
    // the words given at onboarding ("warm and kind") are kept until another voice is chosen
    if (voice && voice !== this.chosenVoice) body.voice = voice === "usual" ? "" : voice;
    const button = document.getElementById("settings-save");
    button.disabled = true;
    try {
      this.fill(await api("PUT", "/v1/settings", body));
      if (body.voice !== undefined) this.chosenVoice = voice;
      this.hooks.notify("Saved.");
      document.dispatchEvent(new CustomEvent("os1-saved")); // the time-zone offer looks again
    } catch (error) {
      this.hooks.notify(error.message);
    } finally {
      button.disabled = false;
    }
  }
}

/** The minutes this browser is ahead of UTC now. */
function browserOffset() {
  return -new Date().getTimezoneOffset();
}

// The person's time zone is their profile's. When this device's differs, a card offers it, once
// per account, device zone and kept zone ("Keep it" is remembered in this browser).
export class ZoneOffer {
  /** @param {{notify: (line: string) => void}} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    this.card = document.getElementById("zone-offer");
    this.use = document.getElementById("zone-use");
    document.getElementById("zone-keep").addEventListener("click", () => this.keep());
    this.use.addEventListener("click", () => this.take());
  }

  /** Called once signed in: show the offer if this device is elsewhere (then data-checked). */
  async check(me) {
    this.card.hidden = true;
    delete this.card.dataset.checked;
    await this.compare(me);
    this.card.dataset.checked = "yes";
  }

  async compare(me) {
    const zone = browserZone();
    if (!zone) return;
    let settings;
    try {
      settings = await api("GET", "/v1/settings");
    } catch {
      return; // not fatal: settings shows the zone, and this is asked again next time
    }
    const kept = settings.time_zone || "";
    const same = kept ? kept === zone : settings.zone_offset_minutes === browserOffset();
    this.key = `os1-zone-kept:${me.id ?? me.username ?? ""}:${kept}:${zone}`;
    if (same || localStorage.getItem(this.key)) return;
    this.zone = zone;
    const where = kept ? `in ${kept}` : "in this server's time zone";
    document.getElementById("zone-offer-text").textContent =
      `This device is on ${zone} time, and I keep your time ${where} (your quiet hours, the time I know).`;
    this.use.textContent = `Use ${zone}`;
    this.card.hidden = false;
  }

  async take() {
    try {
      await api("PUT", "/v1/settings", { time_zone: this.zone });
      this.card.hidden = true;
      this.hooks.notify(`Your time zone is now ${this.zone}.`);
      document.dispatchEvent(new CustomEvent("os1-zone"));
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  keep() {
    localStorage.setItem(this.key, "yes");
    this.card.hidden = true;
  }
}
