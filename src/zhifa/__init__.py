"""zhifa (执法): comprehensive administrative enforcement for culture and tourism bureaus."""

__version__ = "0.1.0"
