"""``python -m stacks.spec``: regenerate the published JSON schema and the reference in docs/spec.md."""

import json
import re
from pathlib import Path

from ._docs import reference_markdown
from ._model import StackSpec

schema = Path(__file__).with_name("stack-spec.schema.json")
schema.write_text(json.dumps(StackSpec.model_json_schema(by_alias=True), indent=2) + "\n", encoding="utf-8")
print(schema)
docs = Path(__file__).resolve().parents[2] / "docs" / "spec.md"
text = docs.read_text(encoding="utf-8")
block = f"<!-- BEGIN reference -->\n{reference_markdown()}<!-- END reference -->"
docs.write_text(re.sub(r"<!-- BEGIN reference -->.*?<!-- END reference -->", lambda _m: block, text, flags=re.S))
print(docs)
