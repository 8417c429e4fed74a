"""A SIGTERM or SIGHUP with calls in flight gives the app SIGNAL_GRACE_S to quit; after that the
timer ends the process from its own thread (ui/shutdown.py). Restoring the signal's default there
raised ValueError (signal.signal works on the main thread only), so a hung quit outlived the
signal for good."""

import signal
import subprocess
import sys


def test_the_grace_timer_ends_the_process_from_its_thread():
    code = ("import threading, time\n"
            "from modeltui.ui.shutdown import exit_late\n"
            f"threading.Timer(0.05, exit_late, ({int(signal.SIGTERM)},)).start()\n"
            "time.sleep(30)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=25)
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
