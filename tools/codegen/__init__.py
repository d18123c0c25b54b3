"""Generate the typed resources and models from the operations catalogue.

Usage::

    .venv/bin/python -m tools.codegen          # write the generated packages
    .venv/bin/python -m tools.codegen --check  # exit 1 if they are out of date

Reads ``skilljar_async/_data/operations.json`` and ``schemas.json`` (written by
``python -m tools.codegen.spec``) plus ``tables.json`` (naming and wire overrides), and
writes two packages whole, every file under a "generated" header:

* ``skilljar_async/models/_generated/``: attrs models for every response schema no
  hand-written model covers (create/list/update variants of one object share a class),
  the enums, ``_schemas.py`` (schema -> class) and a lazy ``__init__`` index;
* ``skilljar_async/resources/_generated/``: a resource class for every client path node
  that is not written by hand, one module per family, and a lazy ``__init__`` index.

Generated code imports only base pieces: ``resources/_base.py``, ``models/_base.py``,
the converter, the paginator, the webhook event models, and the public names of
``skilljar_async.models`` (the hand-written shared models among them). Hand-written
resources subclass or wire generated ones, never the reverse. The modules:

* `catalogue`: load the JSON data and the override tables (nothing is read at import);
* `naming`: class, module and member names;
* `models`: the model classes and their modules;
* `arguments`: request bodies and query filters as keyword arguments;
* `docstrings`: method and class docstrings;
* `resources`: the resource tree, classes and modules;
* `render`: imports, module text, package indexes, ruff formatting;
* `cli`: ``main`` (write or ``--check``);
* `spec`: turn the OpenAPI document into the catalogue (needs the spec file).
"""
