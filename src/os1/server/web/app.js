// os1 in the browser: one page, hash routes (#/login, #/register, #/welcome, #/chat, #/memories,
// #/settings, #/play). The session decides where one may go: nobody logged in → login (multi mode; single
// mode has no accounts and is always the local user), not onboarded yet → welcome, else anywhere.

import { Access } from "./access.js";
import { Agents } from "./agents.js";
import { api } from "./api.js";
import { Chat } from "./chat.js";
import { Letters } from "./letters.js";
import { Memories } from "./memories.js";
import { Play } from "./play.js";
import { Settings, ZoneOffer } from "./settings.js";
import { Notifications } from "./push.js";
import { shareFile, sharable } from "./share.js";
import { Voice } from "./voice.js";
import { Journal } from "./journal.js";
import { Goodbye } from "./goodbye.js";

const $ = (id) => document.getElementById(id);
const OPEN = new Set(["login", "register"]);
const SCREENS = new Set(["login", "register", "welcome", "chat", "memories", "settings", "journal", "goodbye", "letters", "play", "agents"]);

const BEEN_HERE = "os1-been-here"; // set once someone has signed in from this browser
const state = { mode: "single", registration: false, me: null, screen: "loading" };

// One gentle line for whatever needs saying (errors included); it fades after a while.
let noticeTimer = 0;
function notify(line) {
  const notice = $("notice");
  notice.textContent = line;
  notice.classList.add("shown");
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => notice.classList.remove("shown"), 6000);
}
function quiet() {
  $("notice").classList.remove("shown");
}

// A confirmation asked in a <dialog>, with a list of what it acts on if given; resolves to
// true for yes.
function confirmDialog(text, yes = "Forget", items = []) {
  const dialog = $("confirm");
  $("confirm-text").textContent = text;
  $("confirm-yes").textContent = yes;
  const list = $("confirm-list");
  list.replaceChildren(...items.map((line) => {
    const item = document.createElement("li");
    item.textContent = line;
    return item;
  }));
  list.hidden = items.length === 0;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
    $("confirm-no").focus();
  });
}

const chat = new Chat($("log"), {
  notify,
  dropped: async () => {
    await checkSession();
    if (state.me) chat.start();
    else route(); // logged out elsewhere: back to the login
  },
  speaking: (on) => {
    document.body.classList.toggle("speaking", on);
    $("send").hidden = on;
    $("stop").hidden = !on;
  },
});
const memories = new Memories({ notify, confirm: confirmDialog });
const letters = new Letters({ notify, confirm: confirmDialog });
const play = new Play({ notify, table: (on) => voice.atTable(on) }); // a game shown: the mic plays it
const settings = new Settings({ notify });
// the person's time zone, offered when this device's differs (never set unasked)
const zoneOffer = new ZoneOffer({ notify });
document.addEventListener("os1-zone", () => state.screen === "settings" && settings.load());
document.addEventListener("os1-saved", () => state.me && zoneOffer.check(state.me));
const notifications = new Notifications({ notify });
const access = new Access({ notify, confirm: confirmDialog });
// os1's inner life, and the goodbye: after erasing, nothing of the person is left to talk to
const journal = new Journal({ notify, confirm: confirmDialog });
const goodbye = new Goodbye({
  notify,
  leaving: () => { // the sockets close first, so that their ending sends nobody to the login
    voice.stop();
    chat.stop();
  },
  stayed: () => chat.start(),
  ended: () => {
    state.me = null;
    $("top").hidden = true;
  },
});
const agents = new Agents({ notify, confirm: confirmDialog }); // other agents (agents.js)
const VOICE_DOING = { listening: "Listening…", thinking: "Thinking…", speaking: "Speaking… (tap the mic to stop)" };
const voice = new Voice({
  heard: (text) => chat.heard(text),
  say: (text, turn) => chat.spoken(text, turn),
  saved: (turn, interrupted) => chat.savedSpoken(turn, interrupted),
  play: (event) => play.voiced(event), // a game line said aloud, for the Play log
  notify,
  state: (name) => {
    for (const mic of [$("mic"), $("play-mic")]) { // the Play view's mic is the same voice
      mic.dataset.state = name;
      mic.setAttribute("aria-pressed", String(name === "listening" || name === "starting"));
      mic.setAttribute("aria-label", name === "idle" ? (mic.id === "mic" ? "Talk with your voice" : "Play by voice") : "Stop talking");
    }
    document.body.classList.toggle("listening", name === "listening");
  },
  level: (value) => {
    for (const mic of [$("mic"), $("play-mic")]) mic.style.setProperty("--level", Math.min(1, value * 6).toFixed(2));
  },
  doing: (name) => {
    const status = $("voice-status");
    status.dataset.doing = name;
    status.textContent = VOICE_DOING[name] || "";
    status.hidden = name === "idle";
  },
});

// ---- session and routing ----

async function checkSession() {
  try {
    const session = await api("GET", "/v1/session");
    state.mode = session.mode || "single";
    state.registration = Boolean(session.registration);
    state.me = session.user || null;
  } catch (error) {
    if (error.status === 401) state.me = null;
    else notify(error.message);
  }
  document.body.dataset.mode = state.mode;
}

function signedIn(me) {
  state.me = me;
  localStorage.setItem(BEEN_HERE, "yes"); // the login says "Welcome back" from now on
  $("brand-name").textContent = me.os_name || "os1";
  $("account-name").textContent = state.mode === "multi" ? `Logged in as ${me.username}` : "";
  $("logout").hidden = state.mode !== "multi";
  chat.start();
  zoneOffer.check(me);
  agents.load(); // their names, for "ask Sam ..." in the chat
}

function routeName() {
  const name = location.hash.replace(/^#\/?/, "").split("?")[0];
  return SCREENS.has(name) ? name : "chat";
}

function go(name) {
  if (routeName() === name && location.hash) route();
  else location.hash = `#/${name}`;
}

function route() {
  let name = routeName();
  if (!state.me) {
    if (!OPEN.has(name)) return go("login");
    if (name === "register" && !state.registration) return go("login");
  } else if (OPEN.has(name)) {
    return go(state.me.onboarded ? "chat" : "welcome");
  } else if (!state.me.onboarded && name !== "welcome") {
    return go("welcome");
  }
  show(name);
}

function show(name) {
  const screen = name === "register" ? "login" : name;
  // the first screen keeps focus at the top, so the first Tab reaches the skip link
  const changed = state.screen !== name && state.screen !== "loading";
  state.screen = name;
  for (const section of document.querySelectorAll("section[data-screen]")) section.hidden = section.dataset.screen !== screen;
  $("top").hidden = !state.me || !state.me.onboarded;
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.route === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.body.dataset.view = name;
  if (name === "login" || name === "register") showLogin(name);
  if (name === "welcome") welcome();
  if (name === "chat") chat.history();
  if (name === "memories") memories.load();
  if (name === "journal") journal.load();
  if (name === "goodbye") goodbye.load();
  if (name === "letters") letters.load();
  if (name === "play") play.load();
  else voice.atTable(false); // away from the Play view, voice is conversation
  if (name === "agents") agents.load();
  if (name === "settings") {
    settings.load();
    notifications.load();
    access.load(state.mode);
  }
  if (changed) {
    const heading = document.querySelector(`[data-screen="${screen}"] h1`);
    if (heading && !heading.closest("[hidden]")) heading.focus({ preventScroll: true });
    window.scrollTo(0, name === "chat" ? document.body.scrollHeight : 0);
  }
}

// ---- login and register ----

function showLogin(name) {
  const local = state.mode === "single"; // no accounts: the key comes from the printed link
  $("login-form").hidden = local;
  $("local-hint").hidden = !local;
  if (local) {
    $("login-title").textContent = "Hello";
    $("login-switch").hidden = true;
    $("register-switch").hidden = true;
    return;
  }
  const registering = name === "register";
  const returning = localStorage.getItem(BEEN_HERE) === "yes";
  $("login-title").textContent = registering ? "Nice to meet you" : returning ? "Welcome back" : "Hello";
  $("login-submit").textContent = registering ? "Create account" : "Log in";
  $("login-password").autocomplete = registering ? "new-password" : "current-password";
  $("login-switch").hidden = registering || !state.registration;
  $("register-switch").hidden = !registering;
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const registering = state.screen === "register";
  const username = $("login-username").value.trim();
  const password = $("login-password").value;
  if (!username || !password) return notify("Please fill in your name and password.");
  if (registering && password.length < 8) return notify("Please choose a password of at least 8 characters.");
  const button = $("login-submit");
  button.disabled = true;
  try {
    const me = await api("POST", registering ? "/v1/auth/register" : "/v1/auth/login", { username, password });
    $("login-password").value = "";
    quiet();
    signedIn(me);
    go(me.onboarded ? "chat" : "welcome");
  } catch (error) {
    notify(error.message);
  } finally {
    button.disabled = false;
  }
});

$("logout").addEventListener("click", async () => {
  try {
    await api("POST", "/v1/auth/logout");
  } catch (error) {
    if (error.status !== 401) return notify(error.message);
  }
  voice.stop();
  voice.teardown();
  chat.stop();
  agents.stop();
  state.me = null;
  $("zone-offer").hidden = true;
  welcomeAsked = false;
  go("login");
  notify("You're logged out. See you soon.");
});

// ---- onboarding ----

let welcomeAsked = false;
async function welcome() {
  if (welcomeAsked) return;
  welcomeAsked = true;
  $("welcome-ask").hidden = false;
  $("welcome-meet").hidden = true;
  let onboarding;
  try {
    onboarding = await api("GET", "/v1/onboarding");
  } catch (error) {
    welcomeAsked = false;
    return notify(error.message);
  }
  if (onboarding.done) {
    state.me.onboarded = true;
    return go("chat");
  }
  const fields = (onboarding.questions || []).map((question) => {
    const id = `answer-${question.key}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = question.text.replace(/\s*\((press )?enter to skip\)\s*$/i, "");
    const input = document.createElement(question.key === "on_mind" || question.key === "mother" ? "textarea" : "input");
    input.id = id;
    input.name = question.key;
    input.maxLength = 500;
    if (input.tagName === "TEXTAREA") input.rows = 2;
    if (question.skippable) input.placeholder = "You can skip this one";
    else input.required = true;
    if (question.key === "user_name") input.autocomplete = "given-name";
    return [label, input];
  });
  $("welcome-questions").replaceChildren(...fields.flat());
}

$("welcome-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const answers = {};
  for (const field of $("welcome-questions").querySelectorAll("input, textarea")) {
    if (field.required && !field.value.trim()) {
      field.focus();
      return notify("Please tell me what to call you.");
    }
    if (field.value.trim()) answers[field.name] = field.value.trim();
  }
  const button = $("welcome-submit");
  button.disabled = true;
  button.textContent = "Getting to know you…";
  document.body.classList.add("thinking");
  try {
    const met = await api("POST", "/v1/onboarding", { answers });
    state.me.onboarded = true;
    state.me.os_name = met.os_name;
    $("brand-name").textContent = met.os_name;
    $("welcome-name").textContent = met.os_name;
    $("welcome-intro").textContent = met.introduction || "";
    $("welcome-ask").hidden = true;
    $("welcome-meet").hidden = false;
    $("welcome-name").focus();
  } catch (error) {
    notify(error.message);
  } finally {
    button.disabled = false;
    button.textContent = "Begin";
    document.body.classList.remove("thinking");
  }
});

// ---- chat composer ----

const box = $("say");
// The terminal's words for showing os1 something (/share, /look, /listen; /camera) open the
// picker or the camera here, where there are no paths; words after them go with a picture.
const SHOW = /^\/(share|look|listen|camera)(?:\s+([\s\S]*))?$/i;
function send() {
  const text = box.value.trim();
  if (!text) return;
  const show = SHOW.exec(text);
  if (show) {
    box.value = show[2] || "";
    grow();
    $(show[1].toLowerCase() === "camera" ? "camera-file" : "attach-file").click();
    return;
  }
  box.value = "";
  grow();
  const agent = agents.requested(text); // "ask Sam what she thinks ...": on the Agents page, on yes
  if (agent) {
    go("agents");
    agents.askFromChat(agent, text);
    return;
  }
  chat.say(text);
}
function grow() {
  box.style.height = "auto";
  box.style.height = `${Math.min(box.scrollHeight, 160)}px`;
}
$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  send();
});
box.addEventListener("input", grow);
box.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});
// ---- sharing: attach, the camera, drop and paste ----

function share(files, camera = false) {
  const note = box.value.trim(); // words typed beside a picture go with it
  for (const file of files) {
    const picture = (file.type || "").startsWith("image/");
    chat.shared(file, shareFile(file, { note: picture ? note : "", camera }), picture ? note : "");
  }
  if (note && files.some((file) => (file.type || "").startsWith("image/"))) {
    box.value = "";
    grow();
  }
}
for (const [button, input, camera] of [["attach", "attach-file", false], ["camera", "camera-file", true]]) {
  $(button).addEventListener("click", () => $(input).click());
  $(input).addEventListener("change", () => {
    const files = Array.from($(input).files || []);
    $(input).value = "";
    if (files.length) share(files, camera);
  });
}
box.addEventListener("paste", (event) => {
  const files = sharable(event.clipboardData);
  if (!files.length) return; // text is pasted as text (a long post is read as a post by the turn)
  event.preventDefault();
  share(files);
});
const chatScreen = $("screen-chat");
chatScreen.addEventListener("dragover", (event) => {
  if (Array.from(event.dataTransfer?.types || []).includes("Files")) {
    event.preventDefault();
    chatScreen.classList.add("dropping");
  }
});
chatScreen.addEventListener("dragleave", () => chatScreen.classList.remove("dropping"));
chatScreen.addEventListener("drop", (event) => {
  chatScreen.classList.remove("dropping");
  const files = sharable(event.dataTransfer);
  if (!event.dataTransfer?.files?.length) return;
  event.preventDefault();
  if (files.length) share(files);
  else notify("I can look at pictures, read posts (Markdown or HTML) and listen to music.");
});
$("stop").addEventListener("click", () => chat.interrupt());
$("mic").addEventListener("click", () => (voice.active ? voice.stop() : voice.start()));
$("play-mic").addEventListener("click", () => (voice.active ? voice.stop() : voice.start())); // plays the game shown

// ---- start ----

window.addEventListener("hashchange", route);
window.os1 = { state, chat, voice, letters, agents }; // for the curious, and for the browser tests
(async () => {
  await checkSession();
  if (state.me) signedIn(state.me);
  document.body.dataset.ready = "true";
  route();
})();
