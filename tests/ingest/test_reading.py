"""Reading real exports: encodings, delimiters, headers by name, line numbers, broken files."""

from __future__ import annotations

import pytest

from pipelines.ingest.reading import FileRejected, is_empty, parse

HEADERS = ["Kampagnen-ID", "E-Mail", "Aktion", "Zeitpunkt", "Link"]
REQUIRED = ["Kampagnen-ID", "E-Mail", "Aktion", "Zeitpunkt"]


def test_utf8_with_bom_crlf_and_semicolon():
    raw = "\ufeffKampagnen-ID;E-Mail;Aktion;Zeitpunkt\r\nC1;a@x.de;sent;01.02.2024 10:00\r\n".encode()
    parsed = parse(raw, HEADERS, REQUIRED)
    assert parsed.encoding == "utf-8-sig"
    assert parsed.delimiter == ";"
    assert parsed.columns["Kampagnen-ID"] == ["C1"]
    assert parsed.columns["Zeitpunkt"] == ["01.02.2024 10:00"]
    assert parsed.lines == [2]


def test_windows_1252_umlauts_without_mojibake():
    raw = "Mitgliedsnummer;Nachname;Registriert am\r\nA-1;Müller-Weiß;01.01.2020\r\n".encode("cp1252")
    parsed = parse(raw, ["Mitgliedsnummer", "Nachname", "Registriert am"], ["Mitgliedsnummer"])
    assert parsed.encoding == "cp1252"
    assert parsed.columns["Nachname"] == ["Müller-Weiß"]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_utf8_file_with_a_line_appended_in_windows_1252_reads_each_line_as_what_it_is(bom):
    """A row added in Excel (which writes Windows-1252) to a UTF-8 export: no `MÃ¼nchen` in the UTF-8 lines, no
    header `FakultÃ¤t` that matches no column (every faculty silently empty), and the added row's umlauts too."""
    head = "Mitgliedsnummer;Fakultät;Ort\r\nA-1;INF;München\r\n".encode()
    raw = bom + head + "A-2;MB;Würzburg\r\n".encode("cp1252")
    parsed = parse(raw, ["Mitgliedsnummer", "Fakultät", "Ort"], ["Mitgliedsnummer", "Fakultät"])
    assert parsed.encoding == "utf-8+cp1252"
    assert parsed.columns["Fakultät"] == ["INF", "MB"]
    assert parsed.columns["Ort"] == ["München", "Würzburg"]


def test_bytes_that_are_no_text_are_refused_even_with_a_utf8_letter_among_them():
    noise = bytes((i * 97 + 13) % 256 for i in range(4000)).replace(b"\x00", b"")  # every byte, in turn
    raw = "Mitgliedsnummer;Ort\r\nA-1;München\r\n".encode() + noise
    with pytest.raises(FileRejected) as rejected:
        parse(raw, ["Mitgliedsnummer", "Ort"], ["Mitgliedsnummer"])
    assert rejected.value.reason in ("unknown_encoding", "not_text")


def test_a_windows_1252_file_with_a_letter_pair_that_looks_like_utf8_is_read_as_windows_1252():
    raw = "Mitgliedsnummer;Nachname\r\nA-1;Müller\r\nA-2;Weiß\r\nA-3;Ã¼ber\r\n".encode("cp1252")
    parsed = parse(raw, ["Mitgliedsnummer", "Nachname"], ["Mitgliedsnummer"])
    assert parsed.encoding == "cp1252"
    assert parsed.columns["Nachname"] == ["Müller", "Weiß", "Ã¼ber"]


def test_comma_delimiter_headers_by_name_any_order_case_and_extra_columns():
    raw = b" zeitpunkt ,EXTRA,e-mail,AKTION,kampagnen-id\n2024-01-01T10:00:00,x,a@x.de,open,C1\n"
    parsed = parse(raw, HEADERS, REQUIRED)
    assert parsed.delimiter == ","
    assert parsed.columns["Kampagnen-ID"] == ["C1"]
    assert parsed.columns["E-Mail"] == ["a@x.de"]
    assert parsed.columns["Link"] == [""]  # optional and absent: empty


def test_stray_quote_inside_a_field_is_kept_as_text():
    raw = b'Kampagnen-ID;E-Mail;Aktion;Zeitpunkt;Link\nC1;a@x.de;click;01.02.2024 10:00;https://x/?q=5"zoll\n'
    parsed = parse(raw, HEADERS, REQUIRED)
    assert parsed.columns["Link"] == ['https://x/?q=5"zoll']


def test_quoted_newline_keeps_line_numbers_of_following_records():
    raw = b'Bericht-ID;Club-ID;Datum;Notiz\nB1;C1;01.01.2024;"zwei\nZeilen"\nB2;C1;02.01.2024;eins\n'
    parsed = parse(raw, ["Bericht-ID", "Club-ID", "Datum", "Notiz"], ["Bericht-ID"])
    assert parsed.lines == [2, 4]
    assert parsed.columns["Notiz"][0] == "zwei\nZeilen"


def test_truncated_last_line_is_malformed_with_its_line_number():
    raw = b"Kampagnen-ID;E-Mail;Aktion;Zeitpunkt;Link\nC1;a@x.de;sent;01.02.2024 10:00;\nC1;b@x.de;se"
    parsed = parse(raw, HEADERS, REQUIRED)
    assert parsed.lines == [2]
    assert [(line, n) for line, _, n in [(m[0], m[1], len(m[2])) for m in parsed.malformed]] == [(3, 3)]
    assert parsed.rows_read == 2


def test_unterminated_quote_to_end_of_file_is_malformed_not_a_crash():
    raw = b'Kampagnen-ID;E-Mail;Aktion;Zeitpunkt;Link\nC1;a@x.de;sent;01.02.2024 10:00;\nC1;"b@x.de;sent;01.02.2024'
    parsed = parse(raw, HEADERS, REQUIRED)
    assert parsed.lines == [2]
    assert len(parsed.malformed) == 1 and parsed.malformed[0][0] == 3


def test_one_megabyte_field_is_read():
    note = "x" * 1_048_576
    raw = f"Bericht-ID;Club-ID;Datum;Notiz\nB1;C1;01.01.2024;{note}\n".encode()
    parsed = parse(raw, ["Bericht-ID", "Club-ID", "Datum", "Notiz"], ["Bericht-ID"])
    assert len(parsed.columns["Notiz"][0]) == 1_048_576


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty_file"),
        (b"\xef\xbb\xbf\r\n", "empty_file"),
        (bytes(range(256)) * 50, "not_text"),
        (
            b"Kampagnen-ID\tE-Mail\tAktion\tZeitpunkt\nC1\ta@x\tsent\t01.01.2024 10:00\n",
            "missing_required_header",
        ),
        (b"Kampagnen-ID;E-Mail;Aktion\nC1;a@x.de;sent\n", "missing_required_header"),
    ],
    ids=["empty", "bom-only", "binary", "wrong-delimiter", "missing-header"],
)
def test_unreadable_files_are_rejected_with_a_reason(raw, reason):
    with pytest.raises(FileRejected) as exc:
        parse(raw, HEADERS, REQUIRED)
    assert exc.value.reason == reason
    assert exc.value.message


def _whole_text_reading(raw: bytes) -> tuple[list[str], list[list[str]], list[int]]:
    """The header, records and their first lines as one csv reader over the whole decoded text gives them
    (how `open_export` read every header before it read a plain first line alone)."""
    import csv
    import io

    from pipelines.ingest.reading import decode

    text, _encoding = decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=False)
    header = next(reader)
    records, lines, start = [], [], reader.line_num + 1
    for values in reader:
        if values and not (len(values) == 1 and not values[0].strip()):
            records.append(values)
            lines.append(start)
        start = reader.line_num + 1
    return header, records, lines


@pytest.mark.parametrize(
    "raw",
    [
        b"Kampagnen-ID;E-Mail;Aktion;Zeitpunkt\nC1;a@x.de;sent;01.02.2024 10:00\n",
        b"Kampagnen-ID;E-Mail;Aktion;Zeitpunkt\r\nC1;a@x.de;sent;01.02.2024 10:00\r\n",
        b"Kampagnen-ID;E-Mail;Aktion;Zeitpunkt\r\r\nC1;a@x.de;sent;01.02.2024 10:00\n",  # a blank CR line after it
        b'"Kampagnen-ID";"E-Mail";Aktion;Zeitpunkt\nC1;a@x.de;sent;01.02.2024 10:00\n',  # a quoted header
        b'Kampagnen-ID;E-Mail;Aktion;Zeitpunkt;"Li\nnk"\nC1;a@x.de;sent;01.02.2024 10:00;x\n',  # a line break
        b"Kampagnen-ID;E-Mail;Aktion;Zeitpunkt\rC1;a@x.de;sent;01.02.2024 10:00\rC2;b@x.de;open;x\n",  # CR lines
        b"Kampagnen-ID;E-Mail;Aktion;Zeitpunkt",  # a header without a line end, and no record
        b"Kampagnen-ID;E-Mail;Aktion;Zeitpunkt\n\nC1;a@x.de;sent;01.02.2024 10:00\n",  # a blank line
    ],
    ids=["lf", "crlf", "cr-blank", "quoted", "quoted-break", "cr-lines", "header-only", "blank-line"],
)
def test_the_header_read_from_the_first_line_alone_reads_as_from_the_whole_text(raw):
    """A plain first line is read alone (the whole text is not copied for it); the header, every record and
    its line number are those of one reader over the whole text, also where the header is not plain (a header
    ended by a bare carriage return made the delimiter's detection fail, before: the run stopped)."""
    parsed = parse(raw, HEADERS, REQUIRED)
    header, records, lines = _whole_text_reading(raw)
    assert parsed.header == header
    assert parsed.lines == lines
    for at, name in enumerate(header):
        if name in HEADERS:
            assert parsed.columns[name] == [record[at] for record in records]
    assert parsed.columns["Kampagnen-ID"] == [record[0] for record in records]


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n"], ids=["lf", "crlf"])
def test_a_blank_first_line_is_an_empty_header_as_the_whole_text_reads_it(line_end):
    """Not a header read from nothing (which would be "unreadable"): the reader over the whole text reads an
    empty header, so the contract's columns are missing, and without required ones every record is malformed."""
    raw = line_end + b"Kampagnen-ID;E-Mail;Aktion;Zeitpunkt" + line_end + b"C1;a@x.de;sent;x" + line_end
    with pytest.raises(FileRejected) as caught:
        parse(raw, HEADERS, REQUIRED)
    assert caught.value.reason == "missing_required_header"
    parsed = parse(raw, HEADERS, [])
    assert parsed.header == []
    assert [line for line, _message, _values in parsed.malformed] == [2, 3]


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\n",
        b" \r\n\t",
        b"\xef\xbb\xbf",
        b"\xef\xbb\xbf\r\n",
        b"\xff\xfe\x00\x00",
        b"\x00",
        b"a",
        b"\xef\xbb\xbfa;b\n",
        b"\n\n x",
        b"\xc3\xa4",
    ],
)
def test_empty_is_what_a_strip_of_marks_and_white_space_leaves_empty(raw):
    # the search that replaced the strip (which copied every file twice) answers as the strip did
    assert is_empty(raw) == (not raw.strip(b"\xef\xbb\xbf\xff\xfe \r\n\t\x00"))
