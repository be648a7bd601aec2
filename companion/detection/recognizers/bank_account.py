"""Bank account numbers given with their label: "A/C No. 6222 0212 3456 7890", "账号 …".

Long digit runs are everywhere (order numbers, tracking numbers); only a run right
after an account label counts. Patterns are case-sensitive where case carries meaning
(a SWIFT code is in capitals; "swift transfer" is not one).
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, PatternRecognizer


class BankAccountRecognizer(PatternRecognizer):
    """An account/SWIFT label followed by the number."""

    PATTERNS = [
        Pattern("bank_account", r"(?i:a/c|account|acct|账号|账户|卡号|银行卡|这张卡|收款卡)"
                r"(?:\s*(?i:no\.?|number|#))?\s*[:：]?\s*\d[\d ]{7,30}\d", 0.75),
        Pattern("swift", r"\b(?i:swift)(?:\s*(?i:code|bic))?\s*[:：]?\s*[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b", 0.7),
    ]

    def __init__(self):
        super().__init__(supported_entity="BANK_ACCOUNT", patterns=self.PATTERNS,
                         supported_language="en", global_regex_flags=re.DOTALL | re.MULTILINE)
