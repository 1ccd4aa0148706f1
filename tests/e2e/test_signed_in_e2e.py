"""The dashboard for a team, in Chromium: sign-in with a real OpenID Connect provider on loopback
(tests/oidc_provider.py), four-eyes on a batch of corrections. Anna (preparer and administrator) sets
it up, reconciles and prepares the corrections, and may not approve her own batch; she signs out,
Bert (approver) signs in, approves and sends them; the audit export names both with their e-mail."""

from __future__ import annotations

import json
import os
import re

import pytest

from afas.emulator.auth import demo_token_data
from afas.emulator.core import Emulator
from afas.emulator.demo import ledger_export
from tests import oidc_provider as oidc
from tests.e2e.support import DEMO_SEED, ROOT, shot

pytestmark = pytest.mark.e2e

# the provider's fixtures, in this module's scope
oidc_app_port = oidc.oidc_app_port
oidc_provider = oidc.oidc_provider

DEMO_SIZE = 2000  # a small demo administration: the journey is about who does what
ROLES = """
[roles]
admin = ["anna@example.nl"]
preparer = ["anna@example.nl"]
approver = ["bert@example.nl"]
"""


@pytest.fixture(scope="module")
def team_app(oidc_provider, oidc_app_port, tmp_path_factory):
    """The product app with [auth] pointing at the provider and [roles] (a secrets file outside the
    project: --secrets.files), reached as localhost, the redirect URI's host."""
    folder = tmp_path_factory.mktemp("team-app")
    env = {**os.environ, "AFAS_DEMO_TRANSACTIONS": str(DEMO_SIZE), "AFAS_DATA_DIR": str(folder / "data")}
    env.pop("AFAS_TOKEN", None)
    with oidc.signed_in_app(
        oidc_provider, oidc_app_port, folder, cwd=ROOT, extra_secrets=ROLES, env=env
    ) as url:
        yield url


@pytest.fixture(scope="module")
def ledger_file(tmp_path_factory):
    """The demo ledger of a demo administration of DEMO_SIZE lines (the app's emulator is the same:
    same seed, same size), with its planted differences."""
    path = tmp_path_factory.mktemp("ledger") / "demo_ledger.csv"
    emulator = Emulator(seed=DEMO_SEED, transactions=DEMO_SIZE)
    path.write_bytes(ledger_export.render_csv(ledger_export.demo_ledger_rows(emulator)))
    return path


def _sign_in(page, provider, login: str) -> None:
    page.get_by_role("button", name="Sign in").click(timeout=60_000)
    oidc.sign_in(page, provider, login)
    side = page.get_by_test_id("stSidebar")
    side.get_by_text(provider.users[login].email).wait_for(timeout=60_000)


def _connect(page) -> None:
    page.get_by_role("button", name="Test connection").click(timeout=60_000)
    page.get_by_text("Ready: Demo environment").wait_for(timeout=90_000)


def _go(page, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).click()


def test_anna_prepares_is_refused_her_own_batch_bert_approves_and_sends(
    team_app, oidc_provider, browser, ledger_file, tmp_path
):
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    offsite = oidc.loopback_only(page)
    page.goto(team_app)
    page.get_by_text("sign in with your work account to continue").wait_for(timeout=60_000)
    assert page.get_by_role("link", name="Connect", exact=True).count() == 0  # no page before sign-in
    shot(page, "team-sign-in")
    _sign_in(page, oidc_provider, "anna")
    page.get_by_test_id("stSidebar").get_by_text("Role: administrator, preparer").wait_for()

    # Anna sets the dashboard up (administrator) and reconciles (preparer)
    page.get_by_text("My AFAS environment").click()
    page.get_by_text("nobody types a token here", exact=False).or_(
        page.get_by_text("none is configured yet", exact=False)
    ).first.wait_for(timeout=30_000)
    assert page.get_by_label("App connector token").count() == 0
    page.get_by_text("Use the demo environment").click()
    _connect(page)
    _go(page, "Configure")
    page.get_by_role("button", name="Save defaults").click(timeout=60_000)
    page.get_by_text("Syncs and corrections use these now.").wait_for(timeout=60_000)
    _go(page, "Sync")
    page.get_by_role("button", name="Sync now").click(timeout=60_000)
    page.get_by_text("Synced 18 connectors").wait_for(timeout=180_000)
    _go(page, "Reconcile")
    page.get_by_text("Reconcile with your ledger").wait_for(timeout=60_000)
    page.locator("input[type=file]").set_input_files(str(ledger_file))
    page.get_by_role("button", name="Import ledger").click(timeout=60_000)
    page.get_by_text(re.compile(r"Imported [\d,]+ lines")).wait_for(timeout=60_000)
    page.get_by_role("button", name="Run matching").click()
    page.get_by_text("Unmatched difference per period").wait_for(timeout=120_000)

    # she prepares the corrections for approval; she may not approve them herself
    _go(page, "Corrections")
    prepare = page.get_by_role("button", name=re.compile(r"Prepare \d+ corrections for approval"))
    prepare.wait_for(timeout=60_000)
    count = int(re.search(r"Prepare (\d+)", prepare.inner_text()).group(1))
    prepare.click()
    page.get_by_label("What the approver should know").fill("Differences with the ledger, 2026")
    page.get_by_role("button", name="Prepare for approval").click()
    page.get_by_text(re.compile(r"^Batch 1: Differences with the ledger, 2026 — ")).first.wait_for(
        timeout=60_000
    )
    page.get_by_text("prepared by Anna de Vries <anna@example.nl>", exact=False).first.wait_for()
    own = page.get_by_role("button", name="Approve batch 1")
    assert own.is_disabled()
    page.get_by_text("You prepared this batch, so another approver approves it (four-eyes).").first.wait_for()
    page.get_by_text("Nothing approved yet.").wait_for()  # not in the outbox: nothing can send it
    shot(page, "team-anna-prepared")

    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    oidc.confirm_sign_out(page)
    page.get_by_text("sign in with your work account to continue").wait_for(timeout=60_000)

    # Bert, approver, approves and sends
    _sign_in(page, oidc_provider, "bert")
    page.get_by_test_id("stSidebar").get_by_text("Role: approver").wait_for()
    _connect(page)
    _go(page, "Configure")
    using = page.get_by_text(re.compile(r"^Using '"))
    for attempt in range(4):  # a click that lands while the page still reruns is dropped: again
        page.get_by_role("button", name="Use this profile").click(timeout=60_000)
        try:
            using.wait_for(timeout=15_000)
            break
        except Exception:
            if attempt == 3:
                raise
    assert page.get_by_role("button", name="Save defaults").is_disabled()  # the administrator's
    _go(page, "Corrections")
    approve = page.get_by_role("button", name="Approve batch 1")
    try:
        approve.wait_for(timeout=60_000)
    except Exception:
        shot(page, "team-bert-no-batch")  # what the page showed instead, for the CI log's reader
        raise
    shot(page, "team-bert-approves")
    approve.click()
    page.get_by_text(f"Approved batch 1: its {count} corrections are in the outbox.").wait_for(timeout=60_000)
    page.get_by_role("button", name=f"Send {count} to AFAS").click()
    page.get_by_text(f"{count} of {count} corrections are in AFAS.").wait_for(timeout=120_000)
    shot(page, "team-bert-sent")

    page.get_by_role("link", name="See the audit log").click()
    page.get_by_role("button", name="Download JSONL").wait_for(timeout=60_000)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download JSONL").click()
    audit = tmp_path / "audit.jsonl"
    info.value.save_as(audit)
    events = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    who = {(e["event"], e["actor_email"], e["actor_subject"], e["actor_issuer"]) for e in events}
    assert ("prepared", "anna@example.nl", "anna-0001", oidc_provider.issuer) in who
    assert ("approved", "bert@example.nl", "bert-0002", oidc_provider.issuer) in who
    assert len([e for e in events if e["event"] == "prepared"]) == count
    html = page.content()
    assert "Traceback" not in html and demo_token_data(DEMO_SEED) not in html
    assert not offsite, offsite
    page.close()
