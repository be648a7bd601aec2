"""Regenerate deploy/examples/ — the files docs/deploy.md shows — from the real generators.

    .venv/bin/python deploy/make_examples.py

tests/companion/test_deploy_examples.py fails when the examples and the generators disagree, so
what IT reads in the docs is what the commands write. The extension ID below is a placeholder:
use the one `postguard deploy pack` prints for your key.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from companion.deploy.pack import updates_xml  # noqa: E402
from companion.deploy.policy import PolicyInputs  # noqa: E402
from companion.deploy.policy_files import policy_files  # noqa: E402
from companion.deploy.service import launch_agent, systemd_unit, task_xml  # noqa: E402

EXAMPLE_ID = "abcdefghijklmnopabcdefghijklmnop"
UPDATE_URL = "https://intranet.example.com/postguard/updates.xml"
MANAGED = {"companionUrl": "http://127.0.0.1:7717", "enforcement": "warn", "failMode": "open",
           "allowOverride": True, "requireJustification": True,
           "supportUrl": "https://intranet.example.com/help/postguard"}


def example_files() -> dict[str, bytes]:
    """Every example, by its path under deploy/examples/."""
    files = {f"policy/{name}": data
             for name, data in policy_files(PolicyInputs.checked(EXAMPLE_ID, UPDATE_URL, MANAGED)).items()}
    files["pack/updates.xml"] = updates_xml(EXAMPLE_ID, "https://intranet.example.com/postguard/postguard-0.1.0.crx",
                                            "0.1.0")
    origins = {"POSTGUARD_ALLOWED_ORIGINS": f"chrome-extension://{EXAMPLE_ID}"}
    files["service/postguard.service"] = systemd_unit(["/opt/postguard/.venv/bin/postguard", "serve"], origins).encode()
    files["service/com.lumenhardware.postguard.plist"] = launch_agent(
        ["/Applications/Postguard/venv/bin/postguard", "serve"], Path("/Users/li.wei/Library/Logs/Postguard"), origins)
    files["service/postguard-task.xml"] = task_xml(
        [r"C:\Program Files\Postguard\venv\Scripts\postguard.exe", "serve"], r"LUMEN\li.wei")
    return files


def main() -> None:
    for name, data in example_files().items():
        target = HERE / "examples" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        print(f"wrote {target.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
