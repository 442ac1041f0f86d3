// A piece os1 composed, to listen to: its audio from /v1/music/{id}/audio (served to its owner
// only) in the browser's own player, and its score as a MIDI file to keep (docs/api.md).

/** A player for the piece kept as memory ``id``; ``about`` says which piece (screen readers). */
export function piecePlayer(id, about = "the piece I composed") {
  const figure = document.createElement("figure");
  figure.className = "piece";
  figure.dataset.piece = String(id);
  const audio = document.createElement("audio");
  audio.controls = true;
  audio.preload = "metadata";
  audio.src = `/v1/music/${encodeURIComponent(id)}/audio`;
  audio.setAttribute("aria-label", `Play ${about}`);
  const score = document.createElement("a");
  score.className = "midi";
  score.href = `/v1/music/${encodeURIComponent(id)}/midi`;
  score.download = `os1-piece-${id}.mid`;
  score.textContent = "Download the score (MIDI)";
  figure.append(audio, score);
  return figure;
}
