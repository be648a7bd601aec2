"""What can go wrong while deploying, as errors that render themselves (see companion/errors.py).

    PostguardError
    └── DeployError        bad input to a deploy command: an extension ID, a URL, a key (exit 2)
        └── BundleRejected a rule bundle that is tampered, wrongly signed or invalid (exit 3)

Each message names what is wrong and where; none quotes a post, and a rejected bundle
never says which bytes it expected (that would help nobody but a forger).
"""

from __future__ import annotations

from companion.errors import PostguardError


class DeployError(PostguardError):
    """An input a deploy command cannot use as given; nothing has been written."""

    code = "deploy_error"
    http_status = 400
    exit_code = 2


class BundleRejected(DeployError):
    """A rule bundle that must not be installed; the installed rules stay as they were."""

    code = "bundle_rejected"
    exit_code = 3
