"""The journal closed while another thread writes to it (the kiosk shutting down while a worker or staff
mode's sign-out still journals): the writer gets a typed error, the process never crashes. Before the fix,
sqlite's connection was closed under a thread inside it and the whole kiosk died of a segmentation fault."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kiosk.journal import Journal, JournalClosed

ROOT = Path(__file__).resolve().parent.parent


def test_closing_the_journal_under_a_writing_thread_never_crashes_the_process(tmp_path):
    script = textwrap.dedent(f"""
        import os, sys, threading
        sys.path.insert(0, {str(ROOT)!r})
        from kiosk.journal import Journal, JournalClosed
        for i in range(150):
            j = Journal(os.path.join({str(tmp_path)!r}, f"j{{i}}.db"))
            j.begin("T", "x")
            def hammer():
                while True:
                    try:
                        j.step("T", "s", n=1)
                    except JournalClosed:
                        return
            t = threading.Thread(target=hammer)
            t.start()
            j.close()
            t.join(10)
            assert not t.is_alive()
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", (done.returncode, done.stderr[-500:])


def test_a_closed_journal_says_so_in_words(tmp_path):
    journal = Journal(str(tmp_path / "j.db"))
    journal.close()
    journal.close()                                  # twice is harmless
    with pytest.raises(JournalClosed):
        journal.step("T", "s")
    with pytest.raises(JournalClosed):
        journal.unfinished()
