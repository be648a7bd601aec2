"""The audit log: what was checked, what was found (masked, hashed) and what the user did.

`AuditStore` is the embedded SQLite log; `export_events` writes events as JSONL or CSV;
`keyed_hash` is how raw matched values become correlatable hashes. Everything else in this
package is an implementation detail of those three.
"""

from companion.audit.chain import ChainReport
from companion.audit.errors import AuditError, AuditKeyError
from companion.audit.events import EVENT_FIELDS
from companion.audit.export import EXPORT_FORMATS, export_events
from companion.audit.keys import keyed_hash
from companion.audit.store import AuditStore

__all__ = [
    "AuditError", "AuditKeyError", "AuditStore", "ChainReport", "EVENT_FIELDS",
    "EXPORT_FORMATS", "export_events", "keyed_hash",
]
