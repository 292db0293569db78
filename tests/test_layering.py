"""House rules: only gpulayers/backend imports numpy or cupy; no file over 400 lines."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "gpulayers"
_IMPORT = re.compile(r"^\s*(import (numpy|cupy|cupyx)\b|from (numpy|cupy|cupyx)[\s.])",
                     re.MULTILINE)


def test_only_the_backend_imports_array_libraries():
    offenders = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                 if "backend" not in path.relative_to(PACKAGE).parts
                 and _IMPORT.search(path.read_text())]
    assert offenders == [], f"numpy/cupy imported outside gpulayers/backend: {offenders}"


def test_no_module_is_over_400_lines():
    long_files = {str(path.relative_to(PACKAGE)): n for path in PACKAGE.rglob("*.py")
                  if (n := len(path.read_text().splitlines())) > 400}
    assert long_files == {}, f"split these by concept: {long_files}"
