"""What `postguard serve` itself keeps while it serves: no engine that a rules reload replaced.

`run_server`'s frame lives as long as the server. When it held the first engine in a local name,
that engine (its rule matchers, client lists and compiled patterns) stayed in memory beside the
one every reload swapped in, for the life of the process: two engines at rest in the soak's
object counts (docs/performance.md, "Soak"). The engine here is a stand-in and waitress is not
started: what is tested is only what the serving frame keeps.
"""

from __future__ import annotations

import threading
import weakref
from types import SimpleNamespace

from companion.config import Settings


class _Engine:
    def warm_up(self) -> None:
        pass


def test_serving_keeps_no_engine_once_a_reload_replaced_it(monkeypatch, tmp_path):
    import waitress

    import companion.app
    from companion.server import run_server

    state = SimpleNamespace(engine=_Engine(), versions={})
    first = weakref.ref(state.engine)
    seen = {}

    class Server:
        def run(self):
            # What the bundle watcher does on a reload, then what remains of the first engine.
            state.engine = _Engine()
            for thread in threading.enumerate():
                if thread.name == "warm-up":
                    thread.join()
            seen["first engine still held"] = first() is not None

    monkeypatch.setattr(companion.app, "create_app", lambda _settings: SimpleNamespace(extensions={"postguard": state}))
    monkeypatch.setattr(waitress, "create_server", lambda *_args, **_kwargs: Server())
    run_server(Settings(data_dir=tmp_path / "data", port=1))
    assert seen == {"first engine still held": False}


def test_what_a_skewed_photo_needs_is_loaded_with_the_ocr_not_by_the_first_such_photo():
    """np.percentile (the fill colour of a rotated photo) imports numpy.ma on its first call: 0.5 MB
    and ~300 functions that appeared at a random minute of the soak, a step in the at-rest curve.
    A fresh interpreter imports the OCR's preparation and finds numpy.ma already there."""
    import subprocess
    import sys

    code = "import sys, companion.ocr.preprocess; print('numpy.ma' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
