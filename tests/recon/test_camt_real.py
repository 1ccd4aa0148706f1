"""CAMT.053 as banks write it: every real statement in ../shared/realfiles imports exactly (or is refused
in words), checked against what the test itself reads in the XML; and small built files for each rule
of the reader (dates with an offset, batch entries, balances, amounts with three decimals, line
numbers, ZIP archives and their guards, the messages that are no statement).

The expected values of the real files are of two kinds: counts and totals the test computes with
xml.etree from the file (never from the reader's output), and one entry per file read by eye in the
file and written here as literal text.
"""

from __future__ import annotations

import io
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from afas.recon import camtfile
from afas.recon.bankstatements import BANK_HEADERS
from afas.recon.camtfile import read_camt, read_camt_archive, read_camt_file, read_camt_table
from afas.recon.formats.camt053 import Camt053Archive, Camt053Statement
from afas.recon.ledgerformat import Confidence
from afas.recon.ledgers import import_ledger
from afas.recon.mapping import suggest_mapping
from afas.recon.readers import LedgerFileError, detect_format, read_ledger_file, read_ledger_table
from tests.recon.camt_fixtures import (
    ACCOUNT,
    CAMT053,
    camt053_sample,
    document,
    entry,
    sample_entry,
    statement,
    tx,
    write_camt053_sample,
    zip_of,
)

REALFILES = Path(__file__).resolve().parents[2].parent / "shared" / "realfiles" / "files"
NO_REALFILES = "../shared/realfiles (real bank and ledger exports) is not present beside the project"

CAMT_FILES = [
    "camt053_abnamro_oca.xml",
    "camt053_bookgdt_dttm_oca.xml",
    "camt053_davider80_raiffeisen.xml",
    "camt053_rabobank_invoiced.xml",
    "camt053_three_decimals_genkgo.xml",
    "camt053_two_files_oca.zip",
    "camt053_txdtls_oca.xml",
    "camt053_v8_genkgo.xml",
]


def real(name: str) -> bytes:
    path = REALFILES / name
    if not path.exists():
        pytest.skip(NO_REALFILES)
    return path.read_bytes()


def rows_of(raw) -> list[dict[str, str | None]]:
    return [dict(zip(raw.headers, row, strict=True)) for row in raw.rows]


# --- what the test reads in the XML itself -----------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kids(element: ET.Element | None, name: str) -> list[ET.Element]:
    return [c for c in element if _local(c.tag) == name] if element is not None else []


def _kid(element: ET.Element | None, path: str) -> ET.Element | None:
    for step in path.split("/"):
        found = _kids(element, step)
        element = found[0] if found else None
    return element


def _signed(amount: ET.Element, indicator: str | None) -> Decimal:
    value = Decimal(amount.text.strip())
    return value if indicator == "CRDT" else -value


def _documents(name: str, data: bytes) -> list[bytes]:
    if not name.endswith(".zip"):
        return [data]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [archive.read(info) for info in archive.infolist() if not info.is_dir()]


def _lines_of_entry(ntry: ET.Element) -> int:
    """One line, or one per transaction of a batch whose own amounts add up to the entry's."""
    txs = [t for d in _kids(ntry, "NtryDtls") for t in _kids(d, "TxDtls")]
    if len(txs) < 2:
        return 1
    indicator = _kid(ntry, "CdtDbtInd").text
    total = Decimal(0)
    for t in txs:
        amount = _kid(t, "AmtDtls/TxAmt/Amt")
        amount = amount if amount is not None else _kid(t, "Amt")
        if amount is None or amount.get("Ccy") != _kid(ntry, "Amt").get("Ccy"):
            return 1
        own = _kid(t, "CdtDbtInd")
        total += _signed(amount, own.text if own is not None else indicator)
    return len(txs) if total == _signed(_kid(ntry, "Amt"), indicator) else 1


def expected(name: str, data: bytes) -> tuple[int, Decimal, int]:
    """The lines, the signed total (money in positive) and the number of statements whose balances do
    not hold, read from the XML with xml.etree: the total of a statement whose opening balance plus
    its entries is its closing balance is closing minus opening, else the sum of its entries."""
    lines, total, off = 0, Decimal(0), 0
    for xml in _documents(name, data):
        for stmt in ET.fromstring(xml).iter():
            if _local(stmt.tag) != "Stmt":
                continue
            entries = _kids(stmt, "Ntry")
            lines += sum(_lines_of_entry(n) for n in entries)
            own = sum((_signed(_kid(n, "Amt"), _kid(n, "CdtDbtInd").text) for n in entries), Decimal(0))
            balances = {_kid(b, "Tp/CdOrPrtry/Cd").text: b for b in _kids(stmt, "Bal")}
            opening, closing = balances.get("OPBD", balances.get("PRCD")), balances.get("CLBD")
            if opening is None or closing is None:
                total += own
                continue
            start = _signed(_kid(opening, "Amt"), _kid(opening, "CdtDbtInd").text)
            end = _signed(_kid(closing, "Amt"), _kid(closing, "CdtDbtInd").text)
            same_currency = _kid(opening, "Amt").get("Ccy") == _kid(closing, "Amt").get("Ccy")
            if same_currency and start + own == end:
                total += end - start
            else:
                total += own
                off += 1
    return lines, total, off


# --- the real files --------------------------------------------------------------------------------------

# One entry per file, its cells read by eye in the file (date, value_date, amount, currency,
# description, counterparty_name, counterparty_iban, reference, account).
NAMED_ENTRY = {
    "camt053_abnamro_oca.xml": (
        "2014-01-05",
        "2014-01-05",
        "1405.31",
        "EUR",
        "#RD PARTY MEDIA CUSNO 90782 4210773",
        "3rd party Media",
        "NL69ABNA0522123643",
        "115",
        "NL77ABNA0574908765",
    ),
    "camt053_bookgdt_dttm_oca.xml": (
        "2014-01-04",  # BookgDt/DtTm 2014-01-04T23:00:00.000Z: the date as written
        "2014-01-05",
        "-754.25",
        "EUR",
        "Insurance policy 857239PERIOD 01.01.2014 - 31.12.2014",
        "INSURANCE COMPANY TESTX",
        "NL46ABNA0499998748",
        "435005714488-ABNO33052620",
        "NL77ABNA0574908765",
    ),
    "camt053_davider80_raiffeisen.xml": (
        "2017-04-01",  # BookgDt/Dt 2017-04-01+02:00
        "2017-04-03",
        "-905.30",
        "CHF",
        "Sistema di addebitamento diretto xxxxxxxxxxxxxxxxxxxxxx AG",
        None,
        None,
        "210564431020000000024556150000",
        "CHxxxxxxxxxxxxxxxxxxx",
    ),
    "camt053_rabobank_invoiced.xml": (
        "2016-07-26",
        "2016-07-26",
        "-4076.00",
        "EUR",
        "BETALINGSKENM.  1067931951601240",
        "Belastingdienst Apeldoorn",
        "NL86INGB0002445588",
        None,
        "NL17RABO0310029597",
    ),
    "camt053_three_decimals_genkgo.xml": (
        "2014-12-31",
        "2015-01-02",
        "8.85",  # written 8.850
        "EUR",
        "Transaction Description",
        None,  # money in, and the file names only a creditor
        None,
        "000000001",
        "NL26VAYB8060476890",
    ),
    "camt053_two_files_oca.zip": (
        "2014-03-05",  # the second file's
        "2014-03-05",
        "1405.31",
        "EUR",
        "#RD PARTY MEDIA CUSNO 90782 4210773",
        "3rd party Media",
        "NL69ABNA0522123643",
        "115",
        "NL77ABNA0574908765",
    ),
    "camt053_txdtls_oca.xml": (
        "2017-03-22",
        "2017-03-23",
        "1296.00",  # the second transaction of the batch of 3483.00
        "CHF",
        "302388292000022222222222222",
        "Banque Cantonale Vaudoise",
        "CH3333000000123456789",
        "20170323001234567891234567891234",  # the batch's AcctSvcrRef
        "CH1111000000123456789",
    ),
    "camt053_v8_genkgo.xml": (
        "2014-12-31",  # BookgDt/DtTm 2014-12-31T13:15:00+01:00
        "2015-01-02",
        "8.85",
        "EUR",
        "4654654654654654",
        "NAME NAME",  # Dbtr/Pty/Nm (camt.053.001.08)
        "NL56AGDH9619008421",
        "MUELL/FINP/RA12345",
        "NL26VAYB8060476890",  # Acct/Id/Othr/Id
    ),
}

# What the reader must say about each file's balances, as read in the files.
BALANCE_NOTICES = {
    "camt053_abnamro_oca.xml": ["statement 1234Test/1 of NL77ABNA0574908765: opening balance 15,568.27"],
    "camt053_bookgdt_dttm_oca.xml": ["statement 1234Test/1 of NL77ABNA0574908765: opening balance 15,568.27"],
    "camt053_davider80_raiffeisen.xml": [],  # 9433.31 + its 16 entries = 5753.46
    "camt053_rabobank_invoiced.xml": [],  # 132 statements, all adding up
    "camt053_three_decimals_genkgo.xml": ["(a difference of 0.05)"],  # 18.150 + 8.850 against 27.050
    "camt053_two_files_oca.zip": [
        "statement 1234Test/2 of NL77ABNA0574908765 (in test-camt053_02.xml)",
        "statement 1234Test/3 of NL77ABNA0574908765 (in test-camt053_03.xml)",
    ],
    "camt053_txdtls_oca.xml": [],
    "camt053_v8_genkgo.xml": ["its opening balance is in EUR and its closing balance in SEK"],
}

LINE_COUNTS = {  # literal, beside what expected() computes
    "camt053_abnamro_oca.xml": 4,  # 3 entries, one a batch of 2
    "camt053_bookgdt_dttm_oca.xml": 1,
    "camt053_davider80_raiffeisen.xml": 16,
    "camt053_rabobank_invoiced.xml": 9,
    "camt053_three_decimals_genkgo.xml": 1,
    "camt053_two_files_oca.zip": 6,
    "camt053_txdtls_oca.xml": 2,
    "camt053_v8_genkgo.xml": 1,
}


@pytest.mark.shared
@pytest.mark.parametrize("name", CAMT_FILES)
def test_real_statement_imports_exactly(name: str):
    data = real(name)
    raw = read_ledger_file(data, name)
    assert raw.file_format == "camt053" and raw.headers == list(BANK_HEADERS)
    lines, total, off = expected(name, data)
    assert len(raw.rows) == lines == LINE_COUNTS[name]
    assert sum(Decimal(row[2]) for row in raw.rows) == total
    assert NAMED_ENTRY[name] in raw.rows
    balance = [n for n in raw.notices if "balance" in n]
    assert len(balance) == off == len(BALANCE_NOTICES[name])
    for words, notice in zip(BALANCE_NOTICES[name], balance, strict=True):
        assert words in notice
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[0]) for row in raw.rows)  # no date refused
    assert all(re.fullmatch(r"-?\d+\.\d\d", row[2]) for row in raw.rows)
    assert raw.line_numbers == sorted(set(raw.line_numbers))  # unique: they identify an imported line


@pytest.mark.shared
@pytest.mark.parametrize("name", [n for n in CAMT_FILES if n.endswith(".xml")])
def test_real_statement_lines_point_at_their_entries(name: str):
    data = real(name)
    text = data.decode("utf-8").splitlines()
    for line in read_ledger_file(data, name).line_numbers:
        assert re.search(r"<(\w+:)?(Ntry|TxDtls)[\s>]", text[line - 1]), (name, line)


@pytest.mark.shared
def test_real_batch_entries_split_into_their_transactions():
    rows = rows_of(read_ledger_file(real("camt053_txdtls_oca.xml"), "txdtls.xml"))
    assert [(r["amount"], r["counterparty_iban"], r["description"]) for r in rows] == [
        ("2187.00", "CH2222000000123456789", "302388292000011111111111111"),
        ("1296.00", "CH3333000000123456789", "302388292000022222222222222"),
    ]
    abn = read_ledger_file(real("camt053_abnamro_oca.xml"), "abn.xml")
    batch = [r for r in rows_of(abn) if r["reference"] == "2018/125-20141229-NORM"]  # Btch/PmtInfId
    assert [r["amount"] for r in batch] == ["-564.05", "-100.00"]  # the entry of 664.05, RvslInd true
    assert {r["counterparty_name"] for r in batch} == {"Test Customer"}
    assert abn.line_numbers == [50, 144, 185, 228]  # the Ntry, then the batch's two TxDtls
    assert not [n for n in abn.notices if "batch" in n]


@pytest.mark.shared
def test_real_zip_of_statements_is_one_import_of_both():
    data = real("camt053_two_files_oca.zip")
    assert detect_format(data, "statements.zip") == "camt053zip"
    raw = read_ledger_file(data, "statements.zip")
    assert [r[0] for r in raw.rows] == ["2014-02-05"] * 3 + ["2014-03-05"] * 3
    assert "The 2 files in statements.zip are numbered on as one: test-camt053_02.xml from line 1, " in (
        " ".join(raw.notices)
    )
    assert raw.line_numbers[3] == raw.line_numbers[0] + 241  # the first file has 241 lines


@pytest.mark.shared
def test_real_files_that_are_no_statement_are_refused_in_words():
    with pytest.raises(LedgerFileError) as info:
        read_ledger_file(real("camt054_oca.xml"), "camt054_oca.xml")
    assert str(info.value) == (
        "camt054_oca.xml is a camt.054 debit/credit notification, not a bank statement; export the "
        "account statement as CAMT.053 (in Dutch banks' portals: 'CAMT.053' / 'XML-afschrift')."
    )
    with pytest.raises(LedgerFileError) as info:
        read_ledger_file(real("camt053_no_ntry_oca.xml"), "camt053_no_ntry_oca.xml")
    assert "is a CAMT.053 statement without entries (Ntry); there is nothing to import" in str(info.value)


@pytest.mark.shared
def test_real_zip_and_batch_import_into_the_ledger(tmp_path: Path):
    """Line numbers identify an imported line: a split batch and a ZIP's two files import whole."""
    con = duckdb.connect(str(tmp_path / "recon.duckdb"))
    try:
        for name in ("camt053_two_files_oca.zip", "camt053_txdtls_oca.xml"):
            data = real(name)
            raw = read_ledger_file(data, name)
            import_ledger(con, data, name, suggest_mapping(raw.headers, raw.rows, raw.file_format))
        found = con.execute("SELECT count(*), sum(amount) FROM ledger_lines").fetchall()[0]
        assert found == (8, Decimal("114.02") + Decimal("3483.00"))
    finally:
        con.close()


# --- dates -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("booked", "date"),
    [
        ("<Dt>2017-04-01+02:00</Dt>", "2017-04-01"),
        ("<Dt>2017-04-01-05:00</Dt>", "2017-04-01"),
        ("<Dt>2017-04-01Z</Dt>", "2017-04-01"),
        ("<Dt>2017-04-01</Dt>", "2017-04-01"),
        ("<DtTm>2017-04-01T10:00:00+02:00</DtTm>", "2017-04-01"),
        ("<DtTm>2017-04-01T23:30:00Z</DtTm>", "2017-04-01"),  # not moved to the 2nd
        ("<DtTm>2017-04-01T00:15:00.000-05:00</DtTm>", "2017-04-01"),  # nor to 31 March
        ("<Dt>01-04-2017</Dt>", "01-04-2017"),  # no ISO date: kept for the mapping to refuse
    ],
)
def test_dates_are_the_local_date_as_written(booked: str, date: str):
    data = document([statement([entry("10.00", booked=booked, value=booked)])])
    raw = read_camt(data, "d.xml")
    assert raw.rows[0][:2] == (date, date)


# --- batch entries -------------------------------------------------------------------------------------


def test_batch_entry_splits_into_its_transactions():
    batch = entry(
        "100.00",
        "DBIT",
        batch_id="PAYRUN-7",
        reference="BANK-REF",
        info="SEPA batch",
        txs=[
            tx("50.00", name="Alfa B.V.", iban="NL02ABNA0123456789", text="Factuur 1", party="Cdtr"),
            tx(
                "30.00",
                name="Beta",
                iban="NL03INGB0001234567",
                text="Factuur 2",
                party="Cdtr",
                amount_in="Amt",
            ),
            tx("20.00", party="Cdtr"),  # no remittance of its own: the entry's text
        ],
    )
    data = document([statement([batch], opening="500.00", closing="400.00")])
    raw = read_camt(data, "batch.xml")
    assert [
        (r["amount"], r["counterparty_name"], r["description"], r["reference"]) for r in rows_of(raw)
    ] == [
        ("-50.00", "Alfa B.V.", "Factuur 1", "PAYRUN-7"),
        ("-30.00", "Beta", "Factuur 2", "PAYRUN-7"),
        ("-20.00", None, "SEPA batch", "PAYRUN-7"),
    ]
    text = data.decode().splitlines()
    assert all("<TxDtls>" in text[n - 1] for n in raw.line_numbers)
    assert raw.notices == ()


def test_batch_transactions_keep_their_own_direction():
    batch = entry(
        "90.00",
        "DBIT",
        reference="NET-1",
        txs=[
            tx("100.00", indicator="DBIT", party="Cdtr", name="Payee"),
            tx("10.00", indicator="CRDT", name="Refund"),
        ],
    )
    rows = rows_of(read_camt(document([statement([batch])]), "net.xml"))
    assert [(r["amount"], r["counterparty_name"], r["reference"]) for r in rows] == [
        ("-100.00", "Payee", "NET-1"),
        ("10.00", "Refund", "NET-1"),
    ]


@pytest.mark.parametrize(
    ("txs", "why"),
    [
        ([tx("50.00"), tx("30.00")], "add up to 80.00, not to the entry's 100.00"),
        ([tx("50.00"), tx(None, name="No amount")], "are not all given"),
        ([tx("50.00", currency="USD"), tx("50.00", currency="USD")], "are in USD, not in the entry's EUR"),
    ],
)
def test_batch_that_does_not_add_up_stays_one_line_with_a_notice(txs, why):
    data = document([statement([entry("100.00", "CRDT", reference="B-1", txs=txs)])])
    raw = read_camt(data, "b.xml")
    assert [row[2] for row in raw.rows] == ["100.00"]
    assert raw.notices == (
        f"The batch entry on line {raw.line_numbers[0]} holds transactions whose own amounts {why}; it "
        "is imported as one line, as the bank booked it.",
    )


def test_many_batches_that_do_not_add_up_are_one_notice():
    entries = [entry("100.00", txs=[tx("1.00"), tx("2.00")]) for _ in range(8)]
    raw = read_camt(document([statement(entries)]), "b.xml")
    assert len(raw.rows) == 8 and len(raw.notices) == 1
    shown = ", ".join(str(n) for n in raw.line_numbers[:5])
    assert raw.notices[0].startswith(f"8 batch entries (lines {shown} and 3 more) hold transactions")


# --- amounts and balances ------------------------------------------------------------------------------


def test_three_decimals_keep_cents_and_a_real_third_decimal_is_told():
    data = document([statement([entry("8.850"), entry("905.3", "DBIT"), entry("1.255")])])
    raw = read_camt(data, "d.xml")
    assert [row[2] for row in raw.rows] == ["8.85", "-905.30", "1.255"]
    assert raw.notices == (
        f"1 amount has more decimals than cents (line {raw.line_numbers[2]}: 1.255 becomes 1.26); the "
        "import rounds it to cents, so the lines may differ from the bank's totals by a cent.",
    )


def test_balances_hold_per_statement_with_their_sign():
    adds_up = statement(
        [entry("100.00", "CRDT"), entry("30.00", "DBIT")],
        statement_id="S-1",
        opening="-50.00",
        closing="20.00",
    )
    empty = statement([], statement_id="S-2", opening="20.00", closing="20.00")
    raw = read_camt(document([adds_up, empty]), "ok.xml")
    assert raw.notices == ()
    off = statement([entry("100.00")], statement_id="S-3", opening="0.00", closing="90.00")
    raw = read_camt(document([adds_up, off]), "off.xml")
    assert raw.notices == (
        f"statement S-3 of {ACCOUNT}: opening balance 0.00 plus its lines 100.00 is 100.00, but the "
        "statement's closing balance is 90.00 (a difference of -10.00). The statement is incomplete or lines "
        "are missing; download it from the bank again, or import it and look for the gap.",
    )


def test_previous_closing_balance_stands_in_for_the_opening_one():
    body = statement([entry("5.00")], closing="15.00").replace(
        "<Bal>",
        '<Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">10.00</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-01-01</Dt></Dt></Bal><Bal>",
        1,
    )
    assert read_camt(document([body]), "p.xml").notices == ()


def test_amount_that_is_no_number_is_refused_with_its_line():
    data = document([statement([entry("1,50")])])
    with pytest.raises(
        LedgerFileError, match=r"the entry on line 5 has the amount '1,50', which is not a number"
    ):
        read_camt(data, "n.xml")


# --- what is no statement --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "namespace", "words"),
    [
        (
            "BkToCstmrAcctRpt",
            "urn:iso:std:iso:20022:tech:xsd:camt.052.001.02",
            "is a camt.052 account report",
        ),
        (
            "BkToCstmrDbtCdtNtfctn",
            "urn:iso:std:iso:20022:tech:xsd:camt.054.001.04",
            "is a camt.054 debit/credit notification",
        ),
        ("CstmrCdtTrfInitn", "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03", "is a pain.001 payment order"),
        (
            "BkToCstmrSttlm",
            "urn:iso:std:iso:20022:tech:xsd:camt.086.001.01",
            "is an ISO 20022 camt.086 message",
        ),
    ],
)
def test_other_iso_messages_are_refused_saying_what_to_export(message: str, namespace: str, words: str):
    data = document(
        [statement([entry("1.00")]).replace("Stmt>", "Rpt>")], message=message, namespace=namespace
    )
    for read in (lambda: read_ledger_file(data, "r.xml"), lambda: read_camt_table(data, "r.xml")):
        with pytest.raises(LedgerFileError) as info:
            read()
        assert str(info.value).startswith(f"r.xml {words}")
        assert "not a bank statement; export the account statement as CAMT.053" in str(info.value)
    verdict = Camt053Statement().identify(data, "r.xml")
    assert verdict.refuses and verdict.confidence == Confidence.CONTENT


def test_other_xml_is_claimed_by_its_shape_only_and_refused_when_read():
    data = b'<?xml version="1.0"?>\n<auditfile xmlns="http://www.auditfiles.nl/XAF/3.2"><header/></auditfile>'
    assert Camt053Statement().identify(data, "a.xml").confidence == Confidence.SHAPE  # XAF's own is surer
    with pytest.raises(LedgerFileError, match=r"is XML but not a CAMT.053 bank statement \(its root element"):
        read_camt_table(data, "a.xml")
    assert Camt053Statement().identify(camt053_sample(1), "s.xml").confidence == Confidence.CONTENT


def test_dtd_is_refused_in_any_encoding_before_it_is_parsed():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]>'
        "<Document><BkToCstmrStmt>&a;</BkToCstmrStmt></Document>"
    )
    for data in (bomb.encode(), bomb.replace('1.0"', '1.0" encoding="UTF-16"').encode("utf-16")):
        with pytest.raises(LedgerFileError, match="declares a DTD or XML entities"):
            read_camt_table(data, "bomb.xml")
    ebcdic = b'<?xml version="1.0" encoding="cp500"?>' + "<Document/>".encode("cp500")
    with pytest.raises(
        LedgerFileError, match="says its text is in the encoding 'cp500', which cannot be read"
    ):
        read_camt_table(ebcdic, "e.xml")


# --- line numbers, encodings, the Parquet file ---------------------------------------------------------


def test_utf16_and_cp1252_read_like_utf8_with_the_same_lines():
    data = document([statement([entry("1.00", info="Café"), entry("2.00", "DBIT", info="Zoë")])])
    plain = read_camt(data, "u.xml")
    utf16 = data.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    cp1252 = data.decode().replace('encoding="UTF-8"', 'encoding="windows-1252"').encode("cp1252")
    for other in (utf16, cp1252):
        raw = read_camt(other, "o.xml")
        assert (raw.rows, raw.line_numbers) == (plain.rows, plain.line_numbers)
    assert plain.line_numbers == [5, 6]


def test_prefixed_and_namespaceless_documents_read_alike():
    data = document([statement([entry("1.00", txs=[tx(name="Alfa", text="F-1")])])])
    plain = read_camt(data, "p.xml")
    prefixed = re.sub(rb"<(/?)(\w+)", rb"<\1ns2:\2", data).replace(b' xmlns="', b' xmlns:ns2="')
    bare = data.replace(f' xmlns="{CAMT053}"'.encode(), b"")
    for other in (prefixed, bare):
        raw = read_camt(other, "o.xml")
        assert (raw.rows, raw.line_numbers) == (plain.rows, plain.line_numbers)
    assert plain.rows[0][4:6] == ("F-1", "Alfa")


def test_a_mark_in_a_comment_does_not_move_the_lines():
    data = document([statement([entry("1.00"), entry("2.00")])]).replace(
        b"<Stmt>", b"<!-- an old <Ntry> and <TxDtls> -->\n    <Stmt>"
    )
    assert read_camt(data, "c.xml").line_numbers == [6, 7]


def test_entries_on_one_line_get_numbers_of_their_own_and_a_notice():
    data = document([statement([entry("1.00"), entry("2.00"), entry("3.00")])]).replace(b"\n", b"")
    raw = read_camt(data, "one-line.xml")
    assert raw.line_numbers == [1, 2, 3]
    assert raw.notices == (
        "one-line.xml has several entries on one line, so the line numbers shown for its lines are "
        "counted on one by one from there and do not all match the lines of the file.",
    )


def test_large_sample_streams_to_parquet_in_batches(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(camtfile, "_BATCH_ROWS", 64)
    monkeypatch.setattr(camtfile, "_CHUNK", 4096)  # many chunks: marks and tags across their seams
    data = camt053_sample(500)
    table = read_camt_table(data, "big.xml", into=tmp_path / "big.parquet")
    assert table.data is None and table.path == tmp_path / "big.parquet" and table.num_rows == 500
    raw = table.to_raw()
    assert raw.line_numbers == [8 + i for i in range(500)]
    assert [Decimal(r[2]) for r in raw.rows] == [sample_entry(i)[0] for i in range(500)]
    assert [r[5] for r in raw.rows[:2]] == [sample_entry(0)[1], sample_entry(1)[1]]
    assert raw.rows == read_camt(data, "big.xml").rows and raw.notices == ()
    path = write_camt053_sample(tmp_path / "big.xml", 500)
    assert read_camt_file(path).to_raw().rows == raw.rows


def test_read_through_the_registry_writes_the_staged_file(tmp_path: Path):
    data = camt053_sample(20)
    table = read_ledger_table(data, "s.xml", into=tmp_path / "s.parquet")
    assert table.path == tmp_path / "s.parquet" and table.num_rows == 20 and table.sha256


def test_a_refused_file_leaves_no_parquet_file(tmp_path: Path):
    data = document([statement([entry("1.00"), entry("x")])])
    with pytest.raises(LedgerFileError):
        read_camt_table(data, "x.xml", into=tmp_path / "x.parquet")
    assert not (tmp_path / "x.parquet").exists()


# --- ZIP archives ------------------------------------------------------------------------------------------


def _statement_file(i: int) -> bytes:
    return document([statement([entry(f"{i}.00")], statement_id=f"S-{i}")])


def test_zip_of_statements_reads_as_one_import():
    data = zip_of(
        {"a.xml": _statement_file(1), "__MACOSX/._a.xml": b"\x00\x05junk", "b.xml": _statement_file(2)}
    )
    assert detect_format(data, "s.zip") == "camt053zip"
    raw = read_ledger_file(data, "s.zip")
    assert [row[2] for row in raw.rows] == ["1.00", "2.00"]
    first_lines = _statement_file(1).count(b"\n")
    assert raw.line_numbers == [5, first_lines + 5]


def test_zip_without_statements_is_left_to_the_workbook_formats():
    data = zip_of({"a.csv": b"Datum;Bedrag\n"})
    assert not Camt053Archive().identify(data, "a.zip").claims
    with pytest.raises(LedgerFileError, match="is a ZIP archive but not an Excel"):
        read_ledger_file(data, "a.zip")


@pytest.mark.parametrize(
    ("members", "words"),
    [
        (
            {"a.xml": _statement_file(1), "notes.txt": b"hello"},
            "s.zip holds notes.txt, which is not a CAMT.053",
        ),
        (
            {"a.xml": _statement_file(1), "n.xml": document([], message="BkToCstmrDbtCdtNtfctn")},
            "s.zip holds n.xml, which is a camt.054 debit/credit notification",
        ),
        ({"a.xml": _statement_file(1), "in.zip": zip_of({"b.xml": b"<x/>"})}, "in.zip, which is another ZIP"),
        (
            {"a.xml": _statement_file(1), "../up.xml": _statement_file(2)},
            "whose path leads out of the archive",
        ),
        (
            {"a.xml": _statement_file(1), "b.xml": b"<Document><BkToCstmrStmt><Stmt>"},
            "b.xml in s.zip is not well-formed",
        ),
    ],
)
def test_zip_with_a_file_that_is_no_statement_is_refused_naming_it(members, words):
    with pytest.raises(LedgerFileError) as info:
        read_ledger_file(zip_of(members), "s.zip")
    assert words in str(info.value)


def test_zip_guards_count_and_size(monkeypatch):
    members = {f"{i}.xml": _statement_file(i) for i in range(1, 5)}
    monkeypatch.setattr(camtfile, "MAX_ARCHIVE_MEMBERS", 3)
    with pytest.raises(LedgerFileError, match="holds 4 files; the dashboard reads up to 3 statements"):
        read_camt_archive(zip_of(members), "many.zip")
    monkeypatch.setattr(camtfile, "MAX_ARCHIVE_MEMBERS", 1000)
    bomb = document([statement([entry("1.00", info="x" * 2_000_000)])])  # 2 MB that packs to a few KB
    monkeypatch.setattr(camtfile, "MAX_ARCHIVE_UNPACKED", 1024 * 1024)
    with pytest.raises(LedgerFileError, match="unpacked its files hold 1.9 MB, more than the 1.0 MB"):
        read_camt_archive(zip_of({"bomb.xml": bomb}), "bomb.zip")


def test_zip_that_lies_about_its_sizes_or_is_locked_is_refused():
    data = bytearray(zip_of({"a.xml": _statement_file(1)}))
    central = data.rindex(b"PK\x01\x02")
    size = struct.unpack_from("<I", data, central + 24)[0]
    lying = bytearray(data)
    struct.pack_into("<I", lying, central + 24, size // 2)  # the directory says half of what it holds
    with pytest.raises(LedgerFileError, match="lying.zip"):
        read_camt_archive(bytes(lying), "lying.zip")
    locked = bytearray(data)
    locked[central + 8] |= 0x1  # the directory's flag: encrypted
    locked[6] |= 0x1  # and the file's own header
    with pytest.raises(LedgerFileError, match="is protected by a password"):
        read_camt_archive(bytes(locked), "locked.zip")
