"""Receipt layouts rendered to PDF/system printer and ESC/POS."""
