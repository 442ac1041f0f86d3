// Notifications with the tab closed: Web Push through the service worker (sw.js). The server
// hands out its VAPID public key; this browser's subscription goes to /v1/push/subscriptions.

import { api } from "./api.js";

/** The bytes of a base64url string (the application server key). */
function bytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

export class Notifications {
  /** @param {{notify: (line: string) => void}} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    this.button = document.getElementById("notify-toggle");
    this.state = document.getElementById("notify-state");
    this.on = false;
    this.button.addEventListener("click", () => (this.on ? this.disable() : this.enable()));
  }

  get supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  async subscription() {
    const registration = await navigator.serviceWorker.getRegistration();
    return registration ? registration.pushManager.getSubscription() : null;
  }

  async load() {
    if (!this.supported) {
      this.show(false, "This browser cannot show notifications from os1.");
      this.button.hidden = true;
      return;
    }
    try {
      const [state, mine] = await Promise.all([api("GET", "/v1/push"), this.subscription()]);
      this.show(Boolean(mine && state.endpoints.includes(mine.endpoint)));
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  show(on, line) {
    this.on = on;
    document.body.dataset.push = on ? "on" : "off";
    this.button.textContent = on ? "Stop notifications" : "Notify me with the tab closed";
    this.state.textContent = line || (on ? "This browser gets what os1 brings up, even with the tab closed."
      : "os1 brings things up only while this tab is open.");
  }

  async enable() {
    this.button.disabled = true;
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        this.hooks.notify("Notifications are blocked for this site in the browser's settings.");
        return;
      }
      await navigator.serviceWorker.register("sw.js");
      const registration = await navigator.serviceWorker.ready;
      const { public_key: key } = await api("GET", "/v1/push");
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: bytes(key),
      });
      await api("POST", "/v1/push/subscriptions", subscription.toJSON());
      this.show(true);
    } catch (error) {
      this.hooks.notify(error.message || "This browser would not subscribe.");
    } finally {
      this.button.disabled = false;
    }
  }

  async disable() {
    this.button.disabled = true;
    try {
      const mine = await this.subscription();
      if (mine) {
        await api("DELETE", "/v1/push/subscriptions", { endpoint: mine.endpoint });
        await mine.unsubscribe();
      }
      this.show(false);
    } catch (error) {
      this.hooks.notify(error.message);
    } finally {
      this.button.disabled = false;
    }
  }
}
