// The Play view: a game together (docs/games.md). Pick the cave, chess or a story of yours; the
// text games show the game's screen with an input line, chess a board drawn as SVG by the server
// (python-chess), moved by clicking a piece and then its square, or by typing the move. os1's
// words (a remark on the move, a suggestion, why it moved) are beside it. Every line, typed or
// a button's, goes to /v1/play/say: the same co-player path as `os1 play` and `os1 talk`.
// While a game is shown, the microphone plays it too (voice.js): a spoken line and its answer
// arrive as a `play` event and are logged here like a typed one.

import { api } from "./api.js";

const KEEP = 200; // lines of the game kept on the page

export class Play {
  /** @param {{notify: (line: string) => void, table?: (on: boolean) => void}} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    this.view = null;
    this.picked = ""; // a square clicked first, waiting for where it goes
    this.busy = false;
    const $ = (id) => document.getElementById(id);
    this.el = {
      section: $("screen-play"), title: $("play-title"), choose: $("play-choose"), table: $("play-table"),
      board: $("play-board"), log: $("play-log"), form: $("play-form"), input: $("play-input"),
      fresh: $("play-new"), map: $("play-map"), file: $("play-story-file"),
    };
    $("play-adventure").addEventListener("click", () => this.open({ game: "adventure" }));
    $("play-chess-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.open({
        game: "chess", elo: Number($("play-elo").value) || 1500, color: $("play-color").value,
        partner: $("play-partner").checked,
      });
    });
    $("play-story").addEventListener("click", () => this.el.file.click());
    this.el.file.addEventListener("change", () => {
      const file = this.el.file.files && this.el.file.files[0];
      this.el.file.value = "";
      if (file) this.story(file);
    });
    this.el.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const line = this.el.input.value.trim();
      if (line) {
        this.el.input.value = "";
        this.say(line);
      }
    });
    for (const button of this.el.section.querySelectorAll("button[data-line]")) {
      button.addEventListener("click", () => this.say(button.dataset.line));
    }
    $("play-leave").addEventListener("click", () => this.leave());
    this.el.board.addEventListener("click", (event) => this.clicked(event));
  }

  /** Show the game open now, or the choice of games. */
  async load() {
    try {
      const { open } = await api("GET", "/v1/play");
      this.show(open);
    } catch (error) {
      this.hooks.notify(error.message);
    }
  }

  async open(choice) {
    await this.ask(async () => {
      const opened = await api("POST", "/v1/play", { ...choice, new: this.el.fresh.checked });
      this.started(opened);
    });
  }

  async story(file) {
    const params = new URLSearchParams({ name: (file.name || "story").slice(0, 200) });
    if (this.el.fresh.checked) params.set("new", "true");
    const body = new Blob([file], { type: "application/octet-stream" });
    await this.ask(async () => this.started(await api("POST", `/v1/play/story?${params}`, body)));
  }

  started(opened) {
    this.el.log.replaceChildren();
    this.show(opened.view);
    if (opened.view.game !== "chess") this.line("game", opened.view.screen);
    if (opened.welcome) this.line("os", opened.welcome);
    if (opened.view.remark) this.line("os", opened.view.remark);
    this.el.input.focus();
  }

  /** One line at the game: a move, or words for os1 ("?", "you go", "map", "/say ..."). */
  async say(line) {
    if (this.busy || !this.view) return;
    this.line("you", line);
    await this.ask(async () => {
      const { answer, view } = await api("POST", "/v1/play/say", { line });
      this.answered(answer);
      this.show(view);
    });
  }

  /** A line said aloud at the game, and its answer (the voice socket's `play` event). */
  voiced(event) {
    this.line("you", event.line);
    this.answered(event.answer);
    this.show(event.view);
  }

  answered(answer) {
    if (answer.error) this.line("error", answer.error); // one line in the game's log; nothing changed
    if (answer.said) this.line("os", answer.said);
    if (answer.by === "os1") this.line("move", `> ${answer.move}`);
    if (answer.screen) this.line("game", answer.screen);
    if (answer.reply) this.line("game", `Stockfish plays ${answer.reply}.`);
    if (answer.quit) this.hooks.notify("The game is kept. Come back any time.");
  }

  async leave() {
    await this.ask(async () => {
      await api("DELETE", "/v1/play");
      this.show(null);
      this.hooks.notify("The game is kept. Come back any time.");
    });
  }

  /** Runs one request at a time, the page marked busy meanwhile; errors are one notice line. */
  async ask(work) {
    if (this.busy) return;
    this.busy = true;
    this.el.section.dataset.busy = "true";
    try {
      await work();
    } catch (error) {
      this.hooks.notify(error.message);
      if (error.status === 409) this.show(null); // the game was closed elsewhere
    } finally {
      this.busy = false;
      this.el.section.dataset.busy = "false";
    }
  }

  show(view) {
    this.view = view;
    if (this.hooks.table) this.hooks.table(Boolean(view) && document.body.dataset.view === "play");
    this.picked = "";
    this.el.choose.hidden = Boolean(view);
    this.el.table.hidden = !view;
    this.el.section.dataset.game = view ? view.game : "";
    this.el.title.textContent = view ? titled(view.title) : "Play together";
    if (!view) return;
    const chess = view.game === "chess";
    this.el.board.hidden = !chess;
    this.el.map.hidden = chess;
    this.el.input.placeholder = chess ? "Your move (e4, Nf3) or tap the board…" : "Your move…";
    if (chess) {
      this.el.board.innerHTML = view.svg; // drawn by python-chess on the server from the position
      this.el.board.setAttribute("aria-label", `The chess board: ${view.result}, ${view.users_turn ? "your move" : "waiting"}`);
    }
  }

  /** A tap on the board: the first picks a square, the second moves from it (sent as UCI). */
  clicked(event) {
    if (!this.view || this.view.game !== "chess" || this.busy) return;
    const square = squareAt(event.clientX, event.clientY);
    if (!square) return;
    const board = this.el.board;
    for (const rect of board.querySelectorAll("rect.picked")) rect.classList.remove("picked");
    if (!this.picked || this.picked === square) {
      this.picked = this.picked === square ? "" : square;
      if (this.picked) board.querySelector(`rect.square.${square}`)?.classList.add("picked");
      return;
    }
    const move = `${this.picked}${square}`;
    this.picked = "";
    this.say(move);
  }

  line(kind, text) {
    const item = document.createElement("li");
    item.className = `play-entry ${kind}`;
    const body = document.createElement(kind === "game" ? "pre" : "p");
    body.textContent = text;
    item.append(body);
    this.el.log.append(item);
    while (this.el.log.children.length > KEEP) this.el.log.firstElementChild.remove();
    item.scrollIntoView({ block: "nearest" });
  }
}

function titled(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The square of the board under a point ("e4"), from python-chess's square classes. */
function squareAt(x, y) {
  for (const element of document.elementsFromPoint(x, y)) {
    if (element.classList && element.classList.contains("square")) {
      const name = Array.from(element.classList).find((c) => /^[a-h][1-8]$/.test(c));
      if (name) return name;
    }
  }
  return "";
}
