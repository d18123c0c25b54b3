"""Write the generated packages, or check that they are current (``--check``)."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from .catalogue import Catalogue, load_catalogue
from .models import build_models, model_homes, model_modules, place_models, schemas_module
from .render import formatted, index_module
from .resources import resource_homes, resource_modules
from .tree import build_tree

__all__ = ["generate", "main", "model_files", "resource_files"]

ROOT = Path(__file__).resolve().parents[2]

MODELS_DOC = """Generated models, imported on first use (`skilljar_async.models` re-exports them).

One module per resource family; ``_shared`` holds models several families use, ``_enums``
the enums and ``_schemas`` the class standing for every response schema.
"""

RESOURCES_DOC = """Generated resources, imported on first use.

`skilljar_async.resources` re-exports them; hand-written resources wire or subclass them.
"""


def check_names(cat: Catalogue, resources: list[str], models: set[str]) -> None:
    """Refuse duplicate class names across generated resources and all models."""
    dupes = sorted(name for name, count in Counter(resources).items() if count > 1)
    clashes = sorted(set(resources) & (models | cat.hand_models))
    if dupes or clashes:
        raise SystemExit(f"name clash: duplicates {dupes}, model/resource {clashes}")


def generate(root: Path = ROOT) -> dict[Path, str]:
    """Every output file and its (formatted) text."""
    package = root / "skilljar_async"
    cat = load_catalogue(package / "_data")
    out = model_files(cat, package / "models" / "_generated")
    out.update(resource_files(cat, package / "resources" / "_generated"))
    return formatted(root, out)


def model_files(cat: Catalogue, directory: Path) -> dict[Path, str]:
    """The generated models package: family modules, enums, schema map, index."""
    models, enums = build_models(cat)
    place_models(cat, models)
    out = {directory / name: text for name, text in model_modules(cat, models, enums).items()}
    homes = model_homes(cat, models, enums)
    out[directory / "_schemas.py"] = schemas_module(cat, homes)
    generated = {name: home[1:] for name, home in homes.items() if home != ".."}
    out[directory / "__init__.py"] = index_module(MODELS_DOC, generated)
    return out


def resource_files(cat: Catalogue, directory: Path) -> dict[Path, str]:
    """The generated resources package: family modules and index."""
    models, enums = build_models(cat)
    nodes = build_tree(cat)
    homes = resource_homes(cat, nodes)
    check_names(cat, list(homes), set(models) | set(enums))
    public_models = sorted({*models, *enums, *cat.hand_models})
    modules = resource_modules(cat, nodes, public_models)
    out = {directory / name: text for name, text in modules.items()}
    out[directory / "__init__.py"] = index_module(RESOURCES_DOC, homes)
    return out


def main(argv: list[str] | None = None) -> int:
    """Write (or, with --check, compare) the generated packages; stale files are listed."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.codegen", description="Generate resources and models."
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if any output is stale")
    args = parser.parse_args(argv)
    files = generate()
    stale = [path for path, text in files.items() if not _current(path, text)]
    for directory in {path.parent for path in files}:
        stale += [p for p in sorted(directory.glob("*.py")) if p not in files]  # left over
    for path in stale:
        verb = "stale" if args.check else "wrote" if path in files else "removed"
        print(f"{verb}: {path.relative_to(ROOT)}")
        if args.check:
            continue
        if path in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(files[path], "utf-8")
        else:
            path.unlink()
    return 1 if args.check and stale else 0


def _current(path: Path, text: str) -> bool:
    return path.exists() and path.read_text("utf-8") == text
