"""The database refuses to change an issued document (issue 6 §5): a trigger on ``documents_document`` aborts an
UPDATE of an issued (or superseded) row that touches what was frozen at issue — its content, inputs, number,
dates, files and digests — whoever sends it. Two changes stay possible, both made by the documents service and
recorded: an issued version becomes superseded when its correction is issued, and a PDF made later for a document
issued while LibreOffice was unavailable fills the empty PDF digest once.
"""

from __future__ import annotations

from zhifa.records.triggers import by_vendor

TABLE = "documents_document"
REFUSAL = "已签发的执法文书不得修改；更正须另行签发新版本并说明理由（《中华人民共和国行政处罚法》第四十七条）"
FROZEN = ("case_id", "code", "title", "version", "inputs", "number_id", "issued_on", "issued_at", "issued_by_id",
          "content", "template_version", "template_digest", "algorithm", "docx_digest", "docx_size",
          "registration_id", "event_id", "supersedes_id", "correction_reason")


def _changed(op: str) -> str:
    parts = [f"NEW.{c} {op} OLD.{c}" for c in FROZEN]
    parts.append(f"(OLD.pdf_digest <> '' AND (NEW.pdf_digest {op} OLD.pdf_digest OR NEW.pdf_size {op} OLD.pdf_size))")
    parts.append("(NEW.status <> OLD.status AND NOT (OLD.status = 'issued' AND NEW.status = 'superseded'))")
    return " OR ".join(parts)


SQLITE_CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS zhifa_document_frozen BEFORE UPDATE ON {TABLE} "
    f"WHEN OLD.status IN ('issued', 'superseded') AND ({_changed('IS NOT')}) "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS zhifa_document_frozen"]
POSTGRES_CREATE = [
    "CREATE OR REPLACE FUNCTION zhifa_document_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF OLD.status IN ('issued', 'superseded') AND ({_changed('IS DISTINCT FROM')}) THEN "
    f"RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'restrict_violation'; END IF; RETURN NEW; END $$",
    f"CREATE OR REPLACE TRIGGER zhifa_document_frozen BEFORE UPDATE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION zhifa_document_frozen()",
]
POSTGRES_DROP = [f"DROP TRIGGER IF EXISTS zhifa_document_frozen ON {TABLE}",
                 "DROP FUNCTION IF EXISTS zhifa_document_frozen()"]


def statements(vendor: str, create: bool) -> list[str]:
    return by_vendor(vendor, create, (SQLITE_CREATE, SQLITE_DROP), (POSTGRES_CREATE, POSTGRES_DROP))
