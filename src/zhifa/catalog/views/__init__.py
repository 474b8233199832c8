"""Screens of the catalog app: the holiday calendar editor, the catalog browser and item page with its
discretion calculator, the lint report and the change requests (DESIGN.md §2: views read, services
change)."""
