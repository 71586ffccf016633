"""reportgen/ledger/csvtext.py: line breaks, long lines and mixed encodings on raw bytes,
the same answer whatever the block size."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.ledger import csvtext


@pytest.mark.parametrize(("data", "lines"), [
    (b"h\n1\n2\n", 2), (b"h\r1\r2\r", 2), (b"h\r\n1\r\n2", 2), (b"h\n1\r2\r\n\r\n\n", 2),
    (b"h\r\r\r1\r", 3), (b"", 0), (b"h", 0), (b"h\n", 0)])
def test_body_lines_count_lf_crlf_and_lone_cr(data: bytes, lines: int) -> None:
    assert csvtext.body_lines(data) == lines


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1 << 20])
def test_breaks_across_block_edges(size: int) -> None:
    data = b"a\r\nb\rc\n\r\nd\r"
    total, after_cr = 0, False
    for start in range(0, len(data), size):
        block = data[start:start + size]
        total += csvtext.breaks(block, after_cr)
        after_cr = block.endswith(b"\r")
    assert total == 5


@pytest.mark.parametrize("size", [3, 5, 64, 1 << 20])
def test_first_long_line_whatever_the_block(size: int) -> None:
    data = b"h\r\n" + b"x" * 30 + b"\r\n" + b"y" * 80 + b"\rz\n"
    assert csvtext.first_long_line(csvtext.bytes_chunks(data, size), 50) == 3
    assert csvtext.first_long_line(csvtext.bytes_chunks(data, size), 100) is None


@pytest.mark.parametrize("size", [2, 5, 11, 1 << 20])
def test_mixed_encodings_found_whatever_the_block(size: int) -> None:
    gb = "甲,乙公司\n丙,丁商行\n".encode("gb18030")
    utf8 = "戊,己支行\n".encode()
    data = b"a,b\n" + gb + utf8 + gb
    problems = csvtext.encoding_breaks(data, "x.csv", bom=False, size=size)
    assert [p.row for p in problems] == [4]
    assert "UTF-8 line in a GB18030" in problems[0].message


@pytest.mark.parametrize("text", ["\u00e9t\u00e9", "\U0001f600", "\u4e2d\u6587", "\u0800"])
def test_valid_utf8_is_valid(text: str) -> None:
    import numpy as np

    data = np.frombuffer(text.encode(), np.uint8)
    assert not csvtext._invalid_utf8(data).any()


@pytest.mark.parametrize("data", [b"\xc0\x80", b"\xe0\x80\x80", b"\xed\xa0\x80",
                                  b"\xf4\x90\x80\x80", b"\x80", b"\xe4\xb8", b"\xff"])
def test_invalid_utf8_is_invalid(data: bytes) -> None:
    import numpy as np

    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert csvtext._invalid_utf8(np.frombuffer(data, np.uint8)).any()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.binary(max_size=40) | st.text(max_size=12).map(str.encode)
       | st.text(max_size=12).map(lambda t: t.encode("gb18030")))
def test_invalid_utf8_agrees_with_pythons_decoder(data: bytes) -> None:
    import numpy as np

    try:
        data.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    assert valid == (not csvtext._invalid_utf8(np.frombuffer(data, np.uint8)).any())


@pytest.mark.parametrize(("start", "cut"), [(0, 0), (1, 0), (5, 7), (0, 3)])
def test_breaks_in_big_blocks_count_the_same(start: int, cut: int) -> None:
    """Blocks of 64 KB and more are counted with numpy: same answer, any slice of them."""
    line = b"JJ0001,2026-01-01,repay,1234.50"
    data = bytearray((line + b"\n") * 3000 + (line + b"\r\n") * 2000 + (line + b"\r") * 1000)
    end = len(data) - cut
    assert end - start >= 1 << 16
    by_hand = sum(1 for i in range(start, end) if data[i] == 10 and not (
        i > start and data[i - 1] == 13)) + data.count(b"\r", start, end)
    assert csvtext.breaks(data, False, start, end) == by_hand
    assert csvtext.breaks(bytes(data), False, start, end) == by_hand
