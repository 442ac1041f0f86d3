"""Bad .ics and .vcf files and unreachable servers: one line each, nothing written."""

from __future__ import annotations

import pytest

from os1.dav.calendar import brief, read_ics
from os1.dav.contacts import make_vcard, read_vcards
from os1.errors import ToolInputError


@pytest.mark.parametrize("data", [bytes(range(256)) * 8, b"hello, not a calendar\n" * 100,
                                  b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\nEND:VEVENT\r\n"])
def test_a_bad_ics_is_one_short_line(data: bytes) -> None:
    with pytest.raises(ToolInputError) as caught:
        read_ics(data)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 200


def test_a_bad_or_unterminated_vcf_is_refused_whole() -> None:
    good = make_vcard("Ana Lima", ["ana@example.org"], [])
    assert len(read_vcards((good + make_vcard("Bo", ["bo@example.org"], [])).encode())) == 2
    with pytest.raises(ToolInputError, match="card 2 has no END:VCARD"):
        read_vcards((good + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut off\r\n").encode())
    with pytest.raises(ToolInputError, match="binary"):
        read_vcards(b"\x00\x01PNG" * 500)
    with pytest.raises(ToolInputError, match="card 1"):
        read_vcards(b"BEGIN:VCARD\r\nthis is: not\r\n:::\r\nEND:VCARD\r\n")


def test_library_errors_are_cut_to_their_reason() -> None:
    dump = ("HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: / (Caused by "
            "NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish "
            "a new connection: [Errno 111] Connection refused'))")
    assert brief(OSError(dump)) == "Connection refused"
    assert len(brief(ValueError("x" * 2000))) == 160
