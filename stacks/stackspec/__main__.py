"""``python -m stacks.stackspec``: regenerate the published JSON schemas and the reference in docs/spec.md."""

import json
import re
from pathlib import Path

from mlkeel.files import atomic_write_text

from ._docs import reference_markdown
from ._schema import SPEC_SCHEMA_FILE, STACK_FILE_SCHEMA_FILE, spec_schema, stack_file_schema

for path, schema in ((SPEC_SCHEMA_FILE, spec_schema()), (STACK_FILE_SCHEMA_FILE, stack_file_schema())):
    atomic_write_text(path, json.dumps(schema, indent=2) + "\n")
    print(path)
docs = Path(__file__).resolve().parents[2] / "docs" / "spec.md"
text = docs.read_text(encoding="utf-8")
block = f"<!-- BEGIN reference -->\n{reference_markdown()}<!-- END reference -->"
atomic_write_text(
    docs, re.sub(r"<!-- BEGIN reference -->.*?<!-- END reference -->", lambda _m: block, text, flags=re.S)
)
print(docs)
