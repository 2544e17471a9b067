"""The app's server settings: loopback only, XSRF protection on, uploads limited."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_streamlit_binds_to_loopback_with_xsrf_and_an_upload_limit() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server = config["server"]
    assert server["address"] == "127.0.0.1"
    assert server["enableXsrfProtection"] is True
    assert server["maxUploadSize"] == 5
    assert config["browser"]["gatherUsageStats"] is False


def test_make_run_serves_on_loopback_headless() -> None:
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "--server.address 127.0.0.1" in run
    assert "--server.headless true" in run
    assert "--browser.gatherUsageStats false" in run
