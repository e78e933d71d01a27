"""The log scan (tests/fixtures/log_scan.py) fails a run whose logs carry a patient name.

Each case runs a small test file in its own pytest process with only the plugin loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from coordinator import PROJECT_ROOT
from tests.fixtures.intake import spouse_call
from tests.fixtures.log_scan import TEST_NAMES, names_pattern


def run_pytest(tmp_path, body: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(body))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.fixtures.log_scan",
            "test_sample.py",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "body",
    [
        # An app logger, as a view or a service would log (at the level the app sets)
        """
        import logging

        def test_logs_a_name():
            logging.getLogger("coordinator").setLevel(logging.DEBUG)
            logging.getLogger("coordinator.services.intake").info("created for %s", "Daniel Example12")
        """,
        # A logger that stops propagating and has its own handler, as the app's "coordinator" does
        """
        import logging

        def test_logs_a_name():
            log = logging.getLogger("coordinator")
            log.handlers[:] = [logging.NullHandler()]
            log.propagate = False
            log.warning("caller Maria Example3 rang")
        """,
        # An exception's message in a logged traceback
        """
        import logging

        def test_logs_a_name():
            try:
                raise ValueError("no program for Ruth Okafor")
            except ValueError:
                logging.getLogger("coordinator.error_pages").exception("unhandled error")
        """,
        # A library's warning
        """
        import warnings

        def test_warns_a_name():
            warnings.warn("row for Daniel Visitor was not flushed")
        """,
        # At DEBUG, from a library logger set to show it
        """
        import logging

        def test_logs_a_name():
            logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
            logging.getLogger("sqlalchemy.engine").debug("row ('Somchai Example',)")
        """,
    ],
    ids=["app logger", "own handler, no propagation", "traceback", "warning", "library debug"],
)
def test_a_patient_name_in_any_log_fails_the_run(tmp_path, body):
    result = run_pytest(tmp_path, body)
    assert "1 passed" in result.stdout  # the test itself passed...
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout  # ...and the run failed
    assert "patient names in the logs" in result.stdout and "test_sample.py::" in result.stdout


def test_a_run_with_clean_logs_passes(tmp_path):
    result = run_pytest(
        tmp_path,
        """
        import logging

        def test_logs_no_name():
            logging.getLogger("coordinator").setLevel(logging.DEBUG)
            logging.getLogger("coordinator.access").info("GET /inquiries/<int:inquiry_id> 200")
        """,
    )
    assert result.returncode == 0, result.stdout
    assert "log scan: 1 log records, no patient name in any" in result.stdout


def test_the_factories_names_are_scanned_for():
    pattern = names_pattern(TEST_NAMES)
    data = spouse_call()
    assert pattern.search(data["patient_name"]) and pattern.search(data["caller_name"])
    assert not pattern.search("Test Admissions 4 signed in")
    assert pattern.search("GET /inquiries/?q=daniel+example HTTP/1.1") and pattern.search("q=Ruth%20Okafor")
