"""Key parsing: legacy bytes, the kitty keyboard protocol's press/repeat/release reports, and support detection."""

from __future__ import annotations

from realtime_cli.cli.keys import PRESS, RELEASE, REPEAT, parse_keys, split_keys, supports_kitty_reply


def test_legacy_keys_are_presses_and_other_escape_sequences_are_dropped() -> None:
    assert parse_keys(" q\x1b") == [(" ", PRESS), ("q", PRESS), ("\x1b", PRESS)]
    assert split_keys("\x1b[A \x1bOB\x1b[15~y") == [" ", "y"]  # arrows, F5 dropped


def test_kitty_space_press_repeat_release() -> None:
    data = "\x1b[32u\x1b[32;1:2u\x1b[32;1:2u\x1b[32;1:3u"
    assert parse_keys(data) == [(" ", PRESS), (" ", REPEAT), (" ", REPEAT), (" ", RELEASE)]


def test_kitty_release_after_a_plain_text_press() -> None:
    # without "all keys as escape codes" a terminal may send the press as text and only the release as CSI u
    assert parse_keys(" \x1b[32;1:3u") == [(" ", PRESS), (" ", RELEASE)]


def test_kitty_modifiers_alternates_and_text_fields() -> None:
    assert parse_keys("\x1b[99;5u") == [("\x03", PRESS)]  # Ctrl+C, which the protocol no longer turns into SIGINT
    assert parse_keys("\x1b[100;5:3u") == [("\x04", RELEASE)]  # Ctrl+D released
    assert parse_keys("\x1b[27u") == [("\x1b", PRESS)]  # Esc, disambiguated
    assert parse_keys("\x1b[113:81;2u") == [("q", PRESS)]  # shifted-key alternate present
    assert parse_keys("\x1b[121;1;121u") == [("y", PRESS)]  # associated text present
    assert parse_keys("\x1b[57441;2u\x1b[57441;1:3u") == []  # lone left shift: not a key of ours


def test_query_replies_are_not_keys() -> None:
    assert parse_keys("\x1b[?1u\x1b[?62;22c") == []


def test_support_is_the_flags_reply_before_the_device_attributes() -> None:
    assert supports_kitty_reply("\x1b[?0u\x1b[?62;22c")
    assert not supports_kitty_reply("\x1b[?1;2c")  # only device attributes: no protocol (tmux, xterm, VTE)
    assert not supports_kitty_reply("")  # nothing came back in time
