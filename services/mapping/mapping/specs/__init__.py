"""A production spec: a catalog product, one value per attribute, and design files by print area, whose
files are checked in the background (docs/print-files.md, *Design-file checks*). Templates use it, and
shop variants' mappings will: `validation.validate` checks a spec, `files` keeps its design files and
their checks, `status.evaluate` says what is wrong, and `owners` lets each kind of owner react to checks
and catalog changes."""
