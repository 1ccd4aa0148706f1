"""The dashboard with sign-in configured ([auth] in secrets.toml): the sign-in page, roles that disable
what they do not allow (with the reason), the token only from the configuration, and four-eyes on
the Corrections page: Anna prepares a batch and may not approve it, Bert approves and sends it, the
audit log names both. (The real provider and browser: tests/e2e/test_signed_in_e2e.py.)"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.test_reconcile_page import demo_ledger, imported_and_matched, synced  # noqa: F401 - the fixture
from tests.pages.test_workflow_pages import ROOT, frame

SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a-cookie-secret-of-some-length-0123456789",
        "client_id": "dashboard",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    },
    "roles": {
        "admin": ["it@example.nl"],
        "approver": ["bert@example.nl"],
        "preparer": ["anna@example.nl"],
        "viewer": ["@example.nl"],
    },
}
ISSUER = "http://127.0.0.1:9"


def person(login: str, name: str, domain: str = "example.nl") -> dict:
    return {
        "is_logged_in": True,
        "sub": f"{login}-sub",
        "iss": ISSUER,
        "email": f"{login}@{domain}",
        "name": name,
    }


ANNA, BERT = person("anna", "Anna de Vries"), person("bert", "Bert Jansen")
CARLA, IT = person("carla", "Carla Smit"), person("it", "IT desk")


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("AFAS_TOKEN", raising=False)


def signed_in(at: AppTest, user: dict) -> AppTest:
    at.secrets = dict(SECRETS)
    at.user = dict(user)
    return at


def read(text: str) -> str:
    """A text as the user reads it (the Markdown escapes that keep user text plain taken out)."""
    return text.replace("\\", "").replace("\u2060", "")


def shown(at: AppTest) -> str:
    """What the page says, as read."""
    return read(" ".join(str(e.value) for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.text)))


def successes(at: AppTest) -> list[str]:
    return [read(s.value) for s in at.success]


def test_every_page_needs_sign_in_and_a_role():
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), {"is_logged_in": False})
    at.run()
    assert not at.exception, at.exception
    assert at.button(key="sign_in").label == "Sign in"
    assert not [b for b in at.button if b.key == "connect_test"]  # no page before sign-in
    at.user = person("eve", "Eve", domain="elsewhere.org")
    at.run()
    assert "Eve <eve@elsewhere.org>, but this dashboard gives you no role yet" in shown(at)
    assert not [b for b in at.button if b.key == "connect_test"]
    at.user = dict(CARLA)
    at.run()
    assert at.button(key="sign_out").label == "Sign out"
    assert "Carla Smit\ncarla@example.nl" in [t.value for t in at.text] and "Role: viewer" in shown(at)
    assert not [w for w in at.text_input if w.key == "local_name"]  # nobody types a name


def test_a_dutch_team_member_signs_in_in_dutch():
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), {"is_logged_in": False})
    at.session_state["language"] = "nl"
    at.run()
    assert not at.exception, at.exception
    assert at.button(key="sign_in").label == "Aanmelden"
    assert "meld u aan met uw werkaccount" in shown(at)
    at.user = person("eve", "Eve", domain="elsewhere.org")
    at.run()
    assert "U bent aangemeld als Eve <eve@elsewhere.org>, maar dit dashboard geeft u nog geen rol" in shown(
        at
    )
    assert at.button(key="sign_out").label == "Afmelden"


def test_the_token_comes_from_the_configuration_only(monkeypatch):
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), IT)
    at.run()
    at.radio(key="connect_mode").set_value("own").run()
    assert not [w for w in at.text_input if w.key == "connect_token"]  # nobody types a token
    assert "none is configured yet" in shown(at)
    at.text_input(key="connect_env_number").set_value("36480")
    at.button(key="connect_test").click().run()
    assert "connects to AFAS only with the token its administrator configured" in at.error[0].value
    # configured (here: the demo environment's own address and token), it is used though the dashboard
    # listens on every address: only signed-in people reach it
    from afas.ui.connection import demo_server

    server = demo_server()
    monkeypatch.setenv("AFAS_BASE_URL", server.base_url)
    monkeypatch.setenv("AFAS_TOKEN", server.emulator.token_data)
    at.run()
    assert "connects with the token your administrator configured" in shown(at)
    at.button(key="connect_test").click().run()
    assert at.success and at.success[0].value.startswith("Ready"), [e.value for e in at.error]
    assert server.emulator.token_data not in shown(at)


def test_a_viewer_looks_anna_prepares_bert_approves_and_sends_the_audit_names_both(
    fresh_demo,  # it sends: a demo AFAS of its own
    demo_ledger,  # noqa: F811
    monkeypatch,
    tmp_path,
):
    from afas.emulator.demo import master_export
    from afas.ui.connection import demo_server

    customers = tmp_path / "demo_customers.csv"
    customers.write_bytes(master_export.render_csv(master_export.demo_customer_rows(demo_server().emulator)))
    monkeypatch.setattr(master_export, "DEMO_CUSTOMERS", customers)
    at = imported_and_matched(synced(all_connectors=True))  # set up on one machine, then signed in
    signed_in(at, CARLA)  # a viewer may look, not sync, set the defaults or prepare
    at.switch_page("views/sync.py").run()
    assert at.button(key="sync_now").disabled
    assert "Preparing corrections and the close needs the preparer role; Carla Smit is viewer." in shown(at)
    at.switch_page("views/configure.py").run()
    assert at.button(key="configure_save").disabled
    assert "needs the administrator role" in shown(at)
    at.switch_page("views/corrections.py").run()
    assert at.button(key="corr_approve").label.startswith("Prepare 9 corrections for approval")
    assert at.button(key="corr_approve").disabled

    signed_in(at, ANNA)
    at.run()
    assert not at.exception, at.exception
    at.button(key="corr_approve").click().run()
    at.text_input(key="corr_batch_description").input("September differences").run()
    at.button(key="corr_prepare_confirm").click().run()
    assert not at.exception, at.exception
    assert (
        "Prepared batch 1 (9 corrections) for approval: it waits below until another approver approves it."
        in successes(at)
    )
    (batch,) = [t.value for t in at.text if t.value.startswith("Batch 1")]
    assert read(batch).startswith("Batch 1: September differences — 9 corrections for €")
    assert "prepared by Anna de Vries <anna@example.nl>" in read(batch) and "0 of 1 approval." in read(batch)
    # waiting, not in the outbox; the proposals are not offered again; Anna may not approve her own
    assert "Nothing approved yet." in shown(at)
    assert not [b for b in at.button if b.key == "corr_approve"]
    assert at.button(key="corr_batch_approve_1").disabled
    assert "You prepared this batch, so another approver approves it (four-eyes)." in shown(at)

    at.user = dict(BERT)
    at.run()
    assert not at.button(key="corr_batch_approve_1").disabled
    at.button(key="corr_batch_approve_1").click().run()
    assert "Approved batch 1: its 9 corrections are in the outbox." in successes(at)
    outbox = frame(at, "Approved by")
    assert set(outbox["Approved by"]) == {"Bert Jansen <bert@example.nl>"}

    at.user = dict(ANNA)  # a preparer does not send
    at.run()
    assert at.button(key="corr_send").disabled
    assert "needs the approver role; Anna de Vries is preparer, viewer." in shown(at)
    at.user = dict(BERT)
    at.run()
    at.button(key="corr_send").click().run()
    assert not at.exception, at.exception
    assert "9 of 9 corrections are in AFAS." in successes(at)

    at.switch_page("views/audit.py").run()
    audit = frame(at, "Who")
    assert {"Anna de Vries <anna@example.nl>", "Bert Jansen <bert@example.nl>"} <= set(audit["Who"])

    # master-data changes wait for another approver too (approved, not sent: the demo environment is
    # shared by this process's tests, and the master-data page test counts its relations)
    at.user = dict(ANNA)
    at.switch_page("views/masterdata.py").run()
    at.toggle(key="md_demo").set_value(True).run()
    at.button(key="md_compare").click().run()
    label = at.button(key="md_approve").label
    assert label.startswith("Prepare ") and label.endswith(" corrections for approval…"), label
    count = int(label.split()[1])
    assert count > 0
    at.button(key="md_approve").click().run()
    at.button(key="md_prepare_confirm").click().run()
    assert not at.exception, at.exception
    assert f"Prepared batch 2 ({count} corrections) for approval" in " ".join(successes(at))
    at.user = dict(BERT)
    at.run()
    at.button(key="md_batch_approve_2").click().run()
    assert f"Approved batch 2: its {count} corrections are in the outbox." in successes(at)
    outbox = frame(at, "Approved by")
    assert list(outbox["State"]).count("approved, not sent") == count
