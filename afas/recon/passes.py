"""The automatic matching passes: each a dataclass of parameters and a bulk DuckDB SQL step.

A pass reads the lines still unmatched (temp views ``_ua`` for AFAS, ``_ul`` for the ledger, built
by afas.recon.matching), proposes candidate pairs or groups, resolves ambiguity by the run's policy
and commits its choice to the run's membership tables, so no line is matched twice. Pair passes
resolve ties by greedy matching over one global order (score, then date, then key): each round
takes every pair that is the best for both its lines, which is the greedy result computed in
rounds of set-based SQL. Policy 'unique' keeps a pair only when each line has exactly one candidate.

Every pass answers the same small interface (:class:`MatchPass`), so the run, its checks and the
Reconcile page's form never ask which pass they hold: ``run`` does its step, ``columns`` names the
(AFAS, ledger) columns it reads, ``form_fields`` the settings of the form it takes (:class:`Tuning`),
and ``with_tuning`` returns it with those settings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal, Protocol, Self

import duckdb

from afas.i18n import ntr, tr
from afas.recon.results import amount_sql, key_placeholder, key_placeholder_text, sql_text, words_sql
from afas.warehouse.schema import quote_ident

__all__ = [
    "AMBIGUITY_POLICIES",
    "Ambiguity",
    "DateWindowPass",
    "ExactKeyPass",
    "FuzzyTextPass",
    "GroupSumPass",
    "MatchPass",
    "Pass",
    "Tuning",
    "commit_pick",
    "key_pair_plain_words",
    "key_pair_words",
    "result_columns",
    "run_pass",
]


class Ambiguity(StrEnum):
    """What a pass does when a line has several candidates that fit equally well (labels: afas.catalogue)."""

    UNIQUE = "unique"  # match only a line with exactly one candidate; leave the rest unmatched
    OLDEST = "oldest"  # take candidates greedily, earliest date (then key) first
    NEWEST = "newest"  # take candidates greedily, latest date (then key) first


AMBIGUITY_POLICIES = tuple(Ambiguity)


def column_word(column: str) -> str:
    """A ledger column as a reason names it (its own name where it has no word)."""
    words = {"voucher": tr("voucher"), "invoice": tr("invoice"), "description": tr("description")}
    return words.get(column, column)


def _days_apart_sql(days: str) -> str:
    """SQL of 'dates N days apart' (the plural form whatever N, as the key pairs always said)."""
    return words_sql(ntr("dates {days} day apart", "dates {days} days apart", 2), days=days)


@dataclass(frozen=True)
class Tuning:
    """The settings a user tunes on the Reconcile page; each pass takes those it uses (``form_fields``)."""

    abs_tol: Decimal = Decimal("0.00")  # amount tolerance of key pairs
    days: int = 3  # date window of amount + date pairs
    similarity: float = 0.85  # least text similarity (0..1) of amount + text pairs


class MatchPass(Protocol):
    """What every matching pass answers (see the module docstring)."""

    enabled: bool

    @property
    def pass_name(self) -> str:
        """The name its matches and counts carry."""
        ...

    def columns(self) -> tuple[tuple[str, str], ...]:
        """The (AFAS column, ledger column) pairs it reads besides the common ones."""
        ...

    def form_fields(self) -> tuple[str, ...]:
        """The :class:`Tuning` fields it takes."""
        ...

    def with_tuning(self, tuning: Tuning) -> Self:
        """This pass with the tuning's settings for its ``form_fields``."""
        ...

    def run(self, con: duckdb.DuckDBPyConnection, policy: str) -> int:
        """Run over the lines still unmatched; returns the number of match groups made."""
        ...


@dataclass(frozen=True)
class ExactKeyPass:
    """Lines whose chosen key columns are equal (AFAS column, ledger column pairs, all of them).

    A key pair whose amount differs beyond abs_tol + rel_tol * |ledger amount| (datacompy's rule),
    whose dates are more than date_tol_days apart (when set) or whose accounts differ (when
    compare_account) is recorded as 'differing', side by side, and consumes both lines.
    """

    keys: tuple[tuple[str, str], ...] = (("VoucherNo", "voucher"),)
    abs_tol: Decimal = Decimal("0.00")
    rel_tol: Decimal = Decimal("0")
    date_tol_days: int | None = None
    compare_account: bool = False
    enabled: bool = True
    name: str = "exact_key"

    @property
    def pass_name(self) -> str:
        return self.name

    def columns(self) -> tuple[tuple[str, str], ...]:
        if not self.keys:
            raise ValueError(f"pass {self.name!r} has no key columns")
        return self.keys

    def form_fields(self) -> tuple[str, ...]:
        return ("abs_tol",)

    def with_tuning(self, tuning: Tuning) -> ExactKeyPass:
        return dataclasses.replace(self, abs_tol=tuning.abs_tol)

    def run(self, con: duckdb.DuckDBPyConnection, policy: str) -> int:
        return _key_pass(con, self, policy)


@dataclass(frozen=True)
class DateWindowPass:
    """Equal amounts booked at most ``days`` apart, optionally on the same account; allow_sign_flip
    also pairs an amount with its negation (a line booked on the other side)."""

    days: int = 3
    same_account: bool = False
    allow_sign_flip: bool = False
    enabled: bool = True
    name: str = "amount_date"

    @property
    def pass_name(self) -> str:
        return self.name

    def columns(self) -> tuple[tuple[str, str], ...]:
        return ()

    def form_fields(self) -> tuple[str, ...]:
        return ("days",)

    def with_tuning(self, tuning: Tuning) -> DateWindowPass:
        return dataclasses.replace(self, days=int(tuning.days))

    def run(self, con: duckdb.DuckDBPyConnection, policy: str) -> int:
        return _window_pass(con, self, policy)


@dataclass(frozen=True)
class FuzzyTextPass:
    """Equal amounts within ``days`` whose normalised texts are at least ``threshold`` similar.

    method: 'jaro_winkler' (jaro_winkler_similarity), 'levenshtein' (1 - distance / longer length)
    or 'jaccard' (shared words / all words). Texts are lower-cased, accents stripped, and every run
    of non-alphanumerics made one space.
    """

    afas_column: str = "Description"
    ledger_column: str = "description"
    method: Literal["jaro_winkler", "levenshtein", "jaccard"] = "jaro_winkler"
    threshold: float = 0.85
    days: int = 7
    allow_sign_flip: bool = False
    enabled: bool = True
    name: str = "amount_text"

    @property
    def pass_name(self) -> str:
        return self.name

    def columns(self) -> tuple[tuple[str, str], ...]:
        return ((self.afas_column, self.ledger_column),)

    def form_fields(self) -> tuple[str, ...]:
        return ("similarity",)

    def with_tuning(self, tuning: Tuning) -> FuzzyTextPass:
        return dataclasses.replace(self, threshold=tuning.similarity)

    def run(self, con: duckdb.DuckDBPyConnection, policy: str) -> int:
        return _fuzzy_pass(con, self, policy)


@dataclass(frozen=True)
class GroupSumPass:
    """Several lines on one side summing to one line on the other (partial payments, split bookings).

    direction 'one_to_many': one AFAS line, 2..max_group_size ledger lines; 'many_to_one' the other
    way. Members must lie within ``days`` of the target, on the same account when same_account,
    carry the target's sign and be smaller than it, and agree on ``same_columns`` ((AFAS column,
    ledger column) pairs, e.g. a relation column when the AFAS table has one).

    Bounds: pairs are found by a hash join on the complement (target - line) over the
    ``pair_candidates`` nearest lines by date (at most pair_candidates squared per target); groups
    of three or more by a subset search over the ``max_candidates`` nearest that prunes partial sums
    beyond the target: at most sum(C(max_candidates, k) for 3 <= k <= max_group_size) subsets per
    target (1,507 for 12 and 5).

    Ambiguity: 'unique' takes a group only when its target has exactly one solution and none of
    its members is in another target's solution; 'oldest'/'newest' take groups greedily, fewest
    members first, then nearest in date, then by date and key.
    """

    direction: Literal["one_to_many", "many_to_one"] = "one_to_many"
    max_group_size: int = 5
    max_candidates: int = 12
    pair_candidates: int = 1000
    days: int = 31
    same_account: bool = True
    same_columns: tuple[tuple[str, str], ...] = ()
    abs_tol: Decimal = Decimal("0.00")
    enabled: bool = True
    name: str = ""

    @property
    def pass_name(self) -> str:
        return self.name or self.direction

    def columns(self) -> tuple[tuple[str, str], ...]:
        return self.same_columns

    def form_fields(self) -> tuple[str, ...]:
        return ()

    def with_tuning(self, tuning: Tuning) -> GroupSumPass:
        return self

    def run(self, con: duckdb.DuckDBPyConnection, policy: str) -> int:
        return _group_pass(con, self, policy)


Pass = ExactKeyPass | DateWindowPass | FuzzyTextPass | GroupSumPass
"""The passes there are; each is a :class:`MatchPass`."""


def _order(policy: str, a_date: str, a_id: str, l_date: str, l_id: str) -> str:
    d = "DESC" if policy == "newest" else "ASC"
    return f"{a_date} {d} NULLS LAST, {a_id} {d}, {l_date} {d} NULLS LAST, {l_id} {d}"


def result_columns(kind: str, group_id: str, pass_name: str, reason: str) -> str:
    """The SELECT list of one result row over AFAS line ``a`` and ledger line ``l`` (either may be
    NULL): what recon_lines keeps of it, plus a_id for ordering (afas.recon.results reads the rest)."""
    return f"""SELECT {kind} AS kind, {group_id} AS group_id, a.a_id, a.UnitId AS unit_id,
        a.EntryNo AS entry_no, a.SeqNo AS seq_no, l.l_id AS line_no, {pass_name} AS pass, {reason} AS reason,
        CAST(coalesce(a.amount, 0) - coalesce(l.amount, 0) AS DECIMAL(18, 2)) AS difference"""


def commit_pick(con: duckdb.DuckDBPyConnection, pass_name: str, pairs: bool = False) -> int:
    """Move the temp table _pick(grp, a_id, l_id, reason, kind) into the run's tables.

    A row of _pick is a pair (both ids) or one line of a group (one id); grp is unique within the
    pick and is offset past the groups already committed. Lines of a group are laid side by side
    (the i-th AFAS line beside the i-th ledger line). ``pairs``: every row is a one-to-one pair
    (the cheaper path). Returns the number of groups committed.
    """
    base = con.execute("SELECT coalesce(max(group_id), 0) FROM _res").fetchone()[0]
    con.execute("INSERT INTO _ma SELECT a_id, grp + ? FROM _pick WHERE a_id IS NOT NULL", [base])
    con.execute("INSERT INTO _ml SELECT l_id, grp + ? FROM _pick WHERE l_id IS NOT NULL", [base])
    if pairs:
        con.execute(
            f"""INSERT INTO _res {result_columns("z.kind", "z.grp + ?", "?", "z.reason")}
            FROM _pick z JOIN _ra a ON a.a_id = z.a_id JOIN _rl l ON l.l_id = z.l_id""",
            [base, pass_name],
        )
        return con.execute("SELECT count(*) FROM _pick").fetchone()[0]
    con.execute(
        f"""INSERT INTO _res
        WITH pa AS (SELECT grp, a_id, reason, kind, row_number() OVER (PARTITION BY grp ORDER BY a_id) AS i
                    FROM _pick WHERE l_id IS NULL),
             pl AS (SELECT grp, l_id, reason, kind, row_number() OVER (PARTITION BY grp ORDER BY l_id) AS i
                    FROM _pick WHERE a_id IS NULL),
             z AS (SELECT grp, a_id, l_id, reason, kind FROM _pick WHERE a_id IS NOT NULL AND l_id IS NOT NULL
                   UNION ALL
                   SELECT coalesce(pa.grp, pl.grp), pa.a_id, pl.l_id, coalesce(pa.reason, pl.reason),
                          coalesce(pa.kind, pl.kind)
                   FROM pa FULL JOIN pl ON pa.grp = pl.grp AND pa.i = pl.i)
        {result_columns("z.kind", "z.grp + ?", "?", "z.reason")}
        FROM z LEFT JOIN _ra a ON a.a_id = z.a_id LEFT JOIN _rl l ON l.l_id = z.l_id""",
        [base, pass_name],
    )
    return con.execute("SELECT count(DISTINCT grp) FROM _pick").fetchone()[0]


def _resolve_pairs(con: duckdb.DuckDBPyConnection, policy: str) -> None:
    """Turn _cand(a_id, l_id, score, ad, ld, reason, kind) into a one-to-one _pick."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _pick "
        "(grp BIGINT, a_id BIGINT, l_id BIGINT, reason VARCHAR, kind VARCHAR)"
    )
    if policy == "unique":
        con.execute(
            "INSERT INTO _pick SELECT a_id, a_id, l_id, reason, kind FROM _cand "
            "QUALIFY count(*) OVER (PARTITION BY a_id) = 1 AND count(*) OVER (PARTITION BY l_id) = 1"
        )
        return
    order = "score, " + _order(policy, "ad", "a_id", "ld", "l_id")
    while True:
        n = con.execute(
            f"""INSERT INTO _pick SELECT a_id, a_id, l_id, reason, kind FROM _cand
            QUALIFY row_number() OVER (PARTITION BY a_id ORDER BY {order}) = 1
                AND row_number() OVER (PARTITION BY l_id ORDER BY {order}) = 1"""
        ).fetchone()[0]
        if not n:
            return
        con.execute(
            "DELETE FROM _cand WHERE a_id IN (SELECT a_id FROM _pick) OR l_id IN (SELECT l_id FROM _pick)"
        )


def _key_pass(con: duckdb.DuckDBPyConnection, p: ExactKeyPass, policy: str) -> int:
    ka = [f"nullif(trim(CAST({quote_ident(a)} AS VARCHAR)), '')" for a, _ in p.keys]
    kl = [f"nullif(trim(CAST({quote_ident(b)} AS VARCHAR)), '')" for _, b in p.keys]
    names = [f"k{i}" for i in range(len(p.keys))]
    sel_a = ", ".join(f"{e} AS {n}" for e, n in zip(ka, names, strict=True))
    sel_l = ", ".join(f"{e} AS {n}" for e, n in zip(kl, names, strict=True))
    not_null = " AND ".join(f"{n} IS NOT NULL" for n in names)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _ka AS SELECT a_id, amount, d, {sel_a} FROM _ua")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _kl AS SELECT l_id, amount, d, {sel_l} FROM _ul")
    con.execute(f"DELETE FROM _ka WHERE NOT ({not_null})")
    con.execute(f"DELETE FROM _kl WHERE NOT ({not_null})")
    con.execute("CREATE OR REPLACE TEMP TABLE _kp (a_id BIGINT, l_id BIGINT)")
    keys = ", ".join(names)
    d = "DESC" if policy == "newest" else "ASC"
    # Stage 1 pairs equal keys with equal amounts (a voucher's debit and credit lines find their own
    # counterparts), stage 2 pairs what is left on the key alone; within a key the k-th line of one
    # side goes with the k-th of the other, by date then key, so the result is greedy and one-to-one.
    # When every key value both sides hold is on one line of each, both stages pair exactly the lines
    # of equal keys (each the first and only of its key, under every policy): one join does it, without
    # the windows. The join shows whether that is so (no line in two of its pairs); if not, the stages.
    cond = " AND ".join(f"a.{n} = l.{n}" for n in names)
    joined = f"INSERT INTO _kp SELECT a.a_id, l.l_id FROM _ka a JOIN _kl l ON {cond}"
    pairs = con.execute(joined).fetchone()[0]
    distinct = "SELECT least(count(DISTINCT a_id), count(DISTINCT l_id)) FROM _kp"
    one_to_one = pairs == con.execute(distinct).fetchone()[0]
    if one_to_one:  # a pair the user unmatched stays apart, as in the stages
        con.execute("DELETE FROM _kp WHERE (a_id, l_id) IN (SELECT (a_id, l_id) FROM _forbid)")
    else:
        con.execute("DELETE FROM _kp")
    for part in () if one_to_one else (f"{keys}, amount", keys):
        cond = " AND ".join(f"a.{n} = l.{n}" for n in part.split(", "))
        unique = "AND a.n = 1 AND l.n = 1" if policy == "unique" else ""
        con.execute(
            f"""INSERT INTO _kp
            WITH a AS (SELECT *, count(*) OVER w AS n,
                              row_number() OVER (w ORDER BY d {d} NULLS LAST, a_id {d}) AS rn
                       FROM _ka ANTI JOIN _kp USING (a_id) WINDOW w AS (PARTITION BY {part})),
                 l AS (SELECT *, count(*) OVER w AS n,
                              row_number() OVER (w ORDER BY d {d} NULLS LAST, l_id {d}) AS rn
                       FROM _kl ANTI JOIN _kp USING (l_id) WINDOW w AS (PARTITION BY {part}))
            SELECT a.a_id, l.l_id FROM a JOIN l ON {cond} AND a.rn = l.rn {unique}
            ANTI JOIN _forbid f ON f.a_id = a.a_id AND f.l_id = l.l_id"""
        )
    reason, kind = key_pair_words(p)
    # One join builds the result rows directly (the pairs are known): no intermediate _pick.
    base = con.execute("SELECT coalesce(max(group_id), 0) FROM _res").fetchone()[0]
    con.execute("INSERT INTO _ma SELECT a_id, a_id + ? FROM _kp", [base])
    con.execute("INSERT INTO _ml SELECT l_id, a_id + ? FROM _kp", [base])
    con.execute(
        f"""INSERT INTO _res {result_columns(kind, "a.a_id + ?", "?", reason)}
        FROM _kp kp JOIN _ra a ON a.a_id = kp.a_id JOIN _rl l ON l.l_id = kp.l_id""",
        [base, p.name],
    )
    return con.execute("SELECT count(*) FROM _kp").fetchone()[0]


def key_pair_words(p: ExactKeyPass) -> tuple[str, str]:
    """SQL over a key pair (AFAS line ``a``, ledger line ``l``): its reason and its kind ('matched'
    or 'differing').

    The reason of a pair whose amounts, dates and accounts agree is NULL: the run keeps the pass's
    plain words once (:func:`key_pair_plain_words`), not a million times. Key values are not
    written into a reason but a placeholder per ledger key column (afas.recon.results fills both
    from the ledger line, which holds the same value)."""
    label = " || ', ' || ".join(
        words_sql(tr("{column} {value} equal"), column=sql_text(column_word(b)), value=key_placeholder(b))
        for _, b in p.keys
    )
    # Tolerances go into the SQL as decimal literals (they are Decimals: digits, sign and point only).
    abs_tol, rel_tol = _decimal_literal(p.abs_tol), _decimal_literal(p.rel_tol)
    amount_ok = f"abs(a.amount - l.amount) <= {abs_tol} + {rel_tol} * abs(l.amount)"
    date_ok = (
        "true" if p.date_tol_days is None else f"abs(date_diff('day', a.d, l.d)) <= {int(p.date_tol_days)}"
    )
    account_ok = "a.account IS NOT DISTINCT FROM l.account" if p.compare_account else "true"
    # The common case (all equal) keeps no text; amounts are formatted for the others only.
    equal = sql_text(tr("amount equal"))
    within = words_sql(
        tr("amount within tolerance ({difference})"), difference=amount_sql("a.amount - l.amount")
    )
    versus = words_sql(
        tr("amount {afas} vs {ledger}"), afas=amount_sql("a.amount"), ledger=amount_sql("l.amount")
    )
    accounts = words_sql(
        tr("account {afas} vs {ledger}"), afas="coalesce(a.account, '-')", ledger="coalesce(l.account, '-')"
    )
    reason = f"""CASE WHEN a.amount = l.amount AND coalesce({date_ok}, false) AND ({account_ok})
                    THEN NULL
                    ELSE {label} || ', ' || concat_ws(', ',
                   CASE WHEN a.amount = l.amount THEN {equal}
                        WHEN {amount_ok} THEN {within}
                        ELSE {versus} END,
                   CASE WHEN NOT ({date_ok}) THEN {_days_apart_sql("abs(date_diff('day', a.d, l.d))")} END,
                   CASE WHEN NOT ({account_ok}) THEN {accounts} END) END"""
    kind = f"""CASE WHEN ({amount_ok}) AND coalesce({date_ok}, false) AND ({account_ok})
                    THEN 'matched' ELSE 'differing' END"""
    return reason, kind


def key_pair_plain_words(p: ExactKeyPass) -> str:
    """The reason of a key pair that agrees on everything, with a placeholder for each key value
    (its reason in recon_lines is NULL)."""
    words = [
        tr("{column} {value} equal").format(column=column_word(b), value=key_placeholder_text(b))
        for _, b in p.keys
    ]
    return ", ".join([*words, tr("amount equal")])


def _decimal_literal(value: Decimal) -> str:
    if Decimal(value) < 0:
        raise ValueError(f"a tolerance cannot be negative: {value}")
    text = format(Decimal(value), "f")
    if not text.replace(".", "", 1).isdigit():
        raise ValueError(f"not a tolerance: {value!r}")
    return f"CAST('{text}' AS DECIMAL(38, 10))"


def _pair_candidates(days: int, same_account: bool, flip: bool) -> str:
    sign = "" if flip else "AND l.amount = a.amount"
    account = "AND a.account = l.account" if same_account else ""
    return f"""FROM _ua a JOIN _ul l ON abs(l.amount) = abs(a.amount) {sign} {account}
        AND l.d BETWEEN a.d - INTERVAL {int(days)} DAY AND a.d + INTERVAL {int(days)} DAY
        ANTI JOIN _forbid f ON f.a_id = a.a_id AND f.l_id = l.l_id"""


def _amount_words() -> str:
    equal = words_sql(tr("amount {amount} equal"), amount=amount_sql("a.amount"))
    flipped = words_sql(tr("amount {amount} with reversed sign"), amount=amount_sql("a.amount"))
    return f"CASE WHEN a.amount = l.amount THEN {equal} ELSE {flipped} END"


def _days_words() -> str:
    one = words_sql(ntr("dates {days} day apart", "dates {days} days apart", 1), days="1")
    same = sql_text(tr("same date"))
    apart = _days_apart_sql("abs(date_diff('day', a.d, l.d))")
    days = "abs(date_diff('day', a.d, l.d))"
    return f"CASE WHEN a.d = l.d THEN {same} WHEN {days} = 1 THEN {one} ELSE {apart} END"


def _window_pass(con: duckdb.DuckDBPyConnection, p: DateWindowPass, policy: str) -> int:
    same_account = sql_text(", " + tr("same account"))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _cand AS
        SELECT a.a_id, l.l_id, abs(date_diff('day', a.d, l.d)) AS score, a.d AS ad, l.d AS ld,
               {_amount_words()} || ', ' || {_days_words()}
               || CASE WHEN {p.same_account} THEN {same_account} ELSE '' END AS reason,
               'matched' AS kind
        {_pair_candidates(p.days, p.same_account, p.allow_sign_flip)}"""
    )
    _resolve_pairs(con, policy)
    return commit_pick(con, p.name, pairs=True)


def _normalised(expr: str) -> str:
    text = f"lower(strip_accents(coalesce(CAST({expr} AS VARCHAR), '')))"
    return f"trim(regexp_replace({text}, '[^a-z0-9]+', ' ', 'g'))"


def _similarity(method: str) -> str:
    if method == "jaro_winkler":
        return "jaro_winkler_similarity(ta, tl)"
    if method == "levenshtein":
        return "1 - levenshtein(ta, tl) / greatest(length(ta), length(tl))"
    if method == "jaccard":
        return (
            "len(list_intersect(list_distinct(string_split(ta, ' ')), "
            "list_distinct(string_split(tl, ' ')))) / "
            "len(list_distinct(list_concat(string_split(ta, ' '), string_split(tl, ' '))))"
        )
    raise ValueError(f"unknown similarity method {method!r}: use jaro_winkler, levenshtein or jaccard")


def _fuzzy_pass(con: duckdb.DuckDBPyConnection, p: FuzzyTextPass, policy: str) -> int:
    sim = _similarity(p.method)
    similar = words_sql(
        tr("{column} {percent}% similar"), column="?", percent="CAST(floor(sim * 100) AS INTEGER)"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _cand AS
        WITH c AS (
            SELECT a.a_id, l.l_id, a.d AS ad, l.d AS ld, a.amount AS aa, l.amount AS la,
                   {_normalised("a." + quote_ident(p.afas_column))} AS ta,
                   {_normalised("l." + quote_ident(p.ledger_column))} AS tl,
                   {_amount_words()} AS amount_words, {_days_words()} AS days_words,
                   abs(date_diff('day', a.d, l.d)) AS days
            {_pair_candidates(p.days, False, p.allow_sign_flip)}),
        s AS (SELECT *, {sim} AS sim FROM c WHERE ta <> '' AND tl <> '')
        SELECT a_id, l_id, (1 - sim) * 1000 + days AS score, ad, ld,
               amount_words || ', ' || {similar} || ', ' || days_words AS reason, 'matched' AS kind
        FROM s WHERE sim >= ?""",
        [column_word(p.ledger_column), p.threshold],
    )
    _resolve_pairs(con, policy)
    return commit_pick(con, p.name, pairs=True)


_NARROW_DAYS = 3
"""The nearest max_candidates members of a target are looked for within this many days first: where
there are that many, they are the nearest of the whole window too (anything outside lies further
away), so only the targets with fewer need the whole window (see :func:`_group_solutions`)."""


@dataclass(frozen=True)
class _GroupSides:
    """The target side (t) and member side (m) of a group pass, and what ties a member to its target."""

    t: str  # the view of unmatched target lines
    m: str  # the view of unmatched member lines
    t_id: str
    m_id: str
    same: tuple[tuple[str, str], ...]  # (target column, member column) pairs that must be equal

    def on(self, alias: str, days: int) -> str:
        """What makes member line ``alias`` one target t may have: within ``days`` of its date, the
        same sign and smaller, equal in the ``same`` columns."""
        terms = "".join(f" AND t.{quote_ident(tc)} = {alias}.{quote_ident(mc)}" for tc, mc in self.same)
        return f"""sign({alias}.amount) = sign(t.amount) AND {alias}.amount <> 0{terms}
            AND abs({alias}.amount) < abs(t.amount)
            AND {alias}.d BETWEEN t.d - INTERVAL {int(days)} DAY AND t.d + INTERVAL {int(days)} DAY"""

    def unforbidden(self, alias: str) -> str:
        """ANTI JOIN of the pairs of target t and member ``alias`` the user said are no match."""
        f, t_id, m_id = f"f_{alias}", self.t_id, self.m_id
        return f"ANTI JOIN _forbid {f} ON {f}.{t_id} = t.{t_id} AND {f}.{m_id} = {alias}.{m_id}"

    def members(self, alias: str, days: int, targets: str | None = None) -> str:
        """FROM targets t JOIN m ``alias``: every target's members (:meth:`on`, :meth:`unforbidden`)."""
        return f"""FROM {targets or self.t} t JOIN {self.m} {alias} ON {self.on(alias, days)}
        {self.unforbidden(alias)}"""

    def ranked(self, days: int, targets: str | None = None) -> str:
        """SELECT of the members of :meth:`members` with their rank by nearness (date, then key)."""
        return f"""SELECT t.{self.t_id} AS t_id, m.{self.m_id} AS m_id, t.amount AS t_amount, t.d AS t_d,
               m.amount, m.d, row_number() OVER (PARTITION BY t.{self.t_id}
                   ORDER BY abs(date_diff('day', t.d, m.d)), m.d, m.{self.m_id}) AS r
        {self.members("m", days, targets)}"""


def _group_subsets(p: GroupSumPass, ranked: str, tolerance: str) -> str:
    """The recursive search of groups of three and more over ``ranked`` (t_id, m_id, t_amount, t_d,
    amount, d, r), each member after the previous by rank, sums kept within the target's size."""
    return f"""s(t_id, t_amount, t_d, last_r, members, total, size, far, last_d) AS (
            SELECT t_id, t_amount, t_d, r, [m_id], amount, 1, abs(date_diff('day', t_d, d)), d FROM {ranked}
            WHERE r <= {int(p.max_candidates)}
            UNION ALL
            SELECT s.t_id, s.t_amount, s.t_d, c.r, list_append(s.members, c.m_id), s.total + c.amount,
                   s.size + 1, greatest(s.far, abs(date_diff('day', c.t_d, c.d))), greatest(s.last_d, c.d)
            FROM s JOIN {ranked} c ON c.t_id = s.t_id AND c.r > s.last_r AND c.r <= {int(p.max_candidates)}
            WHERE s.size < {int(p.max_group_size)}
              AND abs(s.total + c.amount) <= abs(s.t_amount) + {tolerance})"""


def _ranked_pairs(ranked: str, complement: str) -> str:
    """Pairs of ``ranked`` members of one target whose amounts add up to it (``complement``)."""
    return f"""SELECT c1.t_id, c1.t_amount, c1.t_d, c2.r AS last_r, [c1.m_id, c2.m_id] AS members,
                   c1.amount + c2.amount AS total, 2 AS size,
                   greatest(abs(date_diff('day', c1.t_d, c1.d)), abs(date_diff('day', c1.t_d, c2.d))) AS far,
                   greatest(c1.d, c2.d) AS last_d
            FROM {ranked} c1 JOIN {ranked} c2 ON c2.t_id = c1.t_id AND {complement} AND c2.r > c1.r"""


def _numbered(found: str, d: str) -> str:
    return f"""SELECT row_number() OVER (ORDER BY size, far, last_d {d}, t_d {d} NULLS LAST, t_id {d},
                                  list_sort(members) {d}) AS g, *
        FROM {found}"""


def _group_solutions(con: duckdb.DuckDBPyConnection, p: GroupSumPass, sides: _GroupSides, d: str) -> None:
    """_sol: every group of members adding up exactly to its target, numbered in the order groups
    are taken, without keeping every target's ranked list of candidates (at 10 million lines some 90
    million rows, whose sorting was most of the pass).

    - Pairs: target, member and a second member found by hashing the complement (target - member),
      both members on the target's terms. The pair_candidates bound (the nearest members by date)
      can only matter to a target with more members in its window than that; an upper bound of
      that number comes from the members per (account, sign, day) (_gbig). Those targets keep a
      ranked list (_gr) and their pairs come from it, as in :func:`_group_solutions_within_tolerance`.
    - Groups of three and more: the bounded subset search over each target's max_candidates nearest
      members (_gnear), looked for within _NARROW_DAYS first and in the whole window only for the
      targets with fewer there.
    The solutions, and their numbers, are those of the search over the full ranked lists.
    """
    t, m, t_id, m_id = sides.t, sides.m, sides.t_id, sides.m_id
    by_account = p.same_account and ("account", "account") in sides.same
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _gdays AS
        SELECT {"account, " if by_account else ""}sign(amount) AS s, d, count(*) AS n FROM {m}
        WHERE amount <> 0 AND d IS NOT NULL GROUP BY ALL"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _gbig AS
        SELECT t.t_id FROM (
            SELECT {t_id} AS t_id, {"account, " if by_account else ""}sign(amount) AS s,
                   d + CAST(unnest(range({-int(p.days)}, {int(p.days) + 1})) AS INTEGER) AS day
            FROM {t} WHERE amount <> 0 AND d IS NOT NULL) t
        JOIN _gdays g ON g.s = t.s AND g.d = t.day{" AND g.account = t.account" if by_account else ""}
        GROUP BY t.t_id HAVING sum(g.n) > {int(p.pair_candidates)}"""
    )
    big = f"(SELECT * FROM {t} SEMI JOIN _gbig g ON g.t_id = {t}.{t_id})"
    small = f"(SELECT * FROM {t} ANTI JOIN _gbig g ON g.t_id = {t}.{t_id})"
    cap = int(p.pair_candidates)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _gr AS {sides.ranked(p.days, big)} QUALIFY r <= {cap}")
    k = int(p.max_candidates)
    narrow = sides.ranked(min(_NARROW_DAYS, int(p.days)))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _gnear AS {narrow} QUALIFY r <= {k}")
    con.execute(
        f"DELETE FROM _gnear WHERE t_id IN (SELECT t_id FROM _gnear GROUP BY t_id HAVING count(*) < {k})"
    )
    rest = f"(SELECT * FROM {t} ANTI JOIN (SELECT DISTINCT t_id FROM _gnear) g ON g.t_id = {t}.{t_id})"
    con.execute(f"INSERT INTO _gnear {sides.ranked(p.days, rest)} QUALIFY r <= {k}")
    # Each pair once: its larger member first (the one of at least half the target), of two equal
    # halves the lower key first. The pairs the user forbade are taken out afterwards: in the join
    # they made DuckDB's plan some 60 times slower.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _gpairs AS
        SELECT t.{t_id} AS t_id, t.amount AS t_amount, t.d AS t_d, NULL::BIGINT AS last_r,
               [m.{m_id}, m2.{m_id}] AS members, m.amount + m2.amount AS total, 2 AS size,
               greatest(abs(date_diff('day', t.d, m.d)), abs(date_diff('day', t.d, m2.d))) AS far,
               greatest(m.d, m2.d) AS last_d
        FROM {small} t JOIN {m} m ON {sides.on("m", p.days)} AND abs(m.amount) * 2 >= abs(t.amount)
        JOIN {m} m2 ON m2.amount = t.amount - m.amount AND {sides.on("m2", p.days)}
            AND (abs(m.amount) * 2 > abs(t.amount) OR m2.{m_id} > m.{m_id})"""
    )
    con.execute(
        f"""DELETE FROM _gpairs WHERE (t_id, members[1]) IN (SELECT ({t_id}, {m_id}) FROM _forbid)
            OR (t_id, members[2]) IN (SELECT ({t_id}, {m_id}) FROM _forbid)"""
    )
    con.execute(f"INSERT INTO _gpairs {_ranked_pairs('_gr', 'c2.amount = c1.t_amount - c1.amount')}")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _sol AS
        WITH RECURSIVE {_group_subsets(p, "_gnear", "0")},
        found AS (SELECT * FROM s WHERE size >= 3 AND total = t_amount UNION ALL SELECT * FROM _gpairs)
        {_numbered("found", d)}"""
    )


def _group_solutions_within_tolerance(
    con: duckdb.DuckDBPyConnection, p: GroupSumPass, sides: _GroupSides, d: str
) -> None:
    """_sol as :func:`_group_solutions`, for sums within ``abs_tol`` of their target: over every
    target's ranked list of candidates (_gc), pairs by a join on the complement's range."""
    cap = int(p.pair_candidates)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _gc AS {sides.ranked(p.days)} QUALIFY r <= {cap}")
    complement = "c2.amount BETWEEN c1.t_amount - c1.amount - $tol AND c1.t_amount - c1.amount + $tol"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _sol AS
        WITH RECURSIVE {_group_subsets(p, "_gc", "$tol")},
        pairs AS ({_ranked_pairs("_gc", complement)}),
        found AS (SELECT * FROM s WHERE size >= 3 AND abs(total - t_amount) <= $tol
                  UNION ALL SELECT * FROM pairs)
        {_numbered("found", d)}""",
        {"tol": p.abs_tol},
    )


def _group_pass(con: duckdb.DuckDBPyConnection, p: GroupSumPass, policy: str) -> int:
    if not (2 <= p.max_group_size <= 8 and 2 <= p.max_candidates <= 24 and 2 <= p.pair_candidates <= 10_000):
        raise ValueError(
            "group pass bounds: 2 <= max_group_size <= 8, 2 <= max_candidates <= 24, "
            "2 <= pair_candidates <= 10000"
        )
    t, m, t_id, m_id = ("_ua", "_ul", "a_id", "l_id")
    if p.direction == "many_to_one":
        t, m, t_id, m_id = ("_ul", "_ua", "l_id", "a_id")
    elif p.direction != "one_to_many":
        raise ValueError(f"unknown direction {p.direction!r}")
    same = [("account", "account")] if p.same_account else []
    same += [(ac, lc) if p.direction == "one_to_many" else (lc, ac) for ac, lc in p.same_columns]
    sides = _GroupSides(t, m, t_id, m_id, tuple(same))
    d = "DESC" if policy == "newest" else "ASC"
    if p.abs_tol == 0:
        _group_solutions(con, p, sides, d)
    else:
        _group_solutions_within_tolerance(con, p, sides, d)
    con.execute("CREATE OR REPLACE TEMP TABLE _solall AS SELECT * FROM _sol")
    con.execute("CREATE OR REPLACE TEMP TABLE _solm AS SELECT g, t_id, unnest(members) AS m_id FROM _sol")
    con.execute("CREATE OR REPLACE TEMP TABLE _gp (g BIGINT)")
    if policy == "unique":
        con.execute(
            """INSERT INTO _gp SELECT g FROM _sol
            WHERE t_id IN (SELECT t_id FROM _sol GROUP BY t_id HAVING count(*) = 1)
              AND g NOT IN (SELECT g FROM _solm WHERE m_id IN (
                    SELECT m_id FROM _solm GROUP BY m_id HAVING count(DISTINCT g) > 1))"""
        )
    else:
        while True:
            n = con.execute(
                """INSERT INTO _gp
                WITH bt AS (SELECT t_id, min(g) AS g FROM _sol GROUP BY t_id),
                     bm AS (SELECT m_id, min(g) AS g FROM _solm GROUP BY m_id),
                     bad AS (SELECT DISTINCT sm.g FROM _solm sm JOIN bm USING (m_id) WHERE bm.g < sm.g)
                SELECT g FROM bt ANTI JOIN bad USING (g) ANTI JOIN _gp USING (g)"""
            ).fetchone()[0]
            if not n:
                break
            con.execute(
                """CREATE OR REPLACE TEMP TABLE _dead AS SELECT DISTINCT g FROM _solm
                WHERE t_id IN (SELECT t_id FROM _solm SEMI JOIN _gp USING (g))
                   OR m_id IN (SELECT m_id FROM _solm SEMI JOIN _gp USING (g))"""
            )
            con.execute("DELETE FROM _solm WHERE g IN (SELECT g FROM _dead)")
            con.execute("DELETE FROM _sol WHERE g IN (SELECT g FROM _dead)")
    sums = (
        tr("{count} ledger lines sum to {total}")
        if p.direction == "one_to_many"
        else tr("{count} AFAS lines sum to {total}")
    )
    target = words_sql(" ({target})", target=amount_sql("s.t_amount"))
    total = words_sql(sums, count="s.size", total=amount_sql("s.total"))
    equal = sql_text(", " + tr("amount equal"))
    within = words_sql(tr("dates within {days} days"), days="s.far")
    reason = f"{total} || CASE WHEN s.total = s.t_amount THEN {equal} ELSE {target} END || ', ' || {within}"
    t_col, m_col = ("a_id", "l_id") if p.direction == "one_to_many" else ("l_id", "a_id")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _pick0 AS
        SELECT s.g AS grp, s.t_id AS {t_col}, NULL::BIGINT AS {m_col}, {reason} AS reason, 'matched' AS kind
        FROM _solall s SEMI JOIN _gp USING (g)
        UNION ALL
        SELECT s.g, NULL::BIGINT, unnest(s.members), {reason}, 'matched' FROM _solall s SEMI
            JOIN _gp USING (g)"""
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _pick AS SELECT grp, a_id, l_id, reason, kind FROM _pick0")
    return commit_pick(con, p.pass_name)


def run_pass(con: duckdb.DuckDBPyConnection, p: MatchPass, policy: str) -> int:
    """Run one pass over the lines still unmatched; returns the number of match groups it made."""
    if policy not in AMBIGUITY_POLICIES:
        raise ValueError(f"unknown ambiguity policy {policy!r}: use one of {_policies()}")
    return p.run(con, policy)


def _policies() -> str:
    return ", ".join(map(str, Ambiguity))
