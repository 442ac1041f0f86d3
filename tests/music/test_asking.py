from __future__ import annotations

import pytest

from os1.music.asking import music_request


@pytest.mark.parametrize(("text", "about"), [
    ("play me something about that evening", "that evening"),
    ("Play me something about that evening.", "that evening"),
    ("Could you compose a piece about the photo by the sea?", "the photo by the sea"),
    ("write me a song for my sister, please", "my sister"),
    ("play something", None),
    ("Make us a tune!", None),
    ("/compose that evening", "that evening"),  # the terminal's command, typed in the web app
    ("/compose", None),
    ("/Compose 42 ", "42"),
])
def test_music_requests(text: str, about: str | None) -> None:
    assert music_request(text) == (True, about)


@pytest.mark.parametrize("text", ["I like to play something on Sundays", "what did you play",
                                  "play", "can you tell me about that evening?",
                                  "the kids play something about pirates",
                                  "/composer", "please /compose"])
def test_not_music_requests(text: str) -> None:
    assert music_request(text) == (False, None)
