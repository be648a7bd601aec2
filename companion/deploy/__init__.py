"""The deployment kit IT uses to roll Postguard out to many laptops without touching each one.

    policy.py        browser policy documents (force-install, pin, managed settings), validated
    policy_files.py  those documents as a Windows .reg, a macOS .mobileconfig, Linux JSON, Firefox JSON
    pack.py          the CRX (Chromium's own packer), its extension ID and the updates.xml manifest
    service.py       the companion as a per-user service (systemd user unit, LaunchAgent, scheduled task)
    bundle.py        signed rule bundles (Ed25519): build, verify, install atomically
    installed.py     which installed bundle is current, and reading it back safely
    reload.py        the running companion picks up a newly installed bundle without a restart
    (their commands: companion/cli/deploy.py, service.py and rules.py)

Every generator validates all of its input before it writes a single file, so a mistake
(a malformed extension ID, a wrongly signed bundle) is one clear line and changes nothing.
"""
