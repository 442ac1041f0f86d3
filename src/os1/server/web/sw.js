// The service worker: Web Push for proposals os1 makes while no tab of the app is in view (an
// open tab gets them over its chat socket). The payload is the socket's own "notice" event.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function payload(data) {
  if (!data) return {};
  try {
    return data.json();
  } catch {
    return { text: data.text() };
  }
}

self.addEventListener("push", (event) => {
  const notice = payload(event.data);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    if (windows.some((w) => w.visibilityState === "visible" && w.focused)) return; // the tab shows it
    await self.registration.showNotification(notice.title || "os1", {
      body: notice.text || "",
      tag: `os1-${notice.plan_id ?? "notice"}`,
      data: { url: "./#/chat" },
    });
  })());
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    if (windows.length) return windows[0].focus();
    return self.clients.openWindow(event.notification.data?.url || "./");
  })());
});
