"""Screen-reader checks over AT-SPI (issue 19): a real X screen, a private session bus, a tree walker."""
