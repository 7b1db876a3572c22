"""The crm shell grammar, shipped as package data so that it loads from a
checkout and from an installed wheel alike."""

from importlib.resources import files


def crm_grammar_text() -> str:
    return files(__name__).joinpath("crm.lark").read_text(encoding="utf-8")


def pcs_grammar_text() -> str:
    return files(__name__).joinpath("pcs.lark").read_text(encoding="utf-8")
