"""The two ways data reach the page, each through one function: as HTML text or attribute
value (`escape`), and as JSON inside a `<script>` element (`script_json`).

A file name, a feed name or a reason can hold anything a file system allows. In HTML text
`<`, `>`, `&` and both quotes are escaped. Inside `<script>` the HTML parser ends the element
at `</script` and enters its "double-escaped" state at `<!--<script`, after which the real end
tag no longer closes it and every chart is lost; JSON allows `\\u003c` for `<` inside strings,
so `<`, `>` and `&` are written that way (as are U+2028/U+2029, line terminators to older
JavaScript). `JSON.parse` and `json.loads` read the same values back.
"""

from __future__ import annotations

import html
import json

_SCRIPT_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_TABLE = str.maketrans(_SCRIPT_UNSAFE)


def escape(value) -> str:
    """`value` as HTML text or a quoted attribute value (None → empty)."""
    return html.escape("" if value is None else str(value), quote=True)


def script_json(value) -> str:
    """`value` as JSON that cannot end or confuse the `<script>` element holding it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    # the characters only ever occur inside JSON strings, where \uXXXX is the same character
    return text.translate(_SCRIPT_TABLE)
