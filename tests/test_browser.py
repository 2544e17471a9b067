"""Real-browser tests: Debian's chromium, driven by Playwright, against `streamlit run app.py`.

They use the embedded model assembled by `make setup` and save screenshots and downloads in
test-artifacts/browser/ so a person can look at them.
"""

from __future__ import annotations

import email
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from email import policy
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.real_model]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
FIXTURES = Path(__file__).parent / "fixtures" / "ui"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A draft takes about 10 s on 2 cores; the first also starts the model. Leave room for a busy machine.
DRAFT_TIMEOUT_MS = 15 * 60 * 1000
WIDTH, HEIGHT = 1366, 900  # a laptop


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"streamlit did not become healthy in {seconds:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file():
            old.unlink()
    return folder


@pytest.fixture
def app_url(real_data_dir: Path, artifacts: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port, with the real data directory."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing (/usr/bin/chromium): run `make setup` to install it.")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DRAFTER_DATA_DIR": str(real_data_dir)}
    log = artifacts / "streamlit.log"
    streamlit = Path(sys.executable).with_name("streamlit")
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                str(streamlit), "run", "app.py",
                "--server.headless", "true",
                "--server.address", "127.0.0.1",
                "--server.port", str(port),
                "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def page(app_url: str, artifacts: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, accept_downloads=True)
        page = context.new_page()
        page.goto(app_url)
        page.get_by_role("heading", name="Follow-up Drafter").wait_for(timeout=60_000)
        try:
            yield page
        finally:
            screenshot(page, artifacts / "last.png")
            context.close()
            browser.close()


def screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main area, so grow the viewport to fit it."""
    try:
        height = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll("
            "'[data-testid=stMain], [data-testid=stMainBlockContainer], section')].map(e => e.scrollHeight))"
        )
        page.set_viewport_size({"width": WIDTH, "height": min(max(HEIGHT, int(height) + 60), 6000)})
        page.wait_for_timeout(500)
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size({"width": WIDTH, "height": HEIGHT})


def test_draft_one_follow_up_and_download_its_eml(page, artifacts):
    from playwright.sync_api import expect

    page.get_by_role("textbox", name="Contact name").fill("Jane Doe")
    page.get_by_role("textbox", name="Email", exact=True).fill("jane@example.com")
    page.get_by_role("textbox", name="Company").fill("Acme Robotics")
    page.get_by_role("textbox", name="Where we met").fill("PyCon reception")
    page.get_by_role("textbox", name="Notes").fill(
        "Talked about trail running near Portland; she runs the Wildwood trail on weekends. "
        "I said I'd send her the trail map I use."
    )
    page.get_by_role("textbox", name="Your name").last.fill("Sam Lee")
    screenshot(page, artifacts / "01-form.png")
    page.get_by_role("button", name="Draft follow-up").click()
    page.get_by_text("Loading the model").wait_for(timeout=60_000)  # the first run says so
    screenshot(page, artifacts / "02-loading.png")
    page.get_by_text("Done in").wait_for(timeout=DRAFT_TIMEOUT_MS)
    # The status box says "Done" before the rest of the draft has rendered, and a field can show
    # for a moment before its text: wait for the whole draft, then for the fields to be filled.
    page.get_by_text("Suggested next steps").wait_for(state="visible", timeout=30_000)
    expect(page.get_by_role("textbox", name="Subject")).not_to_have_value("", timeout=30_000)
    expect(page.get_by_role("textbox", name="Message")).not_to_have_value("", timeout=30_000)
    subject = page.get_by_role("textbox", name="Subject").input_value()
    body = page.get_by_role("textbox", name="Message").input_value()
    assert subject.strip()
    assert body.startswith("Hi Jane")
    screenshot(page, artifacts / "03-draft.png")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download .eml").click()
    download = download_info.value
    assert download.suggested_filename == "follow-up-jane-doe.eml"
    path = artifacts / download.suggested_filename
    download.save_as(path)
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert msg["To"].addresses[0].addr_spec == "jane@example.com"
    assert msg["Subject"] == subject.strip()
    assert msg["X-Unsent"] == "1"
    assert msg.get_content().replace("\r\n", "\n").strip() == body.strip()


def test_upload_three_rows_draft_all_and_export_the_zip(page, artifacts):
    page.get_by_role("tab", name="Event batch").click()
    uploader = page.get_by_label("Contacts file").get_by_test_id("stFileUploaderDropzoneInput")
    uploader.set_input_files(str(FIXTURES / "browser_three_rows.csv"))
    draft_all = page.get_by_role("button", name="Draft all (3 rows)")
    draft_all.wait_for(timeout=60_000)
    screenshot(page, artifacts / "01-uploaded.png")
    draft_all.click()
    page.get_by_role("button", name="All rows drafted").wait_for(timeout=DRAFT_TIMEOUT_MS)
    page.get_by_text("3 of 3 rows drafted", exact=True).wait_for(state="visible", timeout=30_000)
    screenshot(page, artifacts / "02-drafted.png")

    page.get_by_role("button", name="Approve all drafted").click()
    zip_button = page.get_by_role("button", name=".eml zip (3)")
    zip_button.wait_for(timeout=60_000)
    screenshot(page, artifacts / "03-approved.png")
    with page.expect_download() as download_info:
        zip_button.click()
    download = download_info.value
    path = artifacts / download.suggested_filename
    download.save_as(path)
    assert path.name == "follow-ups.zip"
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        names = archive.namelist()
        assert names == ["01-jane-doe.eml", "02-li-wei.eml", "03-omar-haddad.eml"]
        for name, address in zip(
            names, ["jane@example.com", "li@example.com", "omar@example.com"], strict=True
        ):
            msg = email.message_from_bytes(archive.read(name), policy=policy.default)
            assert msg["To"].addresses[0].addr_spec == address
            assert msg["X-Unsent"] == "1"
            assert msg.get_content().strip().startswith("Hi ")
