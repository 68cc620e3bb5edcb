"""Tongban Terminal (通办终端): the desktop client of a 全市通办 service hall."""

__version__ = "0.1.0"
